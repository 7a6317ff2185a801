// The language server and the files around a document: the config search ends at the workspace folder that
// holds the document, and a config or project file linked to /proc/self/pagemap does not stop it serving.
// Run after `npm run build`: node --test test/lsp/files.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client, newUri, removeTmpDir } from './client.mjs';

const T = { timeout: 30_000 };
const A = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD ["./run.sh"]\n';
const codes = (diags) => [...new Set(diags.map((d) => d.code))].sort();

/** A client whose initialize names these workspace folders (file-system paths). */
async function start(folders) {
  const c = new Client({});
  const request = c.request.bind(c);
  c.request = (method, params, ms) =>
    request(method, method === 'initialize' ? { ...params, workspaceFolders: folders.map((f) => ({ uri: pathToFileURL(f).href, name: path.basename(f) })) } : params, ms);
  await c.init();
  return c;
}

test('a config file above the workspace folder does not apply to its documents; one inside it does', T, async () => {
  // outer/.dockerfilelean.yaml turns merge-run off; outer/ws is the workspace folder, without a .git.
  const uri = newUri();
  const outer = path.dirname(fileURLToPath(uri));
  const ws = path.join(outer, 'ws');
  fs.mkdirSync(path.join(ws, 'app'), { recursive: true });
  fs.writeFileSync(path.join(outer, '.dockerfilelean.yaml'), 'rules:\n  merge-run: off\n');
  const inside = pathToFileURL(path.join(ws, 'app', 'Dockerfile')).href;
  const outside = pathToFileURL(path.join(outer, 'Dockerfile')).href;
  const c = await start([ws]);
  try {
    assert.ok(codes((await c.open(A, { uri: inside })).diagnostics).includes('merge-run'), 'the config above the workspace folder is not used');
    assert.ok(!codes((await c.open(A, { uri: outside })).diagnostics).includes('merge-run'), 'a document outside the folders still finds it');
    fs.writeFileSync(path.join(ws, '.dockerfilelean.yaml'), 'rules:\n  apt-hygiene: off\n');
    const inside2 = pathToFileURL(path.join(ws, 'app', 'Dockerfile.web')).href;
    assert.deepEqual(codes((await c.open(A, { uri: inside2 })).diagnostics), ['merge-run', 'non-root-user'], 'the folder itself is searched');
  } finally {
    await c.close();
  }
});

test('config and go.mod linked to /proc/self/pagemap: diagnostics come, the server stays small and serves the next document', T, async () => {
  const uri = newUri();
  const d = path.dirname(fileURLToPath(uri));
  fs.mkdirSync(path.join(d, '.git'));
  fs.symlinkSync('/proc/self/pagemap', path.join(d, '.dockerfilelean.json'));
  fs.symlinkSync('/proc/self/pagemap', path.join(d, 'go.mod'));
  const c = await start([d]);
  try {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${c.proc.pid}/status`, 'utf8'))[1]) / 1024;
    const before = rss();
    const { diagnostics } = await c.open('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath\nCMD ["./x"]\n', { uri });
    assert.ok(codes(diagnostics).includes('multi-stage'), 'the defaults apply');
    assert.match(c.messages.map((m) => m.message).join('\n'), /a symbolic link to a file outside .*, so it is not read\. The defaults apply until it is fixed\./);
    const next = await c.open('FROM node:20\nCMD ["node","i.js"]\n');
    assert.ok(Array.isArray(next.diagnostics));
    assert.ok(rss() - before < 100, `server RSS grew from ${before.toFixed(0)} to ${rss().toFixed(0)} MB`);
  } finally {
    await c.close();
  }
});

after(removeTmpDir);
