// The protocol tests' client: spawns `node dist/server.js --stdio` and talks to it with vscode-jsonrpc.
// Shared by server.test.mjs and abuse.test.mjs (not a test file itself).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER = path.join(ROOT, 'dist/server.js');
export const WAIT_MS = 10_000;


// ---------------------------------------------------------------------------------------------
// Text helpers

/** Offsets where each line starts, with \r\n, \r and \n as line breaks (as LSP counts lines). */
function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) starts.push(i + 1);
  }
  return starts;
}

function offsetAt(text, starts, pos) {
  if (pos.line >= starts.length) return text.length;
  const lineStart = starts[pos.line];
  const next = pos.line + 1 < starts.length ? starts[pos.line + 1] : text.length;
  return Math.min(lineStart + pos.character, next);
}

/** Applies LSP TextEdits (all relative to the original text, non-overlapping) to `text`. */
export function applyEdits(text, edits) {
  const starts = lineStarts(text);
  const offs = edits
    .map((e) => ({ start: offsetAt(text, starts, e.range.start), end: offsetAt(text, starts, e.range.end), newText: e.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of offs) {
    assert.ok(e.start >= pos, `overlapping edits: ${JSON.stringify(edits)}`);
    assert.ok(e.end >= e.start, `edit with end before start: ${JSON.stringify(e)}`);
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

let docCounter = 0;
let tmpDir = null;
export function newUri(name = 'Dockerfile') {
  if (!tmpDir) tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-lsp-'));
  const dir = path.join(tmpDir, `d${++docCounter}`);
  fs.mkdirSync(dir, { recursive: true });
  return pathToFileURL(path.join(dir, name)).href;
}

export class Client {
  /**
   * @param {object} opts
   * @param {boolean} [opts.configuration] advertise workspace.configuration (pull settings)
   * @param {boolean} [opts.resolveSupport] advertise codeAction resolveSupport for 'edit'
   * @param {object} [opts.settings] the dockerfileLean section answered to workspace/configuration
   * @param {(params: object) => unknown} [opts.onConfiguration] answers workspace/configuration instead (may never resolve)
   * @param {object} [opts.env] extra environment variables for the server process
   * @param {string} [opts.server] the server's launcher (dist/server.js by default)
   * @param {boolean} [opts.createFiles] advertise workspace edits with documentChanges and file creation
   * @param {object} [opts.initializationOptions] sent in initialize
   * @param {boolean} [opts.relatedInformation] advertise diagnostics' related information (VS Code does; default true)
   */
  static async start(opts = {}) {
    const c = new Client(opts);
    await c.init();
    return c;
  }

  constructor({ configuration = true, resolveSupport = true, settings = { enable: true, rules: {} }, onConfiguration = null, env = {}, server = SERVER, createFiles = false, initializationOptions, relatedInformation = true } = {}) {
    this.createFiles = createFiles;
    this.initializationOptions = initializationOptions;
    this.relatedInformation = relatedInformation;
    this.configuration = configuration;
    this.resolveSupport = resolveSupport;
    this.settings = settings;
    this.publishes = []; // every publishDiagnostics params, in arrival order
    this.waiters = [];
    this.applyEdits = []; // every workspace/applyEdit params
    this.applyWaiters = [];
    this.configRequests = 0;
    this.stderr = '';
    this.logs = []; // every window/logMessage text
    this.exited = false;
    this.proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.exitPromise = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      this.exited = true;
      this.exitInfo = { code, signal };
      for (const w of this.waiters) w.reject(new Error(`server exited (${code ?? signal}) while waiting for ${w.what}\n${this.stderr}`));
      this.waiters = [];
      resolve();
    }));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout), new StreamMessageWriter(this.proc.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p) => {
      this.publishes.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(p)) return true;
        clearTimeout(w.timer);
        w.resolve(p);
        return false;
      });
    });
    this.conn.onNotification('window/logMessage', (p) => this.logs.push(p.message));
    this.messages = []; // every window/showMessage params
    this.conn.onNotification('window/showMessage', (p) => this.messages.push(p));
    this.conn.onNotification(() => {}); // telemetry and the like
    this.conn.onRequest('workspace/configuration', (params) => {
      this.configRequests++;
      if (onConfiguration) return onConfiguration(params);
      return params.items.map((it) => (it.section === 'dockerfileLean' ? this.settings : null));
    });
    this.conn.onRequest('workspace/applyEdit', (params) => {
      this.applyEdits.push(params);
      for (const w of this.applyWaiters.splice(0)) w(params);
      return { applied: true };
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onError(() => {});
    this.conn.listen();
  }

  async init() {
    const capabilities = {
      workspace: { configuration: this.configuration, didChangeConfiguration: { dynamicRegistration: false }, applyEdit: true, executeCommand: {} },
      textDocument: {
        synchronization: { didSave: false },
        publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true, ...(this.relatedInformation ? { relatedInformation: true } : {}) },
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
          isPreferredSupport: true,
          dataSupport: true,
          ...(this.resolveSupport ? { resolveSupport: { properties: ['edit'] } } : {}),
        },
      },
    };
    if (!this.configuration) delete capabilities.workspace.configuration;
    if (this.createFiles) capabilities.workspace.workspaceEdit = { documentChanges: true, resourceOperations: ['create'] };
    this.initResult = await this.request('initialize', { processId: process.pid, rootUri: null, capabilities, workspaceFolders: null, ...(this.initializationOptions ? { initializationOptions: this.initializationOptions } : {}) });
    this.conn.sendNotification('initialized', {});
    return this.initResult;
  }

  request(method, params, ms = WAIT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${ms} ms\n${this.stderr}`)), ms);
    });
    return Promise.race([this.conn.sendRequest(method, params), timeout]).finally(() => clearTimeout(timer));
  }

  notify(method, params) {
    return this.conn.sendNotification(method, params);
  }

  /**
   * Resolves with the first publish (for `uri`) satisfying `pred`: among those already received when
   * `past` is true, else only among later ones.
   */
  waitPublish(uri, pred, what, { past = false, ms = WAIT_MS } = {}) {
    const match = (p) => p.uri === uri && pred(p);
    if (past) {
      const hit = this.publishes.find(match);
      if (hit) return Promise.resolve(hit);
    }
    if (this.exited) return Promise.reject(new Error(`server already exited; waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const w = { match, resolve, reject, what };
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        const got = this.publishes.filter((p) => p.uri === uri).map((p) => `v${p.version}: ${p.diagnostics.map((d) => d.code).join(',')}`);
        reject(new Error(`timed out waiting for ${what}; publishes for ${uri}: [${got.join(' | ')}]\n${this.stderr}`));
      }, ms);
      this.waiters.push(w);
    });
  }

  /** The publish for `version` of `uri` (already received or still to come). */
  diagnosticsFor(uri, version) {
    return this.waitPublish(uri, (p) => p.version === version, `publishDiagnostics for ${uri} version ${version}`, { past: true });
  }

  nextApplyEdit(ms = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no workspace/applyEdit request arrived')), ms);
      this.applyWaiters.push((p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
  }

  async open(text, { uri = newUri(), version = 1 } = {}) {
    const pub = this.diagnosticsFor(uri, version);
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version, text } });
    return { uri, version, text, diagnostics: (await pub).diagnostics };
  }

  /** Replaces the whole text (a change without a range) and waits for that version's publish. */
  async replace(uri, version, text) {
    const pub = this.diagnosticsFor(uri, version);
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return (await pub).diagnostics;
  }

  async codeActions(uri, diagnostics, only) {
    const range = diagnostics.length ? diagnostics[0].range : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
  }

  async close() {
    try {
      if (!this.exited) {
        await Promise.race([this.request('shutdown', null, 2000).then(() => this.notify('exit')), this.exitPromise]).catch(() => {});
        await Promise.race([this.exitPromise, new Promise((r) => setTimeout(r, 1000).unref())]);
      }
    } finally {
      for (const w of this.waiters) clearTimeout(w.timer);
      this.waiters = [];
      this.conn.dispose();
      if (!this.exited) this.proc.kill('SIGKILL');
    }
  }
}

/** Starts a client, runs `fn(client)`, and always shuts the server down. */
export async function withServer(opts, fn) {
  if (typeof opts === 'function') [opts, fn] = [{}, opts];
  const c = await Client.start(opts);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** Removes the folders newUri made (call once, after all tests of a file). */
export function removeTmpDir() {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = null;
}
