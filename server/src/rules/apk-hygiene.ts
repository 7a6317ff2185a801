/** apk-hygiene: `apk add` / `apk update` that leave the package index in /var/cache/apk. */
import type { ShellScript } from '../core/shell';
import { cacheMounted, hasOption, insertAfterSubcommand, packageCalls, type ManagerSpec } from '../core/package-calls';
import { ships } from '../core/stage-info';
import { appendCommandEdit, type OffsetEdit } from '../core/edits';
import { docEnd, shellRuns } from '../core/model';
import { SAVINGS } from '../knowledge/savings';
import { capitalised, fitted, lines as lines2, message } from '../core/message';
import type { Stage } from '../core/model';
import { BACKGROUND_REASON, packageRule, type PackageIssue } from './shared/package-rule';

const APK: ManagerSpec = {
  names: /^apk$/,
  optsWithValue: new Set(['-X', '--repository', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file', '--cache-max-age', '--timeout']),
};

function cleansCache(script: ShellScript, after: number): boolean {
  return script.commands.some((c) => c.start > after && c.name === 'rm' && c.args.some((a) => /\/var\/cache\/apk|\/etc\/apk\/cache/.test(a.value ?? a.raw)));
}

export const apkHygiene = packageRule(
  'apk-hygiene',
  {
    title: 'Install apk packages without keeping the index',
    rationale:
      'apk add without --no-cache, and apk update, keep the package index in /var/cache/apk; it stays in the layer unless it is removed in the same RUN.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3019'],
  },
  'Add --no-cache to apk add',
  (model) => {
    const out: PackageIssue[] = [];
    // Per stage, the finding whose RUN left the index in its layer: a later RUN's `apk add` reuses that index and adds
    // nothing of its own, so it joins that finding (its --no-cache is needed once the first RUN stops leaving one).
    const openIn = new Map<Stage, { issue: PackageIssue; later: number[] }>();
    const openFor = (stage: Stage) => {
      for (let s: Stage | null = stage, depth = 0; s && depth < 64; s = s.baseStage, depth++) {
        const o = openIn.get(s);
        if (o) return o;
      }
      return null;
    };
    for (const { stage, instr: i, run, script } of shellRuns(model, /apk/)) {
      // A builder stage's layers never ship: the index there weighs nothing in the image that runs.
      if (!ships(model, stage) || cacheMounted(i, /^\/(var\/cache\/apk|etc\/apk\/cache)\/?$/)) continue;
      const calls = packageCalls(script, APK);
      // `--no-network` installs from packages already on disk (the `apk add --no-network --virtual .run-deps` idiom):
      // no index is fetched, so there is nothing to keep out of the layer.
      const adds = calls.filter((c) => (c.sub === 'add' || c.sub === 'upgrade') && !hasOption(c.cmd, '--no-cache', '--no-network'));
      const updates = calls.filter((c) => c.sub === 'update' && !hasOption(c.cmd, '--no-cache'));
      const faulty = [...adds, ...updates].sort((a, b) => a.cmd.start - b.cmd.start);
      if (faulty.length === 0) continue;
      const last = faulty[faulty.length - 1];
      if (cleansCache(script, last.cmd.start)) continue;
      // `apk update` writes the index whatever the add says: then the cleanup goes at the end.
      let edits: OffsetEdit[] | null;
      if (updates.length > 0) {
        const e = appendCommandEdit(model, i, 'rm -rf /var/cache/apk/*');
        edits = e ? [e] : null;
      } else edits = adds.map((c) => insertAfterSubcommand(run, c, ['--no-cache']));
      const first = faulty[0];
      const open = updates.length === 0 ? openFor(stage) : null;
      if (open && edits) {
        open.issue.edits = open.issue.edits ? [...open.issue.edits, ...edits] : null;
        open.later.push(i.line + 1);
        continue;
      }
      const what = updates.length > 0 && adds.length === 0 ? 'apk update' : `apk ${first.sub} without --no-cache`;
      const fix = updates.length > 0 ? 'remove /var/cache/apk/* at the end of the RUN' : adds.length === 1 ? `add --no-cache to apk ${first.sub}` : `add --no-cache to the ${adds.length} apk calls`;
      out.push({
        instr: i,
        start: run.map[first.cmd.start],
        end: docEnd(run, first.cmd.args[first.subIndex].end),
        message: message(fitted(`${what} keeps the package index in this layer: ${fix}.`, `apk ${first.sub} keeps the package index in this layer: ${fix}.`, `The package index stays in this layer: ${fix}.`), `The index (${SAVINGS.apkCache.text}) stays in /var/cache/apk unless apk add runs with --no-cache or /var/cache/apk/* is removed in the same RUN.`),
        edits,
        title: capitalised(fix),
        reason: BACKGROUND_REASON,
      });
      openIn.set(stage, { issue: out[out.length - 1], later: [] });
    }
    for (const { issue, later } of openIn.values()) {
      if (!later.length) continue;
      const lines = later.length === 1 ? `line ${later[0]}` : `lines ${later.slice(0, -1).join(', ')} and ${later[later.length - 1]}`;
      issue.message = lines2(issue.message, `The later apk add on ${lines} reuses this index (its layer gains nothing from it), and would fetch the index again once this RUN stops leaving it: the fix adds --no-cache there too.`);
      issue.title = `${issue.title} (and --no-cache on ${lines})`;
    }
    return out;
  },
);
