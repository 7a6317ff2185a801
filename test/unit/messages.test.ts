/**
 * Every finding of every fixture and example, with all rules and with each rule alone (where nothing is folded
 * into another rule's finding): its message's first line is one sentence of at most SUMMARY_MAX characters, as
 * the editor (plain text, with the no-fix reason) and the CLI show it; and every quick-fix title names what that
 * fix's edits do here, nothing more and nothing less.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, fixAll, fixesFor } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { buildModel } from '../../server/src/core/model';
import { SUMMARY_MAX, summaryOf, withReason } from '../../server/src/core/message';
import { plainText } from '../../server/src/core/plain-text';
import { RULE_IDS } from '../../server/src/rules/index';
import { DEFAULT_SETTINGS, type AnalysisContext, type Finding, type Fix } from '../../server/src/core/types';
import { folderFiles } from '../../server/src/node/workspace-files';
import { FIXTURES, ROOT } from './helpers';

before(() => initShell());

interface Case {
  name: string;
  text: string;
  ctx: AnalysisContext;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const rule of fs.readdirSync(FIXTURES).sort()) {
    for (const name of fs.readdirSync(path.join(FIXTURES, rule)).sort()) {
      const dir = path.join(FIXTURES, rule, name);
      const ctx: AnalysisContext = fs.existsSync(path.join(dir, 'context')) ? { files: folderFiles(path.join(dir, 'context')) } : {};
      if (fs.existsSync(path.join(dir, 'path'))) ctx.path = fs.readFileSync(path.join(dir, 'path'), 'utf8').trim();
      for (const file of ['before.Dockerfile', 'after.Dockerfile']) {
        if (fs.existsSync(path.join(dir, file))) out.push({ name: `${rule}/${name}/${file}`, text: fs.readFileSync(path.join(dir, file), 'utf8'), ctx });
      }
    }
  }
  const examples = path.join(ROOT, 'examples');
  for (const name of fs.readdirSync(examples).sort()) {
    const file = path.join(examples, name, 'Dockerfile');
    if (fs.existsSync(file)) out.push({ name: `examples/${name}`, text: fs.readFileSync(file, 'utf8'), ctx: { files: folderFiles(path.join(examples, name)) } });
  }
  return out;
}

/** Each finding of the case, with all rules and with each rule alone. */
function findingsOf(c: Case): Finding[] {
  const all = analyze(c.text, DEFAULT_SETTINGS, undefined, c.ctx).findings;
  return [...all, ...RULE_IDS.flatMap((r) => analyze(c.text, DEFAULT_SETTINGS, [r], c.ctx).findings)];
}

/** A first sentence: ends with a full stop and holds no second sentence (". " before a capital). */
function assertSummary(where: string, text: string): void {
  const first = summaryOf(text);
  assert.ok(first.length <= SUMMARY_MAX, `${where}: first line of ${first.length} characters (at most ${SUMMARY_MAX}): ${first}`);
  assert.match(first, /\.$/, `${where}: the first line is a sentence: ${first}`);
  assert.doesNotMatch(first, /\.\s+[A-Z]/, `${where}: the first line holds one sentence: ${first}`);
}

/**
 * What a title may name, and what the fix's inserted text then holds: each phrase in the title needs its text
 * among the words the fix adds, and each such text added needs its phrase in the title.
 */
const PHRASES: [phrase: RegExp, added: RegExp][] = [
  [/\b-y\b/, /(^|\s)-y(\s|$)/],
  [/--no-install-recommends/, /--no-install-recommends/],
  [/--setopt=install_weak_deps=0/, /--setopt=install_weak_deps=0/],
  [/--nodocs/, /--nodocs/],
  [/--no-cache-dir/, /--no-cache-dir/],
  [/add --no-cache(?![-\w])/i, /(^|\s)--no-cache(\s|$)/],
  [/--omit=dev|--production/, /--omit=dev|--production/],
  [/remove the apt lists/i, /rm -rf \/var\/lib\/apt\/lists/],
  [/remove \/var\/cache\/apk/i, /rm -rf \/var\/cache\/apk/],
  [/clean the npm cache/i, /npm cache clean/],
  [/clean all/, /clean all/],
  [/use 'npm ci'|use `npm ci`/i, /(^|\s)ci(\s|$)/],
  [/apt-get (install|update|upgrade|remove|purge|clean)\b.*instead of apt/i, /^apt-get$/],
];

/** The words a fix adds: those of its inserted text that the replaced text did not hold. */
function addedText(text: string, fix: Fix): string {
  const model = buildModel(text);
  const parts: string[] = [];
  for (const e of fix.edits) {
    const old = text.slice(model.doc.offsetAt(e.range.start), model.doc.offsetAt(e.range.end));
    const had = new Set(old.split(/\s+/));
    parts.push(e.newText.split(/\s+/).filter((w) => w && !had.has(w)).join(' '));
  }
  return parts.join(' ');
}

/** Whether the fix deletes words (a repeated package) without putting them back. */
function removesWords(text: string, fix: Fix): boolean {
  const model = buildModel(text);
  return fix.edits.some((e) => {
    const old = text.slice(model.doc.offsetAt(e.range.start), model.doc.offsetAt(e.range.end)).trim();
    return old.length > 0 && !e.newText.includes(old);
  });
}

const HYGIENE = new Set(['apt-hygiene', 'apk-hygiene', 'dnf-hygiene', 'pip-hygiene', 'npm-hygiene']);

describe('messages: one short first sentence', () => {
  for (const c of cases()) {
    it(c.name, () => {
      for (const f of findingsOf(c)) {
        const where = `${c.name}:${f.range.start.line + 1} ${f.rule}`;
        assertSummary(where, f.message);
        // As the editor shows it: plain text, with why there is no fix after the detail.
        assertSummary(`${where} (editor)`, plainText(withReason(f)));
        for (const r of f.related ?? []) assert.ok(summaryOf(r.message).length > 0, `${where}: related finding has a message`);
      }
    });
  }
});

describe('quick-fix titles: what the fix does here', () => {
  for (const c of cases()) {
    it(c.name, () => {
      const model = buildModel(c.text, c.ctx);
      for (const f of findingsOf(c)) {
        if (!HYGIENE.has(f.rule) || !(f.fixable || f.data?.quickFixOnly === true)) continue;
        for (const fix of fixesFor(model, f)) {
          const where = `${c.name}:${f.range.start.line + 1} ${f.rule} "${fix.title}"`;
          assert.ok(fix.title.length <= SUMMARY_MAX, `${where}: title of ${fix.title.length} characters`);
          const added = addedText(c.text, fix);
          for (const [phrase, text] of PHRASES) {
            if (phrase.test(fix.title)) assert.match(added, text, `${where}: names ${phrase}, which the fix does not add (adds: ${added})`);
          }
          // Every option the fix adds to a command is named (those of a cleanup command it appends go with its phrase).
          const options = added.replace(/rm -rf \S+|npm cache clean --force|\S+ clean all/g, '');
          for (const w of options.split(' ').filter((x) => x.startsWith('-'))) {
            assert.ok(fix.title.includes(w), `${where}: the fix adds ${w}, which the title does not name`);
          }
          if (/rm -rf \/var\/lib\/apt\/lists/.test(added)) assert.match(fix.title, /remove the apt lists/i, `${where}: the fix removes the lists`);
          if (/npm cache clean/.test(added)) assert.match(fix.title, /clean the npm cache/i, `${where}: the fix cleans the cache`);
          if (/clean all/.test(added)) assert.match(fix.title, /clean all/, `${where}: the fix runs clean all`);
          if (f.rule === 'apt-hygiene' && f.data?.kind === 'install') assert.equal(/repeated/.test(fix.title), removesWords(c.text, fix), `${where}: "repeated" in the title iff the fix drops words`);
        }
      }
    });
  }
});

describe('overlaps: one finding per thing to do', () => {
  const FASTAPI = [
    'FROM python:3.11-slim',
    'WORKDIR /app',
    'COPY requirements.txt .',
    'RUN apt-get update',
    'RUN apt-get install -y gcc libpq-dev',
    'RUN pip install -r requirements.txt',
    'COPY . .',
    'USER 1000',
    'CMD ["uvicorn", "main:app", "--host", "0.0.0.0"]',
    '',
  ].join('\n');
  // The findings on the RUNs (line 4 on; multi-stage's on the FROM is not the point here).
  const rulesOn = (text: string, settings = DEFAULT_SETTINGS) => analyze(text, settings).findings.filter((f) => f.range.start.line >= 3).map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`);

  it('a lone apt-get update inside a merge group is reported once, by the merge that resolves it', () => {
    const found = analyze(FASTAPI).findings;
    assert.deepEqual(
      found.filter((f) => f.range.start.line >= 3).map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`),
      // The merge takes the update's severity (a merge that only cuts layers alone is a hint); the recommends and the
      // pip cache need fixes of their own and keep their findings.
      ['4 merge-run warning', '5 apt-hygiene info', '6 pip-hygiene warning'],
    );
    const merge = found.find((f) => f.rule === 'merge-run')!;
    assert.equal(summaryOf(merge.message), 'Merge these 3 RUN instructions: apt-get update on line 4 runs in a RUN of its own.');
    assert.match(merge.message, /\nIts lists are cached as a separate layer, so a later install may use stale lists/);
    assert.deepEqual(merge.related?.map((r) => [r.rule, r.range.start.line]), [['apt-hygiene', 3]]);
    // The merge's fix resolves the folded finding: after it, no apt-get update stands alone.
    const model = buildModel(FASTAPI);
    const fix = fixesFor(model, merge)[0];
    assert.equal(fix.title, 'Merge 3 RUN instructions into one');
  });

  it('the update is reported on its own when merge-run is off, ignored, or not asked for', () => {
    const alone = ['4 apt-hygiene warning', '5 apt-hygiene info', '6 pip-hygiene warning'];
    assert.deepEqual(rulesOn(FASTAPI, { enable: true, rules: { 'merge-run': 'off' } }), alone);
    // merge-run ignored by its hadolint code above the group: the lines move down by the comment's.
    assert.deepEqual(rulesOn(FASTAPI.replace('RUN apt-get update', '# hadolint ignore=DL3059\nRUN apt-get update')), ['5 apt-hygiene warning', '6 apt-hygiene info', '7 pip-hygiene warning']);
    assert.deepEqual(analyze(FASTAPI, DEFAULT_SETTINGS, ['apt-hygiene']).findings.map((f) => f.range.start.line + 1), [4, 5]);
  });

  it('a severity set for merge-run below the update\'s folds nothing; one above it carries the update', () => {
    assert.deepEqual(rulesOn(FASTAPI, { enable: true, rules: { 'merge-run': 'hint' } }), ['4 apt-hygiene warning', '4 merge-run hint', '5 apt-hygiene info', '6 pip-hygiene warning']);
    assert.deepEqual(rulesOn(FASTAPI, { enable: true, rules: { 'merge-run': 'error' } }), ['4 merge-run error', '5 apt-hygiene info', '6 pip-hygiene warning']);
  });

  it('an install whose only fault is the lists, removed by a later RUN of its merge group, is reported inside the merge', () => {
    const text = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN curl -fsSL https://example.org/x -o /opt/x\nRUN rm -rf /var/lib/apt/lists/*\nUSER 1000\nCMD ["/opt/x"]\n';
    const found = analyze(text).findings;
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}`), ['2 merge-run warning']);
    assert.equal(summaryOf(found[0].message), 'Merge these 3 RUN instructions: the apt lists line 2 downloads are removed only on line 4.');
    assert.deepEqual(found[0].related?.map((r) => [r.rule, r.range.start.line]), [['apt-hygiene', 1]]);
    // Merged, the lists are removed in the RUN that downloads them: nothing is left to report.
    assert.deepEqual(analyze(fixAll(text).text).findings.map((f) => f.rule), []);
    // With more to fix than the lists (recommends), the install keeps its own finding.
    const more = text.replace(' --no-install-recommends', '');
    assert.deepEqual(analyze(more).findings.map((f) => `${f.range.start.line + 1} ${f.rule}`), ['2 merge-run', '2 apt-hygiene']);
  });

  it('an update whose own merge is with a RUN outside the group, or with none, is not folded', () => {
    // The update ends its group (the next RUN has other flags): merging the group does not give it an install.
    const last = 'FROM debian:bookworm-slim\nRUN echo a\nRUN apt-get update\nRUN --network=none apt-get install -y curl\nUSER 1000\nCMD ["x"]\n';
    const found = analyze(last).findings;
    assert.ok(found.some((f) => f.rule === 'apt-hygiene' && f.data?.kind === 'update'), JSON.stringify(found.map((f) => f.message)));
    assert.ok(found.every((f) => !f.related), 'nothing folded');
  });

  it('an update with another step before the install is folded into the merge that puts them in one RUN, and named first', () => {
    const text = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN curl -fsSL https://example.org/setup.sh -o /tmp/s\nRUN apt-get install -y --no-install-recommends gcc\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends make\nUSER 1000\nCMD ["x"]\n';
    const found = analyze(text).findings.filter((f) => f.rule !== 'multi-stage');
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1} ${f.rule}`), ['2 merge-run']);
    assert.equal(summaryOf(found[0].message), 'Merge these 5 RUN instructions: apt-get update on line 2 runs in a RUN of its own.');
    assert.deepEqual(found[0].related?.map((r) => r.range.start.line + 1), [2, 5]);
    // Turned off, the update with no install right after it is reported on its own again.
    assert.ok(analyze(text, { enable: true, rules: { 'merge-run': 'off' } }).findings.some((f) => f.rule === 'apt-hygiene' && f.range.start.line === 1));
  });

  it('fix-all gives the same file whether the update is folded or not', () => {
    const off = { enable: true, rules: { 'merge-run': 'off' as const } };
    const folded = fixAll(FASTAPI).text;
    assert.ok(!analyze(folded).findings.some((f) => f.fixable), 'fix-all leaves nothing fixable');
    // apt-hygiene alone still merges the update into the install (fix --rule apt-hygiene stays meaningful).
    assert.match(fixAll(FASTAPI, off).text, /RUN apt-get update && \\\n\s*apt-get install/);
  });
});
