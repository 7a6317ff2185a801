// `dockerfile-lean compare` building real images (needs root, buildah and podman, the local stand-in bases of
// test/images): the report's figures against the images layer's own measurements of the same example, the
// docker path through a podman-as-docker shim, a deliberately broken rewrite, a cancelled build, cleanup.
// Run through test/compare/run.mjs (the `compare` layer of npm test), or alone after `npm run build`:
//   node --test test/compare/
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessFigures, processesMatching, processGroupMembers, ROOT, engineEnv } from './helpers.mjs';

const CLI = path.join(ROOT, 'dist/cli.js');
const GO = path.join(ROOT, 'examples/go-service/Dockerfile');
const T = { timeout: 240_000 };
const PULL = '--engine-arg=--pull=never';

/** Runs the CLI; resolves with { code, out, err, json }. */
function cli(args, { env = {}, onSpawn } = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...engineEnv(), NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (err += b));
    onSpawn?.(p);
    p.on('close', (code, signal) => {
      let json = null;
      try {
        json = JSON.parse(out);
      } catch {}
      resolve({ code, signal, out, err, json });
    });
  });
}

const imageExists = (tag) => spawnSync('podman', ['image', 'exists', tag], { env: engineEnv() }).status === 0;

let harness;
before(() => {
  harness = harnessFigures('go-service');
});

/** A folder with an executable `name` that logs its arguments to `calls` and runs `target`. */
function loggingShim(name, target) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dfl-${name}-shim-`));
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "$*" >> "${dir}/calls"\nexec ${target} "$@"\n`, { mode: 0o755 });
  return { dir, calls: () => fs.readFileSync(path.join(dir, 'calls'), 'utf8') };
}
const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();

test('go-service with podman: the figures are the images layer\'s, the toolchain is gone, both images start, and are removed', T, async () => {
  const shim = loggingShim('podman', which('podman'));
  const r = await cli(['compare', '--format', 'json', '--engine', 'podman', PULL, '--smoke-seconds', '3', GO], { env: { PATH: `${shim.dir}:${process.env.PATH}` } });
  assert.equal(r.code, 0, r.out + r.err);
  // The smoke start: no network, nothing of the user's environment or files.
  const runs = shim.calls().split('\n').filter((l) => l.startsWith('run '));
  assert.equal(runs.length, 2, shim.calls());
  for (const l of runs) {
    assert.match(l, /^run -d --name dockerfile-lean-compare-[0-9a-f]{8}-(before|after) --network none localhost\/dockerfile-lean-compare\/go-service:(before|after)-[0-9a-f]{8}$/);
  }
  assert.doesNotMatch(shim.calls(), /(^| )(-e|--env|--env-file|-v|--volume|--secret|--build-arg)( |=|$)/m);
  fs.rmSync(shim.dir, { recursive: true, force: true });
  const j = r.json;
  assert.equal(j.verdict, 'ok', JSON.stringify(j.reasons));
  assert.equal(j.engine.name, 'podman');
  assert.deepEqual(j.rules.includes('multi-stage'), true);
  for (const side of ['before', 'after']) {
    const mine = j[side], theirs = harness[side];
    assert.equal(mine.built, true, side);
    assert.equal(mine.facts.size, theirs.size, `${side} size`);
    assert.equal(mine.facts.layers, theirs.layers, `${side} layers`);
    assert.equal(mine.facts.user, theirs.user, `${side} USER`);
    assert.equal(mine.uid, theirs.uid, `${side} uid (${mine.uidSource})`);
    assert.equal(mine.smoke.state, 'running', `${side} smoke: ${JSON.stringify(mine.smoke)}`);
  }
  assert.equal(j.saving.bytes, harness.before.size - harness.after.size);
  assert.equal(j.saving.pct, harness.savingPct);
  // The harness requires its absent paths gone from the after image and present in the before one: the same verdict here.
  assert.equal(j.toolchain.checked, true);
  const byPath = Object.fromEntries(j.toolchain.paths.map((p) => [p.path, p.verdict]));
  assert.equal(byPath['/usr/bin/go'], 'gone');
  assert.equal(byPath['/usr/bin/gcc'], 'gone');
  // The stand-in's Go is Debian's: the official image's path is reported as not there, never as gone.
  assert.equal(byPath['/usr/local/go/bin/go'], 'not-in-original');
  assert.deepEqual(j.kept, []);
  for (const side of ['before', 'after']) assert.equal(imageExists(j[side].tag), false, `${j[side].tag} left behind`);
  assert.match(j.before.tag, /^localhost\/dockerfile-lean-compare\/go-service:before-[0-9a-f]{8}$/);
});

test('the docker path: a podman-as-docker shim on PATH builds the same images, and the text report shows them', T, async () => {
  const { dir: shim, calls: shimCalls } = loggingShim('docker', which('podman'));
  try {
    // With the network allowed, the smoke start also asks the service over a port published on 127.0.0.1.
    const r = await cli(['compare', '--engine', 'docker', PULL, '--smoke-seconds', '4', '--allow-network', '--smoke-url', 'http://localhost:8080/healthz', GO], { env: { PATH: `${shim}:${process.env.PATH}` } });
    assert.equal(r.code, 0, r.out + r.err);
    const calls = shimCalls();
    // docker's own commands went through the shim: the daemon check, build, inspect, cp, run, rmi.
    for (const c of [/^version --format \{\{\.Server\.Version\}\}$/m, /^build --pull=never -f \S+before\.Dockerfile -t localhost\/dockerfile-lean-compare\//m, /^image inspect /m, /^cp [0-9a-f]+:\/usr\/bin\/gcc -$/m, /^run -d --name dockerfile-lean-compare-\S+ -p 127\.0\.0\.1::8080 /m, /^port dockerfile-lean-compare-\S+ 8080\/tcp$/m, /^rmi /m]) {
      assert.match(calls, c);
    }
    assert.match(r.out, /, docker 4\.\d+\.\d+\)/);
    assert.match(r.out, new RegExp(`image size\\s+${(harness.before.size / 1e6).toFixed(1)} MB\\s+${(harness.after.size / 1e6).toFixed(1)} MB`));
    assert.match(r.out, /uid\s+0 \(root\)\s+65532/);
    assert.match(r.out, /\/usr\/bin\/gcc: gone/);
    assert.match(r.out, /smoke start\s+still running after [\d.]+ s; GET \/healthz: 200\s+still running after [\d.]+ s; GET \/healthz: 200/);
    assert.match(r.out, /Both images built; the fixed one did no worse\./);
  } finally {
    fs.rmSync(shim, { recursive: true, force: true });
  }
});

test('a broken rewrite (test-only recipe), with buildah: a failed build with its step, line and rewrite, and an issue text', T, async () => {
  const r = await cli(['compare', '--format', 'json', '--engine', 'buildah', PULL, '--smoke-seconds', '1', GO], { env: { DOCKERFILE_LEAN_TEST_BROKEN_RECIPE: 'go' } });
  assert.equal(r.code, 1, r.out + r.err);
  const j = r.json;
  assert.equal(j.verdict, 'worse');
  assert.equal(j.before.built, true);
  assert.equal(j.after.built, false);
  const f = j.after.failure;
  assert.match(f.step, /STEP \d+\/\d+: RUN test -e \/dockerfile-lean-test-broken-rewrite$/);
  assert.equal(f.instruction, 'RUN test -e /dockerfile-lean-test-broken-rewrite');
  assert.equal(f.line, 5);
  assert.match(f.logTail, /exit status 1/);
  assert.deepEqual(f.cause.rules, ['multi-stage']);
  assert.equal(f.cause.how, 'made-the-step');
  assert.match(j.issueText, /^### The fixed Dockerfile does not build \(multi-stage\)/);
  assert.match(j.issueText, /failing step: `.*RUN test -e \/dockerfile-lean-test-broken-rewrite` \(line 5 of the fixed file\)/);
  assert.match(j.issueText, /```dockerfile\nFROM golang:1\.22\nWORKDIR \/src/);
  assert.match(j.issueText, /FROM gcr\.io\/distroless\/static-debian12:nonroot/);
  assert.match(j.issueText, /https:\/\/github\.com\/dockerfile-lean\/dockerfile-lean\/issues/);
  assert.equal(j.toolchain.checked, false);
  assert.equal(imageExists(j.before.tag), false, 'the current image was left behind');
});

test('SIGINT while a RUN step builds: the build\'s process group and the step end, the CLI exits 130, nothing is left', T, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-cancel-'));
  const marker = `dfl-cancel-${process.pid}-${Date.now()}`;
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM debian:bookworm-slim\nRUN sh -c "sleep 600" ${marker}\nRUN true\nCMD ["true"]\n`);
  let child;
  const done = cli(['compare', '--format', 'json', '--engine', 'podman', PULL, path.join(dir, 'Dockerfile')], { onSpawn: (p) => (child = p) });
  try {
    let step = [];
    for (let k = 0; k < 600 && !step.length; k++) {
      await new Promise((r) => setTimeout(r, 100));
      step = processesMatching(marker);
    }
    assert.ok(step.length, 'the RUN step never started');
    // The build process: the engine the CLI started, leader of its own group.
    const groups = new Set(step.map((p) => p.pgid));
    assert.equal(groups.size, 1, `the step runs in one process group: ${JSON.stringify(step)}`);
    const [pgid] = groups;
    assert.ok(processGroupMembers(pgid).some((p) => /podman build/.test(p.cmd)), 'the group is the podman build');
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.out + r.err);
    assert.equal(r.json.verdict, 'cancelled');
    assert.deepEqual(processGroupMembers(pgid), [], 'processes of the build group are left');
    assert.deepEqual(processesMatching(marker), [], 'the RUN step is still running');
    assert.equal(imageExists(r.json.before.tag), false);
  } finally {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
