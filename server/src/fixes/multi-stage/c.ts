/**
 * C/C++ built with make, cmake, meson/ninja or a compiler, in one of two kinds of image:
 *
 * - a toolchain image (gcc, buildpack-deps): the runtime is the slim image of the same distribution release;
 * - a distribution image with build packages installed (debian, ubuntu, alpine, UBI 9 / Enterprise Linux 9,
 *   fedora): the runtime is the same image again, without the build packages.
 *
 * The runtime installs the run-time libraries of every `-dev`/`-devel` package the builder installed
 * (knowledge/runtime-libraries.ts), the other packages the stage installed that are not build tools, and the
 * tools its CMD, ENTRYPOINT and HEALTHCHECK run. It copies what the build installed: the whole install prefix
 * (`PREFIX=`, `--prefix`, `CMAKE_INSTALL_PREFIX`, `/usr/local` by default for configure, cmake and meson), or
 * the DESTDIR tree, or a program the stage copied into place, or else the program the CMD names in the build
 * directory. Which installed files a program reads is not known, so a prefix is copied whole, never a guess of
 * its parts; a prefix the image itself fills (`/usr`, or `/usr/local` on gcc, where the compiler lives) cannot be
 * told apart from the image, and the recipe declines.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, workdirAt } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { cRuntimeFor } from '../../knowledge/toolchains';
import { absPath, copyDests, coveredBy, mainCommand, programOf, runCommands, type RunCommand, rootRepoIs } from './common';
import { aptInstallLine, aptPackages, otherPackages, runtimePackages } from './system-packages';
import { buildPackagesShipped } from './build-packages';
import { contextFileFor } from './context-files';
import { LINKED_LIBRARY_DEV } from '../../knowledge/runtime-libraries';
import { SCANNED_PACKAGES, runsAsOtherAt, scannable, scannedInstall, scanNote, scanStep } from './scanned-packages';
import type { Recipe, RecipeResult } from './types';

const COMPILERS = new Set(['gcc', 'cc', 'g++', 'c++', 'clang', 'clang++']);
const BUILDERS = new Set(['make', 'gmake', 'cmake', 'ninja', 'meson', ...COMPILERS]);
/** Commands a native build runs that change nothing the runtime needs beyond the build and install directories. */
const BUILD_HELPERS = new Set([
  'apt-get', 'apt', 'apt-mark', 'apk', 'dnf', 'yum', 'microdnf', 'rm', 'mkdir', 'cd', 'cp', 'mv', 'ln', 'install', 'tar', 'unzip', 'curl', 'wget',
  'git', 'gpg', 'gpgconf', 'sha256sum', 'sha512sum', 'sha1sum', 'md5sum', 'echo', 'printf', 'set', 'true', 'export', 'test', '[', 'ls', 'cat', 'chmod',
  'patch', 'strip', 'nproc', 'pkg-config', 'pkgconf', 'autoreconf', 'autoconf', 'automake', 'libtoolize', 'aclocal', 'ldconfig', 'xz', 'gzip', 'bzip2',
  'sleep', 'find', 'grep', 'sed', 'ccache', 'scons',
]);
/** Configure scripts run from the source tree (`./configure`, `../configure`, `./autogen.sh`, `./bootstrap`). */
const CONFIGURE_SCRIPT = /(^|\/)(configure|autogen\.sh|bootstrap(\.sh)?|Configure|config)$/;
/** Commands that write the files their last operand names (`cp a b /dest`). */
const COPIERS = new Set(['cp', 'mv', 'install']);
/** Install prefixes the image itself fills: copying them would copy the image, not the program. */
const SYSTEM_DIRS = new Set(['/', '/usr', '/usr/lib', '/usr/lib64', '/usr/bin', '/usr/sbin', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/var', '/usr/share', '/usr/include', '/root', '/home', '/tmp']);
/** Directories of programs on PATH (a copied program lands there as a file of its own). */
const BIN_DIRS = new Set(['/usr/local/bin', '/usr/local/sbin', '/usr/bin', '/usr/sbin', '/bin', '/sbin']);
/** Programs every image of the family has (coreutils or busybox, the shell). */
const BASE_PROGRAMS: Record<Family, Set<string>> = {
  apt: new Set(['sh', 'bash', 'env', 'cat', 'echo', 'test', 'true', 'sleep', 'ls', 'kill']),
  apk: new Set(['sh', 'ash', 'busybox', 'env', 'cat', 'echo', 'test', 'true', 'sleep', 'ls', 'kill', 'wget', 'nc']),
  dnf: new Set(['sh', 'bash', 'env', 'cat', 'echo', 'test', 'true', 'sleep', 'ls', 'kill']),
};
/** Tools a CMD or HEALTHCHECK names and the package that has them, where the names differ per family. */
const TOOL_PACKAGE: Record<Family, Record<string, string>> = {
  apt: { curl: 'curl', wget: 'wget', tini: 'tini', 'dumb-init': 'dumb-init', gosu: 'gosu', nc: 'netcat-openbsd' },
  apk: { curl: 'curl', tini: 'tini', 'dumb-init': 'dumb-init', 'su-exec': 'su-exec' },
  dnf: { curl: 'curl', wget: 'wget' },
};
/** Init wrappers a CMD or ENTRYPOINT runs the program through. */
const WRAPPERS = new Set(['tini', 'dumb-init', '/usr/bin/tini', '/sbin/tini', '/usr/bin/dumb-init']);
/** Debian and Ubuntu packages that only build (beside the shared build-package pattern). */
const APT_BUILD_ONLY = /^(meson|bison|flex|patch|autoconf-archive|autopoint|nasm|yasm|gperf|dpkg-dev|scons|binutils)$/;

type Family = 'apt' | 'apk' | 'dnf';

interface Base {
  runtimeImage: string;
  family: Family;
  /** The release the tag names (a table's name where there is one), or null when the tag does not say which. */
  release: string | null;
  /** How the image is named in reasons. */
  name: string;
  /** The install prefix the image itself fills (gcc keeps its compiler in /usr/local). */
  ownPrefix: string | null;
  /** microdnf instead of dnf (the UBI minimal images). */
  microdnf: boolean;
  toolchainImage: boolean;
}

const DEBIAN_NUMBERS: Record<string, string> = { '9': 'stretch', '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie' };
const UBUNTU_NUMBERS: Record<string, string> = { '18.04': 'bionic', '20.04': 'focal', '22.04': 'jammy', '24.04': 'noble' };

/** Debian codenames a tag may name (the table covers some of them; the others are named in the reason). */
const DEBIAN_CODENAMES = new Set(['stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky']);

function debianRelease(tag: string | null): string | null {
  const parts = (tag ?? '').split('-');
  for (const p of parts) if (DEBIAN_CODENAMES.has(p)) return p;
  const n = /^(\d+)(\.\d+)*$/.exec(parts[0] ?? '')?.[1];
  return n ? DEBIAN_NUMBERS[n] ?? null : null;
}

function ubuntuRelease(tag: string | null): string | null {
  const t = tag ?? '';
  const code = /^([a-z]+)(-\d+)?$/.exec(t)?.[1];
  if (code && code !== 'latest' && code !== 'rolling' && code !== 'devel') return code;
  const n = /^(\d\d\.\d\d)(\.\d+)?(-|$)/.exec(t)?.[1];
  return n ? UBUNTU_NUMBERS[n] ?? `ubuntu ${n}` : null;
}

function alpineRelease(tag: string | null): string | null {
  const m = /^3\.(\d+)(\.\d+)?$/.exec(tag ?? '');
  return m ? `alpine3.${m[1]}` : null;
}

const EL9_IMAGE = /(^|\/)(ubi\d+(\/ubi(-minimal|-init)?)?|ubi\d+-minimal|ubi\d+-init)$|^(rockylinux|almalinux)$|^rockylinux\/rockylinux$|^quay\.io\/centos\/centos$/;

/** What the stage is built on: the runtime image, its package manager and its release. Null: not an image this recipe knows. */
function baseOf(stage: Stage): Base | null {
  const { ref, text } = rootImage(stage);
  if (!ref || !text) return null;
  const key = repoKey(ref);
  const tag = ref.tag;
  const same = (family: Family, release: string | null, microdnf = false): Base => ({ runtimeImage: text, family, release, name: text, ownPrefix: null, microdnf, toolchainImage: false });
  if (key === 'gcc' || key === 'buildpack-deps') {
    const runtimeImage = cRuntimeFor(key, tag);
    if (!runtimeImage) return { runtimeImage: '', family: 'apt', release: null, name: `${key}:${tag ?? 'latest'}`, ownPrefix: null, microdnf: false, toolchainImage: true };
    const code = runtimeImage.replace(/^(debian|ubuntu):/, '').replace(/-slim$/, '');
    return { runtimeImage, family: 'apt', release: code, name: `${key}:${tag ?? 'latest'}`, ownPrefix: key === 'gcc' ? '/usr/local' : null, microdnf: false, toolchainImage: true };
  }
  if (key === 'debian') return same('apt', debianRelease(tag));
  if (key === 'ubuntu') return same('apt', ubuntuRelease(tag));
  if (key === 'alpine') return same('apk', alpineRelease(tag));
  if (EL9_IMAGE.test(key)) {
    const nine = /ubi9/.test(key) || /^(stream)?9(\.\d+)*(-minimal)?$/.test(tag ?? '');
    const major = /ubi(\d+)/.exec(key)?.[1] ?? /^(?:stream)?(\d+)/.exec(tag ?? '')?.[1];
    return same('dnf', nine ? 'el9' : major ? `el${major}` : null, /minimal/.test(key) || /-minimal$/.test(tag ?? ''));
  }
  if (key === 'fedora') return same('dnf', /^\d+$/.test(tag ?? '') ? `fedora ${tag}` : null);
  return null;
}

function isBuild(c: RunCommand): boolean {
  const n = c.cmd.name;
  if (!n) return false;
  const a = c.cmd.args.map((x) => x.value);
  // `cmake -S . -B build` and `meson setup build` only configure; `cmake --build`, `meson compile` build.
  if (n === 'cmake') return a.some((v) => v === '--build' || v === '--install');
  if (n === 'meson') return a[0] === 'compile' || a[0] === 'install';
  return BUILDERS.has(n);
}

/** Whether the command installs what the build made (`make install`, `cmake --install`, `ninja install`, `meson install`). */
function isInstall(c: RunCommand): boolean {
  const n = c.cmd.name;
  const a = c.cmd.args.map((x) => x.value ?? '');
  if (n === 'make' || n === 'gmake' || n === 'ninja') return a.some((v) => v === 'install' || v === 'install-strip');
  if (n === 'cmake') return a.includes('--install') || (a.includes('--build') && /(^| )install( |$)/.test(a.slice(a.indexOf('--target') + 1, a.indexOf('--target') + 2).join(' ')));
  if (n === 'meson') return a[0] === 'install';
  return false;
}

/** The value of `NAME=value` in a command's arguments or assignments. */
function assigned(c: RunCommand, names: RegExp): string | null {
  for (const a of [...c.cmd.assignments, ...c.cmd.args.map((x) => x.value ?? '')]) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(a);
    if (m && names.test(m[1])) return m[2];
  }
  return null;
}

function optionOf(args: string[], names: string[]): string | null {
  for (let k = 0; k < args.length; k++) {
    if (names.includes(args[k])) return args[k + 1] ?? null;
    const eq = names.find((n) => args[k].startsWith(n + '='));
    if (eq) return args[k].slice(eq.length + 1);
  }
  return null;
}

type Prefix = { path: string | null; how: string };

/** Where the install step puts the program: the prefix it is given, the default of its build system, or null (the Makefile's own). */
function installPrefix(cmds: RunCommand[], install: RunCommand): Prefix {
  const a = install.cmd.args.map((x) => x.value ?? '');
  if (install.cmd.name === 'make' || install.cmd.name === 'gmake') {
    const p = assigned(install, /^(PREFIX|prefix)$/);
    if (p !== null) return { path: p, how: `\`make install ${/^PREFIX=/.test(a.find((v) => /^(PREFIX|prefix)=/.test(v)) ?? '') ? 'PREFIX' : 'prefix'}=${p}\`` };
  }
  if (install.cmd.name === 'cmake') {
    const p = optionOf(a, ['--prefix']);
    if (p !== null) return { path: p, how: `\`cmake --install --prefix ${p}\`` };
  }
  // The configure step of the build system that made the tree.
  for (const c of [...cmds].reverse()) {
    const n = c.cmd.name ?? '';
    const ca = c.cmd.args.map((x) => x.value ?? '');
    if (n === 'cmake' && !ca.includes('--build') && !ca.includes('--install')) {
      const d = ca.find((v) => v.startsWith('-DCMAKE_INSTALL_PREFIX'));
      if (d) return { path: d.replace(/^-DCMAKE_INSTALL_PREFIX(:\w+)?=/, ''), how: '`-DCMAKE_INSTALL_PREFIX`' };
      return { path: '/usr/local', how: 'cmake\'s default prefix' };
    }
    if (n === 'meson' && (ca[0] === 'setup' || (ca[0] && !['compile', 'install', 'test', 'configure'].includes(ca[0])))) {
      const p = optionOf(ca, ['--prefix']) ?? ca.find((v) => v.startsWith('-Dprefix='))?.slice('-Dprefix='.length) ?? null;
      return p !== null ? { path: p, how: '`meson setup --prefix`' } : { path: '/usr/local', how: 'meson\'s default prefix' };
    }
    if (CONFIGURE_SCRIPT.test(n) && /configure$/.test(n)) {
      const p = optionOf(ca, ['--prefix']);
      return p !== null ? { path: p, how: `\`configure --prefix=${p}\`` } : { path: '/usr/local', how: 'configure\'s default prefix' };
    }
  }
  return { path: null, how: '' };
}

function installLine(base: Base, packages: string[]): string {
  if (base.family === 'apt') return aptInstallLine(packages);
  if (base.family === 'apk') return `RUN apk add --no-cache ${packages.join(' ')}`;
  const dnf = base.microdnf ? 'microdnf' : 'dnf';
  return `RUN ${dnf} install -y --nodocs --setopt=install_weak_deps=0 ${packages.join(' ')} && ${dnf} clean all`;
}

/** Options of cp, mv and install that take the next word as their value. */
const COPY_VALUE_OPTIONS = new Set(['-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix', '-Z', '--context']);

/** The files a copy after the build puts outside the build directories (`cp build/app /usr/local/bin/`); null when it cannot be followed. */
function copiedInto(c: RunCommand): string[] | null {
  const ops = c.cmd.args.map((x) => x.value);
  if (ops.some((o) => o === null)) return null;
  const words: string[] = [];
  let targetDir: string | null = null;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k] as string;
    if (o === '-d' || o === '--directory') return c.cmd.name === 'install' ? [] : null;
    if (o === '-t' || o === '--target-directory') targetDir = (ops[++k] as string | undefined) ?? null;
    else if (o.startsWith('--target-directory=')) targetDir = o.slice('--target-directory='.length);
    else if (COPY_VALUE_OPTIONS.has(o)) k++;
    else if (!o.startsWith('-')) words.push(o);
  }
  const destWord = targetDir ?? words.pop();
  if (!destWord || words.length === 0) return null;
  const dest = absPath(c.dir, destWord);
  if (!dest) return null;
  if (!targetDir && words.length === 1 && !destWord.endsWith('/') && !BIN_DIRS.has(dest)) return [dest];
  return words.map((w) => `${dest.replace(/\/$/, '')}/${w.replace(/\/$/, '').slice(w.replace(/\/$/, '').lastIndexOf('/') + 1)}`);
}

/** The absolute paths a command writes outside `dirs`, for the commands whose targets are plain operands. */
function writesOutside(c: RunCommand, dirs: string[]): string | null {
  const n = c.cmd.name ?? '';
  const ops = c.cmd.args.map((x) => x.value);
  const inPlace = n === 'sed' && ops.some((o) => o !== null && /^-[a-zA-Z]*i/.test(o));
  if (!['mkdir', 'ln', 'chmod', 'chown', 'tee', 'touch'].includes(n) && !COPIERS.has(n) && !inPlace) return null;
  const words = ops.filter((o): o is string => o !== null && !o.startsWith('-'));
  const targets = COPIERS.has(n) || n === 'ln' ? words.slice(-1) : n === 'chmod' || n === 'chown' || inPlace ? words.slice(1) : words;
  for (const t of targets) {
    const p = absPath(c.dir, t);
    if (!p) return t;
    if (!coveredBy(p, dirs)) return p;
  }
  return null;
}

/** The argument text of each `name( … )` call in a CMake file (up to the first `)`), found without backtracking. */
function callBodies(text: string, name: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
    let k = at + name.length;
    while (text[k] === ' ' || text[k] === '\t') k++;
    if (text[k] !== '(') continue;
    const end = text.indexOf(')', k);
    if (end < 0) break;
    out.push(text.slice(k + 1, end));
  }
  return out;
}

const own = (table: Record<string, string>, k: string): string | undefined => (Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined);

/**
 * The `-dev` packages a build links that a toolchain image carries on its own: from `-l` flags and `pkg-config`
 * modules on the RUN lines, and from the build files in the build directories (Makefile, CMakeLists.txt,
 * meson.build) when the workspace files are readable. `unknown`: a library named that the table does not know.
 */
function linkedDevPackages(model: Model, stage: Stage, cmds: RunCommand[], dirs: string[]): { dev: string[]; unknown: string[] } {
  const dev: string[] = [];
  const unknown: string[] = [];
  const note = (table: Record<string, string>, name: string, shown: string) => {
    const d = own(table, name);
    if (d === undefined) {
      if (!unknown.includes(shown)) unknown.push(shown);
    } else if (d && !dev.includes(d)) dev.push(d);
  };
  const libFlags = (text: string) => {
    for (const m of text.matchAll(/(?:^|[\s"'=(])-l([A-Za-z0-9_+.-]+)/g)) note(LINKED_LIBRARY_DEV.lib, m[1], `-l${m[1]}`);
  };
  const pkgModules = (words: string[]) => {
    for (const w of words) if (!w.startsWith('-') && /^[A-Za-z0-9_.+-]+$/.test(w)) note(LINKED_LIBRARY_DEV.pkgConfig, w, `pkg-config ${w}`);
  };
  for (const c of cmds) {
    const words = c.cmd.args.map((a) => a.value ?? '');
    if (c.cmd.name === 'pkg-config' || c.cmd.name === 'pkgconf') {
      if (words.some((w) => w === '--libs' || w === '--cflags')) pkgModules(words);
    } else if (COMPILERS.has(c.cmd.name ?? '') || c.cmd.name === 'make' || c.cmd.name === 'gmake') {
      for (const w of words) if (COMPILERS.has(c.cmd.name ?? '') ? /^-l./.test(w) : /^(LDLIBS|LIBS|LDFLAGS)=/.test(w)) libFlags(` ${w.replace(/^\w+=/, ' ')}`);
    }
  }
  const seen = new Set<string>();
  for (const dir of dirs) {
    for (const d of [dir, dir.slice(0, dir.lastIndexOf('/')) || '/']) {
      for (const name of ['Makefile', 'makefile', 'GNUmakefile', 'CMakeLists.txt', 'meson.build']) {
        const path = `${d.replace(/\/$/, '')}/${name}`;
        if (seen.has(path)) continue;
        seen.add(path);
        const f = contextFileFor(model, stage, path);
        if (!f) continue;
        const text = f.text.replace(/#.*$/gm, '');
        if (name === 'CMakeLists.txt') {
          for (const m of text.matchAll(/\bfind_package\s*\(\s*([A-Za-z0-9_]+)/g)) {
            const k = own(LINKED_LIBRARY_DEV.cmake, m[1]);
            if (k) {
              if (!dev.includes(k)) dev.push(k);
            }
          }
          for (const name of ['pkg_check_modules', 'pkg_search_module']) {
            for (const body of callBodies(text, name)) pkgModules(body.trim().split(/\s+/).slice(1).map((w) => w.split(/[<>=]/, 1)[0]).filter((w) => w && !/^[A-Z_]+$/.test(w)));
          }
          for (const body of callBodies(text, 'target_link_libraries')) {
            for (const w of body.trim().split(/\s+/).slice(1)) if (/^[a-z][a-z0-9_+]*$/.test(w) && own(LINKED_LIBRARY_DEV.lib, w) !== undefined) note(LINKED_LIBRARY_DEV.lib, w, w);
          }
          libFlags(text);
        } else if (name === 'meson.build') {
          for (const m of text.matchAll(/\bdependency\s*\(\s*'([^']+)'/g)) note(LINKED_LIBRARY_DEV.pkgConfig, m[1], `dependency('${m[1]}')`);
        } else {
          libFlags(text);
          for (const m of text.matchAll(/pkg-config\b([^\n)`]*)/g)) {
            const w = m[1].trim().split(/\s+/);
            if (w.some((x) => x === '--libs' || x === '--cflags')) pkgModules(w);
          }
        }
      }
    }
  }
  return { dev, unknown };
}

/** Compiler flags that link a run-time library of the compiler's own (libasan, libubsan, libtsan, libgomp). */
const COMPILER_RUNTIME_FLAG = /(?:^|[\s"'=])(-fsanitize=[\w,-]+|-fopenmp)\b/;

/** The first such flag on the stage's RUN lines or in the build files of the build directories, or null. */
function compilerRuntimeFlag(model: Model, stage: Stage, cmds: RunCommand[], dirs: string[]): string | null {
  for (const c of cmds) {
    for (const a of c.cmd.args) {
      const m = COMPILER_RUNTIME_FLAG.exec(` ${a.value ?? ''}`);
      if (m) return m[1];
    }
  }
  for (const dir of dirs) {
    for (const name of ['Makefile', 'makefile', 'GNUmakefile', 'CMakeLists.txt', 'meson.build']) {
      const text = contextFileFor(model, stage, `${dir.replace(/\/$/, '')}/${name}`)?.text.replace(/#.*$/gm, '');
      const m = text ? COMPILER_RUNTIME_FLAG.exec(text) : null;
      if (m) return m[1];
    }
  }
  return null;
}

/** Whether a gcc image tag is GCC 13 or later (or a moving tag): its libstdc++ is newer than Debian bookworm's GCC 12. */
function newerGccThanRuntime(tag: string): boolean {
  const m = /^(\d+)/.exec(tag);
  return !m || Number(m[1]) >= 13;
}

/** Whether the build compiles C++: a C++ compiler or C++ sources on the RUN lines, or C++ in the build files. */
function buildsCxx(model: Model, stage: Stage, cmds: RunCommand[], dirs: string[]): boolean {
  const cxxFile = /\.(cpp|cc|cxx|c\+\+|C)$/;
  for (const c of cmds) {
    const n = c.cmd.name ?? '';
    if (n === 'g++' || n === 'c++' || n === 'clang++' || /^g\+\+-\d+$/.test(n)) return true;
    // The C driver compiles a .cpp file as C++ but links no libstdc++ unless told (`-lstdc++`): a program that
    // needs it would not link, so one that builds this way uses libc alone.
    if (COMPILERS.has(n) && c.cmd.args.some((a) => cxxFile.test(a.value ?? '')) && c.cmd.args.some((a) => a.value === '-lstdc++')) return true;
  }
  // The build files count only for the tool that reads them: a CMakeLists.txt beside a plain `gcc` line is not built.
  const runsCmake = cmds.some((c) => c.cmd.name === 'cmake');
  const runsMake = cmds.some((c) => /^(make|gmake)$/.test(c.cmd.name ?? ''));
  for (const dir of dirs) {
    for (const d of [dir, dir.slice(0, dir.lastIndexOf('/')) || '/']) {
      const cmake = runsCmake ? contextFileFor(model, stage, `${d.replace(/\/$/, '')}/CMakeLists.txt`)?.text : undefined;
      // CMake enables C and C++ unless project() names its languages.
      if (cmake && callBodies(cmake, 'project').some((b) => !/\b(LANGUAGES\s+)?C\s*$/.test(b.trim()) || /\bCXX\b/.test(b))) return true;
      const make = runsMake ? contextFileFor(model, stage, `${d.replace(/\/$/, '')}/Makefile`)?.text : undefined;
      if (make && /\$\(CXX\)|\bg\+\+|\bclang\+\+|\.(cpp|cc|cxx)\b/.test(make)) return true;
    }
  }
  return false;
}

export const cRecipe: Recipe = {
  ecosystem: 'c',
  applies(model, stage) {
    if (rootRepoIs(stage, /^(gcc|buildpack-deps)$/)) return true;
    // A distribution image counts when it keeps build packages and runs a native build.
    const base = baseOf(stage);
    if (!base) return false;
    return buildPackagesShipped(model, stage).length > 0 && runCommands(model, stage).some(isBuild);
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const base = baseOf(stage)!;
    if (!base.runtimeImage) return { ok: false, reason: `the distribution release behind ${base.name} is not known here` };
    // The stage sets no WORKDIR: a distribution image starts in /, until a `cd` (which runCommands follows from there).
    const startDir = !base.toolchainImage && !stage.instructions.some((i) => i.keyword === 'WORKDIR') ? '/' : null;
    const raw = runCommands(model, stage);
    const cmds = raw.map((c, k) => (c.dir === null && startDir && !raw.slice(0, k).some((x) => x.instr === c.instr && x.cmd.name === 'cd') ? { ...c, dir: startDir } : c));
    const builds = cmds.filter(isBuild);
    const build = builds[builds.length - 1];
    if (!build) return { ok: false, reason: 'no `make`, `cmake --build`, `meson compile`/`ninja` or compiler step in the final stage' };

    // The packages: run-time libraries of the -dev packages, the other packages again, build tools left behind.
    const pkgs = base.family === 'apt' ? aptPackages(model, stage) : otherPackages(model, stage, base.family);
    if (base.family === 'apt') {
      for (const p of pkgs.runtime.filter((x) => APT_BUILD_ONLY.test(x))) pkgs.buildOnly.push(p);
      // Tools named like headers (dpkg-dev: dpkg-architecture, dpkg-buildflags).
      for (const p of pkgs.dev.filter((x) => APT_BUILD_ONLY.test(x))) pkgs.buildOnly.push(p);
      pkgs.dev = pkgs.dev.filter((x) => !APT_BUILD_ONLY.test(x));
    }
    const wants = pkgs.runtime.filter((p) => !(base.family === 'apt' && APT_BUILD_ONLY.test(p)));
    if (pkgs.buildOnly.includes('ca-certificates') && !wants.includes('ca-certificates')) wants.push('ca-certificates');
    const sorted = { ...pkgs, runtime: wants };
    const example = base.family === 'apk' ? 'alpine:3.20' : base.family === 'dnf' ? 'ubi9/ubi-minimal:9.4' : /^ubuntu[:@]/.test(base.name) ? 'ubuntu:24.04' : 'debian:bookworm';
    const nameIt = `name the release in the tag (e.g. ${example})`;
    const runtime = runtimePackages(sorted, base.release, base.name, nameIt);
    // Where the tables do not know the run-time packages (a release or a -dev package they lack), the builder finds
    // them after the build (scanned-packages.ts), on the distributions whose tools the scan uses.
    let scan: string | null = null;
    if (!runtime.ok) {
      if (pkgs.problem || base.family === 'dnf') return runtime;
      scan = `the tables here do not know the run-time package${pkgs.dev.length > 1 ? 's' : ''} of ${pkgs.dev.join(', ')} on ${base.name}`;
    }
    const packages = runtime.ok ? [...runtime.packages] : [...sorted.runtime];
    // musl images lack the C++ runtime that a C++ compiler's programs link; glibc images have it.
    if (base.family === 'apk' && pkgs.buildOnly.some((p) => /^(g\+\+|build-base|clang(\d+)?)$/.test(p))) {
      for (const l of ['libstdc++', 'libgcc']) if (!packages.includes(l)) packages.push(l);
    }

    // What the program is and where the build puts it.
    const words = mainCommand(model, stage);
    // An init wrapper (`tini --`, `dumb-init`) runs the program: the program is the first word after it.
    let k = 0;
    while (words && k < words.length && (WRAPPERS.has(words[k]) || (k > 0 && words[k].startsWith('-')))) k++;
    const prog = words?.[k];
    if (!prog) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT naming the program' };
    const installs = cmds.filter(isInstall);
    const install = installs[installs.length - 1] ?? null;
    const lastStep = [build, install].filter((x): x is RunCommand => !!x).sort((x, y) => cmds.indexOf(x) - cmds.indexOf(y)).pop()!;
    const dirOf = (c: RunCommand) => {
      const d = c.dir;
      // `make -C dir`, `ninja -C dir`: the build runs there.
      const a = c.cmd.args.map((x) => x.value ?? '');
      const C = /^(make|gmake|ninja|meson)$/.test(c.cmd.name ?? '') ? optionOf(a, ['-C', '--directory']) : null;
      return C !== null ? absPath(d, C) : d;
    };
    const buildDirs = [...new Set(cmds.filter((c) => isBuild(c) || CONFIGURE_SCRIPT.test(c.cmd.name ?? '') || c.cmd.name === 'cmake' || c.cmd.name === 'meson').map(dirOf))];
    if (buildDirs.some((d) => d === null)) return { ok: false, reason: 'the working directory of a build step is not known (a variable, or the image\'s own WORKDIR)' };
    if (buildDirs.includes('/')) return { ok: false, reason: 'a build step runs in /, so its sources and output cannot be told apart from the image' };
    if (base.toolchainImage) {
      // The image's own -dev packages: the libraries the build files say the program links need their run-time packages.
      const linked = linkedDevPackages(model, stage, cmds, buildDirs as string[]);
      if (linked.unknown.length && !scan) scan = `the build links ${linked.unknown.join(', ')}, which ${base.name} may provide with its own -dev packages, and the tables here do not know the run-time package`;
      const extra = linked.dev.filter((d) => !pkgs.dev.includes(d));
      if (extra.length && !scan) {
        const more = runtimePackages({ dev: extra, buildOnly: [], runtime: [], problem: null }, base.release, base.name);
        if (!more.ok) scan = `the tables here do not know the run-time package of ${extra.join(', ')} on ${base.runtimeImage}`;
        else for (const p of more.packages) if (!packages.includes(p)) packages.push(p);
      }
    }
    if (base.toolchainImage && base.name.startsWith('gcc:') && newerGccThanRuntime(base.name.slice(4)) && buildsCxx(model, stage, cmds, buildDirs as string[])) {
      return { ok: false, reason: `the program is C++ built by ${base.name}, whose own libstdc++ (in /usr/local/lib64) is newer than the one ${base.runtimeImage} has (GCC 12's): the runtime would need that library too, which is not copied here` };
    }
    // A sanitizer or OpenMP links the compiler's own run-time library (libasan, libgomp), which no -dev package names.
    if (!scan && (base.family === 'apt' || base.family === 'apk')) {
      const flag = compilerRuntimeFlag(model, stage, cmds, buildDirs as string[]);
      // gcc keeps its own libasan and libgomp in /usr/local, which no package owns and the runtime does not get.
      if (flag && base.ownPrefix) return { ok: false, reason: `the build uses \`${flag}\`, whose run-time library ${base.name} keeps with its compiler in ${base.ownPrefix}, which the runtime does not have` };
      if (flag) scan = `the build uses \`${flag}\`, whose run-time library comes with the compiler, not with a -dev package the tables know`;
    }
    const sourceDirs = [...(buildDirs as string[]), '/tmp'];
    // The source tree: what the stage copied from the context into, or above, a build directory.
    for (const d of copyDests(model, stage)) {
      if (d.from || !d.path || d.path === '/') continue;
      const dir = d.path.replace(/\/$/, '');
      if (coveredBy(dir, buildDirs as string[]) || (buildDirs as string[]).some((b) => coveredBy(b, [dir]))) sourceDirs.push(dir);
    }

    const artifacts: string[] = [];
    const targets: Record<string, string> = {};
    /** The prefix the install step installs into (inside DESTDIR when there is one). */
    let prefixPath: string | null = null;
    if (install) {
      const destdir = assigned(install, /^DESTDIR$/);
      const prefix = installPrefix(cmds, install);
      if (destdir !== null) {
        const d = absPath(install.dir, destdir);
        if (!d || d === '/') return { ok: false, reason: 'the DESTDIR of the install step is not a plain directory' };
        artifacts.push(d);
        targets[d] = '/';
      } else if (prefix.path === null) {
        if (!prog.startsWith('/')) return { ok: false, reason: '`make install` puts the program under a PREFIX the Makefile sets, which the Dockerfile does not show; name the program by its path in the CMD' };
        const m = /^(\/.+)\/s?bin\/[^/]+$/.exec(prog);
        if (!m) return { ok: false, reason: `\`make install\` installs where the Makefile says, and ${prog} does not show which prefix that is` };
        prefix.path = m[1];
        prefix.how = `the prefix of ${prog}`;
      }
      prefixPath = prefix.path === null ? null : absPath(install.dir, prefix.path);
      if (destdir === null) {
        const p = absPath(install.dir, prefix.path!);
        if (!p) return { ok: false, reason: 'the install prefix is a relative path' };
        if (SYSTEM_DIRS.has(p)) return { ok: false, reason: `the install step puts the program into ${p} (${prefix.how}), beside the image's own files, so which files are the program's is not known; install with DESTDIR=/out or into a prefix of its own (e.g. /opt/app) to convert` };
        if (base.ownPrefix && coveredBy(base.ownPrefix, [p])) return { ok: false, reason: `the install step puts the program into ${p} (${prefix.how}), where ${base.name} keeps its own compiler, so which files are the program's is not known; install with DESTDIR=/out or into a prefix of its own (e.g. /opt/app) to convert` };
        artifacts.push(p);
      }
    }
    // Programs copied into place after the build (`cp build/app /usr/local/bin/`).
    let lastCopy: RunCommand | null = null;
    for (const c of cmds.slice(cmds.indexOf(builds[0]))) {
      if (!COPIERS.has(c.cmd.name ?? '')) continue;
      const into = copiedInto(c);
      if (into === null) return { ok: false, reason: `the \`${c.cmd.name}\` on line ${c.instr.line + 1} copies files the recipe cannot follow (an option value or a variable)` };
      for (const f of into) if (!coveredBy(f, [...sourceDirs, ...artifacts])) {
        if (SYSTEM_DIRS.has(f)) return { ok: false, reason: `the \`${c.cmd.name}\` on line ${c.instr.line + 1} copies into ${f}` };
        artifacts.push(f);
        lastCopy = c;
      }
    }
    if (!install && prog.includes('/')) {
      // A relative program path is relative to the WORKDIR the image runs in.
      const p = absPath(workdirAt(model, stage, null) ?? startDir, prog);
      if (!p) return { ok: false, reason: 'the program path is relative and the working directory is unknown' };
      if (!coveredBy(p, artifacts)) {
        // A file of the build context (a start script) is not what the build made: what it runs is not known.
        if (contextFileFor(model, stage, p) || (!model.files && /\.(sh|bash|py|pl|rb|js)$/.test(p))) {
          return { ok: false, reason: `the CMD runs ${p}, a file copied from the build context rather than a program the build makes; which programs and files it uses at run time is not known here` };
        }
        // In a build directory; or elsewhere in the source tree and not a file of the context (CMake's EXECUTABLE_OUTPUT_PATH).
        const inSource = !!model.files && coveredBy(p, sourceDirs.filter((d) => d !== '/tmp'));
        if ((buildDirs as string[]).some((bd) => bd !== '/' && coveredBy(p, [bd])) || inSource) artifacts.push(p);
        else return { ok: false, reason: `the CMD runs ${p}, which the build step does not show it makes` };
      }
    } else if (!install && !artifacts.some((a) => a.endsWith(`/${prog}`) && BIN_DIRS.has(a.slice(0, a.lastIndexOf('/'))))) {
      return { ok: false, reason: `the CMD runs \`${prog}\` from PATH, not a program the build step makes` };
    }

    // Files the stage copied in from the context outside the source tree (a config file, an entrypoint script).
    for (const d of copyDests(model, stage)) {
      if (d.from || !d.path || coveredBy(d.path, sourceDirs) || coveredBy(d.path, artifacts)) continue;
      if (d.path === '/' || SYSTEM_DIRS.has(d.path.replace(/\/$/, ''))) return { ok: false, reason: `the ${d.instr.keyword} on line ${d.instr.line + 1} copies into ${d.path}, which cannot be told apart from the image` };
      artifacts.push(d.path.replace(/\/$/, '') || '/');
    }

    // Every other command must leave nothing behind that the runtime would miss.
    for (const c of cmds) {
      const n = c.cmd.name;
      if (!n) return { ok: false, reason: `the RUN on line ${c.instr.line + 1} runs a command whose name depends on a variable` };
      const base0 = n.replace(/^.*\//, '');
      if (/^(useradd|adduser|groupadd|addgroup)$/.test(base0)) return { ok: false, reason: `the RUN on line ${c.instr.line + 1} runs \`${base0}\`: the user it creates would not exist in the runtime stage` };
      if (!(BUILD_HELPERS.has(base0) || BUILDERS.has(base0) || CONFIGURE_SCRIPT.test(n))) {
        return { ok: false, reason: `the RUN on line ${c.instr.line + 1} runs \`${n}\`, whose changes to the image would not reach the runtime stage` };
      }
      const out = writesOutside(c, [...sourceDirs, ...artifacts]);
      if (out && !(COPIERS.has(base0) && cmds.indexOf(c) >= cmds.indexOf(builds[0]))) {
        return { ok: false, reason: `the RUN on line ${c.instr.line + 1} writes ${out} (\`${n}\`), which the runtime stage would not have` };
      }
    }

    // A program installed into a prefix runs from PATH only when the prefix's bin directory is on it.
    const onPath = (p: string) => BIN_DIRS.has(p.replace(/\/$/, ''));
    const installedOnPath = !!install && !prog.includes('/') && prefixPath !== null && (onPath(`${prefixPath}/bin`) || onPath(`${prefixPath}/sbin`));
    if (install && !prog.includes('/') && !installedOnPath && !artifacts.some((a) => a.endsWith(`/${prog}`) && BIN_DIRS.has(a.slice(0, a.lastIndexOf('/'))))) {
      return {
        ok: false,
        reason: prefixPath === null
          ? '`make install` puts the program under a PREFIX the Makefile sets, which the Dockerfile does not show; name the program by its path in the CMD'
          : `the CMD runs \`${prog}\` from PATH, and ${prefixPath}/bin, where the install step puts it, is not on PATH`,
      };
    }

    // The tools the CMD, ENTRYPOINT and HEALTHCHECK run besides the program: the image's own, or installed in the runtime.
    const programs = new Set(BASE_PROGRAMS[base.family]);
    if (installedOnPath) programs.add(prog);
    for (const i of stage.instructions) {
      if (i.keyword !== 'CMD' && i.keyword !== 'ENTRYPOINT' && i.keyword !== 'HEALTHCHECK') continue;
      const tool = programOf(model, i).words?.[0];
      if (!tool || tool.includes('/') || tool === prog || programs.has(tool)) continue;
      if (i.keyword === 'CMD' && stage.instructions.some((j) => j.keyword === 'ENTRYPOINT')) continue;
      const pkg = TOOL_PACKAGE[base.family][tool] ?? (packages.includes(tool) || pkgs.buildOnly.includes(tool) ? tool : null);
      if (!pkg) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs \`${tool}\`, and which package puts it into the runtime is not known here` };
      if (!packages.includes(pkg)) packages.push(pkg);
      programs.add(tool);
    }

    const artifactTargets: Record<string, string> = { ...targets };
    // glibc finds libraries in /usr/local/lib through ld.so.cache, which the builder's ldconfig (or a later package
    // install's trigger) wrote and the runtime's package install ran before the copy: the loader is told instead.
    const runtimeEnv: string[] = [];
    const localLibs = install && base.family !== 'apk' && prefixPath === '/usr/local';
    const hasLdPath = stage.instructions.some((i) => i.keyword === 'ENV' && /\bLD_LIBRARY_PATH\b/.test(i.node.getRawArgumentsContent() ?? ''));
    if (localLibs && !hasLdPath) runtimeEnv.push(`ENV LD_LIBRARY_PATH=${base.family === 'dnf' ? '/usr/local/lib64:' : ''}/usr/local/lib`);
    // The build directory stays behind when nothing the runtime copies is in it and the command names no path
    // relative to it: an empty WORKDIR would only look like a place for mounted files.
    const wd = workdirAt(model, stage, null);
    // A program built in the WORKDIR runs next to what the COPY brought (data files, templates, a config it opens by
    // a relative path): which of them it reads is not known, so the WORKDIR is copied whole, not the binary alone.
    if (wd && wd !== '/' && !install) {
      const inWd = artifacts.filter((a) => a !== wd && coveredBy(a, [wd]) && (artifactTargets[a] ?? a) === a);
      if (inWd.length) {
        for (const a of inWd) artifacts.splice(artifacts.indexOf(a), 1);
        if (!artifacts.some((a) => coveredBy(wd, [a]))) artifacts.push(wd);
      }
    }
    const relative = (words ?? []).some((w) => !w.startsWith('/') && !w.startsWith('-') && w.includes('/'));
    const keepWd = !wd || relative || artifacts.some((a) => coveredBy(a, [wd]) || coveredBy(wd, [a]));
    const buildStep = lastCopy && cmds.indexOf(lastCopy) > cmds.indexOf(lastStep) ? lastCopy.instr : lastStep.instr;
    const manager = base.family === 'apk' ? 'apk' : 'apt';
    const asOther = manager === 'apk' && runsAsOtherAt(stage, buildStep);
    if (scan && (asOther || !scannable(artifacts))) {
      const cannot = `the builder cannot scan for them: ${asOther ? 'it builds as a user other than root, and the scan installs scanelf with apk' : 'a path the runtime copies is not a plain path'}`;
      return { ok: false, reason: `${runtime.ok ? scan : runtime.reason}; ${cannot}` };
    }
    return {
      ok: true,
      plan: {
        ecosystem: 'c',
        buildStep,
        artifacts,
        artifactTargets,
        runtimeImage: base.runtimeImage,
        builderEdits: scan ? [{ start: buildStep.end, end: buildStep.end, text: scanStep(model, manager, artifacts) }] : [],
        buildOnlyEnv: /^(CC|CXX|CPP|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|PKG_CONFIG_PATH|CMAKE_\w+)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms: [...programs],
        ...(keepWd ? {} : { runtimeWorkdir: null }),
        runtimeSetup: scan ? [scannedInstall(manager, packages)] : packages.length ? [installLine(base, packages)] : [],
        runtimeEnv,
        ...(scan ? { runtimeFromBuilder: [SCANNED_PACKAGES], note: scanNote(manager, scan, base.release === null ? base.runtimeImage : null) } : {}),
      },
    };
  },
};
