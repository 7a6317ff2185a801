/**
 * Property test of merge-run: random Dockerfiles of consecutive RUNs, their bodies drawn from a small grammar
 * (simple commands, cd, export, assignments, set, subshells, joined by &&, ||, ; and continuations), merged by the
 * fix. Every body parses and `sh -n` accepts it, the commands are the originals' in order, and
 * running the RUNs one after another (each in a fresh shell, stopping at a failure) gives the same output and success.
 * Fixed seed, so CI is deterministic.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { fixAll } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/core/model';
import { initShell, parseShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS } from '../../server/src/core/types';

before(() => initShell());

const marker = fc.constantFrom('a', 'b', 'c', 'd');
const simple: fc.Arbitrary<string> = fc.oneof(
  marker.map((m) => `echo ${m}`),
  fc.constant('true'),
  fc.constant('false'),
  fc.constant('pwd'),
  fc.constant('echo "v=${V:-unset}"'),
  fc.constantFrom('cd /', 'cd /tmp'),
  fc.constantFrom('export V=1', 'V=2', 'unset V'),
  fc.constant('set -e'),
  marker.map((m) => `test -n "${m}"`),
);
const joiner = fc.constantFrom(' && ', ' || ', ' ; ', ' && \\\n    ', ' || \\\n    ');
const item: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: simple },
  { weight: 1, arbitrary: fc.tuple(simple, joiner, simple).map(([a, j, b]) => `( ${a}${j.replace(/\\\n\s*/, '')}${b} )`) },
);
const body: fc.Arbitrary<string> = fc
  .tuple(item, fc.array(fc.tuple(joiner, item), { maxLength: 3 }))
  .map(([first, rest]) => first + rest.map(([j, x]) => j + x).join(''));

function names(text: string): (string | null)[] {
  const script = parseShell(text);
  assert.ok(script, `parses: ${text}`);
  return script.commands.map((c) => c.name);
}

/** Runs one shell body in a fresh `sh` in `dir`; stdout and whether it succeeded. */
function run(text: string, dir: string): { out: string; ok: boolean } {
  const r = spawnSync('sh', ['-c', text], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { out: r.stdout, ok: r.status === 0 };
}

/** The build runs each RUN in a fresh shell from the same directory and stops at the first failure. */
function build(bodies: string[], dir: string): { out: string; ok: boolean } {
  let out = '';
  for (const b of bodies) {
    const r = run(b, dir);
    out += r.out;
    if (!r.ok) return { out, ok: false };
  }
  return { out, ok: true };
}

describe('merge-run property', () => {
  it('keeps every command, in order, with the same meaning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-prop-'));
    // RUNs that must stay apart (errexit bodies) stay apart; the property must not hold only vacuously.
    let mergedCases = 0;
    try {
      fc.assert(
        fc.property(fc.array(body, { minLength: 2, maxLength: 5 }), (bodies) => {
          const text = 'FROM alpine\n' + bodies.map((b) => `RUN ${b}\n`).join('');
          const model = buildModel(text);
          const originals = model.instructions.filter((i) => i.run).map((i) => i.run!.body);
          // Raised to a warning: fix-all applies hint-level merges only then (see fixAll).
          const fixed = fixAll(text, { ...DEFAULT_SETTINGS, rules: { 'merge-run': 'warning' } }, ['merge-run']).text;
          const after = buildModel(fixed).instructions.filter((i) => i.keyword === 'RUN').map((i) => i.run!.body);
          if (after.length < originals.length) mergedCases++;
          assert.deepEqual(after.flatMap(names), originals.flatMap(names), fixed);
          for (const merged of after) {
            const syntax = spawnSync('sh', ['-n'], { input: merged, encoding: 'utf8' });
            assert.equal(syntax.status, 0, `${merged}\n${syntax.stderr}`);
          }
          const before = build(originals, dir);
          const merged = build(after, dir);
          assert.equal(merged.ok, before.ok, `success differs\n${fixed}`);
          assert.equal(merged.out, before.out, `output differs\n${fixed}`);
        }),
        { seed: 20261123, numRuns: 200 },
      );
      assert.ok(mergedCases > 150, `only ${mergedCases} of 200 cases merged anything`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
