/**
 * RPM installroot: a UBI / Fedora / Rocky / Alma stage fills a directory with `dnf install --installroot <dir> …`
 * (yum and microdnf take the same option) and so holds a whole root file system for the program; that directory
 * becomes the runtime's root on `scratch` (`COPY --from=build <dir>/ /`), and the distribution image, with its
 * package manager and RPM database, stays behind. The program must be named by its path inside the installroot
 * (`/out/usr/bin/app`, which becomes `/usr/bin/app`) or be the package of the same name installed into it
 * (`httpd` → /usr/sbin/httpd).
 */
import type { Model, Stage } from '../../core/model';
import { baseInfo, workdirAt } from '../../core/stage-info';
import { absPath, copyDests, coveredBy, lastRun, mainCommand, runCommands, type RunCommand } from './common';
import type { Recipe, RecipeResult } from './types';

const MANAGERS = new Set(['dnf', 'dnf5', 'yum', 'microdnf']);
/** Options of dnf/yum/microdnf that take the next word as their value. */
const VALUE_OPTIONS = new Set(['--installroot', '--releasever', '--setopt', '-c', '--config', '--repo', '--repoid', '--enablerepo', '--disablerepo', '--forcearch', '--exclude', '-x']);
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface InstallrootInstall {
  cmd: RunCommand;
  /** The installroot as written; null when it depends on a variable. */
  root: string | null;
  packages: string[];
}

function installrootInstall(c: RunCommand): InstallrootInstall | null {
  if (!c.cmd.name || !MANAGERS.has(c.cmd.name.replace(/^.*\//, ''))) return null;
  const a = c.cmd.args.map((x) => x.value);
  if (!a.includes('install')) return null;
  let root: string | null | undefined;
  const packages: string[] = [];
  for (let j = 0; j < a.length; j++) {
    const w = a[j];
    if (w === null) {
      if (a[j - 1] === '--installroot') root = null;
      continue;
    }
    if (w.startsWith('--installroot=')) root = w.slice(14);
    else if (VALUE_OPTIONS.has(w)) {
      if (w === '--installroot') root = a[j + 1];
      j++;
    } else if (!w.startsWith('-') && w !== 'install' && a.indexOf('install') < j) packages.push(w);
  }
  if (root === undefined) return null;
  return { cmd: c, root: root && !root.includes('$') ? root : null, packages };
}

/** The `--installroot` installs of a stage. */
export function installrootInstalls(model: Model, stage: Stage): InstallrootInstall[] {
  const family = baseInfo(stage)?.family;
  if (family !== 'rhel' && family !== 'rhel-minimal') return [];
  return runCommands(model, stage).map(installrootInstall).filter((x) => x !== null);
}

export const rpmInstallrootRecipe: Recipe = {
  ecosystem: 'rpm',
  applies(model, stage) {
    return installrootInstalls(model, stage).length > 0;
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const installs = installrootInstalls(model, stage);
    const roots = [...new Set(installs.map((i) => (i.root === null ? null : absPath(i.cmd.dir, i.root))))];
    if (roots.length !== 1 || roots[0] === null) {
      return { ok: false, reason: roots.includes(null) ? 'the installroot depends on a variable or an unknown working directory' : `packages go into more than one installroot (${roots.join(', ')})` };
    }
    const root = roots[0];
    if (root === '/') return { ok: false, reason: '`--installroot /` installs into the image itself' };
    for (const d of copyDests(model, stage)) {
      if (d.from) continue;
      if (d.path === null || !coveredBy(d.path, [root])) {
        return { ok: false, reason: `the ${d.instr.keyword} on line ${d.instr.line + 1} puts files outside the installroot ${root}, where the runtime would not have them` };
      }
    }
    const wd = workdirAt(model, stage, null);
    if (wd && coveredBy(wd, [root])) return { ok: false, reason: `the WORKDIR ${wd} lies inside the installroot, which moves to /` };
    const words = mainCommand(model, stage);
    const prog = words?.[0];
    if (!prog) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT naming the program to run' };
    const installed = new Set(installs.flatMap((i) => i.packages));
    const base = prog.slice(prog.lastIndexOf('/') + 1);
    const fromPackage = installed.has(base) && (!prog.includes('/') || PATH_DIRS.includes(prog.slice(0, prog.lastIndexOf('/'))));
    if (!fromPackage && !coveredBy(absPath(wd, prog) ?? '', [root])) {
      return { ok: false, reason: `the CMD runs \`${prog}\`, which is neither a path inside ${root} nor a package of that name installed into it` };
    }
    return {
      ok: true,
      plan: {
        ecosystem: 'rpm',
        buildStep: lastRun(stage)!,
        artifacts: [root],
        runtimeImage: 'scratch',
        builderEdits: [],
        buildOnlyEnv: /^(DNF_\w*|YUM_\w*)$/,
        runtimeNonRoot: false,
        runtimeHasShell: false,
        runtimePrograms: fromPackage ? [prog] : [],
        runtimeRoot: root,
      },
    };
  },
};
