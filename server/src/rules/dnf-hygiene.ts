/** dnf-hygiene: dnf / yum / microdnf installs that prompt, pull weak dependencies and docs, or keep their cache. */
import type { ShellCommand, ShellScript } from '../core/shell';
import { cacheMounted, insertAfterSubcommand, operands, packageCalls, type ManagerSpec, type PackageCall } from '../core/package-calls';
import { ships } from '../core/stage-info';
import { appendCommandEdit, type OffsetEdit } from '../core/edits';
import { docEnd, shellRuns } from '../core/model';
import { isShortFlagsWith } from '../core/flags';
import { SAVINGS } from '../knowledge/savings';
import { capitalised, fitted, listed, message } from '../core/message';
import { BACKGROUND_REASON, packageRule, type PackageIssue } from './shared/package-rule';

const DNF: ManagerSpec = {
  names: /^(dnf|yum|microdnf)$/,
  optsWithValue: new Set([
    '--setopt', '-c', '--config', '--installroot', '--releasever', '--enablerepo', '--disablerepo', '--repo', '--repoid',
    '-x', '--exclude', '--forcearch', '--repofrompath', '--disableplugin', '--enableplugin', '-d', '--debuglevel', '-e', '--errorlevel',
  ]),
};

/** Subcommands that download packages (and so metadata into the cache). */
const FETCHING = new Set(['install', 'reinstall', 'upgrade', 'update', 'groupinstall', 'localinstall', 'distro-sync', 'downgrade', 'group', 'module', 'makecache']);
/** Subcommands that install packages, where weak dependencies and docs come along. */
const INSTALLING = new Set(['install', 'groupinstall', 'localinstall', 'reinstall']);

function words(cmd: ShellCommand): string[] {
  return cmd.args.map((a) => a.value ?? '');
}

function hasYes(cmd: ShellCommand): boolean {
  return words(cmd).some((v) => v === '--assumeyes' || isShortFlagsWith(v, 'y') || /assumeyes=(1|true|yes)$/i.test(v));
}

/** An explicit choice about weak dependencies either way counts. */
function choosesWeakDeps(cmd: ShellCommand): boolean {
  return words(cmd).some((v) => v.includes('install_weak_deps=') || v === '--no-install-weak-deps' || v === '--setopt=install_weak_deps');
}

/** `--setopt=tsflags=nodocs` (and lists such as `tsflags=test,nodocs`). */
function tsflagsNodocs(v: string): boolean {
  const k = v.indexOf('tsflags=');
  return k >= 0 && v.includes('nodocs', k + 8);
}

function hasNoDocs(cmd: ShellCommand): boolean {
  return words(cmd).some((v) => v === '--nodocs' || tsflagsNodocs(v));
}

/**
 * Whether every package an install names is removed again later in the same RUN (`microdnf install -y
 * shadow-utils && useradd … && microdnf remove -y shadow-utils`): its weak dependencies and docs never reach the
 * layer, so those options would change nothing.
 */
function removedLater(calls: readonly PackageCall[], install: PackageCall): boolean {
  const names = operands(install, DNF.optsWithValue).map((w) => w.value ?? '');
  if (names.length === 0 || names.includes('')) return false;
  const removed = new Set<string>();
  for (const c of calls) {
    if (c.cmd.start > install.cmd.start && (c.sub === 'remove' || c.sub === 'erase')) for (const w of operands(c, DNF.optsWithValue)) removed.add(w.value ?? '');
  }
  return names.every((n) => removed.has(n));
}

function cleansAfter(script: ShellScript, calls: readonly PackageCall[], after: number): boolean {
  if (calls.some((c) => c.cmd.start > after && c.sub === 'clean' && operands(c, DNF.optsWithValue)[0]?.value === 'all')) return true;
  return script.commands.some((c) => c.start > after && c.name === 'rm' && c.args.some((a) => /\/var\/cache\/(dnf|yum|libdnf5)/.test(a.value ?? a.raw)));
}

export const dnfHygiene = packageRule(
  'dnf-hygiene',
  {
    title: 'Install dnf/yum/microdnf packages without prompts, weak dependencies, docs or a leftover cache',
    rationale:
      'dnf and yum need -y in a build; --setopt=install_weak_deps=0 and --nodocs keep unasked-for packages and docs out; `clean all` in the same RUN keeps the repository metadata out of the layer.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3030', 'DL3032', 'DL3038', 'DL3040'],
  },
  'Add -y, --setopt=install_weak_deps=0 and --nodocs, and clean the cache in the same RUN',
  (model) => {
    const out: PackageIssue[] = [];
    for (const { stage, instr: i, run, script } of shellRuns(model, /dnf|yum/)) {
      const calls = packageCalls(script, DNF);
      const fetching = calls.filter((c) => FETCHING.has(c.sub));
      if (fetching.length === 0) continue;
      const lastFetch = fetching[fetching.length - 1];
      // In a builder stage only what makes the build fail counts (-y): its layers never ship.
      const shipped = ships(model, stage);
      const mounted = cacheMounted(i, /^\/var\/cache\/(dnf|yum|libdnf5)\/?$/);
      const missingClean = shipped && !mounted && !cleansAfter(script, calls, lastFetch.cmd.start);
      const parts = new Set<string>();
      const added = new Set<string>();
      const edits: OffsetEdit[] = [];
      let first: PackageCall | null = null;
      for (const c of fetching) {
        const add: string[] = [];
        if (c.manager !== 'microdnf' && c.sub !== 'makecache' && !hasYes(c.cmd)) {
          add.push('-y');
          parts.add('Without -y the build cannot answer the prompt.');
        }
        // yum on EL7 knows neither option; on EL8+ yum is dnf and `dnf` is the name to use.
        if (shipped && c.manager !== 'yum' && INSTALLING.has(c.sub) && !removedLater(calls, c)) {
          if (!choosesWeakDeps(c.cmd)) {
            add.push('--setopt=install_weak_deps=0');
            parts.add(`Weak dependencies are installed (${SAVINGS.dnfWeakDeps.text}).`);
          }
          if (!hasNoDocs(c.cmd)) {
            add.push('--nodocs');
            parts.add('Documentation is installed (no --nodocs).');
          }
        }
        if (add.length) {
          edits.push(insertAfterSubcommand(run, c, add));
          for (const a of add) added.add(a);
          first ??= c;
        }
      }
      let fixable = true;
      const clean = `${lastFetch.manager} clean all`;
      if (missingClean) {
        parts.add(`No \`${clean}\` in this RUN: ${SAVINGS.dnfCache.text} left in the layer.`);
        const e = appendCommandEdit(model, i, clean);
        if (e) edits.push(e);
        else fixable = false;
        first = fetching[0];
      }
      if (!first) continue;
      const todo = [...(added.size ? [`add ${listed([...added])}`] : []), ...(missingClean ? [`run \`${clean}\``] : [])];
      const name = `${first.manager} ${first.sub}`;
      out.push({
        instr: i,
        start: run.map[first.cmd.start],
        end: docEnd(run, first.cmd.args[first.subIndex].end),
        message: message(fitted(`${name}: ${listed(todo)}${missingClean ? ' in the same RUN' : ''}.`, `${name}: ${listed(todo)}.`), ...parts),
        edits: fixable ? edits : null,
        reason: BACKGROUND_REASON,
        title: capitalised(listed(todo)),
        // Weak dependencies and docs alone: whether they weigh anything depends on the packages (many have none,
        // such as tzdata), which is not known here, as with apt's recommends. Worth a look, not a warning.
        severityCap: !missingClean && !added.has('-y') ? 'info' : undefined,
      });
    }
    return out;
  },
);
