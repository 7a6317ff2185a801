#!/usr/bin/env node
// The whole real-VS-Code layer, timed: install (cached) → npm run build → extension-host suite
// (runTests + shim, one launch) → browser UI scenarios (code-server + .vsix). Each exthost case and
// each UI scenario counts as one test. The last line is exactly `N passed, N failed` (read by CI);
// the exit code is non-zero when anything failed or could not run.
//
//   E2E_SKIP_BUILD=1   use dist/ as it is        E2E_ONLY=exthost|ui   run one layer
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, ARTIFACTS, log } from './paths.mjs';
import { install } from './install.mjs';

const timings = [];
const results = [];
const only = process.env.E2E_ONLY;

async function step(name, fn) {
  const t0 = Date.now();
  log(`=== ${name}`);
  try { return await fn(); } finally {
    timings.push([name, Date.now() - t0]);
  }
}

function finish() {
  console.log('\n=== e2e timings');
  for (const [name, ms] of timings) console.log(`  ${name.padEnd(12)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
  const failed = results.filter((r) => r.state !== 'passed');
  if (failed.length) {
    console.log('\n=== failed');
    for (const r of failed) console.log(`  ✗ ${r.title}\n      ${String(r.error ?? '').split('\n')[0]}`);
  }
  if (existsSync(ARTIFACTS)) console.log(`\nscreenshots: ${ARTIFACTS}`);
  const passed = results.length - failed.length;
  console.log(`${passed} passed, ${failed.length} failed`);
  process.exit(failed.length === 0 && passed > 0 ? 0 : 1);
}

/** Read a layer's JSON summary; a layer that wrote none counts as one failure. */
function collect(layer, file, code) {
  let summary;
  try { summary = JSON.parse(readFileSync(file, 'utf8')); } catch { summary = undefined; }
  if (!summary || !Array.isArray(summary.tests) || summary.tests.length === 0) {
    results.push({ title: `${layer} (no results: the run did not complete, exit code ${code})`, state: 'failed' });
    return;
  }
  for (const t of summary.tests) results.push({ ...t, title: `${layer}: ${t.title}` });
  if (code !== 0 && summary.failed === 0) results.push({ title: `${layer} exited with code ${code}`, state: 'failed' });
}

try {
  await step('install', () => install());
} catch (e) {
  results.push({ title: 'install', state: 'failed', error: e.message });
  finish();
}

if (!process.env.E2E_SKIP_BUILD) {
  try {
    await step('build', () => execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' }));
  } catch (e) {
    results.push({ title: 'npm run build', state: 'failed', error: e.message });
    finish();
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'dfl-e2e-results-'));
if (!only || only === 'exthost') {
  const file = join(scratch, 'exthost.json');
  const { runExtHost } = await import('./run-exthost.mjs');
  const code = await step('exthost', () => runExtHost({ env: { DFL_E2E_RESULTS: file } }));
  collect('exthost', file, code);
}
if (!only || only === 'ui') {
  const { runUi } = await import('./ui.mjs');
  const summary = await step('ui', () => runUi());
  for (const t of summary.tests) results.push({ ...t, title: `ui: ${t.title}` });
}
rmSync(scratch, { recursive: true, force: true });
finish();
