#!/usr/bin/env node
// Extension-host layer: @vscode/test-electron's runTests() with the shim as vscodeExecutablePath (no
// desktop VS Code can be downloaded here), the repo as extensionDevelopmentPath, suite/index.js as
// extensionTestsPath, and a temp copy of workspace/ as the folder. One launch runs every case.
//
//   E2E_EXT_DEV  extension folder (default: the repo root; its main is dist/extension.js)
//   DFL_E2E_RESULTS  where suite/index.js writes its JSON summary (set by run-all.mjs)
//   DFL_E2E_GREP     run only the cases whose title matches
//   VSCODE_EXECUTABLE  a real VS Code binary to use instead of the shim
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { E2E_DIR, REPO, log } from './paths.mjs';

const require = createRequire(import.meta.url);

export async function runExtHost({ dev = process.env.E2E_EXT_DEV ? resolve(process.env.E2E_EXT_DEV) : REPO, env = {} } = {}) {
  const { runTests } = require('@vscode/test-electron');
  const main = join(dev, 'dist/extension.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run npm run build first`);
  const workspace = mkdtempSync(join(tmpdir(), 'dfl-e2e-ws-'));
  cpSync(join(E2E_DIR, 'workspace'), workspace, { recursive: true });
  const t0 = Date.now();
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || join(E2E_DIR, 'code-shim.mjs'),
      extensionDevelopmentPath: dev,
      extensionTestsPath: join(E2E_DIR, 'suite/index.js'),
      extensionTestsEnv: env,
      launchArgs: [workspace, '--disable-extensions'],
    });
    return 0;
  } catch (e) {
    console.error(`runTests: ${e.message ?? e}`);
    return 1;
  } finally {
    log(`extension-host layer took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!process.env.E2E_KEEP) rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(await runExtHost());
}
