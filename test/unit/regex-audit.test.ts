/**
 * Every regular expression in server/src, checked for super-linear backtracking (ReDoS) with the `recheck`
 * checker. The regexes are collected with the TypeScript compiler: each regex literal, and each
 * `new RegExp(…)`/`RegExp(…)` call (those cannot be checked from the source, so each must be in DYNAMIC
 * with why its pattern is safe). A literal recheck judges vulnerable fails the test unless ALLOWED names
 * it with the reason its input is bounded. The checker runs without time limits (its verdicts then depend
 * only on step counts, not on the machine's load).
 *
 * A regex with none of `*`, `+`, `?`, `{` (no quantifier, no special group) matches at most its own length from each
 * start, so it is linear without asking the checker; that skips about half of them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { check } from 'recheck';
import { ROOT } from './helpers';

interface Found {
  file: string;
  line: number;
  source: string;
  flags: string;
}

/** Literals judged vulnerable whose input is bounded: [file, source, why]. */
const ALLOWED: [string, string, string][] = [
  ['node/config.ts', String.raw`\s*(in JSON )?at position \d+.*$`, "runs on V8's JSON.parse error message, which quotes the source only as a short snippet (under 60 characters for a 1 MB source)"],
  ['node/config.ts', String.raw`\s*\(line \d+ column \d+\)$`, "runs on V8's JSON.parse error message (see above)"],
];

/** Regexes built at run time: [file, call text, why the pattern is linear]. */
const DYNAMIC: [string, string, string][] = [
  ['fixes/multi-stage/common.ts', 'new RegExp(`\\\\${model.escape}[ \\\\t]*\\\\r?\\\\n`, \'g\')', 'the escape character (one character, escaped) then blanks then a line break: one quantifier, nothing overlapping it'],
  ['fixes/multi-stage/project-files.ts', 'new RegExp(`(?:^|[/@-])${tool}[@-](\\\\d+)\\\\.`)', '`tool` is a literal package-manager name at every call; `\\d+\\.` after it has one quantifier'],
];

function collect(): { literals: Found[]; dynamic: { file: string; text: string }[] } {
  const src = path.join(ROOT, 'server/src');
  const literals: Found[] = [];
  const dynamic: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const sf = ts.createSourceFile(p, fs.readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true);
        const file = path.relative(src, p).split(path.sep).join('/');
        const visit = (n: ts.Node) => {
          if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
            const t = n.getText();
            const k = t.lastIndexOf('/');
            literals.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart()).line + 1, source: t.slice(1, k), flags: t.slice(k + 1) });
          } else if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && n.expression.getText() === 'RegExp') {
            dynamic.push({ file, text: n.getText() });
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    }
  };
  walk(src);
  return { literals, dynamic };
}

/** No quantifier and no special group: a match is at most as long as the pattern. */
function trivially(source: string): boolean {
  return !/[*+?{]/.test(source.replace(/\\./g, ''));
}

describe('regular expressions in server/src', () => {
  const { literals, dynamic } = collect();

  it('are found (the collector works)', () => {
    assert.ok(literals.length > 200, `${literals.length} literals`);
  });

  it('built at run time are each explained', () => {
    for (const d of dynamic) assert.ok(DYNAMIC.some(([f, t]) => f === d.file && t === d.text), `${d.file}: ${d.text} is not in DYNAMIC`);
    for (const [f, t] of DYNAMIC) assert.ok(dynamic.some((d) => d.file === f && d.text === t), `DYNAMIC entry ${f}: ${t} matches no call`);
  });

  it('are linear, or bounded as ALLOWED says (recheck)', async () => {
    const unique = new Map<string, Found[]>();
    for (const l of literals) {
      if (trivially(l.source)) continue;
      const key = `/${l.source}/${l.flags}`;
      unique.set(key, [...(unique.get(key) ?? []), l]);
    }
    // No time limits where a verdict would depend on the machine's load (the overall check, seeding,
    // incubation); the attack that confirms a vulnerability keeps its limit (without one, a polynomial
    // attack string of 300,000 characters runs for minutes). NFAs over 2,000 states (alternations of
    // many words) go to the fuzzer, which takes well under a second where the automaton takes up to 40 s.
    const params = { timeout: null, incubationTimeout: null, seedingTimeout: null, recallTimeout: -1, maxNFASize: 2000 };
    const guard = () => new Promise<{ status: 'no answer' }>((resolve) => setTimeout(() => resolve({ status: 'no answer' }), 120_000).unref());
    const bad: string[] = [];
    const queue = [...unique.values()];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const r = await Promise.race([check(f[0].source, f[0].flags, params), guard()]);
        if (r.status === 'safe') continue;
        for (const l of f) {
          if (r.status === 'vulnerable' && ALLOWED.some(([file, s]) => file === l.file && s === l.source)) continue;
          bad.push(`${l.file}:${l.line} /${l.source}/${l.flags}: ${r.status}${r.status === 'vulnerable' ? ` (${r.complexity.summary}, e.g. ${r.attack.pattern})` : ''}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(bad, []);
    for (const [file, s] of ALLOWED) assert.ok(literals.some((l) => l.file === file && l.source === s), `ALLOWED entry ${file} /${s}/ matches no literal`);
  });
});
