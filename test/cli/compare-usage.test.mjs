// `dockerfile-lean compare` before anything is built: usage errors, a missing or silent engine, nothing to
// compare (no engine asked), --help. The builds themselves are the `compare` layer's (test/compare/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const T = { timeout: 30_000 };
const GO = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server .\nCMD ["/out/server"]\n';
const CLEAN = 'FROM node:20\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node","index.js"]\n';

let dir, bin;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-compare-usage-'));
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), GO);
  fs.mkdirSync(path.join(dir, 'clean'));
  fs.writeFileSync(path.join(dir, 'clean', 'Dockerfile'), CLEAN);
  // A docker CLI whose daemon is not running: it logs each call and fails like the real one.
  fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "$*" >> "${dir}/calls"\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n`, { mode: 0o755 });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The CLI with PATH = only the stub folder (and sh for the stub). */
const cli = (args, { path: p = `${bin}:/bin:/usr/bin` } = {}) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: p, NO_COLOR: '1' } });
const calls = () => (fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf8') : '');

test('usage errors exit 2 and build nothing', T, () => {
  for (const [args, re] of [
    [['compare'], /compare needs a file/],
    [['compare', '-'], /one Dockerfile on disk/],
    [['compare', 'Dockerfile', 'clean/Dockerfile'], /one Dockerfile on disk/],
    [['compare', '--engine', 'nerdctl', 'Dockerfile'], /unknown engine 'nerdctl' \(expected docker, podman, buildah\)/],
    [['compare', '--format', 'sarif', 'Dockerfile'], /unknown format 'sarif' for compare/],
    [['compare', '--smoke-url', 'http://localhost:8080/healthz', 'Dockerfile'], /--smoke-url needs --allow-network/],
    [['compare', '--allow-network', '--smoke-url', 'localhost', 'Dockerfile'], /--smoke-url needs a URL/],
    [['compare', '--timeout', '0', 'Dockerfile'], /--timeout needs a whole number from 1/],
    [['compare', '--context', 'nowhere', 'Dockerfile'], /the build context nowhere is not a folder/],
    [['compare', '--write', 'Dockerfile'], /unknown option '--write' for compare/],
  ]) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.equal(calls(), '');
});

test('no engine on PATH: exit 2, said so', T, () => {
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  const r = cli(['compare', 'Dockerfile'], { path: empty });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no container engine found \(docker, podman or buildah on PATH\)/);
});

test('a docker CLI whose daemon does not answer is not used: asked for its server version only', T, () => {
  const r = cli(['compare', '--engine', 'docker', 'Dockerfile'], { path: bin });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /the engine docker cannot be used: docker \(.*\) does not answer: Cannot connect to the Docker daemon/);
  assert.equal(calls(), 'version --format {{.Server.Version}}\n');
});

test('nothing to compare: exit 0, no engine asked', T, () => {
  fs.rmSync(path.join(dir, 'calls'), { force: true });
  const r = cli(['compare', 'clean/Dockerfile']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'Nothing to compare: the fixes change nothing in this Dockerfile.\n');
  const j = cli(['compare', '--format', 'json', '--rule', 'merge-run', 'Dockerfile']);
  assert.equal(j.status, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).verdict, 'nothing-to-compare');
  assert.equal(calls(), '');
});

test('--help names compare, its options and its exit codes; check keeps its own', T, () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0);
  for (const s of ['dockerfile-lean compare [options] FILE', '--engine docker|podman|buildah', '--context DIR', '--engine-arg ARG', '--format text|json', '--keep', '--smoke-seconds', '--allow-network', '--min-free-disk', 'compare exit codes: 0 both built', '130 interrupted', 'exit codes: 0 nothing at or above the threshold']) {
    assert.ok(r.stdout.includes(s), `--help lacks ${s}`);
  }
});
