/** pip-hygiene: `pip install` that keeps the downloaded wheels in pip's cache. */
import type { ShellScript } from '../core/shell';
import { assignedBefore, cacheMounted, envSet, hasOption, insertAfterSubcommand, packageCalls, type ManagerSpec, type PackageCall } from '../core/package-calls';
import { normalPath, ships, workdirAt } from '../core/stage-info';
import { localProjectRequirements, readCopied, requirementText } from '../fixes/multi-stage/project-files';
import { docEnd, shellRuns } from '../core/model';
import { SAVINGS } from '../knowledge/savings';
import { pypiDownloadKb } from '../knowledge/pypi-download-sizes';
import { message } from '../core/message';
import { packageRule, type PackageIssue } from './shared/package-rule';

const PIP: ManagerSpec = { names: /^pip[0-9.]*$/, pythonModule: 'pip', optsWithValue: new Set(['--cache-dir', '--log', '--proxy', '--python']) };

/** `pip cache purge` or `rm … ~/.cache/pip` after the install. */
function purgedAfter(script: ShellScript, calls: readonly PackageCall[], after: number): boolean {
  if (calls.some((c) => c.cmd.start > after && c.sub === 'cache' && c.cmd.args[c.subIndex + 1]?.value === 'purge')) return true;
  return script.commands.some((c) => c.start > after && c.name === 'rm' && c.args.some((a) => /\.cache\/pip|\.cache\/?$/.test(a.value ?? a.raw)));
}

/** Below this download, the cache an install leaves is tidiness rather than size. */
const SMALL_KB = 2048;
/** Options that do not change what an install downloads. */
const PLAIN_OPTIONS = /^(-U|--upgrade|-q+|--quiet|-v+|--verbose|--user|--no-warn-script-location|--break-system-packages|--disable-pip-version-check|--root-user-action(=\w+)?|--no-compile|--prefer-binary|--progress-bar(=\w+)?)$/;
/** A requirement that names one package, with an optional version: `flask`, `flask==3.1.0`, `requests>=2.31`. */
const NAMED = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\s*(==|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+(,\s*(==|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+)*)?$/;

/** A local project directory as pip takes it: `.`, `./pkg`, `/src` (not an archive, a wheel, a glob or extras). */
const LOCAL_DIR = /^(\.|\.\.|\.{0,2}\/[\w./-]*)$/;

/**
 * KB the installs download, when each names only packages the download table knows (no requirements file, path,
 * URL, extra, variable or option that changes what is fetched), or a requirements file or local project of such
 * packages that the build context shows; null otherwise. `read(dir, file)` gives a file the image has in `dir`.
 */
function knownDownloadKb(calls: readonly PackageCall[], dir: string | null, read: (dir: string, file: string) => string | null): number | null {
  const names: string[] = [];
  for (const c of calls) {
    const args = c.cmd.args.slice(c.subIndex + 1);
    for (let k = 0; k < args.length; k++) {
      let v = args[k].value;
      if (v === null) return null;
      // A requirements file the build context shows, of plain named requirements only.
      if (v === '-r' || v === '--requirement') {
        const file = args[++k]?.value;
        const listed = file && dir ? requirementNames(read(dir, file)) : null;
        if (!listed) return null;
        names.push(...listed);
        continue;
      }
      if (v === '-e' || v === '--editable') {
        v = args[++k]?.value ?? null;
        if (v === null || !LOCAL_DIR.test(v)) return null;
      }
      if (v.startsWith('-')) {
        if (!PLAIN_OPTIONS.test(v)) return null;
        continue;
      }
      // A local project: pip downloads its dependencies and its build backend, never a wheel of the project itself.
      if (LOCAL_DIR.test(v) && !/\.(whl|zip|tar\.gz|tgz)$/.test(v)) {
        if (!v.startsWith('/') && !dir) return null;
        const at = normalPath(v.startsWith('/') ? v : `${dir}/${v}`);
        const listed = localProjectRequirements((file) => read(at, file));
        if (!listed) return null;
        names.push(...listed);
        continue;
      }
      const m = NAMED.exec(v);
      if (!m) return null;
      names.push(m[1]);
    }
  }
  return names.length ? pypiDownloadKb(names) : null;
}

/** A download size as people say it: `180 KB`, `1.8 MB`. */
export function sizeText(kb: number): string {
  return kb < 1024 ? `${kb} KB` : `${(kb / 1024).toFixed(1)} MB`;
}

/** The names a requirements file lists when every line is a plain named requirement (or a comment); else null. */
function requirementNames(text: string | null): string[] | null {
  if (text === null) return null;
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = requirementText(raw);
    if (!line) continue;
    const m = NAMED.exec(line);
    if (!m) return null;
    names.push(m[1]);
  }
  return names.length ? names : null;
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
      const dir = workdirAt(model, stage, i);
      const kb = knownDownloadKb(faulty, dir, (at, file) => readCopied(model, stage, at, file, i));
      const small = kb !== null && kb < SMALL_KB;
      out.push({
        instr: i,
        start: run.map[first.cmd.start],
        end: docEnd(run, first.cmd.args[first.subIndex].end),
        message: message(
          'pip install without --no-cache-dir keeps the pip cache in this layer: add --no-cache-dir.',
          small
            ? `The pip cache stays in this layer: about ${sizeText(kb)} for these packages, so this is tidiness more than size.`
            : kb !== null
              ? `The pip cache stays in this layer: about ${sizeText(kb)} for these packages.`
              : `The pip cache (${SAVINGS.pipCache.text}) stays in this layer.`,
        ),
        // Only small packages the table knows: worth a look, not a warning.
        severityCap: small ? 'info' : undefined,
        edits: faulty.map((c) => insertAfterSubcommand(run, c, ['--no-cache-dir'])),
        title: faulty.length === 1 ? 'Add --no-cache-dir to pip install' : `Add --no-cache-dir to the ${faulty.length} pip installs`,
      });
    }
    return out;
  },
);
