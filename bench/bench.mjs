#!/usr/bin/env node
// The project's benchmark: our language server (`node dist/server.js --stdio`) against the reference
// (dockerfile-language-server-nodejs), in one run, round-robin, a fresh server process per measurement.
// See bench/README.md for what each row means.
//
//   node bench/bench.mjs [--runs 5] [--warmup 1] [--quick] [--only ours|reference]
//                        [--sizes 10,1000,10000,50000] [--timeout 60000] [--no-cli] [--verbose]
//
// Informational: prints PASS/MISS per target and exits 0, unless a server fails to start (exit 1).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { DEFAULT_SEED, GENERATOR_VERSION, writeCorpus } from './gen.mjs';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------ options
function parseArgs(argv) {
  const o = { runs: 5, warmup: 1, quick: false, only: null, sizes: null, timeout: 60000, initTimeout: 20000,
    keystrokes: 12, codeActions: 5, cli: true, dist: join(ROOT, 'dist'), cliRepeat: 2, verbose: false, seed: DEFAULT_SEED, json: null };
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) fail(`${a} needs a value`); return argv[++i]; };
    const num = () => { const v = Number(val()); if (!Number.isFinite(v) || v < 0) fail(`${a} needs a number`); return v; };
    switch (a) {
      case '--runs': o.runs = Math.max(1, num()); runsGiven = true; break;
      case '--warmup': o.warmup = num(); break;
      case '--quick': o.quick = true; break;
      case '--only': o.only = val(); if (!['ours', 'reference'].includes(o.only)) fail('--only takes ours or reference'); break;
      case '--sizes': o.sizes = val().split(',').map(Number); break;
      case '--timeout': o.timeout = num(); break;
      case '--init-timeout': o.initTimeout = num(); break;
      case '--keystrokes': o.keystrokes = Math.max(1, num()); break;
      case '--seed': o.seed = num(); break;
      case '--json': o.json = val(); break;
      case '--no-cli': o.cli = false; break;
      case '--ours-cmd': o.oursCmd = val(); break;
      case '--dist': o.dist = resolve(val()); break;
      case '--verbose': case '-v': o.verbose = true; break;
      case '--help': case '-h': usage(0); break;
      default: fail(`unknown argument ${a} (try --help)`);
    }
  }
  if (o.quick) {
    if (!runsGiven) o.runs = 2;
    o.warmup = Math.min(o.warmup, 0);
    o.sizes ??= [10, 1000, 10000];
    o.cliRepeat = 1;
  }
  o.sizes ??= [10, 1000, 10000, 50000];
  return o;
}
function usage(code) {
  console.log(`usage: node bench/bench.mjs [options]
  --runs N          measured rounds (default 5; --quick: 2)
  --warmup N        discarded rounds first (default 1; --quick: 0)
  --quick           fewer runs, no 50,000-line file, for a fast check
  --only S          one server only: ours | reference
  --sizes a,b,...   corpus sizes in lines (default 10,1000,10000,50000)
  --timeout MS      per wait for diagnostics / a response (default 60000)
  --init-timeout MS spawn → initialize answered (default 20000)
  --keystrokes N    edits in the typing burst (default 12)
  --dist DIR        take server.js and cli.js from DIR instead of dist/ (e.g. a copy, so a rebuild
                    during the run cannot mix two builds)
  --no-cli          skip the \`node dist/cli.js check\` row
  --ours-cmd "CMD"  start our server with this command line instead (split on spaces; "node" = this node),
                    e.g. "node --cpu-prof --cpu-prof-dir=/tmp/prof dist/server.js --stdio"
  --json FILE       where to write results (default bench/results/bench-<time>.json)
  --verbose         one line per measurement on stderr`);
  process.exit(code);
}
function fail(msg) { console.error(`bench: ${msg}`); process.exit(2); }

// ------------------------------------------------------------------------------------------ servers
function servers(o) {
  const all = [
    { label: 'ours', argv: [process.execPath, join(o.dist, 'server.js'), '--stdio'], entry: join(o.dist, 'server.js'),
      missing: 'dist/server.js not found: run `npm run build` first (or use --only reference)' },
    { label: 'reference', argv: [process.execPath, join(ROOT, 'node_modules/dockerfile-language-server-nodejs/bin/docker-langserver'), '--stdio'],
      entry: join(ROOT, 'node_modules/dockerfile-language-server-nodejs/bin/docker-langserver'),
      missing: 'dockerfile-language-server-nodejs is not installed: run `npm ci`' },
  ];
  if (o.oursCmd) {
    const argv = o.oursCmd.trim().split(/\s+/).map((a, i) => (i === 0 && a === 'node' ? process.execPath : a));
    Object.assign(all[0], { argv, entry: argv.find((a, i) => i > 0 && !a.startsWith('-')) ?? argv[0], missing: `not found: ${o.oursCmd}` });
    if (!existsSync(all[0].entry)) all[0].entry = join(ROOT, all[0].entry);
  }
  return o.only ? all.filter((s) => s.label === o.only) : all;
}

// The floor: node itself starting and answering `initialize` by hand (no library, no analysis).
const FLOOR_STUB = `let b='';process.stdin.on('data',d=>{b+=d;const m=/Content-Length: (\\d+)\\r\\n\\r\\n/.exec(b);if(!m)return;` +
  `const q=JSON.parse(b.slice(m.index+m[0].length,m.index+m[0].length+ +m[1]));b='';if(q.method==='initialize'){` +
  `const s=JSON.stringify({jsonrpc:'2.0',id:q.id,result:{capabilities:{}}});process.stdout.write('Content-Length: '+Buffer.byteLength(s)+'\\r\\n\\r\\n'+s)}` +
  `else if(q.method==='shutdown'||q.method==='exit')process.exit(0)});`;
const FLOOR = { label: 'floor', argv: [process.execPath, '-e', FLOOR_STUB] };

const CLIENT_CAPABILITIES = {
  general: { positionEncodings: ['utf-16'] },
  workspace: { applyEdit: true, configuration: true, workspaceFolders: false, workspaceEdit: { documentChanges: true },
    didChangeConfiguration: { dynamicRegistration: true }, executeCommand: { dynamicRegistration: false } },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    publishDiagnostics: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true, dataSupport: true, tagSupport: { valueSet: [1, 2] } },
    codeAction: { dynamicRegistration: false, isPreferredSupport: true, dataSupport: true, resolveSupport: { properties: ['edit'] },
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] } } },
  },
  window: { workDoneProgress: false },
};

// ------------------------------------------------------------------------------------------ /proc
function procStatusKB(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm'));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}

// utime + stime of one process, in ms (clock ticks are usually 10 ms)
function procCpuMs(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch { return NaN; }
}

// children alive right now, killed if the bench itself is interrupted
const live = new Set();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const c of live) { try { c.kill('SIGKILL'); } catch {} }
    console.error(`\nbench: interrupted (${sig})`);
    process.exit(130);
  });
}

// last line of defence: a write racing a server's exit must not end the whole bench
process.on('unhandledRejection', (e) => {
  if (e && ['ERR_STREAM_DESTROYED', 'EPIPE', 'ERR_STREAM_WRITE_AFTER_END'].includes(e.code)) return;
  throw e;
});

class StartError extends Error {}

function withTimeout(promise, ms, what, dead) {
  let timer;
  promise.catch(() => {}); // if the timeout wins, a later rejection (connection disposed) is not unhandled
  const t = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${ms} ms: ${what}`)), ms); });
  return Promise.race([promise, t, ...(dead ? [dead] : [])]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------------------------------ one LSP run
// full = false: spawn, initialize, open (the 50,000-line file); full = true: also the typing burst and code actions;
// doc = null: spawn → initialize only (the node floor)
async function lspRun(o, server, doc, full) {
  const r = { server: server.label, size: doc?.size ?? null, full, errors: [] };
  const uri = doc ? pathToFileURL(doc.file).href : null;
  const lines = doc ? doc.text.split('\n') : [];
  let stderrTail = '';
  let shuttingDown = false;
  let exited = false;

  const t0 = now();
  const child = spawn(server.argv[0], server.argv.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  live.add(child);
  let onDead;
  const dead = new Promise((_, rej) => { onDead = rej; });
  dead.catch(() => {});
  let onExit;
  const exitP = new Promise((res) => { onExit = res; });
  child.on('exit', (code, sig) => {
    exited = true;
    live.delete(child);
    onExit();
    if (!shuttingDown) onDead(new Error(`server exited (code ${code}, signal ${sig}); stderr: ${stderrTail.trim().slice(-400) || '(empty)'}`));
  });
  child.on('error', (e) => { // e.g. ENOENT: no 'exit' follows
    if (child.pid == null) { exited = true; live.delete(child); onExit(); }
    onDead(new Error(`cannot spawn ${server.argv.join(' ')}: ${e.message}`));
  });
  child.stderr.on('data', (d) => { stderrTail = (stderrTail + d).slice(-4000); });
  child.stdin.on('error', () => {}); // EPIPE when the server dies; reported through `dead`

  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  // a write to a server that just died or was killed rejects: that is reported through `dead`, not here
  const notify = (method, params) => conn.sendNotification(method, params).catch(() => {});
  const publishes = [];
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri !== uri) return;
    const ev = { t: now(), version: p.version ?? null, diagnostics: p.diagnostics };
    publishes.push(ev);
    for (const w of waiters.slice()) if (w.pred(ev)) { waiters.splice(waiters.indexOf(w), 1); w.res(ev); }
  });
  const waitPublish = (pred, what) => {
    const seen = publishes.find(pred);
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise((res) => waiters.push({ pred, res })), o.timeout, what, dead);
  };
  const quiet = async (ms) => { for (;;) { const n = publishes.length; await sleep(ms); if (publishes.length === n) return; } };

  let configRequests = 0;
  conn.onRequest('workspace/configuration', (p) => {
    configRequests++;
    // defaults: `{}` for our sections (every setting falls back to its default), null for others
    return (p.items || []).map((it) => (it.section && it.section.startsWith('docker.') ? null : {}));
  });
  conn.onRequest('workspace/applyEdit', () => ({ applied: false }));
  conn.onRequest(() => null); // registerCapability, workDoneProgress/create, refresh requests, ...
  conn.onNotification(() => {});
  conn.onError(() => {});
  conn.onClose(() => {});
  conn.listen();

  try {
    // ---- spawn → initialize answered
    let init;
    try {
      init = await withTimeout(conn.sendRequest('initialize', {
        processId: process.pid, clientInfo: { name: 'dockerfile-lean-bench', version: '1' }, rootUri: null, workspaceFolders: null,
        capabilities: CLIENT_CAPABILITIES, trace: 'off',
      }), o.initTimeout, 'initialize', dead);
    } catch (e) {
      throw new StartError(`${server.label} did not start: ${e.message}`);
    }
    r.startupMs = now() - t0;
    r.serverInfo = init?.serverInfo ?? null;
    const caps = init?.capabilities ?? {};
    const sync = typeof caps.textDocumentSync === 'number' ? caps.textDocumentSync : caps.textDocumentSync?.change ?? 0;
    r.sync = ['none', 'full', 'incremental'][sync] ?? String(sync);
    notify('initialized', {});
    if (!doc) {
      shuttingDown = true;
      return r;
    }

    // ---- didOpen → first publishDiagnostics
    const cpuOpen0 = procCpuMs(pid);
    const tOpen = now();
    notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: doc.text } });
    const opened = await waitPublish(() => true, `publishDiagnostics after didOpen (${doc.size} lines)`);
    r.openMs = opened.t - tOpen;
    r.openDiagnostics = opened.diagnostics.length;
    r.openVersion = opened.version;
    r.openCpuMs = procCpuMs(pid) - cpuOpen0;
    r.rssOpenMB = (procStatusKB(pid, 'VmRSS') ?? NaN) / 1024;

    if (full) {
      // let late publishes for version 1 drain (the reference may still be working)
      const settle = Math.max(150, 2 * r.openMs + 100);
      await quiet(settle);
      let diagnostics = publishes.at(-1).diagnostics;

      // ---- typing burst: K one-character edits appended to a line in the middle, back to back
      const line = pickEditLine(lines);
      const typed = ' && echo ok1 && echo ok2 && echo ok3'.padEnd(o.keystrokes, '!').slice(0, o.keystrokes);
      let col = lines[line].length;
      let version = 1;
      let tLast = 0;
      const before = publishes.length;
      const cpuType0 = procCpuMs(pid);
      r.editLine = line + 1;
      if (sync === 0) throw new Error('server does not accept document changes (textDocumentSync none)');
      for (let k = 0; k < o.keystrokes; k++) {
        version++;
        const change = sync === 2
          ? { range: { start: { line, character: col }, end: { line, character: col } }, rangeLength: 0, text: typed[k] }
          : { text: lines.slice(0, line).concat(lines[line] + typed.slice(0, k + 1), lines.slice(line + 1)).join('\n') };
        col++;
        tLast = now();
        notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      }
      let ev;
      if (publishes.some((p) => p.version != null)) {
        r.typingMatch = 'version';
        ev = await waitPublish((p) => p.version != null && p.version >= version, `publishDiagnostics for version ${version}`);
      } else {
        // no version in publishes: the last publish before the server stays quiet
        r.typingMatch = 'quiet';
        r.quietMs = Math.max(300, Math.round(2 * r.openMs + 100));
        const first = await waitPublish((p) => p.t >= tLast, 'publishDiagnostics after the last edit');
        r.typingFirstPublishMs = first.t - tLast;
        await quiet(r.quietMs);
        ev = publishes.at(-1);
      }
      r.typingMs = ev.t - tLast;
      r.typingCpuMs = procCpuMs(pid) - cpuType0;
      r.typingPublishes = publishes.length - before;
      r.typingDiagnostics = ev.diagnostics.length;
      diagnostics = ev.diagnostics;

      // ---- code action at published diagnostics (the one nearest the edit first, then spread)
      const targets = pickDiagnostics(diagnostics, line, o.codeActions);
      if (!targets.length) {
        // only the 10,000-line row has a code-action target; elsewhere an empty list is not an error
        if (doc.size === 10000) throw new Error('no diagnostics published: cannot time a code action');
        r.codeActionNote = 'no diagnostics';
      }
      const times = [];
      for (const d of targets) {
        const t = now();
        const res = await withTimeout(conn.sendRequest('textDocument/codeAction', {
          textDocument: { uri }, range: d.range, context: { diagnostics: [d], triggerKind: 1 },
        }), o.timeout, 'textDocument/codeAction', dead);
        times.push(now() - t);
        if (times.length === 1) {
          r.codeActionTitles = (res || []).map((a) => a.title);
        }
      }
      r.codeActionFirstMs = times[0];
      r.codeActionMs = median(times);
      r.codeActionRequests = times.length;
    }
    r.peakRssMB = (procStatusKB(pid, 'VmHWM') ?? NaN) / 1024;
    r.configRequests = configRequests;

    shuttingDown = true;
    await withTimeout(conn.sendRequest('shutdown'), 3000, 'shutdown').catch(() => {});
    notify('exit');
    await withTimeout(exitP, 2000, 'exit').catch(() => {});
  } catch (e) {
    if (e instanceof StartError) r.startError = e.message;
    r.errors.push(e.message);
  } finally {
    shuttingDown = true;
    if (!exited) { try { child.kill('SIGKILL'); } catch {} await exitP; }
    conn.dispose();
  }
  return r;
}

function pickEditLine(lines) {
  // a single-line RUN (no continuation, not in a heredoc) nearest the middle
  const ok = (i) => i >= 0 && i < lines.length && /^RUN [^<]*[^\\]$/.test(lines[i]) && !(i > 0 && /\\$/.test(lines[i - 1]));
  const mid = lines.length >> 1;
  for (let d = 0; d < lines.length; d++) { if (ok(mid - d)) return mid - d; if (ok(mid + d)) return mid + d; }
  return Math.max(0, lines.length - 2);
}
function pickDiagnostics(ds, line, n) {
  if (!ds.length) return [];
  const sorted = ds.slice().sort((a, b) => Math.abs(a.range.start.line - line) - Math.abs(b.range.start.line - line));
  const out = [sorted[0]];
  for (let i = 0; out.length < Math.min(n, ds.length) && i < ds.length; i++) {
    const d = ds[Math.floor((i * ds.length) / Math.min(n, ds.length))];
    if (!out.includes(d)) out.push(d);
  }
  return out;
}

// ------------------------------------------------------------------------------------------ CLI run
async function cliRun(o, file) {
  const cli = join(o.dist, 'cli.js');
  const r = { errors: [] };
  const t0 = now();
  const child = spawn(process.execPath, [cli, 'check', relative(ROOT, file)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let out = 0; let err = '';
  child.stdout.on('data', (d) => { out += d.length; });
  child.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
  const done = new Promise((res) => child.on('close', (code, sig) => res({ code, sig })));
  child.on('error', (e) => r.errors.push(e.message));
  try {
    const { code, sig } = await withTimeout(done, o.timeout, 'dist/cli.js check');
    r.ms = now() - t0;
    r.exitCode = code;
    r.stdoutBytes = out;
    if (sig || code == null || code > 1) r.errors.push(`cli exited with ${sig ?? code}: ${err.trim().slice(-300)}`);
  } catch (e) {
    child.kill('SIGKILL');
    r.errors.push(e.message);
  }
  return r;
}

// ------------------------------------------------------------------------------------------ statistics
function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
function stats(xs) {
  const v = xs.filter(Number.isFinite);
  if (!v.length) return null;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}
const fmtMs = (x, unitOf = x) => {
  if (x == null || !Number.isFinite(x)) return '-';
  if (unitOf >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (unitOf < 10) return `${x.toFixed(1)} ms`;
  return `${Math.round(x)} ms`;
};
const fmtMB = (x) => (x == null || !Number.isFinite(x) ? '-' : `${x.toFixed(0)} MB`);
const fmtN = (x) => (x == null || !Number.isFinite(x) ? '-' : `${Math.round(x)}`);
function cell(s, f) {
  if (!s) return '-';
  if (s.n === 1 || s.min === s.max) return f(s.median, s.median);
  const strip = (t) => t.replace(/ (ms|s|MB)$/, '');
  return `${f(s.median, s.median)} (${strip(f(s.min, s.median))}–${strip(f(s.max, s.median))})`;
}
const comma = (n) => n.toLocaleString('en-US');

// ------------------------------------------------------------------------------------------ main
async function main() {
  const o = parseArgs(process.argv.slice(2));
  const started = now();
  const svs = servers(o);
  for (const s of svs) if (!existsSync(s.entry)) { console.error(`bench: ${s.label}: ${s.missing}`); process.exit(1); }
  const corpus = writeCorpus(join(BENCH, 'corpus'), [...new Set(o.sizes)].sort((a, b) => a - b), o.seed);
  const withCli = o.cli && svs.some((s) => s.label === 'ours');
  const cliPath = join(o.dist, 'cli.js');
  const cliDoc = corpus.find((c) => c.size === 1000) ?? writeCorpus(join(BENCH, 'corpus'), [1000], o.seed)[0];
  const cliOk = withCli && existsSync(cliPath);

  console.error(`bench: ${svs.map((s) => s.label).join(' vs ')}; sizes ${o.sizes.join(', ')} lines; ${o.runs} run(s) + ${o.warmup} warm-up; ` +
    `corpus in ${relative(ROOT, join(BENCH, 'corpus'))}/ (seed ${o.seed})`);

  const load0 = loadavg()[0];
  if (load0 > cpus().length * 0.75) {
    console.error(`bench: WARNING the machine is busy (load ${load0.toFixed(2)} on ${cpus().length} cores): timings will be inflated and noisy`);
  }

  // preflight: each server must start and answer initialize; a server that does not is fatal
  for (const s of svs) {
    const r = await lspRun(o, s, corpus[0], false);
    if (r.errors.length && !r.startError) console.error(`bench: WARNING ${s.label} started but: ${r.errors.join('; ')}`);
    if (r.startError) {
      console.error(`bench: ${s.label} (${s.argv.slice(1).map((a) => (a.startsWith(ROOT + '/') ? relative(ROOT, a) : a)).join(' ')}) failed: ${r.errors.join('; ')}`);
      process.exit(1);
    }
  }

  const results = []; // LSP runs
  const cliResults = [];
  let startFailures = 0;
  const totalRounds = o.warmup + o.runs;
  for (let round = 0; round < totalRounds; round++) {
    const warm = round < o.warmup;
    const order = round % 2 ? svs.slice().reverse() : svs; // alternate who goes first
    for (const doc of corpus) {
      if (warm && doc.size > 10000) continue; // a warm-up at 50k lines costs seconds and teaches nothing
      for (const s of order) {
        const r = await lspRun(o, s, doc, doc.size <= 10000);
        r.round = round; r.warmup = warm;
        if (r.startError) startFailures++;
        results.push(r);
        if (o.verbose || r.errors.length) {
          console.error(`  ${warm ? 'warm-up' : `run ${round - o.warmup + 1}/${o.runs}`} ${s.label.padEnd(9)} ${String(doc.size).padStart(6)} lines: ` +
            `init ${fmtMs(r.startupMs)}, open ${fmtMs(r.openMs)} (${r.openDiagnostics ?? '-'} diags, RSS ${fmtMB(r.rssOpenMB)})` +
            (r.full ? `, typing ${fmtMs(r.typingMs)} [${r.typingMatch ?? '-'}], code action ${fmtMs(r.codeActionMs)}` : '') +
            (r.errors.length ? `  ERROR: ${r.errors.join('; ')}` : ''));
        }
      }
    }
    {
      const r = await lspRun(o, FLOOR, null, false);
      r.round = round; r.warmup = warm;
      results.push(r);
      if (r.errors.length) console.error(`  node floor: ERROR ${r.errors.join('; ')}`);
    }
    if (cliOk) {
      for (let k = 0; k < o.cliRepeat; k++) {
        const r = await cliRun(o, cliDoc.file);
        r.round = round; r.warmup = warm;
        cliResults.push(r);
        if (o.verbose || r.errors.length) console.error(`  cli check 1000 lines: ${fmtMs(r.ms)} (exit ${r.exitCode})${r.errors.length ? '  ERROR: ' + r.errors.join('; ') : ''}`);
      }
    }
    if (!o.verbose) console.error(`  round ${round + 1}/${totalRounds}${warm ? ' (warm-up)' : ''} done, ${((now() - started) / 1000).toFixed(0)} s`);
  }

  // ---------------------------------------------------------------- summarise
  const measured = results.filter((r) => !r.warmup);
  const pick = (label, size, key) => measured.filter((r) => r.server === label && (size == null || r.size === size)).map((r) => r[key]);
  const S = (label, size, key) => stats(pick(label, size, key));
  const has = (label) => svs.some((s) => s.label === label);

  const rows = [];
  const row = (measure, key, size, fmt, target, check, extra = {}) => {
    const ref = has('reference') ? S('reference', size, key) : null;
    const ours = has('ours') ? S('ours', size, key) : null;
    rows.push({ measure, key, size, ref, ours, fmt, target, check, ...extra });
  };
  const sizes = new Set(o.sizes);
  row('spawn → initialize answered', 'startupMs', null, fmtMs, '≤ 100 ms', (x) => x.median <= 100);
  {
    const fl = stats(pick('floor', null, 'startupMs'));
    rows.push({ measure: '  node floor: a stub answering initialize', key: 'floorMs', ref: null, ours: null, fmt: fmtMs, target: '', check: null,
      refText: cell(fl, fmtMs), oursText: cell(fl, fmtMs) });
  }
  for (const size of [...sizes].sort((a, b) => a - b)) {
    const target = { 1000: ['≤ 15 ms', (x) => x.median <= 15], 10000: ['≤ 150 ms', (x) => x.median <= 150],
      50000: ['≤ 1.5 s, linear', (x) => x.median <= 1500 && linearOk()] }[size];
    row(`open → diagnostics, ${comma(size)} lines`, 'openMs', size, fmtMs, target?.[0] ?? '', target?.[1]);
  }
  function linearOk() {
    const a = S('ours', 10000, 'openMs'); const b = S('ours', 50000, 'openMs');
    return !a || !b ? true : b.median / a.median <= 6.5;
  }
  for (const size of [...sizes].filter((x) => x <= 10000 && x > 10).sort((a, b) => a - b)) {
    const tgt = size === 10000 ? ['≤ 200 ms, ≥ 10× ref', (x, ref) => x.median <= 200 && (!ref || ref.median / x.median >= 10)] : ['', null];
    row(`${o.keystrokes} quick keystrokes → diagnostics, ${comma(size)} lines`, 'typingMs', size, fmtMs, tgt[0], tgt[1]);
  }
  if (sizes.has(10000)) {
    row('  server CPU time for the open, 10,000 lines', 'openCpuMs', 10000, fmtMs, '', null);
    row('  server CPU time for the burst, 10,000 lines', 'typingCpuMs', 10000, fmtMs, '', null);
  }
  if (sizes.has(10000)) {
    row('code action at a diagnostic, 10,000 lines', 'codeActionMs', 10000, fmtMs, '≤ 5 ms', (x) => x.median <= 5);
    row('  first code action request, 10,000 lines', 'codeActionFirstMs', 10000, fmtMs, '', null);
  }
  for (const size of [...sizes].filter((x) => x >= 1000).sort((a, b) => a - b)) row(`RSS after open, ${comma(size)} lines`, 'rssOpenMB', size, fmtMB, '', null);
  for (const size of [...sizes].filter((x) => x >= 1000).sort((a, b) => a - b)) row(`diagnostics at open, ${comma(size)} lines`, 'openDiagnostics', size, fmtN, '', null);
  if (withCli) {
    const cs = stats(cliResults.filter((r) => !r.warmup).map((r) => r.ms));
    rows.push({ measure: '`node dist/cli.js check`, 1,000 lines, whole process', key: 'cliMs', ref: null, ours: cs, fmt: fmtMs,
      target: '≤ 120 ms', check: (x) => x.median <= 120, refText: '—', oursText: cliOk ? undefined : 'dist/cli.js missing' });
  }

  for (const r of rows) {
    r.ratio = r.ref && r.ours && r.key !== 'openDiagnostics' ? r.ours.median / r.ref.median : null;
    r.verdict = !r.check ? '' : !has('ours') ? 'n/a' : !r.ours ? 'MISS (no result)' : r.check(r.ours, r.ref) ? 'PASS' : 'MISS';
  }

  const head = ['measure', 'reference', 'ours', 'ours/ref', 'target', ''];
  const table = rows.map((r) => [r.measure, r.refText ?? cell(r.ref, r.fmt), r.oursText ?? cell(r.ours, r.fmt),
    r.ratio == null ? '' : r.ratio >= 10 ? `${r.ratio.toFixed(0)}×` : `${r.ratio.toFixed(2)}×`, r.target, r.verdict]);
  const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const fmtRow = (t) => t.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();

  // dist/server.js is a small launcher; the server itself is the minified bundle it runs with a code cache.
  const serverJs = join(o.dist, 'server.main.js');
  const size = existsSync(serverJs) ? statSync(serverJs).size : null;
  const cacheDir = join(o.dist, '.cache');
  const cached = existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.startsWith('server.main.js-'));
  const cpu = cpus();
  const elapsed = (now() - started) / 1000;
  const lines = [];
  lines.push('');
  lines.push(`Dockerfile Lean benchmark — ${new Date().toISOString()}`);
  lines.push(`machine: ${cpu.length} × ${cpu[0]?.model?.trim() ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Linux ${release()}, node ${process.version}, load ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`);
  lines.push(`runs: ${o.runs} measured round(s) + ${o.warmup} warm-up, round-robin, fresh server process per measurement; median (min–max)`);
  lines.push('');
  lines.push(fmtRow(head));
  lines.push(w.map((n) => '-'.repeat(n)).join('  '));
  for (const t of table) lines.push(fmtRow(t));
  lines.push('');
  if (size != null) lines.push(`${o.dist === join(ROOT, 'dist') ? 'dist/server.main.js' : serverJs} (minified, run by dist/server.js): ${comma(size)} bytes (${(size / 1024).toFixed(0)} KiB); code cache ${cached ? 'present' : 'not written yet'}`);
  const typRef = measured.find((r) => r.server === 'reference' && r.typingMatch);
  const typOurs = measured.find((r) => r.server === 'ours' && r.typingMatch);
  if (typOurs) lines.push(`typing, ours: latency to the publishDiagnostics carrying version ${1 + o.keystrokes}` +
    (typOurs.typingMatch === 'quiet' ? ' — NOT AVAILABLE: ours sent no version; used the last publish before quiet, as for the reference' : ' (versioned publishes)'));
  const biggestTyped = Math.max(...measured.filter((r) => r.server === 'reference' && r.typingMatch).map((r) => r.size));
  if (typRef) lines.push(`typing, reference: its publishes carry no version, so latency = last publish before it stays quiet for max(300 ms, 2 × open + 100 ms); ` +
    `it published ${fmtN(median(pick('reference', biggestTyped, 'typingPublishes')))} times for the ${o.keystrokes} edits at ${comma(biggestTyped)} lines`);
  if (sizes.has(10000) && sizes.has(50000) && has('ours')) {
    const a = S('ours', 10000, 'openMs'); const b = S('ours', 50000, 'openMs');
    if (a && b) lines.push(`linearity, ours: open 50,000 / open 10,000 = ${(b.median / a.median).toFixed(2)} (5.0 is linear; target ≤ 6.5)`);
  }
  if (withCli && cliOk) {
    const codes = [...new Set(cliResults.map((r) => r.exitCode))].join(', ');
    lines.push(`cli: \`node ${cliPath.startsWith(ROOT + '/') ? relative(ROOT, cliPath) : cliPath} check bench/corpus/gen-1000.Dockerfile\`, spawn → exit, exit code ${codes}`);
  }
  if (has('ours') && !has('reference')) lines.push('reference not run: the "≥ 10× ref" part of the typing target is not checked');
  const errs = [...results, ...cliResults].filter((r) => r.errors.length);
  if (errs.length) {
    lines.push(`errors in ${errs.length} measurement(s):`);
    const seen = new Map();
    for (const r of errs) for (const e of r.errors) {
      const k = `${r.server ?? 'cli'} ${r.size ?? ''}: ${e}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    for (const [k, n] of seen) lines.push(`  ${n}× ${k}`);
  }
  const missed = rows.filter((r) => r.verdict === 'MISS').map((r) => r.measure.trim());
  lines.push(has('ours') ? (missed.length ? `MISSED: ${missed.join('; ')}` : 'all targets met') : '');
  lines.push(`elapsed: ${elapsed.toFixed(0)} s`);

  const jsonPath = o.json ?? join(BENCH, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify({
    tool: 'dockerfile-lean bench', date: new Date().toISOString(), elapsedS: elapsed,
    machine: { cpus: cpu.length, model: cpu[0]?.model, memGB: totalmem() / 2 ** 30, kernel: release(), node: process.version, loadavg: loadavg() },
    options: { runs: o.runs, warmup: o.warmup, quick: o.quick, sizes: o.sizes, keystrokes: o.keystrokes, seed: o.seed, generator: GENERATOR_VERSION },
    servers: svs.map((s) => ({ label: s.label, argv: s.argv.map((a) => (a.startsWith(ROOT + '/') ? relative(ROOT, a) : a)) })),
    dist: o.dist, distServerBytes: size,
    summary: rows.map((r) => ({ measure: r.measure.trim(), size: r.size, reference: r.ref, ours: r.ours, ratio: r.ratio, target: r.target, verdict: r.verdict || null })),
    runs: results, cli: cliResults,
  }, null, 1));
  lines.push(`results: ${relative(ROOT, jsonPath)}`);
  console.log(lines.join('\n'));
  if (startFailures) { console.error(`bench: ${startFailures} server start(s) failed`); process.exitCode = 1; }
}

main().catch((e) => { console.error(e); process.exit(1); });
