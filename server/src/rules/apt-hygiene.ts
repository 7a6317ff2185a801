/** apt-hygiene: apt-get installs that prompt, pull recommends, or leave package lists in the layer. */
import { docEnd, type Instr, type Model, type Stage } from '../core/model';
import type { ShellCommand, ShellScript } from '../core/shell';
import type { Fix, Finding } from '../core/types';
import { SAVINGS } from '../knowledge/savings';
import { appendCommandEdit, toTextEdits, type OffsetEdit } from '../fixes/edits';
import { mergeGroupEdit, runGroups } from './merge-run';
import type { RawFinding, Rule } from './types';

/** apt-get options that take a value as the next word. */
const APT_OPTS_WITH_VALUE = new Set(['-o', '--option', '-t', '--target-release', '-c', '--config-file', '-a', '--host-architecture']);

interface AptCall {
  cmd: ShellCommand;
  sub: string;
  /** Index of the subcommand word in `cmd.args`. */
  subIndex: number;
}

function aptCalls(script: ShellScript): AptCall[] {
  const out: AptCall[] = [];
  for (const cmd of script.commands) {
    if (cmd.name !== 'apt-get' && cmd.name !== 'apt') continue;
    for (let k = 0; k < cmd.args.length; k++) {
      const v = cmd.args[k].value;
      if (v === null) break;
      if (APT_OPTS_WITH_VALUE.has(v)) {
        k++;
        continue;
      }
      if (v.startsWith('-')) continue;
      out.push({ cmd, sub: v, subIndex: k });
      break;
    }
  }
  return out;
}

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
  return i.run!.flags.some((f) => f.name === 'mount' && f.value !== null && /(^|,)type=(cache|tmpfs)(,|$)/.test(f.value) && /(^|,)(target|dst|destination)=\/var\/lib\/apt(\/lists)?\/?(,|$)/.test(f.value));
}

/** Whether a later stage builds on this one (`FROM stage`), so its files all carry over. */
function inheritedWholesale(model: Model, stage: Stage): boolean {
  return stage.isFinal || model.stages.some((s) => s.baseStage === stage);
}

interface InstallIssue {
  instr: Instr;
  call: AptCall;
  missingYes: boolean;
  missingNoRec: boolean;
  missingCleanup: boolean;
}

function installIssues(model: Model): InstallIssue[] {
  const out: InstallIssue[] = [];
  for (const stage of model.stages) {
    for (const i of stage.instructions) {
      const script = i.run?.script();
      if (!script) continue;
      const cleanup = cleansLists(script) || listsMounted(i);
      for (const call of aptCalls(script)) {
        if (call.sub !== 'install') continue;
        const issue = { instr: i, call, missingYes: !hasYes(call.cmd), missingNoRec: !hasNoRecommends(call.cmd), missingCleanup: !cleanup };
        if (issue.missingYes || issue.missingNoRec || issue.missingCleanup) out.push(issue);
      }
    }
  }
  return out;
}

/** RUNs whose only apt work is `apt-get update`. */
function lonelyUpdates(model: Model): Instr[] {
  const out: Instr[] = [];
  for (const stage of model.stages) {
    for (const i of stage.instructions) {
      const script = i.run?.script();
      if (!script) continue;
      const calls = aptCalls(script);
      if (calls.some((c) => c.sub === 'update') && !calls.some((c) => c.sub !== 'update')) out.push(i);
    }
  }
  return out;
}

function issueEdits(model: Model, issue: InstallIssue): OffsetEdit[] | null {
  const run = issue.instr.run!;
  const edits: OffsetEdit[] = [];
  const flags = [issue.missingYes ? '-y' : '', issue.missingNoRec ? '--no-install-recommends' : ''].filter(Boolean);
  if (flags.length) {
    // After the options that follow `install`, before the first package.
    const args = issue.call.cmd.args;
    let last = issue.call.subIndex;
    for (let k = last + 1; k < args.length && (args[k].value ?? '').startsWith('-'); k++) {
      last = APT_OPTS_WITH_VALUE.has(args[k].value!) && k + 1 < args.length ? ++k : k;
    }
    const at = docEnd(run, args[last].end);
    edits.push({ start: at, end: at, text: ' ' + flags.join(' ') });
  }
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
      const onlyCleanup = !issue.missingYes && !issue.missingNoRec;
      const stage = issue.instr.stage!;
      const edits = issueEdits(model, issue);
      const { cmd } = issue.call;
      out.push({
        start: issue.instr.run!.map[cmd.start],
        end: docEnd(issue.instr.run!, cmd.args[issue.call.subIndex].end),
        message: `apt-get install: ${parts.join('; ')}.`,
        fixable: edits !== null,
        reason: edits === null ? 'the RUN ends in a background job (&); add the cleanup by hand' : undefined,
        data: { kind: 'install' },
        severityCap: onlyCleanup && !inheritedWholesale(model, stage) ? 'hint' : undefined,
      });
    }
    for (const i of lonelyUpdates(model)) {
      const group = mergeTargetGroup(model, i);
      out.push({
        start: i.start,
        end: i.end,
        message: `apt-get update in a RUN of its own: its lists are cached as a separate layer, so a later install may use stale lists, and ${SAVINGS.aptLists.text} stay in the image. Run it in the same RUN as the install.`,
        fixable: group !== null,
        reason: group === null ? 'no install RUN with the same flags follows it directly' : undefined,
        data: { kind: 'update' },
      });
    }
    return out;
  },
  fixes(model, finding: Finding): Fix[] {
    if (finding.data?.kind === 'update') {
      const line = finding.range.start.line;
      const i = model.instructions.find((x) => x.line === line && x.keyword === 'RUN');
      const group = i && mergeTargetGroup(model, i);
      if (!group) return [];
      return [{ title: 'Run apt-get update in the same RUN as the install', edits: toTextEdits(model.doc, [mergeGroupEdit(model, group)]), preferred: true }];
    }
    const start = model.doc.offsetAt(finding.range.start);
    for (const issue of installIssues(model)) {
      const run = issue.instr.run!;
      if (run.map[issue.call.cmd.start] !== start) continue;
      const edits = issueEdits(model, issue);
      if (!edits) return [];
      return [{ title: 'Fix apt-get install: -y, --no-install-recommends, remove the lists in the same RUN', edits: toTextEdits(model.doc, edits), preferred: true }];
    }
    return [];
  },
};

/** The update RUN and the install RUN right after it, when they can merge. */
function mergeTargetGroup(model: Model, i: Instr): Instr[] | null {
  const stage = i.stage;
  if (!stage) return null;
  for (const group of runGroups(stage)) {
    const k = group.indexOf(i);
    if (k < 0 || k + 1 >= group.length) continue;
    const next = group[k + 1];
    const script = next.run!.script();
    if (script && aptCalls(script).some((c) => c.sub === 'install')) return [i, next];
  }
  return null;
}
