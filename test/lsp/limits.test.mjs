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
