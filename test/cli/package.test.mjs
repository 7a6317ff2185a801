// The npm package as a user gets it: `npm pack` (of the dist/ already built), `npm install -g` into an empty
// prefix, then the installed bins run from another folder: check, fix --diff, --format sarif, and the
// language server's `initialize`. Also: a global install is often not writable by its user, so the V8 code
// cache must fall back to the per-user folder there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSarifValid } from './sarif.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const DOCKERFILE = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD ["curl", "--version"]\n';

let tmp, tarball, prefix, work;
const stats = {};
const bin = (name) => path.join(prefix, 'bin', name);

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-package-'));
  fs.chmodSync(tmp, 0o755); // another user runs the installed CLI below
  // --ignore-scripts: `prepack` would rebuild dist/ while the other test files use it; `npm test` built it.
  const pack = spawnSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout);
  tarball = path.join(tmp, info.filename);
  stats.files = info.files.map((f) => f.path).sort();
  stats.size = fs.statSync(tarball).size;
  prefix = path.join(tmp, 'prefix');
  const t0 = process.hrtime.bigint();
  const inst = spawnSync(NPM, ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--cache', path.join(tmp, 'npm-cache'), tarball], { cwd: tmp, encoding: 'utf8' });
  stats.installMs = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(inst.status, 0, inst.stderr);
  work = path.join(tmp, 'project');
  fs.mkdirSync(path.join(work, 'services/api'), { recursive: true });
  fs.writeFileSync(path.join(work, 'services/api/Dockerfile'), DOCKERFILE);
  for (const d of [prefix, work, path.join(work, 'services'), path.join(work, 'services/api')]) fs.chmodSync(d, 0o755);
  process.stderr.write(`# npm package: ${(stats.size / 1024).toFixed(0)} KiB tarball, ${stats.files.length} files, npm install -g ${stats.installMs.toFixed(0)} ms\n`);
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('package.json is a publishable package: not private, no runtime dependencies, honest engines, both bins', () => {
  assert.equal(PKG.private, undefined);
  assert.equal(PKG.dependencies, undefined, 'the bundles carry everything they load');
  assert.deepEqual(PKG.bin, { 'dockerfile-lean': './dist/cli.js', 'dockerfile-lean-server': './dist/server.js' });
  assert.match(PKG.scripts.prepack, /build/);
  // engines.node is the bundles' esbuild target (node20) and what this runs on.
  const build = fs.readFileSync(path.join(ROOT, 'scripts/build.mjs'), 'utf8');
  const target = build.match(/target: 'node(\d+)'/)[1];
  assert.equal(PKG.engines.node, `>=${target}`);
  assert.ok(Number(process.versions.node.split('.')[0]) >= Number(target));
});

test('the tarball holds the bundles, the wasm, the lazily loaded vendor files, LICENSE and README, and no sources or maps', () => {
  for (const f of ['dist/cli.js', 'dist/cli.main.js', 'dist/server.js', 'dist/server.main.js', 'dist/action.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-bash.wasm', 'dist/vendor-yaml.js', 'LICENSE', 'README.md', 'package.json']) {
    assert.ok(stats.files.includes(f), `${f} is packed`);
  }
  const stray = stats.files.filter((f) => /\.map$|\.ts$|^(server|client|test|node_modules|scripts)\//.test(f));
  assert.deepEqual(stray, []);
  for (const name of ['dockerfile-lean', 'dockerfile-lean-server']) assert.ok(fs.existsSync(bin(name)), `${name} is on the prefix's PATH`);
});

function runBin(name, args, { cwd = work, input, env = {}, uid, gid } = {}) {
  return spawnSync(bin(name), args, { cwd, input, encoding: 'utf8', env: { ...process.env, ...env }, uid, gid });
}

test('installed dockerfile-lean check, fix --diff and --format sarif work from another folder', () => {
  const check = runBin('dockerfile-lean', ['check', '.']);
  assert.equal(check.status, 1, check.stderr);
  // The lone apt-get update on line 2 is reported inside the merge that resolves it; the detail follows indented.
  assert.match(check.stdout, /^services\/api\/Dockerfile:2:1 warning merge-run Merge these \d RUN instructions: apt-get update on line 2 runs in a RUN of its own\.\n {4}\S/m);

  const diff = runBin('dockerfile-lean', ['fix', '--diff', 'services/api/Dockerfile']);
  assert.equal(diff.status, 0, diff.stderr);
  assert.match(diff.stdout, /^--- a\/services\/api\/Dockerfile$/m);
  assert.match(diff.stdout, /^\+RUN apt-get update/m);

  const sarif = runBin('dockerfile-lean', ['check', '--format', 'sarif', '.']);
  assert.equal(sarif.status, 1, sarif.stderr);
  const log = JSON.parse(sarif.stdout);
  assertSarifValid(log);
  assert.ok(log.runs[0].results.some((r) => r.ruleId === 'apt-hygiene'));

  const stdin = runBin('dockerfile-lean', ['check', '-'], { cwd: tmp, input: DOCKERFILE });
  assert.equal(stdin.status, 1);
  assert.match(stdin.stdout, /non-root-user/);
});

test('npx runs the package without an install (the bin named like the package)', () => {
  const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const r = spawnSync(NPX, ['--yes', '--offline', '--cache', path.join(tmp, 'npx-cache'), '--package', tarball, 'dockerfile-lean', 'check', 'services'], { cwd: work, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^services\/api\/Dockerfile:3:5 (warning|info) apt-hygiene /m);
});

test('installed dockerfile-lean-server --stdio answers initialize', async () => {
  const proc = spawn(bin('dockerfile-lean-server'), ['--stdio'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  const send = (msg) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    proc.stdin.write(body);
  };
  let buf = Buffer.alloc(0);
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const reply = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no initialize reply in 20 s; stderr: ${stderr}`)), 20_000);
    proc.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())[1]);
        if (buf.length < head + 4 + len) return;
        const msg = JSON.parse(buf.subarray(head + 4, head + 4 + len).toString('utf8'));
        buf = buf.subarray(head + 4 + len);
        if (msg.id === 1) {
          clearTimeout(timer);
          resolve(msg);
        }
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before replying; stderr: ${stderr}`)));
  });
  send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null } });
  try {
    const msg = await reply;
    assert.equal(msg.error, undefined);
    assert.ok(msg.result.capabilities.textDocumentSync, 'the server announces its capabilities');
  } finally {
    send({ id: 2, method: 'shutdown' });
    send({ method: 'exit' });
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
  }
});

test('a global install its user cannot write keeps the code cache in the per-user folder', () => {
  const dist = path.join(prefix, 'lib/node_modules/dockerfile-lean/dist');
  const xdg = path.join(tmp, 'xdg');
  fs.mkdirSync(xdg, { mode: 0o700 });
  // As root: run as another user (the install stays root's). Otherwise: make the install read-only.
  const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (asOther.uid !== undefined) fs.chownSync(xdg, asOther.uid, asOther.gid);
  else spawnSync('chmod', ['-R', 'a-w', dist]);
  try {
    const env = { XDG_CACHE_HOME: xdg, DOCKERFILE_LEAN_TRACE: '1' };
    const first = runBin('dockerfile-lean', ['check', '.'], { env, ...asOther });
    assert.equal(first.status, 1, first.stderr);
    const cached = fs.readdirSync(path.join(xdg, 'dockerfile-lean')).filter((f) => f.startsWith('cli.main.js-'));
    assert.equal(cached.length, 1, `one cache file in the per-user folder (${cached})`);
    const second = runBin('dockerfile-lean', ['check', '.'], { env, ...asOther });
    assert.equal(second.status, 1, second.stderr);
    assert.match(second.stderr, /bundle compiled, cache used/);
    assert.equal(second.stdout, first.stdout);
  } finally {
    if (asOther.uid === undefined) spawnSync('chmod', ['-R', 'u+w', dist]);
  }
});
