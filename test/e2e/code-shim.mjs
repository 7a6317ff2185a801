#!/usr/bin/env node
// Stands in for a VS Code executable as @vscode/test-electron's `vscodeExecutablePath`: takes the
// arguments runTests() passes to VS Code and runs the tests in the real VS Code server + headless
// Chromium instead (see lib.mjs). The exit code is the one the workbench reports.
//
// Understood: --extensionDevelopmentPath (repeatable), --extensionTestsPath, both as --flag=value or
// --flag value, and the first plain argument as the folder to open. Electron/profile flags
// (--no-sandbox, --user-data-dir, --extensions-dir, ...) are ignored: every run gets fresh folders.
import { resolve } from 'node:path';
import { runExtensionHostTests } from './lib.mjs';

const TAKES_VALUE = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir',
  'locale', 'log', 'profile', 'folder-uri', 'file-uri', 'remote', 'inspect-extensions', 'inspect-brk-extensions']);

function parseArgs(argv) {
  const out = { dev: [], tests: undefined, folder: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { out.folder ??= a; continue; }
    let [name, value] = a.slice(2).split(/=(.*)/s);
    if (value === undefined && TAKES_VALUE.has(name)) value = argv[++i];
    if (name === 'extensionDevelopmentPath') out.dev.push(resolve(value));
    else if (name === 'extensionTestsPath') out.tests = resolve(value);
  }
  if (out.folder) out.folder = resolve(out.folder);
  return out;
}

const args = parseArgs(process.argv.slice(2));
if (!args.dev.length || !args.tests) {
  console.error(`code-shim: needs --extensionDevelopmentPath and --extensionTestsPath, got: ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}
const code = await runExtensionHostTests({ dev: args.dev, tests: args.tests, workspace: args.folder });
process.exit(code === 0 ? 0 : 1);
