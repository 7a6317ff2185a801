// The CLI's time budget per file (dist/cli.js): a multi-stage plan that outlasts it is abandoned with a reason,
// the other findings are reported. Run after `npm run build`: node --test test/cli/
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
/** The hook's slow recipe reads project files for a minute (server/src/lsp/test-hook.ts). */
const HOOK_MS = 60_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-cli-budget-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM golang:1.22\nWORKDIR /src\nRUN apt-get update && apt-get install -y git\nCOPY . .\nRUN go build -trimpath\nCMD ["./inventory-api"]\n');
fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/inventory-api\n\ngo 1.22\n');

function check(env = {}) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', path.join(dir, 'Dockerfile')], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: HOOK_MS });
  return { ...r, ms: Date.now() - t0, rows: r.stdout ? JSON.parse(r.stdout) : [] };
}

test('check: a conversion plan that outlasts the budget is abandoned with a reason; the other findings stand', { timeout: HOOK_MS + 10_000 }, () => {
  const slow = check({ DOCKERFILE_LEAN_TEST_SLOW_RECIPE: 'go' });
  assert.equal(slow.status, 1, slow.stderr);
  assert.deepEqual([...new Set(slow.rows.map((r) => r.rule))].sort(), ['apt-hygiene', 'multi-stage', 'non-root-user']);
  const ms = slow.rows.find((r) => r.rule === 'multi-stage');
  assert.equal(ms.fixable, false);
  assert.match(ms.message, /Not converted automatically: planning the conversion took longer than 5 s\.$/);
  assert.ok(slow.ms < HOOK_MS / 4, `${slow.ms} ms: the slow recipe was not stopped`);

  const normal = check();
  assert.equal(normal.rows.find((r) => r.rule === 'multi-stage').fixable, true, 'without the hook it converts');
});
