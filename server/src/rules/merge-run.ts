/** merge-run: consecutive RUN instructions of one stage that can safely become one layer. */
import { joinContinuations, type Instr, type Model, type RunInfo, type Stage } from '../core/model';
import { parseShell } from '../core/shell';
import { ships } from '../core/stage-info';
import type { Fix, Finding } from '../core/types';
import { continuation, toTextEdits, type OffsetEdit } from '../fixes/edits';
import type { RawFinding, Rule } from './types';

/** The RUN body of a `RUN` or of an `ONBUILD RUN`. */
export function runOf(i: Instr): RunInfo | undefined {
  return i.keyword === 'RUN' ? i.run : i.keyword === 'ONBUILD' ? i.onbuildRun : undefined;
}

/** Whether a RUN (or an ONBUILD RUN) can take part in a merge at all. */
function mergeable(i: Instr): boolean {
  const run = runOf(i);
  if (!run || run.form !== 'shell') return false;
  const script = run.script();
  if (!script) return false;
  // A body that ends in a comment cannot be followed by ` && …` on the same logical line.
  if (!script.endsOpen) return true;
  const tail = run.body.slice(script.lastStatementEnd);
  return !(tail.lastIndexOf('#') > tail.lastIndexOf('\n'));
}

/**
 * Maximal groups of consecutive mergeable RUNs with equal flags; only comments may stand between them.
 * `ONBUILD RUN`s group only with each other: they run in a child build, not in this one.
 */
export function runGroups(stage: Stage): Instr[][] {
  // Once per stage: `fixes` is asked once per finding, and apt-hygiene asks per RUN.
  let groups = groupsOf.get(stage);
  if (!groups) groupsOf.set(stage, (groups = findGroups(stage)));
  return groups;
}

const groupsOf = new WeakMap<Stage, Instr[][]>();

function findGroups(stage: Stage): Instr[][] {
  const groups: Instr[][] = [];
  let cur: Instr[] = [];
  const flush = () => {
    if (cur.length >= 2) groups.push(cur);
    cur = [];
  };
  const list = stage.instructions;
  // A shell-form RUN next to another of the same kind: only those can be in a group (and need a shell parse).
  const shellRun = (i: Instr | undefined, keyword: string) => i !== undefined && i.keyword === keyword && runOf(i)?.form === 'shell';
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    if (!shellRun(list[k - 1], i.keyword) && !shellRun(list[k + 1], i.keyword)) {
      flush();
      continue;
    }
    if (mergeable(i)) {
      if (cur.length > 0 && (cur[0].keyword !== i.keyword || runOf(cur[0])!.flagsKey !== runOf(i)!.flagsKey)) flush();
      cur.push(i);
      // Under errexit a body stops at its first failure, in `;` sequences, loops and subshells alike. Anywhere but
      // last, the merge puts it left of `&&`, where the shell ignores errexit (POSIX), even inside `( … )`: such a
      // body may only end a group. (Conservative: under a SHELL with -e, RUNs then do not merge at all.)
      const run = runOf(i)!;
      if (run.shellErrexit || run.script()!.setsErrexit) flush();
    } else flush();
  }
  flush();
  return groups;
}

/** Commands that remove, move or rewrite files in place: run after another RUN, the old copies stay in its layer. */
const REWRITING_COMMANDS = new Set(['rm', 'rmdir', 'unlink', 'shred', 'mv', 'chown', 'chmod', 'chgrp', 'strip', 'truncate']);

/** Package-manager subcommands that remove packages or caches. */
const REMOVING_SUBCOMMANDS: Record<string, ReadonlySet<string>> = {
  'apt-get': new Set(['clean', 'autoclean', 'purge', 'remove', 'autoremove', 'dist-clean']),
  apt: new Set(['clean', 'autoclean', 'purge', 'remove', 'autoremove', 'dist-clean']),
  apk: new Set(['del', 'cache']),
  dnf: new Set(['clean', 'remove', 'erase', 'autoremove']),
  yum: new Set(['clean', 'remove', 'erase', 'autoremove']),
  microdnf: new Set(['clean', 'remove']),
  pip: new Set(['uninstall', 'cache']),
  pip3: new Set(['uninstall', 'cache']),
  npm: new Set(['cache', 'uninstall', 'prune', 'rm']),
  yarn: new Set(['cache', 'remove']),
  pnpm: new Set(['store', 'prune', 'remove']),
  gem: new Set(['cleanup', 'uninstall']),
  conda: new Set(['clean', 'remove']),
  mamba: new Set(['clean', 'remove']),
  go: new Set(['clean']),
  cargo: new Set(['clean']),
  composer: new Set(['clear-cache', 'clearcache']),
};

/**
 * Whether a body removes, moves or rewrites files: `rm`, `mv`, `chown`, `find … -delete`, a package manager's
 * clean, purge or uninstall, `dpkg --purge`. Only then does merging it into the RUNs before it make the image
 * smaller; otherwise the merge only cuts the number of layers.
 */
function rewritesFiles(run: RunInfo): boolean {
  const script = run.script();
  if (!script) return false;
  return script.commands.some((c) => {
    const name = c.name?.slice(c.name.lastIndexOf('/') + 1);
    if (!name) return false;
    if (REWRITING_COMMANDS.has(name)) return true;
    const words = c.args.map((a) => a.value ?? '');
    if (name === 'find') return words.includes('-delete') || ['-exec', '-execdir'].some((x) => ['rm', 'mv', 'chown', 'chmod'].includes(words[words.indexOf(x) + 1] ?? ''));
    if (name === 'dpkg') return words.some((w) => w === '--purge' || w === '--remove' || w === '-P' || w === '-r');
    const subs = Object.hasOwn(REMOVING_SUBCOMMANDS, name) ? REMOVING_SUBCOMMANDS[name] : undefined;
    return !!subs && subs.has(words.find((w) => !w.startsWith('-')) ?? '');
  });
}

/** Why a merge is not offered when the merged bodies would not parse. */
export const UNPARSABLE_MERGE = 'merged, the bodies would not parse as one shell script (backquoted commands read across the `&&`)';

/**
 * Whether the group's bodies, merged, still parse as one shell script. Each body parses alone, but the
 * grammar reads backquotes across a joined `&&` differently (`> /tmp\` > /tmp\`x` twice): groups with a
 * backquote are checked (few are; the check is a shell parse of the merged body).
 */
export function mergedParses(model: Model, group: Instr[]): boolean {
  if (!group.some((i) => runOf(i)!.body.includes('`'))) return true;
  const text = mergedBodies(model, group);
  return parseShell(joinContinuations(text, 0, text.length, model.escape).body) !== null;
}

/** The group's bodies joined as the merged RUN writes them (wrapped in a subshell where needed). */
function mergedBodies(model: Model, group: Instr[]): string {
  const doc = model.doc;
  const joiner = ` && ${continuation(model)}`;
  const parts: string[] = [];
  group.forEach((i, k) => {
    const run = runOf(i)!;
    const script = run.script()!;
    let body = doc.text.slice(run.bodyStart, run.bodyEnd);
    const isFirst = k === 0;
    const isLast = k === group.length - 1;
    // Wrap a body in a subshell where joining it with `&&` would change what it means:
    // - it changes shell state (cd, export, set, exit…) that later bodies would otherwise inherit;
    // - it ends in `;` or `&`, so `&&` cannot follow it;
    // - it is not the first and is not one plain `&&` chain (a `;` or `||` would swallow an earlier failure).
    const wrap = (!isLast && script.changesShellState) || (!isLast && script.endsOpen) || (!isFirst && !script.plainAndChain);
    if (wrap) body = `( ${body} )`;
    parts.push(body);
  });
  return parts.join(joiner);
}

/** The merged RUN's text for a group, and the comment lines that stood between its RUNs. */
export function mergeGroupEdit(model: Model, group: Instr[]): OffsetEdit {
  const doc = model.doc;
  const first = group[0];
  const last = group[group.length - 1];
  // Comments that stood between the RUNs move above the merged RUN, in order.
  const comments: string[] = [];
  for (let k = 1; k < group.length; k++) {
    for (let l = group[k - 1].endLine + 1; l < group[k].line; l++) {
      const t = doc.lineText(l);
      if (/^[ \t]*#/.test(t)) comments.push(t);
    }
  }
  const head = doc.text.slice(first.start, runOf(first)!.bodyStart);
  const merged = head + mergedBodies(model, group);
  const firstLineStart = doc.lineStarts[first.line];
  const indent = doc.text.slice(firstLineStart, first.start);
  const text = comments.map((c) => c + doc.eol).join('') + indent + merged;
  return { start: firstLineStart, end: runOf(last)!.bodyEnd, text };
}

export const mergeRun: Rule<'merge-run'> = {
  id: 'merge-run',
  meta: {
    title: 'Merge consecutive RUN instructions',
    rationale:
      'Each RUN makes a layer. Files a later RUN deletes still ship in the earlier layer, and many small layers slow pulls. Consecutive RUNs with the same flags can be one.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3059'],
  },
  check(model) {
    const out: RawFinding[] = [];
    for (const stage of model.stages) {
      // A builder stage's layers never ship: fewer of them saves nothing in the image that runs.
      if (!ships(model, stage)) continue;
      for (const group of runGroups(stage)) {
        const parses = mergedParses(model, group);
        const n = group.length;
        const where = group[0].keyword === 'ONBUILD' ? `${n} consecutive ONBUILD RUN instructions make ${n} layers in every image built from this one` : `${n} consecutive RUN instructions make ${n} layers`;
        // Only a later body that removes or rewrites files makes the merged layer smaller than the layers apart.
        const saves = group.slice(1).some((i) => rewritesFiles(runOf(i)!));
        out.push({
          start: group[0].start,
          end: group[n - 1].end,
          message: saves
            ? `${where}; merged into one, files removed by a later step no longer stay in an earlier layer.`
            : `${where}; none of them removes or rewrites files an earlier one wrote, so merging would only cut the number of layers.`,
          fixable: parses,
          ...(parses ? {} : { reason: UNPARSABLE_MERGE }),
          ...(saves ? {} : { severityCap: 'hint' as const }),
          data: { lines: group.map((i) => i.line) },
        });
      }
    }
    return out;
  },
  fixes(model, finding: Finding): Fix[] {
    const line = finding.range.start.line;
    for (const stage of model.stages) {
      for (const group of runGroups(stage)) {
        if (group[0].line !== line) continue;
        if (!mergedParses(model, group)) return [];
        return [{ title: `Merge ${group.length} RUN instructions into one`, edits: toTextEdits(model.doc, [mergeGroupEdit(model, group)]), preferred: true }];
      }
    }
    return [];
  },
};
