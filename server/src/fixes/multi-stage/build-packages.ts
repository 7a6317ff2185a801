/**
 * The build-only packages a stage's RUNs leave in the image. A package installed and removed again in the same
 * RUN never reaches a layer: `apk add --virtual .build-deps … && apk del .build-deps`, `apt-get purge` / `remove`
 * of the packages, and the docker-library pattern (`apt-mark auto '.*'` then `apt-get purge -y --auto-remove`,
 * which removes everything the RUN installed that no `apt-mark manual` kept). A removal in a later RUN does not
 * count: the earlier layer still holds the package.
 */
import type { Model, Stage } from '../../core/model';
import type { ShellCommand } from '../../core/shell';
import { BUILD_PACKAGE, TOOLCHAIN_PACKAGE } from '../../knowledge/toolchains';
import { runCommands } from './common';

const INSTALLERS = new Set(['apt-get', 'apt', 'apk', 'dnf', 'yum', 'microdnf']);
/** Options of the package managers that take the next word as their value. */
const VALUE_OPTIONS = new Set(['-t', '--virtual', '--target-release', '-o', '--option', '-c', '--config-file', '-X', '--repository', '--repo', '--enablerepo', '--disablerepo', '--setopt', '--releasever', '--installroot', '-p', '--root']);

function words(cmd: ShellCommand): (string | null)[] {
  return cmd.args.map((a) => a.value);
}

/** The package operands after the subcommand at `k` (options and their values skipped; null for a word with an expansion). */
function operandsAfter(a: (string | null)[], k: number, valueOptions = VALUE_OPTIONS): (string | null)[] {
  const out: (string | null)[] = [];
  for (let j = k + 1; j < a.length; j++) {
    const w = a[j];
    if (w !== null && w.startsWith('-')) {
      // apk's `-t` is `--virtual`; apt's `-t` is `--target-release`: both take a value.
      if (valueOptions.has(w)) j++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Where the subcommand is: the first word that is neither an option nor an option's value. */
function subcommandAt(a: (string | null)[]): number {
  for (let j = 0; j < a.length; j++) {
    const w = a[j];
    if (w !== null && w.startsWith('-')) {
      if (VALUE_OPTIONS.has(w)) j++;
      continue;
    }
    return j;
  }
  return -1;
}

/** The value of apk's `--virtual NAME` / `-t NAME` / `--virtual=NAME`. */
function apkVirtual(a: (string | null)[]): string | null {
  for (let j = 0; j < a.length; j++) {
    const w = a[j];
    if (w === '--virtual' || w === '-t') return a[j + 1] ?? null;
    if (w?.startsWith('--virtual=')) return w.slice('--virtual='.length);
  }
  return null;
}

/** The package name without its version or architecture (`gcc=4:12`, `libc6-dev:amd64`, `make>=4`). */
export const bare = (p: string) => p.split(/[:=<>~]/, 1)[0];

/** Packages one RUN installs and does not remove again, in order. */
function keptByRun(cmds: ShellCommand[]): string[] {
  /** Installed in this RUN, not removed so far: package → apk virtual name (or null). */
  const installed = new Map<string, string | null>();
  /** Packages `apt-mark auto` marked for removal by `--auto-remove`; `all` after `apt-mark auto '.*'`. */
  let markedAll = false;
  const marked = new Set<string>();
  const keptManual = new Set<string>();
  const autoRemove = () => {
    for (const p of [...installed.keys()]) if ((markedAll && !keptManual.has(bare(p))) || marked.has(bare(p))) installed.delete(p);
  };
  for (const cmd of cmds) {
    const name = cmd.name;
    if (!name) continue;
    const a = words(cmd);
    // `apt-mark showmanual | xargs apt-mark auto`: every package marked, the names coming from its input.
    if (name === 'xargs') {
      const k = a.indexOf('apt-mark');
      if (k >= 0 && a[k + 1] === 'auto') markedAll = true;
      continue;
    }
    const sub = subcommandAt(a);
    const verb = sub >= 0 ? a[sub] : null;
    if (name === 'apt-mark') {
      const ops = operandsAfter(a, sub).filter((w): w is string => w !== null);
      if (verb === 'auto') {
        for (const p of ops) {
          // A pattern (`.*`, `'~i'`) marks every installed package; packages installed before this RUN are set
          // manual again by name from a variable, which is not followed here: only this RUN's packages count.
          if (/[*?[~^$]/.test(p)) markedAll = true;
          else marked.add(bare(p));
        }
      } else if (verb === 'manual') {
        for (const p of ops) keptManual.add(bare(p));
      }
      continue;
    }
    if (!INSTALLERS.has(name) || verb === null) continue;
    const ops = operandsAfter(a, sub);
    if (verb === 'install' || (name === 'apk' && verb === 'add')) {
      const virtual = name === 'apk' ? apkVirtual(a) : null;
      for (const p of ops) if (p !== null && !p.includes('/') && !p.endsWith('.deb') && !p.endsWith('.rpm')) installed.set(p, virtual);
    } else if ((name === 'apk' && verb === 'del') || verb === 'purge' || verb === 'remove' || verb === 'erase' || verb === 'autoremove') {
      for (const p of ops) {
        if (p === null) continue;
        for (const [q, v] of [...installed]) if (q === p || bare(q) === bare(p) || (v !== null && v === p)) installed.delete(q);
      }
      const auto = verb === 'autoremove' || a.includes('--auto-remove') || a.includes('--autoremove');
      if (auto && (name === 'apt-get' || name === 'apt')) autoRemove();
    }
  }
  return [...installed.keys()];
}

/** Every package the stage's RUNs install and leave in the image (apt, apk, dnf…), in order. */
export function packagesKept(model: Model, stage: Stage): string[] {
  const byRun = new Map<unknown, ShellCommand[]>();
  for (const c of runCommands(model, stage)) {
    let list = byRun.get(c.instr);
    if (!list) byRun.set(c.instr, (list = []));
    list.push(c.cmd);
  }
  const out: string[] = [];
  for (const cmds of byRun.values()) for (const p of keptByRun(cmds)) if (!out.includes(p)) out.push(p);
  return out;
}

/**
 * The packages `stages` installed that are not build-only (knowledge/toolchains.ts BUILD_PACKAGE), for a runtime of
 * the same distribution to install again: the program may run them (ffmpeg, fontconfig). A reason instead for
 * `-dev` packages, whose run-time library packages are not mapped here.
 */
export function runtimeReinstalls(model: Model, stages: Stage[]): { ok: true; packages: string[] } | { ok: false; reason: string } {
  const kept = stages.flatMap((s) => packagesKept(model, s));
  const dev = kept.filter((p) => /-(dev|devel)$/.test(bare(p)));
  if (dev.length) return { ok: false, reason: `the stage installs ${dev.join(', ')}, and which packages hold their run-time libraries on this image is not known here` };
  return { ok: true, packages: [...new Set(kept.filter((p) => !BUILD_PACKAGE.test(bare(p))))] };
}

/** Build-only packages (compilers, make, -dev headers) the stage's RUNs leave in the image. */
export function buildPackagesShipped(model: Model, stage: Stage): string[] {
  return packagesKept(model, stage).filter((p) => TOOLCHAIN_PACKAGE.test(bare(p)));
}
