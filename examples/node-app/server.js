// node-app: plain JavaScript, no dependencies, no build step.
// It keeps a small state file in its working directory (like many apps keep logs, uploads or
// SQLite files next to their code), so it needs to be able to write there.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const port = Number(process.env.PORT || 3000);
const stateFile = path.join(process.cwd(), 'state.json');

function load() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return { starts: 0, hits: 0 };
  }
}

const state = load();
state.starts += 1;
try {
  fs.writeFileSync(stateFile, JSON.stringify(state));
} catch (err) {
  console.error(`node-app: cannot write ${stateFile}: ${err.code || err.message}`);
  process.exit(1);
}

if (process.argv.includes('--check')) {
  console.log(`node-app ok uid=${process.getuid()} starts=${state.starts}`);
  process.exit(0);
}

http
  .createServer((req, res) => {
    if (req.url === '/healthz') {
      res.end('ok\n');
      return;
    }
    state.hits += 1;
    fs.writeFileSync(stateFile, JSON.stringify(state));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ app: 'node-app', uid: process.getuid(), ...state }) + '\n');
  })
  .listen(port, () => console.log(`node-app listening on :${port} as uid ${process.getuid()}`));
