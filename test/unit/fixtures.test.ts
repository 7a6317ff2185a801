/**
 * Before/after fixture pairs: test/fixtures/<rule-id>/<case>/{before,after}.Dockerfile.
 * - with after.Dockerfile: the rule fires and its fixes, applied to a fixed point, give `after`;
 *   `after` equal to `before` means the rule fires but declines to fix (fixable: false, with a reason);
 * - without after.Dockerfile: the rule stays quiet.
 * Each pair is replayed as written, with CRLF line endings, and with the backtick escape directive;
 * A case may hold a `context/` folder: the files next to the Dockerfile (go.mod, package.json, …) that
 * the analysis may read, and a `path` file: the document's path as an adapter would pass it (one line,
 * `/` separators; e.g. `project/.devcontainer/Dockerfile`). The result re-parses, the rule no longer fires, fixing again changes nothing, comments, directives
 * and heredoc bodies survive, and every shell-form RUN body passes `sh -n`.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, appliedByFixAll, fixAll, fixesFor } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { buildModel } from '../../server/src/core/model';
import { JDK_TOOLCHAIN, TOOLCHAIN_PACKAGE, lookupToolchain } from '../../server/src/knowledge/toolchains';
import { repoKey } from '../../server/src/knowledge/base-images';
import { RULE_IDS } from '../../server/src/rules/index';
import { DEFAULT_SETTINGS, type AnalysisContext } from '../../server/src/core/types';
import { folderFiles } from '../../server/src/node/workspace-files';
import { SCANNED_PACKAGES } from '../../server/src/fixes/multi-stage/scanned-packages';
import { FIXTURES, commentLines, heredocBodies, isSubsequence, shellSyntaxErrors, toBacktick, toCrlf } from './helpers';

before(() => initShell());

/**
 * A rewrite that looks written by hand: no run of blank lines before a FROM, no WORKDIR repeating the one in
 * effect in its stage, and (for the rules that write RUNs of their own: the user block, the runtime's packages) no
 * added line of several `&&` commands past 110 columns (the user block's `useradd` line alone is the longest); each
 * unless the original had it.
 */
function assertLooksWritten(text: string, original: string, rule: string): void {
  const writesRuns = rule === 'non-root-user' || rule === 'multi-stage';
  const lines = text.split(/\r?\n/);
  const had = new Set(original.split(/\r?\n/));
  for (const [k, l] of lines.entries()) {
    if (/^\s*FROM\s/i.test(l) && k >= 2 && lines[k - 1].trim() === '' && lines[k - 2].trim() === '') assert.ok(/\n[ \t]*\r?\n[ \t]*\r?\n[ \t]*FROM/i.test(original), `two blank lines before the FROM on line ${k + 1}`);
    // The line without the continuation the fix may have put at its end; commands joined inside it.
    const body = l.replace(/\s*(&&\s*)?[\\`]$/, '').replace(/^\s*&&\s*/, '');
    if (writesRuns && l.length > 110 && body.includes('&&')) assert.ok(had.has(l) || had.has(body), `added line ${k + 1} is ${l.length} columns long`);
  }
  const model = buildModel(text);
  const before = buildModel(original);
  const repeats = (m: typeof model) =>
    m.stages.reduce((n, stage) => {
      let wd: string | null = null;
      for (const i of stage.instructions) {
        if (i.keyword !== 'WORKDIR') continue;
        const v = (i.node.getArgumentsContent() ?? '').trim();
        if (v === wd) n++;
        wd = v.startsWith('/') ? v : null;
      }
      return n;
    }, 0);
  assert.ok(repeats(model) <= repeats(before), 'a WORKDIR repeats the one in effect in its stage');
}

/**
 * A converted file: every `--from` names an earlier stage (or an image the original already copied from, such as
 * `composer:2`), and the final stage is not a toolchain image.
 */
function assertBuilderAndRuntime(text: string, original: string): void {
  const model = buildModel(text);
  const last = model.stages[model.stages.length - 1];
  assert.ok(model.stages.length >= 2, 'a builder and a runtime stage');
  for (const i of model.instructions) {
    if (i.keyword !== 'COPY' || !i.stage) continue;
    const from = /--from=(\S+)/.exec(model.doc.text.slice(i.start, i.end))?.[1]?.toLowerCase();
    // An image reference (`--from=ghcr.io/astral-sh/uv:0.4`) is not a stage, nor an image the original already copied from (`composer:2`).
    if (!from || /[/:]/.test(from)) continue;
    if (!model.stages.some((s) => s.alias === from) && original.toLowerCase().includes(`--from=${from}`)) continue;
    const src = model.stages.find((s) => s.alias === from);
    assert.ok(src && src.index < i.stage.index, `COPY --from=${from} on line ${i.line + 1} names an earlier stage`);
  }
  assert.ok(last.instructions.some((i) => i.keyword === 'COPY' && /--from=/.test(model.doc.text.slice(i.start, i.end))), 'the runtime copies from the builder');
  const ref = last.image!;
  const tc = lookupToolchain(repoKey(ref));
  const runtimeTag = /(^|-)(slim|alpine)/.test(ref.tag ?? '');
  assert.ok(!tc || (['node', 'python', 'ruby'].includes(tc.ecosystem) && runtimeTag), `the final FROM ${last.imageText} is not a toolchain image`);
  assert.ok(!JDK_TOOLCHAIN.repo.test(repoKey(ref)) || /(^|-)jre(-|$)/.test(ref.tag ?? ''), `the final FROM ${last.imageText} is a JRE, not a JDK`);
  // The runtime runs no build: a RUN there may only install packages, none of them a build package, and create its user.
  for (const i of last.instructions) {
    if (i.keyword !== 'RUN') continue;
    const script = i.run?.script();
    assert.ok(script, `the runtime RUN on line ${i.line + 1} parses`);
    const installed: string[] = [];
    let createsUser = false;
    for (const c of script.commands) {
      // The packages the builder's library scan listed (scanned-packages.ts): `xargs -r apt-get install … < list`.
      const scanned = c.name === 'xargs' && c.args[0]?.value === '-r';
      const name = scanned ? c.args[1]?.value ?? null : c.name;
      const a = c.args.slice(scanned ? 2 : 0).map((x) => x.value ?? '');
      const dnf = name === 'dnf' || name === 'microdnf';
      const install = (name === 'apt-get' && a.includes('install')) || (name === 'apk' && a.includes('add')) || (dnf && a.includes('install'));
      const housekeeping = (name === 'apt-get' && a[0] === 'update') || (dnf && a[0] === 'clean' && a[1] === 'all') || (name === 'rm' && a.every((x) => x.startsWith('-') || /^\/var\/(lib\/apt\/lists|cache\/apk)\//.test(x) || x === SCANNED_PACKAGES));
      if (scanned && install) installed.push(`(the packages in ${SCANNED_PACKAGES})`);
      // The runtime's user, as the non-root fix creates it (a conversion after that fix moves it there).
      const user = /^(groupadd|useradd|addgroup|adduser|chown|mkdir)$/.test(c.name ?? '');
      // A CLI the program runs, installed globally as the original stage did (`npm install -g serve`): no build.
      const globalCli = (name === 'npm' && /^(install|i)$/.test(a[0] ?? '') && (a.includes('-g') || a.includes('--global'))) || (name === 'yarn' && a[0] === 'global' && a[1] === 'add');
      assert.ok(install || housekeeping || user || globalCli, `the runtime RUN on line ${i.line + 1} only installs packages, not \`${name}\``);
      createsUser ||= /^(useradd|adduser)$/.test(c.name ?? '');
      if (install) installed.push(...a.filter((x) => x && !x.startsWith('-') && x !== 'install' && x !== 'add'));
      if (globalCli) installed.push(...a.filter((x) => x && !x.startsWith('-') && !/^(install|i|global|add)$/.test(x)));
    }
    assert.ok(installed.length > 0 || createsUser, `the runtime RUN on line ${i.line + 1} installs something`);
    assert.deepEqual(installed.filter((p) => TOOLCHAIN_PACKAGE.test(p)), [], 'the runtime installs no build package');
  }
}

const variants: [string, (s: string) => string | null][] = [
  ['as written', (s) => s],
  ['CRLF', toCrlf],
  ['backtick escape', toBacktick],
];

for (const rule of fs.readdirSync(FIXTURES).sort()) {
  describe(`fixtures: ${rule}`, () => {
    it('is a registered rule', () => assert.ok(RULE_IDS.includes(rule), `${rule} is not in the registry`));
    for (const name of fs.readdirSync(path.join(FIXTURES, rule)).sort()) {
      const dir = path.join(FIXTURES, rule, name);
      const beforeText = fs.readFileSync(path.join(dir, 'before.Dockerfile'), 'utf8');
      const afterPath = path.join(dir, 'after.Dockerfile');
      const afterText = fs.existsSync(afterPath) ? fs.readFileSync(afterPath, 'utf8') : null;
      const ctxDir = path.join(dir, 'context');
      const ctx: AnalysisContext = fs.existsSync(ctxDir) ? { files: folderFiles(ctxDir) } : {};
      const pathFile = path.join(dir, 'path');
      if (fs.existsSync(pathFile)) ctx.path = fs.readFileSync(pathFile, 'utf8').trim();
      for (const [variant, transform] of variants) {
        const b = transform(beforeText);
        if (b === null) continue;
        const a = afterText === null ? null : transform(afterText)!;
        it(`${name} (${variant})`, () => {
          // The rule's fix, whatever the severity of its findings: fix-all applies hints and infos only once the
          // user raises the rule (asserted on its own below and in rules.test), the quick fix always.
          const raised = { ...DEFAULT_SETTINGS, rules: { ...DEFAULT_SETTINGS.rules, [rule]: 'warning' as const } };
          const fixAllOf = (t: string) => fixAll(t, raised, [rule], ctx).text;
          const found = analyze(b, DEFAULT_SETTINGS, [rule], ctx).findings;
          if (a === null) {
            assert.deepEqual(found.map((f) => `${f.range.start.line}: ${f.message}`), [], 'the rule should stay quiet');
            assert.equal(fixAllOf(b), b);
            return;
          }
          assert.ok(found.length > 0, 'the rule should fire');
          const fixed = fixAllOf(b);
          assert.equal(fixed, a);
          // Under the default settings fix-all applies exactly the warnings' fixes: with none, it changes nothing.
          if (!found.some((f) => appliedByFixAll(f, DEFAULT_SETTINGS))) assert.equal(fixAll(b, DEFAULT_SETTINGS, [rule], ctx).text, b, 'fix-all leaves hints and infos to the editor');
          if (a === b) {
            assert.ok(found.every((f) => !f.fixable && f.reason), 'a declined fix says why and is not fixable');
            // A quick fix left to the editor is still offered, and is never the preferred one.
            const model = buildModel(b, ctx);
            for (const f of found.filter((x) => x.data?.quickFixOnly === true)) {
              const fixes = fixesFor(model, f);
              assert.ok(fixes.length > 0 && fixes.every((x) => x.manual && !x.preferred), 'the quick fix is offered, manual, not preferred');
            }
            return;
          }
          // The result re-parses, the rule is satisfied, and a second fix changes nothing.
          const model = buildModel(fixed);
          assert.ok(model.stages.length >= 1);
          assert.deepEqual(analyze(fixed, DEFAULT_SETTINGS, [rule], ctx).findings.filter((f) => f.fixable).map((f) => f.message), []);
          assert.equal(fixAllOf(fixed), fixed, 'idempotent');
          // What the fix does not rewrite survives.
          assert.ok(isSubsequence(commentLines(b), commentLines(fixed)), 'comments and directives are kept in order');
          assert.deepEqual(heredocBodies(fixed), heredocBodies(b), 'heredoc bodies are kept byte for byte');
          assert.equal(fixed.includes('\r\n'), b.includes('\r\n'), 'line endings are kept');
          assert.deepEqual(shellSyntaxErrors(fixed), [], 'every RUN body is valid sh');
          if (rule === 'multi-stage') assertBuilderAndRuntime(fixed, b);
          assertLooksWritten(fixed, b, rule);
        });
      }
    }
  });
}
