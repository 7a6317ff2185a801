/** pip-hygiene: `pip install` that keeps the downloaded wheels in pip's cache. */
import type { ShellScript } from '../core/shell';
import { assignedBefore, cacheMounted, envSet, hasOption, insertAfterSubcommand, packageCalls, type ManagerSpec, type PackageCall } from '../core/package-calls';
import { ships } from '../core/stage-info';
import { docEnd, shellRuns } from '../core/model';
import { SAVINGS } from '../knowledge/savings';
import { message } from '../core/message';
import { packageRule, type PackageIssue } from './shared/package-rule';

const PIP: ManagerSpec = { names: /^pip[0-9.]*$/, pythonModule: 'pip', optsWithValue: new Set(['--cache-dir', '--log', '--proxy', '--python']) };

/** `pip cache purge` or `rm … ~/.cache/pip` after the install. */
function purgedAfter(script: ShellScript, calls: readonly PackageCall[], after: number): boolean {
  if (calls.some((c) => c.cmd.start > after && c.sub === 'cache' && c.cmd.args[c.subIndex + 1]?.value === 'purge')) return true;
  return script.commands.some((c) => c.start > after && c.name === 'rm' && c.args.some((a) => /\.cache\/pip|\.cache\/?$/.test(a.value ?? a.raw)));
}

export const pipHygiene = packageRule(
  'pip-hygiene',
  {
    title: 'Install pip packages without keeping the download cache',
    rationale:
      'pip keeps every downloaded wheel in ~/.cache/pip; in an image that cache is never reused and stays in the layer. --no-cache-dir (or PIP_NO_CACHE_DIR, or a cache mount) keeps it out.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3042'],
  },
  'Add --no-cache-dir to pip install',
  (model) => {
    const out: PackageIssue[] = [];
    for (const { stage, instr: i, run, script } of shellRuns(model, /pip/)) {
      // A builder stage's layers never ship: the cache there weighs nothing in the image that runs.
      if (!ships(model, stage) || cacheMounted(i, /\/\.cache(\/pip)?\/?$/)) continue;
      if (envSet(stage, 'PIP_NO_CACHE_DIR', i)) continue;
      const calls = packageCalls(script, PIP);
      const faulty = calls.filter(
        (c) => c.sub === 'install' && !hasOption(c.cmd, '--no-cache-dir', '--cache-dir=', '--cache-dir') && !assignedBefore(c.cmd, 'PIP_NO_CACHE_DIR'),
      );
      if (faulty.length === 0 || purgedAfter(script, calls, faulty[faulty.length - 1].cmd.start)) continue;
      const first = faulty[0];
      out.push({
        instr: i,
        start: run.map[first.cmd.start],
        end: docEnd(run, first.cmd.args[first.subIndex].end),
        message: message('pip install without --no-cache-dir keeps the pip cache in this layer: add --no-cache-dir.', `The pip cache (${SAVINGS.pipCache.text}) stays in this layer.`),
        edits: faulty.map((c) => insertAfterSubcommand(run, c, ['--no-cache-dir'])),
        title: faulty.length === 1 ? 'Add --no-cache-dir to pip install' : `Add --no-cache-dir to the ${faulty.length} pip installs`,
      });
    }
    return out;
  },
);
