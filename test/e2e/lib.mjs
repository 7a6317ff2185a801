// Building blocks for the real-VS-Code tests: a VS Code server (code-server, or the bare VS Code server
// inside it) on 127.0.0.1:<free port> with fresh folders, and a headless Chromium that can reach nothing
// but 127.0.0.1. Used by code-shim.mjs (extension-host tests) and ui.mjs (browser UI scenarios).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  CACHE, NODE24, CODE_SERVER_ENTRY, VSCODE_SERVER_MAIN, CHROMIUM, TOOLS_DIR, log,
} from './paths.mjs';

export * from './paths.mjs';

/** Throws unless install.mjs has completed. */
export function assertInstalled() {
  if (!existsSync(join(TOOLS_DIR, '.complete')) || !existsSync(NODE24)) {
    throw new Error(`VS Code for the e2e tests is not installed in ${CACHE}: run node test/e2e/install.mjs`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run node test/e2e/install.mjs`);
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** User settings every run starts from: no welcome page, trust prompt, telemetry, update or gallery traffic. */
export const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'files.autoSave': 'off',
  'git.enabled': false,
};

/**
 * A fresh scratch folder with user-data, server-data, extensions, XDG and workspace folders.
 * `keep` leaves it on disk after dispose() (E2E_KEEP=1 does the same for every run).
 */
export function makeScratch(label, settings = {}) {
  const root = mkdtempSync(join(tmpdir(), `dfl-e2e-${label}-`));
  const d = {
    root,
    userData: join(root, 'user-data'),
    serverData: join(root, 'server-data'),
    extensions: join(root, 'extensions'),
    xdg: join(root, 'xdg'),
    workspace: join(root, 'workspace'),
    logFile: join(root, 'server.log'),
    config: join(root, 'code-server.yaml'),
  };
  for (const dir of [d.userData, d.serverData, d.extensions, d.xdg, d.workspace, join(d.userData, 'User')]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(d.userData, 'User', 'settings.json'), `${JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2)}\n`);
  writeFileSync(d.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  d.dispose = () => { if (!process.env.E2E_KEEP) rmSync(root, { recursive: true, force: true }); };
  return d;
}

function serverEnv(d, extra = {}) {
  // EXTENSIONS_GALLERY={} switches the marketplace off; XDG_* keep code-server out of the home folder.
  return {
    ...process.env, ...extra,
    EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: d.xdg, XDG_DATA_HOME: d.xdg, XDG_CACHE_HOME: d.xdg,
    VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined,
  };
}

/** One-shot code-server CLI call (e.g. --install-extension <vsix>); resolves with its output. */
export function codeServerCli(d, args) {
  return new Promise((res, rej) => {
    const p = spawn(NODE24, [CODE_SERVER_ENTRY, '--config', d.config, '--user-data-dir', d.userData,
      '--extensions-dir', d.extensions, ...args], { env: serverEnv(d), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { out += b; });
    p.on('error', rej);
    p.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`code-server ${args.join(' ')} exited ${code}\n${out}`))));
  });
}

const live = new Set();
function killGroup(proc) {
  if (proc.exitCode === null && proc.signalCode === null) {
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
}
// Never leave a server behind, whatever way this process ends.
process.on('exit', () => { for (const p of live) killGroup(p); });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { for (const p of live) killGroup(p); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)); });
}

/**
 * Start a server on 127.0.0.1:<free port>.
 *   kind 'vscode-server': lib/vscode/out/server-main.js run directly, with --enable-smoke-test-driver
 *     (only this one honours the extensionDevelopmentPath/extensionTestsPath `payload` of the URL).
 *   kind 'code-server': the code-server product (auth none), for UI tests of an installed .vsix.
 * Its output goes to d.logFile. Resolves once it listens.
 */
export async function startServer(d, kind, { env = {}, timeoutMs = 60000, trust = false } = {}) {
  const port = await freePort();
  const args = kind === 'code-server'
    ? [CODE_SERVER_ENTRY, '--config', d.config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', d.userData, '--extensions-dir', d.extensions]
    : [VSCODE_SERVER_MAIN, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token',
      '--accept-server-license-terms', '--enable-smoke-test-driver', '--disable-telemetry', ...(trust ? [] : ['--disable-workspace-trust']),
      '--user-data-dir', d.userData, '--server-data-dir', d.serverData, '--extensions-dir', d.extensions];
  const t0 = Date.now();
  // detached = own process group, so stop() ends the server together with its extension hosts
  const proc = spawn(NODE24, args, { env: serverEnv(d, env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  let out = '';
  const onData = (b) => { out += b; appendFileSync(d.logFile, b); };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${kind} not listening after ${timeoutMs} ms\n${out}`)), timeoutMs);
    const check = () => {
      if (/HTTP server listening|Extension host agent listening/.test(out)) { clearTimeout(timer); res(); }
    };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
    proc.once('error', (e) => { clearTimeout(timer); rej(e); });
    proc.once('exit', (c) => { clearTimeout(timer); rej(new Error(`${kind} exited ${c} before listening\n${out}`)); });
  });
  return {
    kind, port, base: `http://127.0.0.1:${port}`, startMs: Date.now() - t0, output: () => out,
    /** URL of the workbench on `folder`, with an optional smoke-test payload. */
    url(folder, payload) {
      const q = [`folder=${encodeURIComponent(folder)}`];
      if (payload) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `http://127.0.0.1:${port}/?${q.join('&')}`;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      killGroup(proc);
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    },
  };
}

/**
 * Headless Debian Chromium through playwright-core (never `playwright install`). DNS for anything but
 * 127.0.0.1 fails, and every request to another host is aborted, so nothing leaves the machine.
 */
export async function launchBrowser(d, { viewport = { width: 1400, height: 850 } } = {}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: d.xdg, XDG_CACHE_HOME: d.xdg },
    // playwright-core gives each launch its own temporary --user-data-dir
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  const context = await browser.newContext({ viewport });
  await context.route('**/*', (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    return hostname === '127.0.0.1' || protocol === 'data:' || protocol === 'blob:' ? route.continue() : route.abort();
  });
  return { browser, context };
}

// The workbench forwards extension-host console calls as ('%c<LEVEL>', '<css>', format, ...args).
async function consoleText(msg) {
  let args;
  try { args = await Promise.all(msg.args().map((h) => h.jsonValue())); } catch { return { text: msg.text(), ext: false }; }
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) return { text: format(...args.slice(2)), ext: true };
  return { text: msg.text(), ext: false };
}
const WORKBENCH_NOISE = /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|Ignoring fetching additional builtin|Updating additional builtin|Canceled)/;

/**
 * Run an extension's integration tests (a module exporting run()) in the real Node extension host:
 * bare VS Code server + Chromium opening the workbench with the smoke-test payload. Resolves with the
 * exit code the workbench reports through window.codeAutomationExit.
 *   dev        extension folder(s) (extensionDevelopmentPath)
 *   tests      extensionTestsPath (module file or folder)
 *   workspace  folder to open (used in place)
 *   env        extra environment for the server and so for the extension host
 *   trust      true: workspace trust is on (a folder never trusted opens in restricted mode)
 */
export async function runExtensionHostTests({ dev, tests, workspace, env = {}, timeoutMs = 5 * 60000, label = 'exthost', trust = false }) {
  assertInstalled();
  const d = makeScratch(label, trust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {});
  const cleanup = [];
  let code = 1;
  let harnessError = false;
  try {
    const server = await startServer(d, 'vscode-server', { env, trust });
    cleanup.unshift(() => server.stop());
    log(`VS Code server ${server.base} ready in ${server.startMs} ms`);
    const { browser, context } = await launchBrowser(d);
    cleanup.unshift(() => browser.close());
    const page = await context.newPage();
    let finished = false;
    let reportExit;
    const exited = new Promise((res) => { reportExit = res; });
    await page.exposeFunction('codeAutomationExit', (c) => { finished = true; reportExit(c); });
    page.on('console', async (msg) => {
      const { text, ext } = await consoleText(msg);
      if (process.env.E2E_VERBOSE) console.log('  [page]', text);
      else if (ext && !finished && !WORKBENCH_NOISE.test(text)) console.log(`  | ${text}`);
    });
    page.on('pageerror', (e) => { if (process.env.E2E_VERBOSE) console.log('  [pageerror]', e.message); });
    // this build names its remote authority literally 'remote'
    const remote = (p) => `vscode-remote://remote${p}`;
    const payload = [
      ...[dev].flat().map((p) => ['extensionDevelopmentPath', remote(p)]),
      ['extensionTestsPath', remote(tests)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const t0 = Date.now();
    await page.goto(server.url(workspace ?? d.workspace, payload));
    let timer;
    code = await Promise.race([exited, new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`extension tests gave no result within ${timeoutMs} ms`)), timeoutMs);
    })]).finally(() => clearTimeout(timer));
    log(`extension host tests exited with code ${code}, ${Date.now() - t0} ms after navigation`);
  } catch (e) {
    console.error(`exthost run failed: ${e.stack ?? e}`);
    console.error(`server log kept: ${d.logFile}`);
    code = 1;
    harnessError = true;
  } finally {
    for (const f of cleanup) await Promise.resolve().then(f).catch(() => {});
    // test failures are reported on the console; keep the folders only when the harness itself failed
    if (!harnessError) d.dispose();
  }
  return code;
}
