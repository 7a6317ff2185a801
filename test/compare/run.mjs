#!/usr/bin/env node
// The `compare` layer of npm test: Build and Compare on real images. Like the images layer it needs root, buildah
// and podman, and the local stand-in bases (made and tagged by test/images/run.mjs, which also measures the
// example the tests compare against); then
//   1. node --test test/compare/            the CLI (podman, podman-as-docker, buildah, a broken rewrite, SIGINT)
//   2. extension host, trusted              test/e2e/compare/: the palette command, the code action, cancel
//   3. extension host, workspace untrusted  test/e2e/compare-untrusted/: refused with the reason
// Ends with `N passed, N failed`; exit 1 when anything failed, 2 when it cannot run at all.
//   E2E_SKIP=1  only step 1 (no VS Code install here)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const log = (m) => process.stderr.write(`[compare] ${m}\n`);
let passed = 0, failed = 0;

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    p.on('close', (code) => resolve({ code, out }));
  });
}

function finish(code) {
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(code ?? (failed ? 1 : 0));
}

if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  log(`needs root (running as uid ${process.getuid()}): the builds are rootful, like the images layer's`);
  failed = 1;
  finish(2);
}
if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) {
  log('dist/ missing: run npm run build first');
  failed = 1;
  finish(2);
}

// 0. bases, tags and the images layer's own measurements of go-service
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-compare-layer-'));
const harness = path.join(scratch, 'harness.json');
log('images harness for go-service (bases, tags, measurements)');
const h = await run(process.execPath, ['test/images/run.mjs', '--only', 'go-service']);
if (h.code !== 0) {
  log(`the images harness failed (exit ${h.code}): nothing to compare against`);
  failed = 1;
  finish(2);
}
fs.copyFileSync(path.join(ROOT, 'test/images/results/latest.json'), harness);
const env = {
  DFL_COMPARE_HARNESS: harness,
  CONTAINERS_CONF: process.env.CONTAINERS_CONF || path.join(ROOT, 'test/images/containers.conf'),
  BUILDAH_ISOLATION: process.env.BUILDAH_ISOLATION || 'chroot',
};

// 1. the CLI
const t = await run(process.execPath, ['--test', 'test/compare/'], env);
const pass = [...t.out.matchAll(/^# pass (\d+)$/gm)].pop();
const fail = [...t.out.matchAll(/^# fail (\d+)$/gm)].pop();
if (!pass) failed++;
else {
  passed += Number(pass[1]);
  failed += Number(fail?.[1] ?? 0);
  if (t.code !== 0 && !Number(fail?.[1] ?? 0)) failed++;
}

// 2. and 3. the extension host
if (!process.env.E2E_SKIP) {
  const { install } = await import('../e2e/install.mjs');
  const { runExtensionHostTests } = await import('../e2e/lib.mjs');
  try {
    await install();
  } catch (e) {
    log(`VS Code install failed: ${e.message}`);
    failed++;
    finish();
  }
  for (const [name, trust] of [['compare', false], ['compare-untrusted', true]]) {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), `dfl-${name}-ws-`));
    fs.cpSync(path.join(ROOT, 'test/e2e/workspace'), ws, { recursive: true });
    fs.cpSync(path.join(ROOT, 'examples/go-service'), path.join(ws, 'go-service'), { recursive: true });
    const results = path.join(scratch, `${name}.json`);
    log(`extension host: test/e2e/${name}/${trust ? ' (workspace trust on)' : ''}`);
    const code = await runExtensionHostTests({ dev: ROOT, tests: path.join(ROOT, 'test/e2e', name, 'index.js'), workspace: ws, env: { ...env, DFL_E2E_RESULTS: results }, trust, label: name });
    let summary = null;
    try {
      summary = JSON.parse(fs.readFileSync(results, 'utf8'));
    } catch {}
    if (!summary?.tests?.length) {
      log(`${name}: no results (exit ${code})`);
      failed++;
    } else {
      passed += summary.passed;
      failed += summary.failed;
      if (code !== 0 && !summary.failed) failed++;
    }
    fs.rmSync(ws, { recursive: true, force: true });
  }
}
fs.rmSync(scratch, { recursive: true, force: true });
finish();
