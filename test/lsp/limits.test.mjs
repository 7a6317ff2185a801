// The server's limits (dist/server.js over stdio): the time budget of an analysis, a server whose client dies in
// the middle of a long job, the memory of the shell-parse cache while a large RUN body is edited, bursts of
// watched-file notifications, and names every object has (`toString`, …) as commands. Run after `npm run build`.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, newUri, removeTmpDir, withServer } from './client.mjs';

const T = { timeout: 120_000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const codes = (diags) => [...new Set(diags.map((d) => d.code))].sort();

const A = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get clean\nCMD ["bash"]\n';
const C = 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n';

/** The hook's slow recipe and spinning rule last a minute (server/src/lsp/test-hook.ts). */
const HOOK_MS = 60_000;

/** Resident memory of a process, in MB (Linux). */
function rssMb(pid) {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** The process's state and CPU time in clock ticks, or null once it is gone (a zombie counts as gone). */
function procStat(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return { state: fields[0], cpu: Number(fields[11]) + Number(fields[12]) };
}

describe('time budget of an analysis', () => {
  const GO = 'FROM golang:1.22\nWORKDIR /src\nRUN apt-get update && apt-get install -y git\nCOPY . .\nRUN go build -trimpath\nCMD ["./inventory-api"]\n';

  test('a conversion plan that outlasts the budget is abandoned with a reason; the other findings publish, the server serves on', T, () =>
    withServer({ env: { DOCKERFILE_LEAN_TEST_SLOW_RECIPE: 'go' } }, async (c) => {
      const uri = newUri();
      fs.writeFileSync(path.join(path.dirname(fileURLToPath(uri)), 'go.mod'), 'module example.com/inventory-api\n\ngo 1.22\n');
      const t0 = Date.now();
      const slow = c.diagnosticsFor(uri, 1);
      c.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: GO } });
      // A second document, opened right behind it, is answered too.
      const other = c.open(C);
      const { diagnostics } = await slow;
      const ms = Date.now() - t0;
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'multi-stage', 'non-root-user']);
      const ms0 = diagnostics.find((d) => d.code === 'multi-stage');
      assert.match(ms0.message, /Not converted automatically: planning the conversion took longer than 2 s\.$/);
      assert.equal(ms0.data.fixable, false);
      assert.ok(ms < HOOK_MS / 4, `diagnostics after ${ms} ms: the slow recipe was not stopped`);
      assert.deepEqual(codes((await other).diagnostics), ['non-root-user']);

      // Fix all, with a budget of its own: the other fixes are made, the conversion is not.
      const r = await c.request('workspace/executeCommand', { command: 'dockerfile-lean.server.fixAll', arguments: [{ uri, apply: false }] }, 30_000);
      assert.match(r.newText, /rm -rf \/var\/lib\/apt\/lists/);
      assert.doesNotMatch(r.newText, /COPY --from=/);
      assert.equal(c.exited, false);
    }));

  test('without the hook the same document converts', T, () =>
    withServer(async (c) => {
      const uri = newUri();
      fs.writeFileSync(path.join(path.dirname(fileURLToPath(uri)), 'go.mod'), 'module example.com/inventory-api\n\ngo 1.22\n');
      const { diagnostics } = await c.open(GO, { uri });
      assert.equal(diagnostics.find((d) => d.code === 'multi-stage').data.fixable, true);
    }));
});

describe('a server whose client is gone', () => {
  test('exits while a long job keeps its thread busy, long before the job would end', T, async () => {
    const client = spawn(process.execPath, [path.join(ROOT, 'test/lsp/orphan-client.mjs'), JSON.stringify({ DOCKERFILE_LEAN_TEST_SLOW_RULE: 'merge-run' }), A], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    client.stderr.on('data', (d) => (err += d));
    const pid = await new Promise((resolve, reject) => {
      client.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      client.on('exit', (code) => reject(new Error(`the client exited (${code}) before the server was busy\n${err}`)));
    });
    try {
      // Busy: its CPU time grows while the job runs.
      const before = procStat(pid);
      await sleep(300);
      const during = procStat(pid);
      assert.ok(before && during && during.cpu > before.cpu, `the server is not busy: ${JSON.stringify({ before, during })}`);
      const t0 = Date.now();
      client.kill('SIGKILL');
      while (procStat(pid) && Date.now() - t0 < HOOK_MS / 2) await sleep(50);
      const ms = Date.now() - t0;
      assert.equal(procStat(pid), null, `the server (pid ${pid}) still runs ${ms} ms after its client died`);
      assert.ok(ms < HOOK_MS / 6, `the server exited ${ms} ms after its client, about when its job would have ended`);
    } finally {
      if (procStat(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('shell-parse cache memory', () => {
  // About 190 KB of RUN body. The cache used to keep every parsed version (about 3.6 MB of heap each, 5 MB of RSS):
  // under this heap limit that ran out of memory after about 22 edits; bounded, it stays flat. So 30 edits show it.
  const EDITS = 30;
  const packages = Array.from({ length: 28_000 }, (_, k) => `p${k}`).join(' ');
  const TEXT = `FROM debian:bookworm\nRUN apt-get install -y ${packages}\nCMD ["bash"]\n`;

  test('one-character edits inside a 190 KB RUN body: RSS stays flat, and does not grow after the close', T, () =>
    withServer({ env: { NODE_OPTIONS: '--max-old-space-size=96' } }, async (c) => {
      const { uri } = await c.open(TEXT);
      const samples = [];
      for (let v = 2; v <= EDITS + 1; v++) {
        const pub = c.diagnosticsFor(uri, v);
        const at = { line: 1, character: 30 + v };
        c.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: at, end: at }, text: 'x' }] });
        const { diagnostics } = await pub;
        assert.ok(diagnostics.some((d) => d.code === 'apt-hygiene'), 'the body is still analysed');
        samples.push(rssMb(c.proc.pid));
      }
      const settled = samples[9];
      const last = samples[samples.length - 1];
      assert.ok(last - settled < 25, `RSS grew from ${settled.toFixed(0)} MB (edit 10) to ${last.toFixed(0)} MB (edit ${EDITS}): ${samples.map((x) => x.toFixed(0)).join(' ')}`);
      c.notify('textDocument/didClose', { textDocument: { uri } });
      await c.open(C);
      const closed = rssMb(c.proc.pid);
      assert.ok(closed - last < 10, `RSS ${closed.toFixed(0)} MB after the close, ${last.toFixed(0)} MB before`);
      assert.equal(c.exited, false);
    }));
});

describe('watched-file notifications', () => {
  test('2,000 for one config file with 200 documents open: one re-check of the documents under its folder, the next open answered about as fast as usual', T, () =>
    withServer(async (c) => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-watch-'));
      try {
        const project = path.join(root, 'project');
        fs.mkdirSync(path.join(project, '.git'), { recursive: true });
        const inside = [];
        for (let k = 0; k < 10; k++) {
          fs.mkdirSync(path.join(project, `svc${k}`));
          inside.push(pathToFileURL(path.join(project, `svc${k}`, 'Dockerfile')).href);
        }
        const outside = Array.from({ length: 190 }, () => newUri());
        await Promise.all([...inside, ...outside].map((uri) => c.open(A, { uri })));

        // A normal open: behind 2,000 notifications the server has no handler for.
        const timedOpen = async (send) => {
          const t0 = Date.now();
          send();
          await c.open(C);
          return Date.now() - t0;
        };
        const base = await timedOpen(() => {
          for (let k = 0; k < 2000; k++) c.notify('$/dockerfileLean/unknown', { changes: [{ uri: pathToFileURL(path.join(project, '.dockerfilelean.yaml')).href, type: 2 }] });
        });

        fs.writeFileSync(path.join(project, '.dockerfilelean.yaml'), 'rules:\n  non-root-user: off\n');
        const mark = c.publishes.length;
        const changed = inside.map((uri) => c.waitPublish(uri, (p) => !p.diagnostics.some((d) => d.code === 'non-root-user'), `${uri} without non-root-user`));
        const burst = await timedOpen(() => {
          for (let k = 0; k < 2000; k++) c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(project, '.dockerfilelean.yaml')).href, type: 2 }] });
        });
        await Promise.all(changed);
        // One more round trip, so that anything a late re-check would publish has arrived.
        await c.open(C);
        const later = c.publishes.slice(mark);
        const outsideSet = new Set(outside);
        assert.deepEqual(later.filter((p) => outsideSet.has(p.uri)).map((p) => p.uri), [], 'documents outside the folder were analysed again');
        for (const uri of inside) {
          const n = later.filter((p) => p.uri === uri).length;
          assert.equal(n, 1, `${uri}: ${n} publishes for 2,000 notifications`);
        }
        assert.ok(burst < 4 * base, `the open behind the burst took ${burst} ms, behind as many ignored notifications ${base} ms`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }));
});

describe('commands named like Object.prototype members', () => {
  test('toString, __proto__, constructor, hasOwnProperty are unknown commands (InvalidParams)', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(A);
      for (const command of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
        await assert.rejects(
          c.request('workspace/executeCommand', { command, arguments: [{ uri, apply: false }] }),
          (e) => e.code === -32602 && e.message === `unknown command ${command}`,
          command,
        );
      }
      assert.equal(c.applyEdits.length, 0);
      const r = await c.request('workspace/executeCommand', { command: 'dockerfile-lean.server.mergeRunInstructions', arguments: [{ uri, apply: false }] });
      assert.match(r.newText, /apt-get update && /, 'the real commands still work');
    }));
});

after(removeTmpDir);
