// node-service: a TypeScript HTTP service (compiled to dist/ by `npm run build`).
import http from 'node:http';
import ms from 'ms';

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
    res.setHeader('content-type', 'text/plain');
    res.end(describe() + '\n');
  })
  .listen(port, () => console.log(`node-service listening on :${port}`));
