// Shared by the compare layer's tests: the images layer's measurements, the engine's environment on this VM,
// and what /proc says about processes (procs.cjs).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the images harness uses on this VM (runc + small ulimits, chroot isolation): passed through, as a user's own would be. */
export function engineEnv() {
  return {
    ...process.env,
    CONTAINERS_CONF: process.env.CONTAINERS_CONF || path.join(ROOT, 'test/images/containers.conf'),
    BUILDAH_ISOLATION: process.env.BUILDAH_ISOLATION || 'chroot',
  };
}

/**
 * The images layer's result for one example: from DFL_COMPARE_HARNESS (written by run.mjs), else from a run of
 * `node test/images/run.mjs --only NAME` (which also builds and tags the local bases).
 */
export function harnessFigures(name) {
  let file = process.env.DFL_COMPARE_HARNESS;
  if (!file) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'test/images/run.mjs'), '--only', name], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`the images harness failed for ${name} (exit ${r.status}):\n${r.stdout}`);
    file = path.join(ROOT, 'test/images/results/latest.json');
  }
  const res = JSON.parse(fs.readFileSync(file, 'utf8')).results.find((x) => x.name === name);
  if (!res || res.verdict !== 'PASS') throw new Error(`the images harness has no passing ${name}: ${JSON.stringify(res?.reasons)}`);
  return res;
}

export const { processes, processesMatching, processGroupMembers } = createRequire(import.meta.url)('./procs.cjs');
