/** apt-hygiene: apt-get installs that prompt, pull recommends, or leave package lists in the layer. */
import { docEnd, type Instr, type Model, type Stage, shellRuns } from '../core/model';
import type { ShellCommand, ShellScript, ShellWord } from '../core/shell';
import { cacheMounted, inheritedWholesale, insertAfterSubcommand, operands, packageCalls, removeWordAfter, replaceWord, type ManagerSpec, type PackageCall } from '../core/package-calls';
import type { Fix, Finding } from '../core/types';
import { SAVINGS } from '../knowledge/savings';
import { appendCommandEdit, toTextEdits, type OffsetEdit } from '../fixes/edits';
import { mergeGroupEdit, mergedParses, runGroups, UNPARSABLE_MERGE } from './merge-run';
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

function cleansLists(script: ShellScript): boolean {
  return script.commands.some((c) => c.name === 'rm' && c.args.some((a) => (a.value ?? a.raw).includes('/var/lib/apt/lists')));
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

const installIssues = perModel((model: Model): InstallIssue[] => {
  const out: InstallIssue[] = [];
  for (const { instr: i, script } of shellRuns(model, /apt/)) {
    const cleanup = cleansLists(script) || listsMounted(i);
    for (const call of aptCalls(script)) {
      if (call.sub !== 'install') continue;
      const issue = {
        instr: i,
        call,
        missingYes: !hasYes(call.cmd),
        missingNoRec: !hasNoRecommends(call.cmd),
        missingCleanup: !cleanup,
        duplicates: duplicatePackages(model, i, call),
      };
      if (issue.missingYes || issue.missingNoRec || issue.missingCleanup || issue.duplicates.length > 0) out.push(issue);
    }
  }
  return out;
});

/** `apt <sub>` calls that apt-get runs the same way. */
const aptCliCalls = perModel((model: Model): { instr: Instr; call: AptCall }[] => {
  const out: { instr: Instr; call: AptCall }[] = [];
  for (const { instr: i, script } of shellRuns(model, /apt/)) {
    for (const call of aptCalls(script)) if (call.manager === 'apt' && call.cmd.nameWord && APT_GET_SUBS.has(call.sub)) out.push({ instr: i, call });
  }
  return out;
});

/** The RUN that starts on each line. */
const runsByLine = perModel((model: Model): Map<number, Instr> => new Map(model.instructions.filter((x) => x.keyword === 'RUN').map((x) => [x.line, x])));

/** RUNs whose only apt work is `apt-get update`. */
function lonelyUpdates(model: Model): Instr[] {
  const out: Instr[] = [];
  for (const { instr: i, script } of shellRuns(model, /apt/)) {
    const calls = aptCalls(script);
    if (calls.some((c) => c.sub === 'update') && !calls.some((c) => c.sub !== 'update')) out.push(i);
  }
  return out;
}

function issueEdits(model: Model, issue: InstallIssue): OffsetEdit[] | null {
  const run = issue.instr.run!;
  const edits: OffsetEdit[] = [];
  const flags = [issue.missingYes ? '-y' : '', issue.missingNoRec ? '--no-install-recommends' : ''].filter(Boolean);
  // After the options that follow `install`, before the first package.
  if (flags.length) edits.push(insertAfterSubcommand(run, issue.call, flags, APT_OPTS_WITH_VALUE));
  for (const d of issue.duplicates) edits.push(removeWordAfter(model, run, d.prev, d.word)!);
  if (issue.missingCleanup) {
    const e = appendCommandEdit(model, issue.instr, 'rm -rf /var/lib/apt/lists/*');
    if (!e) return null;
    edits.push(e);
  }
  return edits;
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
      const parts: string[] = [];
      if (issue.missingYes) parts.push('no -y (the build cannot answer the prompt)');
      if (issue.missingNoRec) parts.push(`no --no-install-recommends (recommended packages add ${SAVINGS.aptRecommends.text})`);
      if (issue.missingCleanup) parts.push(`the package lists are not removed in this RUN (${SAVINGS.aptLists.text} left in the layer)`);
      if (issue.duplicates.length) parts.push(`${issue.duplicates.map((d) => d.word.value).join(', ')} listed more than once`);
      const onlyCleanup = !issue.missingYes && !issue.missingNoRec && issue.duplicates.length === 0;
      const stage = issue.instr.stage!;
      const edits = issueEdits(model, issue);
      const { cmd } = issue.call;
      out.push({
        start: issue.instr.run!.map[cmd.start],
        end: docEnd(issue.instr.run!, cmd.args[issue.call.subIndex].end),
        message: `${issue.call.manager} install: ${parts.join('; ')}.`,
        fixable: edits !== null,
        reason: edits === null ? 'the RUN ends in a background job (&); add the cleanup by hand' : undefined,
        data: { kind: 'install' },
        severityCap: onlyCleanup && !inheritedWholesale(model, stage) ? 'hint' : undefined,
      });
    }
    for (const { instr, call } of aptCliCalls(model)) {
      const run = instr.run!;
      out.push({
        start: run.map[call.cmd.start],
        end: docEnd(run, call.cmd.args[call.subIndex].end),
        message: `apt ${call.sub} in a script: apt is meant for people at a terminal and its interface may change between releases; apt-get ${call.sub} is the stable one for builds.`,
        fixable: true,
        data: { kind: 'apt' },
      });
    }
    for (const i of lonelyUpdates(model)) {
      const group = mergeTargetGroup(model, i);
      const parses = group !== null && mergedParses(model, group);
      out.push({
        start: i.start,
        end: i.end,
        message: `apt-get update in a RUN of its own: its lists are cached as a separate layer, so a later install may use stale lists, and ${SAVINGS.aptLists.text} stay in the image. Run it in the same RUN as the install.`,
        fixable: parses,
        reason: group === null ? 'no install RUN with the same flags follows it directly' : parses ? undefined : UNPARSABLE_MERGE,
        data: { kind: 'update' },
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
      const edits = issueEdits(model, issue);
      if (!edits) return [];
      return [{ title: 'Fix apt-get install: -y, --no-install-recommends, no duplicate packages, remove the lists in the same RUN', edits: toTextEdits(model.doc, edits), preferred: true }];
    }
    return [];
  },
};

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
