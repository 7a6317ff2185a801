/**
 * What a Debian/Ubuntu final stage installs with apt, sorted for a runtime stage: build-only packages stay
 * behind, `-dev` packages become their run-time libraries (knowledge/runtime-libraries.ts), and every other
 * package is installed again in the runtime as it was.
 */
import type { Model, Stage } from '../../core/model';
import { BUILD_PACKAGE } from '../../knowledge/toolchains';
import { HEADER_ONLY_DEV, RUNTIME_LIB_RELEASES, beforeQualifier, isKnownRelease, runtimeLibraries } from '../../knowledge/runtime-libraries';
import { runCommands } from './common';

/** apt-get options that take the next word as their value. */
const VALUE_OPTIONS = new Set(['-t', '--target-release', '-o', '--option', '-c', '--config-file']);
/** Archivers Composer and install scripts unpack with: needed to build only. */
const FETCH_ONLY = /^(unzip|zip|p7zip-full|7zip|xz-utils|bzip2|gnupg2?|dirmngr|ssh|openssh-client|subversion|mercurial)$/;

export interface AptPackages {
  /** `-dev` packages (their run-time libraries are needed). */
  dev: string[];
  /** Packages that only build or fetch (compilers, make, git, curl, unzip). */
  buildOnly: string[];
  /** Everything else: installed again in the runtime. */
  runtime: string[];
  /** Why the packages cannot be sorted (an apt repository added, a package list in a variable…), or null. */
  problem: string | null;
}

export function aptPackages(model: Model, stage: Stage): AptPackages {
  const out: AptPackages = { dev: [], buildOnly: [], runtime: [], problem: null };
  const add = (list: string[], p: string) => {
    if (!list.includes(p)) list.push(p);
  };
  for (const c of runCommands(model, stage)) {
    const name = c.cmd.name;
    const args = c.cmd.args.map((a) => a.value);
    if (name === 'add-apt-repository' || (name && /^(apk|dnf|yum|microdnf)$/.test(name) && args.some((a) => a === 'install' || a === 'add'))) {
      out.problem ??= name === 'add-apt-repository' ? 'the stage adds an apt repository, which the runtime would not have' : `the stage installs packages with ${name}, whose run-time libraries are not known here`;
      continue;
    }
    if (name !== 'apt-get' && name !== 'apt') continue;
    const k = args.indexOf('install');
    if (k < 0) continue;
    for (let j = 0; j < args.length; j++) {
      if (j === k) continue;
      const a = args[j];
      if (a === null) {
        out.problem ??= 'a package list depends on a variable';
        continue;
      }
      if (VALUE_OPTIONS.has(a)) {
        if (a === '-t' || a === '--target-release') out.problem ??= `\`apt-get install ${a}\` picks another release, which the runtime would not have`;
        j++;
        continue;
      }
      if (a.startsWith('-') || j < k) continue;
      if (/\/|\.deb$/.test(a)) {
        out.problem ??= `\`${a}\` is a package file, not a package from the archive`;
        continue;
      }
      const bare = beforeQualifier(a);
      if (/-(dev|devel)(-compat)?$/.test(bare)) add(out.dev, a);
      else if (BUILD_PACKAGE.test(bare) || FETCH_ONLY.test(bare)) add(out.buildOnly, a);
      else add(out.runtime, a);
    }
  }
  for (const i of stage.instructions) {
    if (/\/etc\/apt\/(sources\.list|trusted|keyrings)/.test(i.node.getRawArgumentsContent() ?? '')) {
      out.problem ??= 'the stage adds an apt repository, which the runtime would not have';
    }
  }
  return out;
}

/**
 * The run-time libraries of `-dev` packages when every Debian release of the table names them the same
 * (`libpq-dev` → `libpq5` on bookworm, bullseye and trixie); null when a release differs or lacks one.
 */
export function sameOnEveryRelease(dev: string[]): string[] | null {
  let first: string[] | null = null;
  for (const r of RUNTIME_LIB_RELEASES) {
    const got = runtimeLibraries(dev, r);
    if (got.unknown.length) return null;
    if (first === null) first = got.packages;
    else if (got.packages.length !== first.length || got.packages.some((p, k) => p !== first![k])) return null;
  }
  return first;
}

/**
 * The packages a runtime stage installs: the run-time libraries of the `-dev` packages on `release`, then the
 * other non-build packages. A reason instead when a `-dev` package or the release is not known (`nameIt` says how
 * to name the release). With `anyRelease`, a tag that names no release (`python:3.12`, whose slim variant moves
 * with it) still gets the libraries whose names are the same on every Debian release of the table.
 */
export function runtimePackages(apt: AptPackages, release: string | null, image: string, nameIt = 'name the release in the tag (e.g. -bookworm)', anyRelease = false): { ok: true; packages: string[] } | { ok: false; reason: string } {
  if (apt.problem) return { ok: false, reason: apt.problem };
  // Header-only libraries link nothing, on any release.
  if (apt.dev.some((d) => HEADER_ONLY_DEV.has(beforeQualifier(d)))) apt = { ...apt, dev: apt.dev.filter((d) => !HEADER_ONLY_DEV.has(beforeQualifier(d))) };
  let libs: string[] = [];
  const same = apt.dev.length && release === null && anyRelease ? sameOnEveryRelease(apt.dev) : null;
  if (same) libs = same;
  else if (apt.dev.length) {
    const unknown = runtimeLibraries(apt.dev, RUNTIME_LIB_RELEASES[0]).unknown;
    if (release === null && anyRelease && unknown.length) return { ok: false, reason: `the run-time library of ${unknown.join(', ')} is not known here` };
    if (!isKnownRelease(release)) {
      return {
        ok: false,
        reason: release
          ? `the run-time libraries of ${apt.dev.join(', ')} are not known here for ${release}`
          : `${image} does not name its distribution release, and the run-time package of ${apt.dev.join(', ')} ${anyRelease ? 'is not named the same on every Debian release' : 'depends on it'}; ${nameIt}`,
      };
    }
    const r = runtimeLibraries(apt.dev, release);
    if (r.unknown.length) return { ok: false, reason: `the run-time library of ${r.unknown.join(', ')} is not known here` };
    libs = r.packages;
  }
  return { ok: true, packages: [...libs, ...apt.runtime.filter((p) => !libs.includes(p))] };
}

/** Packages on Alpine that only build (beside the shared build-package pattern). */
const APK_BUILD_ONLY = /^(linux-headers|samurai|meson|ninja|musl-dev|fortify-headers|patch|bison|flex|binutils|autoconf-archive)$/;
/** Packages on Enterprise Linux / Fedora that only build. */
const DNF_BUILD_ONLY = /^(gcc-c\+\+|make|cmake|ninja-build|meson|kernel-headers|glibc-headers|redhat-rpm-config|rpm-build|patch|bison|flex|binutils)$/;

/** Package lists of an apk or dnf stage, sorted as `aptPackages` sorts apt's. */
export function otherPackages(model: Model, stage: Stage, family: 'apk' | 'dnf'): AptPackages {
  const out: AptPackages = { dev: [], buildOnly: [], runtime: [], problem: null };
  const managers = family === 'apk' ? /^apk$/ : /^(dnf|yum|microdnf)$/;
  const verb = family === 'apk' ? 'add' : 'install';
  const valueOptions = new Set(['-t', '--virtual', '-X', '--repository', '--setopt', '--enablerepo', '--disablerepo', '--repo', '--releasever', '--installroot', '-p', '--root', '--repositories-file', '-c', '--config']);
  for (const c of runCommands(model, stage)) {
    const name = c.cmd.name;
    const args = c.cmd.args.map((a) => a.value);
    if (!name) continue;
    if (/^(apt-get|apt|apk|dnf|yum|microdnf)$/.test(name) && !managers.test(name) && args.some((a) => a === 'install' || a === 'add')) {
      out.problem ??= `the stage installs packages with ${name} on a ${family === 'apk' ? 'apk' : 'dnf'} image`;
      continue;
    }
    if (!managers.test(name)) continue;
    const k = args.indexOf(verb);
    if (k < 0) continue;
    if (args.some((a) => a === '-X' || a === '--repository' || a?.startsWith('--repository=') || a === '--enablerepo' || a?.startsWith('--enablerepo='))) {
      out.problem ??= 'the stage installs from a repository the runtime would not have';
    }
    for (let j = k + 1; j < args.length; j++) {
      const a = args[j];
      if (a === null) {
        out.problem ??= 'a package list depends on a variable';
        continue;
      }
      if (valueOptions.has(a)) {
        j++;
        continue;
      }
      if (a.startsWith('-')) continue;
      if (/\/|\.(apk|rpm)$/.test(a) || a.startsWith('@')) {
        out.problem ??= `\`${a}\` is not a package from the distribution's repositories`;
        continue;
      }
      const bare = family === 'apk' ? a.split(/[=<>~]/, 1)[0] : a;
      const list = /-(dev|devel)$/.test(bare) ? out.dev : BUILD_PACKAGE.test(bare) || (family === 'apk' ? APK_BUILD_ONLY : DNF_BUILD_ONLY).test(bare) ? out.buildOnly : out.runtime;
      if (!list.includes(a)) list.push(a);
    }
  }
  return out;
}

/** One hygienic apt RUN that installs `packages`. */
export function aptInstallLine(packages: string[]): string {
  return `RUN apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`;
}
