/** apt-hygiene: apt-get installs that prompt, pull recommends, or leave package lists in the layer. */
import { docEnd, type Instr, type Model, type Stage, shellRuns } from '../core/model';
import type { ShellCommand, ShellScript, ShellWord } from '../core/shell';
import { baseName, cacheMounted, insertAfterSubcommand, operands, packageCalls, removeWordAfter, replaceWord, type ManagerSpec, type PackageCall } from '../core/package-calls';
import type { Fix, Finding } from '../core/types';
import { rootImage, ships } from '../core/stage-info';
import { repoKey } from '../knowledge/base-images';
import { buildpackDepsPackages } from '../knowledge/buildpack-deps';
import { SAVINGS } from '../knowledge/savings';
import { GIT_OVER_SSH, KEPT_RECOMMENDS, KEPT_WHEN_USED, PROVIDES } from '../knowledge/apt-recommends';
import { aptPackageName } from '../knowledge/runtime-libraries';
import { appendCommandEdit, toTextEdits, type OffsetEdit } from '../core/edits';
import { mergeGroupEdit, mergedParses, runGroups, UNPARSABLE_MERGE } from './merge-run';
import { capitalised, fitted, listed, message } from '../core/message';
import type { RawFinding, Rule } from './types';

/** apt-get options that take a value as the next word. */
const APT_OPTS_WITH_VALUE = new Set(['-o', '--option', '-t', '--target-release', '-c', '--config-file', '-a', '--host-architecture']);

const APT: ManagerSpec = { names: /^(apt-get|apt)$/, optsWithValue: APT_OPTS_WITH_VALUE };

type AptCall = PackageCall;

function aptCalls(script: ShellScript): readonly AptCall[] {
  return packageCalls(script, APT);
}

/** `apt` subcommands that `apt-get` runs the same way: `apt <sub>` in a script becomes `apt-get <sub>`. */
const APT_GET_SUBS = new Set(['install', 'update', 'upgrade', 'dist-upgrade', 'remove', 'purge', 'autoremove', 'clean', 'autoclean', 'build-dep', 'source', 'download', 'satisfy']);

function optionValues(cmd: ShellCommand): string[] {
  const vals: string[] = [];
  cmd.args.forEach((a, k) => {
    if ((a.value === '-o' || a.value === '--option') && cmd.args[k + 1]?.value) vals.push(cmd.args[k + 1].value!);
    else if (a.value?.startsWith('-o') && a.value.length > 2) vals.push(a.value.slice(2));
    else if (a.value?.startsWith('--option=')) vals.push(a.value.slice(9));
  });
  return vals;
}

export function hasYes(cmd: ShellCommand): boolean {
  for (const a of cmd.args) {
    const v = a.value ?? '';
    if (v === '--yes' || v === '--assume-yes' || v === '-qq' || v === '--quiet=2' || v === '-q=2') return true;
    if (/^-[a-zA-Z]+$/.test(v) && (v.includes('y') || /q.*q/.test(v))) return true;
  }
  return optionValues(cmd).some((o) => /^APT::Get::Assume-Yes=(true|1|yes)$/i.test(o));
}

export function hasNoRecommends(cmd: ShellCommand): boolean {
  if (cmd.args.some((a) => a.value === '--no-install-recommends')) return true;
  return optionValues(cmd).some((o) => /^APT::Install-Recommends=(false|0|no)$/i.test(o));
}

const LISTS = '/var/lib/apt/lists';

/**
 * Whether the script removes the package lists anywhere in it: `rm -rf /var/lib/apt/lists/*`,
 * `find /var/lib/apt/lists … -delete` (or `-exec rm`), or `apt-get dist-clean` (apt 2.7 and later).
 */
function cleansLists(script: ShellScript): boolean {
  return script.commands.some((c) => {
    const words = c.args.map((a) => a.value ?? a.raw);
    if (c.name === 'rm') return words.some((w) => w.includes(LISTS));
    if (c.name === 'find') return words.some((w) => w.startsWith(LISTS)) && (words.includes('-delete') || words[words.indexOf('-exec') + 1] === 'rm');
    return false;
  }) || aptCalls(script).some((c) => c.sub === 'dist-clean');
}

/** Subcommands that upgrade installed packages from the lists. */
const UPGRADES = new Set(['upgrade', 'dist-upgrade', 'full-upgrade']);
/** Subcommands that read the package lists on disk. */
const READS_LISTS = new Set(['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source', 'download', 'satisfy']);

/** A RUN that pipes what curl or wget fetch into a shell (`curl -fsSL https://… | bash -`). */
function pipesDownloadIntoShell(i: Instr): boolean {
  const parts = (i.run?.body ?? '').split('|');
  for (let k = 0; k + 1 < parts.length; k++) {
    const fetches = /\b(curl|wget)\b/.test(parts[k].slice(Math.max(parts[k].search(/[;&\n][^;&\n]*$/), 0)));
    const words = parts[k + 1].trim().split(/\s+/).filter((w) => w !== 'sudo' && w !== '-E');
    if (fetches && /^(bash|sh|dash)$/.test(words[0] ?? '')) return true;
  }
  return false;
}

/**
 * The later RUNs (at most `limit`, in build order) that install from the lists this RUN downloads, without an
 * `apt-get update` of their own: later in the same stage, then in the stages built on it. Removing the lists here
 * would make the first fail (`Unable to locate package`). A later RUN that runs `apt-get update` first ends the search
 * along that line.
 */
function laterListReaders(model: Model, i: Instr, limit = 20): Instr[] {
  const out: Instr[] = [];
  const scan = (stage: Stage, after: number): void => {
    const list = stage.instructions;
    // The first instruction after `after` (instructions are in order): a scan from the stage's start per install was quadratic.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < list.length && out.length < limit; k++) {
      const x = list[k];
      if (x.keyword !== 'RUN') continue;
      const script = x.run?.script();
      const first = script ? aptCalls(script).find((c) => c.sub === 'update' || READS_LISTS.has(c.sub)) : undefined;
      // A vendor's setup script piped into a shell (`curl -fsSL …/setup_20.x | bash -`) adds its repository and
      // runs apt-get update itself, or the install of its package that follows could not find it.
      if (!first && script && pipesDownloadIntoShell(x)) return;
      if (!first) continue;
      if (first.sub === 'update') return;
      out.push(x);
    }
    for (const s of model.stages) if (s.baseStage === stage && out.length < limit) scan(s, -1);
  };
  if (i.stage) scan(i.stage, i.start);
  return out;
}

function listsMounted(i: Instr): boolean {
  return cacheMounted(i, /^\/var\/lib\/apt(\/lists)?\/?$/);
}

interface InstallIssue {
  instr: Instr;
  call: AptCall;
  missingYes: boolean;
  missingNoRec: boolean;
  missingCleanup: boolean;
  /** With missingCleanup: the later RUNs that still need the lists, so they cannot be removed here (none: they can). */
  listReaders: Instr[];
  /** With missingNoRec: recommended packages the fix installs by name (ca-certificates for curl), with who wants them. */
  keep: { names: string[]; by: string[] };
  /** Later repeats of a package already named by the same install, each with the word before it. */
  duplicates: { prev: ShellWord; word: ShellWord }[];
}

function duplicatePackages(model: Model, i: Instr, call: AptCall): { prev: ShellWord; word: ShellWord }[] {
  const out: { prev: ShellWord; word: ShellWord }[] = [];
  const seen = new Set<string>();
  const args = call.cmd.args;
  for (const w of operands(call, APT_OPTS_WITH_VALUE)) {
    if (w.value === null) continue;
    if (!seen.has(w.value)) {
      seen.add(w.value);
      continue;
    }
    const prev = args[args.indexOf(w) - 1];
    // Only when it can go without taking a comment line with it.
    if (removeWordAfter(model, i.run!, prev, w)) out.push({ prev, word: w });
  }
  return out;
}

/**
 * Once per model: `fixes` is asked once per finding, and finding every issue again each time was quadratic in a
 * file of many installs.
 */
function perModel<T>(find: (model: Model) => T): (model: Model) => T {
  const memo = new WeakMap<Model, T>();
  return (model) => {
    if (!memo.has(model)) memo.set(model, find(model));
    return memo.get(model)!;
  };
}

/** Whether every package the install names is one the stage's full buildpack-deps image already has. */
function alreadyInBase(i: Instr, call: AptCall): boolean {
  const ref = i.stage ? rootImage(i.stage).ref : null;
  const has = ref ? buildpackDepsPackages(repoKey(ref), ref.tag ?? null) : null;
  if (!has) return false;
  const names = installedNames(call);
  return names.length > 0 && names.every((n) => has.has(n));
}

const installIssues = perModel((model: Model): InstallIssue[] => {
  const out: InstallIssue[] = [];
  for (const { stage, instr: i, script } of shellRuns(model, /apt/)) {
    // In a builder stage only what makes the build fail counts (a missing -y): its layers never ship, so
    // recommends, lists and repeated packages weigh nothing in the image that runs.
    const shipped = ships(model, stage);
    // Only a RUN that downloads the lists (runs apt-get update) leaves them in its layer: an install that uses lists
    // an earlier layer downloaded cannot make that layer smaller by removing them.
    const calls = aptCalls(script);
    const missingCleanup = shipped && calls.some((c) => c.sub === 'update') && !cleansLists(script) && !listsMounted(i);
    const listReaders = missingCleanup ? laterListReaders(model, i) : [];
    // The calls that install from the lists: installs that install something (not simulated: `-s`, `--dry-run`), and
    // upgrades. The lists' cleanup is reported once, at the last of them (where the fix puts it).
    const readers = calls.filter((c) => (c.sub === 'install' || UPGRADES.has(c.sub)) && !c.cmd.args.some((a) => SIMULATE.has(a.value ?? '')));
    const last = readers[readers.length - 1];
    for (const call of readers) {
      const upgrade = UPGRADES.has(call.sub);
      // No packages named and no `-f` to fix broken ones: the install installs nothing (`apt-get -y install && …`), and
      // asks nothing; only the lists its RUN leaves may concern it.
      const empty = !upgrade && operands(call, APT_OPTS_WITH_VALUE).length === 0 && !call.cmd.args.some((a) => a.value === '--fix-broken' || (/^-[a-z]+$/.test(a.value ?? '') && a.value!.includes('f')));
      // On a full buildpack-deps image an install of packages it already has installs nothing: it asks nothing and
      // brings no recommends.
      const present = !upgrade && !empty && alreadyInBase(i, call);
      // An upgrade replaces what is installed: recommends and repeated names are an install's questions.
      const missingNoRec = shipped && !upgrade && !empty && !hasNoRecommends(call.cmd) && !present;
      const issue = {
        instr: i,
        call,
        missingYes: !empty && !hasYes(call.cmd) && !present,
        missingNoRec,
        keep: missingNoRec ? keptRecommends(model, i, call) : { names: [], by: [] },
        missingCleanup: missingCleanup && call === last,
        listReaders,
        duplicates: shipped && !upgrade && !empty ? duplicatePackages(model, i, call) : [],
      };
      if (issue.missingYes || issue.missingNoRec || issue.missingCleanup || issue.duplicates.length > 0) out.push(issue);
    }
  }
  return out;
});

/** `apt <sub>` calls that apt-get runs the same way. */
const aptCliCalls = perModel((model: Model): { instr: Instr; call: AptCall }[] => {
  const out: { instr: Instr; call: AptCall }[] = [];
  for (const { stage, instr: i, script } of shellRuns(model, /apt/)) {
    if (!ships(model, stage)) continue;
    for (const call of aptCalls(script)) if (call.manager === 'apt' && call.cmd.nameWord && APT_GET_SUBS.has(call.sub)) out.push({ instr: i, call });
  }
  return out;
});

/** The RUN that starts on each line. */
const runsByLine = perModel((model: Model): Map<number, Instr> => new Map(model.instructions.filter((x) => x.keyword === 'RUN').map((x) => [x.line, x])));

/** Every operation apt-get(8) has (bookworm, trixie); any other word after `apt-get` makes it fail. */
const APT_GET_OPERATIONS = new Set([...APT_GET_SUBS, 'reinstall', 'full-upgrade', 'dist-clean', 'distclean', 'check', 'changelog', 'indextargets', 'moo']);

/** apt-get's options for an install that only shows what it would do. */
const SIMULATE = new Set(['-s', '--simulate', '--just-print', '--dry-run', '--recon', '--no-act']);

/**
 * RUNs whose only apt work is `apt-get update` (a word apt-get has no operation for is no work: it fails). An apt
 * call that `xargs` makes (`xargs apt-get install -y < packages.txt`) is apt work too.
 */
function lonelyUpdates(model: Model): Instr[] {
  const out: Instr[] = [];
  for (const { instr: i, script } of shellRuns(model, /apt/)) {
    const calls = aptCalls(script);
    if (!calls.some((c) => c.sub === 'update') || calls.some((c) => c.sub !== 'update' && (APT_GET_OPERATIONS.has(c.sub) || c.manager !== 'apt-get'))) continue;
    if (script.commands.some((c) => c.name !== null && baseName(c.name) === 'xargs' && c.args.some((a) => /^(apt-get|apt)$/.test(baseName(a.value ?? ''))))) continue;
    out.push(i);
  }
  return out;
}

/** Package names an apt install names (its operands, without a version or release suffix). */
function installedNames(call: AptCall): string[] {
  return operands(call, APT_OPTS_WITH_VALUE).map((w) => {
    const name = aptPackageName(w.value ?? '');
    const slash = name.indexOf('/');
    return slash < 0 ? name : name.slice(0, slash);
  });
}

const firstInstallsOf = new WeakMap<Stage, Map<string, number>>();

/** Per package name, the offset of the first RUN of the stage that installs it with apt (worked out once per stage). */
function firstInstalls(stage: Stage): Map<string, number> {
  let m = firstInstallsOf.get(stage);
  if (!m) {
    m = new Map();
    for (const x of stage.instructions) {
      const script = x.keyword === 'RUN' ? x.run?.script() : null;
      if (!script) continue;
      for (const c of aptCalls(script)) if (c.sub === 'install') for (const n of installedNames(c)) if (!m.has(n)) m.set(n, x.start);
    }
    firstInstallsOf.set(stage, m);
  }
  return m;
}

/**
 * The recommended packages `--no-install-recommends` would drop that the install's packages need (see
 * knowledge/apt-recommends), unless this install, or an earlier one in the stage or the stages it is built on,
 * names them.
 */
function keptRecommends(model: Model, i: Instr, call: AptCall): { names: string[]; by: string[] } {
  const names = installedNames(call);
  const wanted = new Map<string, string[]>();
  const provided = new Set(names.flatMap((n) => PROVIDES[n] ?? []));
  // A kept package's own kept recommends too (cmake keeps gcc, which keeps libc6-dev), each once.
  const todo: [string, string][] = names.flatMap((n) => (KEPT_RECOMMENDS[n] ?? []).map((r): [string, string] => [r, n]));
  // git over ssh, as the file itself shows it: git's recommended ssh client stays.
  if (names.includes('git') && GIT_OVER_SSH.test(model.doc.text)) todo.push(['openssh-client', 'git']);
  // A recommend a later step of the stage runs (gpg after build-essential), unless some package provides it already.
  for (const k of KEPT_WHEN_USED) {
    const by = Object.keys(k.by).find((b) => names.includes(b));
    if (!by || names.some((n) => k.provided.includes(n))) continue;
    const later = i.stage ? i.stage.instructions.filter((x) => x.start >= i.start && x.run).map((x) => x.run!.body).join('\n') : '';
    if (k.used.test(later)) todo.push([k.keep, k.by[by]]);
  }
  while (todo.length) {
    const [r, n] = todo.shift()!;
    if (names.includes(r) || provided.has(r)) continue;
    if (!wanted.has(r)) for (const rr of KEPT_RECOMMENDS[r] ?? []) todo.push([rr, n]);
    wanted.set(r, [...new Set([...(wanted.get(r) ?? []), n])]);
  }
  if (wanted.size === 0) return { names: [], by: [] };
  for (let s = i.stage, depth = 0; s && depth < 64; s = s.baseStage, depth++) {
    const firstAt = firstInstalls(s);
    for (const r of [...wanted.keys()]) {
      const at = firstAt.get(r);
      if (at !== undefined && (s !== i.stage || at < i.start)) wanted.delete(r);
    }
  }
  return { names: [...wanted.keys()], by: [...new Set([...wanted.values()].flat())] };
}

/** The fix's edits, or why there is none (edits may be empty when the cleanup is all that is missing). */
function issueEdits(model: Model, issue: InstallIssue): { edits: OffsetEdit[]; reason?: string } {
  const run = issue.instr.run!;
  const edits: OffsetEdit[] = [];
  const flags = [issue.missingYes ? '-y' : '', issue.missingNoRec ? '--no-install-recommends' : '', ...(issue.missingNoRec ? issue.keep.names : [])].filter(Boolean);
  // After the options that follow `install`, before the first package (the kept recommends go first).
  if (flags.length) edits.push(insertAfterSubcommand(run, issue.call, flags, APT_OPTS_WITH_VALUE));
  for (const d of issue.duplicates) edits.push(removeWordAfter(model, run, d.prev, d.word)!);
  const readers = issue.listReaders;
  if (issue.missingCleanup && readers.length) {
    if (readers.length > 1) return { edits, reason: `${readers.length} later RUNs still install from the lists (the first on line ${readers[0].line + 1}); removing them here would break those` };
    return { edits, reason: `the install on line ${readers[0].line + 1} still needs the lists; move it into this RUN, then remove them here` };
  }
  if (issue.missingCleanup) {
    const e = appendCommandEdit(model, issue.instr, 'rm -rf /var/lib/apt/lists/*');
    if (!e) return { edits: [], reason: 'the RUN ends in a background job (&); add the cleanup by hand' };
    edits.push(e);
  }
  return { edits };
}

/** What the fix does to this install, each part a clause (the title and the message's first sentence). */
function fixParts(issue: InstallIssue, cleans: boolean, short = false): string[] {
  const flags = [issue.missingYes ? '-y' : '', issue.missingNoRec ? '--no-install-recommends' : ''].filter(Boolean);
  const done: string[] = [];
  if (flags.length) done.push(`add ${listed(flags)}`);
  if (issue.missingNoRec && issue.keep.names.length) done.push(short && issue.keep.names.length > 1 ? `keep ${issue.keep.names.length} packages it needs` : `keep ${listed(issue.keep.names)}`);
  if (issue.duplicates.length) {
    const names = [...new Set(issue.duplicates.map((d) => d.word.value ?? ''))];
    done.push(names.length <= 2 ? `drop the repeated ${listed(names)}` : `drop ${names.length} repeated packages`);
  }
  if (cleans) done.push('remove the apt lists');
  return done;
}

/** The fix's title: what it does to this install. */
function fixTitle(issue: InstallIssue, cleans: boolean): string {
  return capitalised(listed(fixParts(issue, cleans)));
}

/** The install's message: what the fix does first, then why each part matters. */
function installMessage(issue: InstallIssue): string {
  const name = `${issue.call.manager} ${issue.call.sub}`;
  const detail: string[] = [];
  if (issue.missingYes) detail.push('Without -y the build cannot answer the prompt.');
  if (issue.missingNoRec) {
    const keep = issue.keep.names.length ? `; the fix names ${listed(issue.keep.names)}, which ${listed(issue.keep.by)} only recommend${issue.keep.by.length === 1 ? 's' : ''}` : '';
    detail.push(`Recommended packages add ${SAVINGS.aptRecommends.text}${keep}.`);
  }
  if (issue.duplicates.length) {
    const names = [...new Set(issue.duplicates.map((d) => d.word.value ?? ''))];
    detail.push(`${capitalised(listed(names))} ${names.length === 1 ? 'is' : 'are'} listed more than once.`);
  }
  const readers = issue.listReaders;
  if (issue.missingCleanup && readers.length) {
    const line = readers[0].line + 1;
    const parts = fixParts(issue, false);
    if (readers.length > 1) {
      // Several later RUNs install from these lists: moving one of them here would not let the lists go.
      const lines = readers.map((r) => r.line + 1);
      const named = lines.length > 3 ? `${lines.slice(0, 2).join(', ')} and ${lines.length - 2} more` : listed(lines.map(String));
      detail.push(`The package lists this RUN downloads stay in its layer (${SAVINGS.aptLists.text}), and the installs on lines ${named} still need them: give each install its own apt-get update and cleanup (or merge them into this RUN), then remove the lists here.`);
      const brief = listed(fixParts(issue, false, true));
      return message(
        parts.length
          ? fitted(`${name}: ${listed(parts)}; later RUNs still install from its lists.`, `${name}: ${brief}; later RUNs still install from its lists.`, `${name}: ${brief}.`)
          : fitted(`${name}: its lists stay for the installs on lines ${named}; give each its own update.`, `${name}: later RUNs install from its lists; give each its own update and cleanup.`),
        ...detail,
      );
    }
    detail.push(`The package lists this RUN downloads stay in its layer (${SAVINGS.aptLists.text}), and the install on line ${line} still needs them: move that install into this RUN, then remove the lists.`);
    // What the fix does comes first; the move it leaves to the user after it.
    if (parts.length) {
      const brief = listed(fixParts(issue, false, true));
      return message(
        fitted(`${name}: ${listed(parts)}; then move line ${line}'s install here and remove the lists.`, `${name}: ${brief}; line ${line}'s install still needs the lists.`, `${name}: ${brief}.`),
        ...detail,
      );
    }
    return message(fitted(`${name}: move the install on line ${line} into this RUN, then remove the apt lists.`, `${name}: move line ${line}'s install here, then remove the apt lists.`), ...detail);
  }
  if (issue.missingCleanup) detail.push(`The package lists this RUN downloads are not removed in it (${SAVINGS.aptLists.text} left in the layer).`);
  const parts = fixParts(issue, issue.missingCleanup);
  const what = parts.length === 1 && issue.missingYes ? `${name} without -y: add -y` : `${name}: ${listed(parts)}`;
  // With long package names to keep, the detail names them and the first sentence counts them.
  const brief = `${name}: ${listed(fixParts(issue, issue.missingCleanup, true))}.`;
  return message(fitted(`${what}${issue.missingCleanup ? ' in the same RUN' : ''}.`, `${what}.`, brief), ...detail);
}

/** Whether an apt install (or upgrade, build-dep…) runs after `instr` in its stage or a stage built on it. */
function installsAfter(model: Model, instr: Instr): boolean {
  for (const stage of model.stages) {
    let on = false;
    for (let s: Stage | null = stage, d = 0; s && d < 64 && !on; s = s.baseStage, d++) on = s === instr.stage;
    if (!on) continue;
    for (const i of stage.instructions) {
      if (i.start <= instr.start || !i.run) continue;
      const script = i.run.script();
      if (!script || aptCalls(script).some((c) => READS_LISTS.has(c.sub))) return true;
      // A script the RUN starts (`./setup.sh`, `bash install.sh`, `curl … | sh`) may install from the lists.
      if (script.commands.some((c) => c.name !== null && (c.name.includes('/') || /\.sh$/.test(c.name) || (/^(sh|bash|dash|ash|zsh)$/.test(baseName(c.name)) && !c.args.some((a) => a.value === '-c'))))) return true;
    }
  }
  return false;
}

export const aptHygiene: Rule<'apt-hygiene'> = {
  id: 'apt-hygiene',
  meta: {
    title: 'Install apt packages without prompts, recommends or leftover lists',
    rationale:
      'apt-get install needs -y in a build; --no-install-recommends keeps unasked-for packages out; the package lists must be removed in the same RUN or they stay in the layer.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3009', 'DL3014', 'DL3015', 'DL3027'],
  },
  check(model) {
    const out: RawFinding[] = [];
    for (const issue of installIssues(model)) {
      const { edits, reason } = issueEdits(model, issue);
      const { cmd } = issue.call;
      out.push({
        start: issue.instr.run!.map[cmd.start],
        end: docEnd(issue.instr.run!, cmd.args[issue.call.subIndex].end),
        message: installMessage(issue),
        fixable: edits.length > 0,
        reason: edits.length === 0 ? reason : undefined,
        // Only the lists left, and a later RUN of its merge group removes them: merging resolves it (core/overlaps.ts).
        data: { kind: 'install', ...listsRemovedLater(issue) },
        // Recommends alone: whether they weigh anything depends on the packages (many have none), which is not
        // known here. Worth a look, not a warning.
        severityCap: issue.missingNoRec && !issue.missingYes && !issue.missingCleanup && issue.duplicates.length === 0 ? 'info' : undefined,
      });
    }
    for (const { instr, call } of aptCliCalls(model)) {
      const run = instr.run!;
      out.push({
        start: run.map[call.cmd.start],
        end: docEnd(run, call.cmd.args[call.subIndex].end),
        message: message(`apt ${call.sub} in a script: use apt-get ${call.sub}, whose interface is stable.`, `apt is meant for people at a terminal and its interface may change between releases; apt-get ${call.sub} is the stable one for builds.`),
        fixable: true,
        data: { kind: 'apt' },
        // `apt clean` does what `apt-get clean` does and prints nothing to parse: the change is cosmetic. The other
        // subcommands build the same image either way (apt only warns that its output may change): worth a look, not
        // a warning about the image.
        severityCap: call.sub === 'clean' || call.sub === 'autoclean' ? 'hint' : 'info',
      });
    }
    for (const i of lonelyUpdates(model)) {
      const group = mergeTargetGroup(model, i);
      const parses = group !== null && mergedParses(model, group);
      // In a builder stage the lists never ship, but a cached update layer still feeds stale lists to a changed install.
      const weight = ships(model, i.stage!) ? `, and ${SAVINGS.aptLists.text} stay in the image` : '';
      const next = group?.[1];
      const installs = installsAfter(model, i);
      out.push({
        start: i.start,
        end: i.end,
        message: installs
          ? message('apt-get update runs in a RUN of its own: run it in the same RUN as the install.', `Its lists are cached as a separate layer, so a later install may use stale lists${weight}.`)
          : message('apt-get update runs in a RUN of its own and nothing after it installs: remove the RUN.', `Its lists are cached as a layer of their own that no install uses${weight}.`),
        fixable: parses,
        reason: group === null ? (installs ? 'no install RUN with the same flags follows it directly' : 'removing a RUN is left to you') : parses ? undefined : UNPARSABLE_MERGE,
        // The RUN its fix merges it with (a merge of the group that holds both resolves it: core/overlaps.ts).
        data: next ? { kind: 'update', into: next.line } : { kind: 'update' },
      });
    }
    return out;
  },
  fixes(model, finding: Finding): Fix[] {
    if (finding.data?.kind === 'update') {
      const line = finding.range.start.line;
      const i = runsByLine(model).get(line);
      const group = i && mergeTargetGroup(model, i);
      if (!group || !mergedParses(model, group)) return [];
      return [{ title: 'Run apt-get update in the same RUN as the install', edits: toTextEdits(model.doc, [mergeGroupEdit(model, group)]), preferred: true }];
    }
    const start = model.doc.offsetAt(finding.range.start);
    if (finding.data?.kind === 'apt') {
      for (const { instr, call } of aptCliCalls(model)) {
        if (instr.run!.map[call.cmd.start] !== start) continue;
        return [{ title: `Use apt-get ${call.sub} instead of apt ${call.sub}`, edits: toTextEdits(model.doc, [replaceWord(instr.run!, call.cmd.nameWord!, 'apt-get')]), preferred: true }];
      }
      return [];
    }
    for (const issue of installIssues(model)) {
      const run = issue.instr.run!;
      if (run.map[issue.call.cmd.start] !== start) continue;
      const { edits, reason } = issueEdits(model, issue);
      if (edits.length === 0) return [];
      return [{ title: fixTitle(issue, issue.missingCleanup && !reason), edits: toTextEdits(model.doc, edits), preferred: true }];
    }
    return [];
  },
};

/** For an install whose only fault is the lists it leaves: the line of a later RUN of its merge group that removes them. */
function listsRemovedLater(issue: InstallIssue): { run?: number; listsRemovedBy?: number } {
  if (!issue.missingCleanup || issue.listReaders.length || issue.missingYes || issue.missingNoRec || issue.duplicates.length > 0 || !issue.instr.stage) return {};
  const at = groupPlaces(issue.instr.stage).get(issue.instr);
  if (!at) return {};
  for (const later of at.group.slice(at.k + 1)) {
    const script = later.run?.script();
    if (script && cleansLists(script)) return { run: issue.instr.line, listsRemovedBy: later.line };
  }
  return {};
}

/** The update RUN and the install RUN right after it, when they can merge. */
function mergeTargetGroup(model: Model, i: Instr): Instr[] | null {
  const stage = i.stage;
  if (!stage) return null;
  const at = groupPlaces(stage).get(i);
  if (!at || at.k + 1 >= at.group.length) return null;
  const next = at.group[at.k + 1];
  const script = next.run!.script();
  return script && aptCalls(script).some((c) => c.sub === 'install') ? [i, next] : null;
}

const places = new WeakMap<Stage, Map<Instr, { group: Instr[]; k: number }>>();

/** Each RUN of a stage's merge groups with its group and its place in it (found once per stage). */
function groupPlaces(stage: Stage): Map<Instr, { group: Instr[]; k: number }> {
  let m = places.get(stage);
  if (!m) {
    m = new Map();
    for (const group of runGroups(stage)) group.forEach((x, k) => m!.set(x, { group, k }));
    places.set(stage, m);
  }
  return m;
}
