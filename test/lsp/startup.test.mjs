// What the server loads to start: the bundle makes two Node built-ins that its LSP libraries require at
// load time (`child_process`, `crypto`) load on first use instead (scripts/build.mjs, lazy-builtins). A
// session that opens, analyses and fixes a document never uses them, so they must stay unloaded; and a
// use of one through the stand-in must still work. Run after `npm run build`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { removeTmpDir, withServer, ROOT } from './client.mjs';

after(removeTmpDir);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-startup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A preload that writes the Node built-ins the process loaded to `file` when it exits. */
function recorder(file) {
  const hook = path.join(tmp, `record-${path.basename(file)}.cjs`);
  fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(file)}, JSON.stringify(process.moduleLoadList)));\n`);
  return `--require ${hook}`;
}

test('a session that opens, analyses and fixes a document loads neither child_process nor crypto', async () => {
  const list = path.join(tmp, 'server.json');
  await withServer({ env: { NODE_OPTIONS: recorder(list) } }, async (c) => {
    const { uri, diagnostics } = await c.open('FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\n');
    assert.ok(diagnostics.some((d) => d.code === 'apt-hygiene'));
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
    assert.ok(actions.length > 0);
  });
  const loaded = JSON.parse(fs.readFileSync(list, 'utf8'));
  assert.ok(loaded.includes('NativeModule fs'), 'the recorder saw the process');
  assert.ok(!loaded.includes('NativeModule child_process'), 'child_process loaded');
  assert.ok(!loaded.includes('NativeModule crypto'), 'crypto loaded');
});

test('the stand-in loads the built-in at first use and passes its functions through', () => {
  // The bundle's banner defines the stand-in; run it from the built server bundle's first line.
  const banner = fs.readFileSync(path.join(ROOT, 'dist', 'server.main.js'), 'utf8').split('\n').find((l) => l.includes('__lazyBuiltin ='));
  assert.ok(banner, 'banner found');
  const script = `${banner}\nconst c = __lazyBuiltin('crypto');\nconst before = process.moduleLoadList.includes('NativeModule crypto');\nconst id = (0, c.randomUUID)();\nconsole.log(JSON.stringify({ before, after: process.moduleLoadList.includes('NativeModule crypto'), id }));`;
  const file = path.join(tmp, 'stand-in.cjs');
  fs.writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  assert.equal(r.stderr, '');
  const out = JSON.parse(r.stdout);
  assert.equal(out.before, false);
  assert.equal(out.after, true);
  assert.match(out.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
