// `npm run corpus -- DIR [--seed N] [--sample N] [--diffs N] [--out FILE] [--json FILE]`: runs the analysis over
// every Dockerfile of a corpus directory, as the CLI does (each file's folder is its build context, default
// settings), and writes a markdown report for a human review. A measuring tool for precision work on
// real-world files, not a CI step: the corpus lives outside the repository (scripts/corpus-materialize.mjs
// rebuilds it from corpus/manifest.tsv and fetched mirrors).
//
// DIR/manifest.tsv (repository, commit, path, kind), when present, names the files and their kinds;
// otherwise every file under DIR with a Dockerfile name is taken (kind "unknown", repository = its first
// folder). The report holds:
//   - crashes (an exception while analysing or fixing) and rule errors (a rule that threw and was skipped);
//   - fix all, applied twice: whether the fixed file still parses (the project's own model, a shell parse of
//     each RUN that parsed before, and dockerfile-utils' validator: no new error) and is idempotent (a second
//     fix all changes nothing), and how many fixable warnings and errors are left after it (hints and infos keep
//     their quick fixes by design);
//   - the same per rule (fix with only that rule, twice);
//   - per-rule and per-kind finding counts, fixable/declined, decline reasons grouped (quoted names and
//     numbers folded, so one reason with different names counts once);
//   - a seeded sample of findings (round-robin over the rules, so every rule gets its share) with the lines
//     around each, the stage's FROM and whether the stage ships, and a seeded sample of per-rule fix diffs.
// The report depends only on the corpus and the seed (no times or dates in it); timings go to stdout.
// --json writes the figures (no samples) for comparing rounds.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);

function usage(msg) {
  if (msg) console.error(`corpus: ${msg}`);
  console.error('usage: npm run corpus -- DIR [--seed N] [--sample N] [--diffs N] [--out FILE] [--json FILE]');
  process.exit(2);
}

const opts = { dir: null, seed: 1, sample: 60, diffs: 20, out: null, json: null };
const argv = process.argv.slice(2);
for (let k = 0; k < argv.length; k++) {
  const a = argv[k];
  const value = () => (k + 1 < argv.length ? argv[++k] : usage(`${a} needs a value`));
  if (a === '--seed') opts.seed = Number(value());
  else if (a === '--sample') opts.sample = Number(value());
  else if (a === '--diffs') opts.diffs = Number(value());
  else if (a === '--out') opts.out = value();
  else if (a === '--json') opts.json = value();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (opts.dir === null) opts.dir = a;
  else usage(`one directory only (got ${opts.dir} and ${a})`);
}
if (!opts.dir) usage('no corpus directory given');
for (const n of ['seed', 'sample', 'diffs']) if (!Number.isInteger(opts[n]) || opts[n] < 0) usage(`--${n} needs a whole number`);
const dir = path.resolve(opts.dir);
if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) usage(`${opts.dir} is not a directory`);
const outFile = path.resolve(opts.out ?? path.join(root, 'out/corpus-report.md'));

// The library from its sources, bundled once (as scripts/fuzz.mjs does); dependencies stay in node_modules.
const libFile = path.join(root, 'out/corpus/lib.js');
await esbuild.build({
  stdin: {
    contents: [
      "export { analyze, fixAll, onRuleError } from './server/src/analysis/analyze';",
      "export { buildModel, stageAt } from './server/src/core/model';",
      "export { initShell, parseShell } from './server/src/core/shell';",
      "export { DEFAULT_SETTINGS } from './server/src/core/types';",
      "export { folderFiles } from './server/src/node/workspace-files';",
      "export { isDockerfileName, isTemplateName } from './server/src/node/discover';",
      "export { unifiedDiff } from './server/src/cli/formats';",
      "export { RULE_IDS } from './server/src/rules/index';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: libFile,
  packages: 'external',
  logLevel: 'warning',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
const lib = require(libFile);
let validate = null;
try {
  validate = require('dockerfile-utils').validate;
} catch {
  validate = null; // the validator check is skipped (the report says so)
}
await lib.initShell();
const SETTINGS = lib.DEFAULT_SETTINGS;
const RULES = lib.RULE_IDS;

// ---------------------------------------------------------------------------------------------
// The files

/** [{ file, rel, repository, kind, commit }] in manifest order (or sorted, when discovered). */
function corpusFiles() {
  const manifest = path.join(dir, 'manifest.tsv');
  if (fs.existsSync(manifest)) {
    const rows = [];
    for (const line of fs.readFileSync(manifest, 'utf8').split('\n')) {
      if (!line.trim() || line.startsWith('repository\t') || line.startsWith('#')) continue;
      const [repository, commit, p, kind] = line.split('\t');
      const rel = path.posix.join(repository.replace('/', '+'), p);
      // A template (Dockerfile.j2) is what a directory search leaves out too: a user checks the rendered file.
      if (lib.isTemplateName(path.posix.basename(p))) continue;
      rows.push({ file: path.join(dir, ...rel.split('/')), rel, repository, commit, kind: kind || 'unknown' });
    }
    return rows;
  }
  const found = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== 'node_modules') walk(path.join(d, e.name), r);
      } else if (e.isFile() && lib.isDockerfileName(e.name)) found.push({ file: path.join(d, e.name), rel: r, repository: r.includes('/') ? r.split('/')[0] : '.', commit: null, kind: 'unknown' });
    }
  };
  walk(dir, '');
  return found;
}

function load(file) {
  const buf = fs.readFileSync(file);
  if (buf.subarray(0, 8192).includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

// ---------------------------------------------------------------------------------------------
// Checks on a fixed text

let ruleErrors = [];
lib.onRuleError((rule, err) => ruleErrors.push({ rule, message: firstLine(err) }));

function firstLine(err) {
  const s = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return s.split('\n')[0].slice(0, 300);
}

const KEYWORDS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

/** Shell bodies of POSIX-shell RUNs, with whether each parses. */
function runBodies(model) {
  const out = [];
  for (const ins of model.instructions) {
    if (!ins.run || ins.run.form !== 'shell' || !ins.stage?.posixShell) continue;
    out.push({ body: ins.run.body, parses: ins.run.script() !== null });
  }
  return out;
}

function validatorErrors(text) {
  if (!validate) return new Map();
  const counts = new Map();
  for (const d of validate(text)) {
    if (d.severity !== 1) continue;
    counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  }
  return counts;
}

/**
 * Why a fixed text does not parse as well as the original did (null when it does): the model fails to build,
 * an instruction keyword is unknown, fewer RUN bodies parse as shell, or the validator reports an error
 * the original did not have.
 */
function parseProblem(before, after, ctx) {
  let model;
  try {
    model = lib.buildModel(after, ctx);
  } catch (err) {
    return `the model does not build: ${firstLine(err)}`;
  }
  const before0 = lib.buildModel(before, ctx);
  const seen = new Set(before0.instructions.map((i) => i.keyword.toUpperCase()));
  const unknown = model.instructions.find((i) => !KEYWORDS.has(i.keyword.toUpperCase()) && !seen.has(i.keyword.toUpperCase()));
  if (unknown) return `unknown instruction ${unknown.keyword} on line ${unknown.line + 1}`;
  if (model.stages.length < before0.stages.length) return `stages went from ${before0.stages.length} to ${model.stages.length}`;
  const failedBefore = runBodies(before0).filter((r) => !r.parses).length;
  const failedAfter = runBodies(model).filter((r) => !r.parses);
  if (failedAfter.length > failedBefore) return `a RUN body no longer parses as shell: ${JSON.stringify(failedAfter[failedAfter.length - 1].body.slice(0, 120))}`;
  const eb = validatorErrors(before);
  for (const [code, n] of validatorErrors(after)) if (n > (eb.get(code) ?? 0)) return `dockerfile-utils reports a new error (code ${code})`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// The run

const files = corpusFiles();
const t0 = performance.now();
const results = [];
for (const entry of files) {
  const r = { ...entry, text: null, skipped: null, crash: null, ruleErrors: [], findings: [], stages: [], fixAll: null, perRule: {} };
  results.push(r);
  let text;
  try {
    text = load(entry.file);
  } catch (err) {
    r.skipped = `cannot read: ${firstLine(err)}`;
    continue;
  }
  if (text === null) {
    r.skipped = 'binary';
    continue;
  }
  r.text = text;
  const ctx = { files: lib.folderFiles(path.dirname(entry.file)), path: entry.file.split(path.sep).join('/') };
  ruleErrors = [];
  let phase = 'analyze';
  try {
    const model = lib.buildModel(text, ctx);
    const { findings } = lib.analyze(model, SETTINGS, undefined, ctx);
    // What each stage is: its FROM line and whether it ships (the final stage and the stages it builds on).
    const shipping = new Set();
    for (let s = model.stages.find((x) => x.isFinal) ?? null; s && !shipping.has(s); s = s.baseStage) shipping.add(s);
    r.stages = model.stages.map((s) => ({ fromLine: s.fromInstr.line, from: model.doc.lineText(s.fromInstr.line).trim(), ships: shipping.has(s) ? 'ships' : s.usedByLaterStage ? 'copied from' : 'not shipped' }));
    for (const f of findings) {
      const stage = lib.stageAt(model, f.range.start.line);
      r.findings.push({ rule: f.rule, severity: f.severity, message: f.message, line: f.range.start.line, endLine: f.range.end.line, fixable: f.fixable, reason: f.reason ?? null, stage: stage ? stage.index : null });
    }
    phase = 'fix all';
    const once = lib.fixAll(text, SETTINGS, undefined, ctx).text;
    const twice = lib.fixAll(once, SETTINGS, undefined, ctx).text;
    // Fix all applies warnings and errors only: a hint or an info left with its quick fix is by design.
    const applied = (f) => f.fixable && (f.severity === 'warning' || f.severity === 'error');
    const left = lib.analyze(once, SETTINGS, undefined, ctx).findings.filter(applied).map((f) => f.rule);
    r.fixAll = { changed: once !== text, idempotent: twice === once, parse: once !== text ? parseProblem(text, once, ctx) : null, left, fixed: once, second: twice };
    for (const rule of new Set(r.findings.filter(applied).map((f) => f.rule))) {
      phase = `fix ${rule}`;
      const a = lib.fixAll(text, SETTINGS, [rule], ctx).text;
      const b = lib.fixAll(a, SETTINGS, [rule], ctx).text;
      r.perRule[rule] = { changed: a !== text, idempotent: a === b, parse: a !== text ? parseProblem(text, a, ctx) : null, fixed: a };
    }
  } catch (err) {
    r.crash = { phase, message: firstLine(err) };
  }
  r.ruleErrors = ruleErrors;
}
const seconds = (performance.now() - t0) / 1000;

// ---------------------------------------------------------------------------------------------
// Figures

const analysed = results.filter((r) => r.text !== null);
const count = (xs, key) => {
  const m = new Map();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};
const sortedEntries = (m) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
const kinds = [...new Set(results.map((r) => r.kind))].sort();
const all = analysed.flatMap((r) => r.findings.map((f) => ({ ...f, r })));
/** A reason with its particulars folded: quoted names, numbers and paths become placeholders. */
const reasonClass = (s) =>
  s
    .replace(/'[^']*'|"[^"]*"|`[^`]*`|‘[^’]*’|“[^”]*”/g, '…')
    .replace(/\b\d+(\.\d+)*\b/g, 'N')
    .replace(/(\/[\w.@+-]+)+\/?/g, '/…');

const perRule = {};
for (const rule of RULES) {
  const fs_ = all.filter((f) => f.rule === rule);
  const fixedFiles = analysed.filter((r) => r.perRule[rule]);
  perRule[rule] = {
    findings: fs_.length,
    files: new Set(fs_.map((f) => f.r.rel)).size,
    fixable: fs_.filter((f) => f.fixable).length,
    declined: fs_.filter((f) => !f.fixable).length,
    severities: Object.fromEntries(sortedEntries(count(fs_, (f) => f.severity))),
    byKind: Object.fromEntries(kinds.map((k) => [k, fs_.filter((f) => f.r.kind === k).length])),
    declineReasons: sortedEntries(count(fs_.filter((f) => !f.fixable), (f) => reasonClass(f.reason ?? '(no reason given)'))),
    fix: {
      files: fixedFiles.length,
      changed: fixedFiles.filter((r) => r.perRule[rule].changed).length,
      noChange: fixedFiles.filter((r) => !r.perRule[rule].changed).map((r) => r.rel),
      notIdempotent: fixedFiles.filter((r) => !r.perRule[rule].idempotent).map((r) => r.rel),
      parse: fixedFiles.filter((r) => r.perRule[rule].parse).map((r) => ({ file: r.rel, problem: r.perRule[rule].parse })),
    },
  };
}
const summary = {
  files: results.length,
  analysed: analysed.length,
  skipped: results.filter((r) => r.skipped).map((r) => ({ file: r.rel, why: r.skipped })),
  repositories: new Set(results.map((r) => r.repository)).size,
  kinds: Object.fromEntries(kinds.map((k) => [k, { files: results.filter((r) => r.kind === k).length, repositories: new Set(results.filter((r) => r.kind === k).map((r) => r.repository)).size, findings: all.filter((f) => f.r.kind === k).length }])),
  findings: all.length,
  filesWithFindings: analysed.filter((r) => r.findings.length > 0).length,
  crashes: results.filter((r) => r.crash).map((r) => ({ file: r.rel, ...r.crash })),
  ruleErrors: results.flatMap((r) => r.ruleErrors.map((e) => ({ file: r.rel, ...e }))),
  fixAll: {
    changed: analysed.filter((r) => r.fixAll?.changed).length,
    notIdempotent: analysed.filter((r) => r.fixAll && !r.fixAll.idempotent).map((r) => r.rel),
    parse: analysed.filter((r) => r.fixAll?.parse).map((r) => ({ file: r.rel, problem: r.fixAll.parse })),
    fixableLeft: analysed.filter((r) => r.fixAll?.left.length).map((r) => ({ file: r.rel, rules: [...new Set(r.fixAll.left)] })),
  },
  validator: validate ? 'dockerfile-utils' : 'not installed (skipped)',
  rules: perRule,
};

// ---------------------------------------------------------------------------------------------
// Seeded samples

function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(opts.seed);
function shuffled(xs) {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
/** Up to n items, taken in turn from each group's shuffled list (groups in rule order). */
function roundRobin(groups, n) {
  const lists = groups.map((g) => shuffled(g));
  const out = [];
  for (let k = 0; out.length < n && lists.some((l) => k < l.length); k++) for (const l of lists) if (k < l.length && out.length < n) out.push(l[k]);
  return out;
}
const findingSample = roundRobin(RULES.map((rule) => all.filter((f) => f.rule === rule)), opts.sample);
const diffCandidates = RULES.map((rule) => analysed.filter((r) => r.perRule[rule]?.changed).map((r) => ({ r, rule })));
const diffSample = roundRobin(diffCandidates, opts.diffs);

// ---------------------------------------------------------------------------------------------
// The report

const md = [];
const code = (s) => '`' + String(s).replace(/`/g, "'") + '`';
const fence = (s, lang = '') => {
  const ticks = /```/.test(s) ? '~~~~' : '```';
  return `${ticks}${lang}\n${s.replace(/\n$/, '')}\n${ticks}`;
};
md.push('# Corpus report', '');
md.push(`Corpus ${code(path.basename(dir))}: ${summary.files} Dockerfiles from ${summary.repositories} repositories; ${summary.analysed} analysed${summary.skipped.length ? `, ${summary.skipped.length} skipped` : ''}. Seed ${opts.seed}, ${findingSample.length} sampled findings, ${diffSample.length} sampled fix diffs. Re-parse check: the project's model and shell parse${validate ? ', dockerfile-utils validator' : ' (dockerfile-utils not installed: validator skipped)'}.`, '');
md.push('## Kinds', '', '| kind | files | repositories | findings |', '| --- | ---: | ---: | ---: |');
for (const k of kinds) md.push(`| ${k} | ${summary.kinds[k].files} | ${summary.kinds[k].repositories} | ${summary.kinds[k].findings} |`);
md.push('', '## Crashes and rule errors', '');
md.push(`Crashes: ${summary.crashes.length}. Rule errors: ${summary.ruleErrors.length}.`, '');
for (const c of summary.crashes) md.push(`- crash in ${c.phase}: ${code(c.file)}: ${c.message}`);
for (const e of summary.ruleErrors) md.push(`- rule error ${e.rule}: ${code(e.file)}: ${e.message}`);
for (const s of summary.skipped) md.push(`- skipped ${code(s.file)}: ${s.why}`);
md.push('', '## Fix all (applied twice)', '');
md.push(`Files changed by fix all: ${summary.fixAll.changed} of ${summary.analysed}. Not idempotent: ${summary.fixAll.notIdempotent.length}. Re-parse problems: ${summary.fixAll.parse.length}. Files with fixable warnings or errors left after fix all: ${summary.fixAll.fixableLeft.length}.`, '');
for (const f of summary.fixAll.notIdempotent) md.push(`- not idempotent: ${code(f)}`);
for (const p of summary.fixAll.parse) md.push(`- re-parse: ${code(p.file)}: ${p.problem}`);
for (const l of summary.fixAll.fixableLeft) md.push(`- fixable left: ${code(l.file)}: ${l.rules.join(', ')}`);
md.push('', '## Per rule', '', `| rule | findings | files | fixable | declined | ${kinds.join(' | ')} | fix: files | changed | no change | not idempotent | re-parse |`, `| --- | ${'---: | '.repeat(4 + kinds.length + 5).trim()}`);
for (const rule of RULES) {
  const p = perRule[rule];
  md.push(`| ${rule} | ${p.findings} | ${p.files} | ${p.fixable} | ${p.declined} | ${kinds.map((k) => p.byKind[k]).join(' | ')} | ${p.fix.files} | ${p.fix.changed} | ${p.fix.noChange.length} | ${p.fix.notIdempotent.length} | ${p.fix.parse.length} |`);
}
md.push('');
for (const rule of RULES) {
  const p = perRule[rule];
  if (!p.findings) continue;
  md.push(`### ${rule}`, '', `Severities: ${Object.entries(p.severities).map(([s, n]) => `${s} ${n}`).join(', ')}.`, '');
  if (p.declineReasons.length) {
    md.push('Declined, by reason:', '');
    for (const [reason, n] of p.declineReasons) md.push(`- ${n} × ${reason}`);
    md.push('');
  }
  for (const f of p.fix.notIdempotent) md.push(`- fix not idempotent: ${code(f)}`);
  for (const x of p.fix.parse) md.push(`- fix re-parse: ${code(x.file)}: ${x.problem}`);
  for (const f of p.fix.noChange) md.push(`- fixable but the fix changed nothing: ${code(f)}`);
  if (p.fix.notIdempotent.length || p.fix.parse.length || p.fix.noChange.length) md.push('');
}

md.push('## Sampled findings', '', `Seed ${opts.seed}; round-robin over the rules (${RULES.join(', ')}), each rule's findings shuffled. Verdict: TP (right and worth acting on for the image this file ships), FP (wrong, or not worth acting on), with a note.`, '');
findingSample.forEach((f, k) => {
  const lines = f.r.text.split(/\r?\n/);
  const from = Math.max(0, f.line - 3);
  const to = Math.min(lines.length - 1, Math.max(f.endLine, f.line) + 3);
  const stage = f.stage !== null ? f.r.stages[f.stage] : null;
  md.push(`### F${String(k + 1).padStart(2, '0')} ${f.rule} (${f.severity}${f.fixable ? ', fixable' : ', declined'}) — ${code(f.r.rel)}:${f.line + 1} [${f.r.kind}]`, '');
  md.push(`- message: ${f.message}`);
  if (!f.fixable && f.reason) md.push(`- declined: ${f.reason}`);
  md.push(stage ? `- stage ${f.stage}${stage.fromLine !== f.line ? ` (line ${stage.fromLine + 1}: ${code(stage.from)})` : ''}: ${stage.ships}` : '- before the first FROM');
  md.push('- verdict: ', '');
  const width = String(to + 1).length;
  md.push(fence(lines.slice(from, to + 1).map((l, j) => `${String(from + j + 1).padStart(width)}${from + j >= f.line && from + j <= f.endLine ? '>' : ' '} ${l}`).join('\n'), 'dockerfile'), '');
});

md.push('## Sampled fix diffs', '', `Seed ${opts.seed}; one rule's fix (fix with only that rule), round-robin over the rules. Verdict: does the fixed file still build and run the same program?`, '');
diffSample.forEach(({ r, rule }, k) => {
  md.push(`### D${String(k + 1).padStart(2, '0')} ${rule} — ${code(r.rel)} [${r.kind}]`, '', '- verdict: ', '');
  md.push(fence(lib.unifiedDiff(r.rel, r.text, r.perRule[rule].fixed), 'diff'), '');
});

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, md.join('\n') + '\n');
if (opts.json) {
  fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
  fs.writeFileSync(path.resolve(opts.json), JSON.stringify({ seed: opts.seed, ...summary }, null, 2) + '\n');
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`corpus: ${summary.analysed} of ${summary.files} Dockerfiles from ${summary.repositories} repositories in ${seconds.toFixed(1)} s (${((seconds * 1000) / Math.max(1, summary.analysed)).toFixed(0)} ms a file)`);
console.log(`  crashes ${summary.crashes.length}, rule errors ${summary.ruleErrors.length}; fix all: ${summary.fixAll.changed} changed, ${summary.fixAll.notIdempotent.length} not idempotent, ${summary.fixAll.parse.length} re-parse problems, ${summary.fixAll.fixableLeft.length} with fixable warnings or errors left`);
for (const rule of RULES) {
  const p = perRule[rule];
  console.log(`  ${pad(rule, 14)} ${String(p.findings).padStart(5)} findings in ${String(p.files).padStart(4)} files, ${String(p.fixable).padStart(5)} fixable; fix: ${p.fix.changed} changed, ${p.fix.notIdempotent.length} not idempotent, ${p.fix.parse.length} re-parse`);
}
console.log(`  report: ${path.relative(process.cwd(), outFile) || outFile} (seed ${opts.seed})`);
process.exit(0);
