// node-service: a TypeScript HTTP service (compiled to dist/ by `npm run build`) that also serves a static page
// from public/, next to dist/: the runtime image needs files the build does not produce.
import http from 'node:http';
import { readFile } from 'node:fs';
import path from 'node:path';
import ms from 'ms';

const PUBLIC = path.join(__dirname, '..', 'public');

const port = Number(process.env.PORT ?? 3000);
const started = Date.now();

export function describe(): string {
  return `node-service ok uid=${process.getuid?.() ?? -1} up=${ms(Date.now() - started)}`;
}

if (process.argv.includes('--check')) {
  console.log(describe());
  process.exit(0);
}

http
  .createServer((req, res) => {
    if (req.url === '/healthz') {
      res.end('ok\n');
      return;
    }
    if (req.url === '/') {
      // Read at request time: the answer comes after an asynchronous file read.
      readFile(path.join(PUBLIC, 'index.html'), (err, page) => {
        res.statusCode = err ? 404 : 200;
        res.setHeader('content-type', err ? 'text/plain' : 'text/html; charset=utf-8');
        res.end(err ? 'not found\n' : page);
      });
      return;
    }
    res.setHeader('content-type', 'text/plain');
    res.end(describe() + '\n');
  })
  .listen(port, () => console.log(`node-service listening on :${port}`));
