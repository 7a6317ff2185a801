/**
 * Go: build in the original golang image and ship the binary alone.
 * - Without cgo: `CGO_ENABLED=0` is added to `go build` and the static binary goes to distroless static (non-root).
 * - With cgo (`CGO_ENABLED=1`, C toolchains or `-dev` packages installed, or go.mod requiring a cgo-only module):
 *   the binary links glibc, so it goes to the same Debian release: distroless base (non-root) when it needs
 *   nothing beyond libc, else `debian:<release>-slim` with the run-time libraries of the `-dev` packages
 *   (knowledge/runtime-libraries.ts) installed in one apt-get RUN.
 * The binary is the `-o` path, or, without `-o`, the name `go build` derives from the package's import path
 * (go.mod's module path, read from the build context) in the directory the build runs in.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { rootImage, stageVars, workdirAt } from '../../core/stage-info';
import type { ShellCommand } from '../../core/shell';
import { aptPackageName, isKnownRelease, runtimeLibFor, runtimeLibraries, type Release } from '../../knowledge/runtime-libraries';
import { otherPackages } from './system-packages';
import { SCANNED_PACKAGES, runsAsOtherAt, scannable, scannedInstall, scanNote, scanStep } from './scanned-packages';
import { BUILD_PACKAGE, DISTROLESS_BASE, GO_LIVE_RELOAD, TOOLCHAIN_PACKAGE, golangRelease } from '../../knowledge/toolchains';
import { absPath, copyDests, coveredBy, mainCommand, runCommands, type RunCommand, rootRepoIs } from './common';
import { goRuntimeNeeds } from './go-runtime-needs';
import { goExecName, parseGoMod, readCopied, type GoMod } from './project-files';
import type { Recipe, RecipeResult } from './types';

export const RUNTIME_GO = 'gcr.io/distroless/static-debian12:nonroot';

/** Modules that only work with cgo: github.com/mattn/go-sqlite3 ("a cgo package", its README), confluent-kafka-go (links librdkafka through cgo, its README). */
const CGO_MODULES = ['github.com/mattn/go-sqlite3', 'github.com/confluentinc/confluent-kafka-go'];

/** `go build` flags that take the next word as their value (go help build). */
const VALUE_FLAGS = new Set(['-o', '-p', '-C', '-ldflags', '-gcflags', '-asmflags', '-gccgoflags', '-tags', '-mod', '-modfile', '-pkgdir', '-buildmode', '-compiler', '-installsuffix', '-overlay', '-pgo', '-toolexec', '-covermode', '-coverpkg']);
/** Packages that are C compilers or their C++ side (cgo code may link libstdc++, which distroless base lacks). */
const CXX_HINT = /^(g\+\+(-\d+)?|clang(\+\+)?(-\d+)?|build-essential|libstdc\+\+(-\d+)?-dev)$/;
/** -dev packages of libc itself: every Debian runtime has libc6. */
const LIBC_DEV = /^(libc6-dev|libc-dev|linux-libc-dev|libc6-dev-[a-z0-9]+)$/;
const BUILD_ONLY_ENV = /^(GO[A-Z0-9_]*|CGO_[A-Z_]+|CC|CXX|CFLAGS|LDFLAGS|PKG_CONFIG_PATH|PATH)$/;

interface GoBuild {
  flags: Map<string, string | null>;
  packages: string[];
}

function parseGoBuild(cmd: ShellCommand): GoBuild | null {
  const flags = new Map<string, string | null>();
  const packages: string[] = [];
  const a = cmd.args.slice(1);
  for (let k = 0; k < a.length; k++) {
    const v = a[k].value;
    // A flag may hold an expansion (`-ldflags "-X main.version=$VERSION"`); only -o, -C and the packages must be static.
    const text = v ?? a[k].raw;
    if (text.startsWith('-')) {
      const name = text.replace(/^--/, '-').replace(/=[\s\S]*$/, '');
      if (v !== null && v.includes('=')) flags.set(name, v.slice(v.indexOf('=') + 1));
      else if (v === null && text.includes('=')) flags.set(name, null);
      else if (VALUE_FLAGS.has(name)) flags.set(name, a[++k]?.value ?? null);
      else flags.set(name, null);
      if ((name === '-o' || name === '-C') && flags.get(name) === null) return null;
    } else if (v === null) return null;
    else packages.push(v);
  }
  return { flags, packages };
}

/** The go.mod governing a directory of the image: that directory's or the nearest parent's, as copied from the build context. */
function findGoMod(model: Model, stage: Stage, c: RunCommand, imageDir: string): { mod: GoMod; root: string } | { error: string } | null {
  for (let d: string | null = imageDir; d; d = d === '/' ? null : d.slice(0, d.lastIndexOf('/')) || '/') {
    const text = readCopied(model, stage, d, 'go.mod', c.instr);
    if (text === null) continue;
    const mod = parseGoMod(text);
    return mod ? { mod, root: d } : { error: `the go.mod copied to ${d} has no readable module line` };
  }
  return null;
}

interface Output {
  path: string | null;
  reason?: string;
  mod: GoMod | null;
  /** The image folder of that go.mod. */
  modRoot?: string;
}

/** Where `go build` writes the binary, and the go.mod it found on the way (for the cgo check). */
function outputOf(model: Model, stage: Stage, c: RunCommand, b: GoBuild): Output {
  const dir = c.dir;
  let modRoot: string | undefined;
  const modAt = (imageDir: string | null): GoMod | null => {
    const f = imageDir ? findGoMod(model, stage, c, imageDir) : null;
    if (f && 'mod' in f) modRoot = f.root;
    return f && 'mod' in f ? f.mod : null;
  };
  if (b.flags.has('-C')) return { path: null, reason: '`go build -C <dir>` changes directory first; convert without -C', mod: null };
  const out = b.flags.get('-o');
  if (out) {
    if (!out.startsWith('/') && !dir) return { path: null, reason: 'the binary path is relative and the working directory is unknown', mod: null };
    if (out.endsWith('/')) return { path: null, reason: '`go build -o <dir>/` writes binaries named after packages the Dockerfile does not show', mod: null };
    return { path: absPath(dir, out), mod: modAt(dir), modRoot };
  }
  if (!dir) return { path: null, reason: '`go build` without -o writes into the working directory, which is unknown', mod: null };
  const pkgs = b.packages.length ? b.packages : ['.'];
  if (pkgs.every((p) => p.endsWith('.go'))) {
    // `go build ed.go rx.go` writes `ed` (go help build).
    const first = pkgs[0].slice(pkgs[0].lastIndexOf('/') + 1).replace(/\.go$/, '');
    return { path: absPath(dir, first), mod: modAt(dir), modRoot };
  }
  if (pkgs.length > 1 || pkgs[0].includes('...')) return { path: null, reason: '`go build` of several packages writes no binary; name one package and its output with -o', mod: null };
  const pkg = pkgs[0];
  if (!pkg.startsWith('.') && !pkg.startsWith('/')) {
    // An import path names its binary by itself.
    const name = goExecName(pkg);
    return name ? { path: absPath(dir, name), mod: modAt(dir), modRoot } : { path: null, reason: `the binary name of package ${pkg} is not clear`, mod: null };
  }
  const named = nameOfPackageDir(model, stage, c, absPath(dir, pkg));
  if ('reason' in named) return { path: null, reason: named.reason, mod: null };
  return { path: absPath(dir, named.name), mod: named.mod, modRoot: named.root };
}

/**
 * The value of a Go environment variable for the command `c`: its own assignment, else the stage's ARG/ENV, else
 * `fallback`. `undefined` when the RUN's shell may set it another way (`export GOBIN=…` beside the command).
 */
function goEnv(model: Model, stage: Stage, c: RunCommand, name: string, fallback: string | null = null): string | null | undefined {
  const own = c.cmd.assignments.find((a) => a.startsWith(`${name}=`));
  if (own !== undefined) return own.slice(name.length + 1);
  const body = c.instr.run?.body ?? '';
  for (let k = body.indexOf(`${name}=`); k >= 0; k = body.indexOf(`${name}=`, k + 1)) {
    if (k === 0 || !/[A-Za-z0-9_]/.test(body[k - 1])) return undefined;
  }
  const v = stageVars(model, stage, c.instr);
  return v.has(name) ? v.get(name) ?? null : fallback;
}

/**
 * GOPATH mode, where a package without go.mod builds: GO111MODULE=off, or auto/unset on Go before 1.16 (module
 * mode became the default with Go 1.16; golang.org/doc/go1.16#modules), or auto on any version (then go.mod decides).
 */
function gopathMode(model: Model, stage: Stage, c: RunCommand): boolean {
  const mode = goEnv(model, stage, c, 'GO111MODULE');
  if (mode === undefined) return false;
  if (mode === 'off' || mode === 'auto') return true;
  if (mode !== null && mode !== '') return false;
  const m = /^1\.(\d+)(?:[.-]|$)/.exec(rootImage(stage).ref?.tag ?? '');
  return !!m && Number(m[1]) < 16;
}

/**
 * The name `go build` / `go install` gives the binary of the package in the image directory `pkgDir`: the last
 * element of its import path (go.mod's module path and the folder below it; go help build); in GOPATH mode, with
 * no go.mod, the folder's own name.
 */
function nameOfPackageDir(model: Model, stage: Stage, c: RunCommand, pkgDir: string | null): { name: string; mod: GoMod | null; root?: string } | { reason: string } {
  if (!pkgDir || !model.files) return { reason: '`go build` without `-o <path>`: the binary is named after the module path in go.mod, which is not readable here' };
  const found = findGoMod(model, stage, c, pkgDir);
  if (!found) {
    // No go.mod: the build runs in GOPATH mode only where that mode is on, and no RUN before it makes one.
    const init = runCommands(model, stage).some((x) => x.instr.start <= c.instr.start && x.cmd.name === 'go' && x.cmd.args[0]?.value === 'mod');
    const name = pkgDir === '/' ? null : pkgDir.slice(pkgDir.lastIndexOf('/') + 1);
    if (!init && gopathMode(model, stage, c) && name && goExecName(name) === name) return { name, mod: null };
    return { reason: '`go build` without `-o <path>`: no go.mod copied from the build context names the module' };
  }
  if ('error' in found) return { reason: found.error };
  const sub = pkgDir === found.root ? '' : pkgDir.slice(found.root === '/' ? 1 : found.root.length + 1);
  const name = goExecName(sub ? `${found.mod.module}/${sub}` : found.mod.module);
  if (!name) return { reason: `the binary name of module ${found.mod.module} is not clear` };
  return { name, mod: found.mod, root: found.root };
}

/**
 * Where `go install` writes the binary (go help install, go help environment): $GOBIN, else $GOPATH/bin (the golang
 * images set GOPATH=/go and no GOBIN: docker-library/golang's Dockerfile template), named like `go build`'s
 * (`pkg@version`: the last element of its path). A remote `pkg@version` has no sources in the build context.
 */
function installOutputOf(model: Model, stage: Stage, c: RunCommand, b: GoBuild): Output & { remote?: boolean } {
  const no = (reason: string): Output => ({ path: null, reason, mod: null });
  if (b.flags.has('-C')) return no('`go install -C <dir>` changes directory first; convert without -C');
  const goos = goEnv(model, stage, c, 'GOOS');
  const goarch = goEnv(model, stage, c, 'GOARCH');
  if (goos === undefined || goarch === undefined || (goos !== null && goos !== 'linux') || goarch) {
    return no('`go install` with GOOS/GOARCH set writes into a folder per platform when they differ from the build machine\'s; build with `go build -o <path>` to convert');
  }
  const gobin = goEnv(model, stage, c, 'GOBIN');
  const gopath = goEnv(model, stage, c, 'GOPATH', '/go');
  let bin: string;
  if (gobin === undefined || gopath === undefined) return no('GOBIN or GOPATH is set in the same RUN\'s shell, so where `go install` puts the binary is not known');
  if (gobin) {
    if (gobin.includes('$') || !gobin.startsWith('/')) return no(`\`go install\` puts the binary in GOBIN=${gobin}, not a plain absolute path`);
    bin = absPath('/', gobin)!;
  } else {
    if (!gopath || gopath.includes('$') || gopath.includes(':') || !gopath.startsWith('/')) return no(`\`go install\` puts the binary in $GOPATH/bin, and GOPATH=${gopath ?? ''} is not one plain absolute path`);
    bin = `${absPath('/', gopath)!.replace(/\/$/, '')}/bin`;
  }
  const pkgs = b.packages.length ? b.packages : ['.'];
  if (pkgs.length > 1 || pkgs[0].includes('...')) return no('`go install` of several packages writes several binaries; name one package');
  const pkg = pkgs[0];
  if (pkg.endsWith('.go')) return no('`go install` of .go files: build with `go build -o <path>` to convert');
  if (pkg.includes('@')) {
    const name = goExecName(pkg.slice(0, pkg.indexOf('@')));
    return name ? { path: `${bin}/${name}`, mod: null, remote: true } : no(`the binary name of package ${pkg} is not clear`);
  }
  if (!pkg.startsWith('.') && !pkg.startsWith('/')) {
    const name = goExecName(pkg);
    if (!name) return no(`the binary name of package ${pkg} is not clear`);
    // A package of the module in the working directory, or one of its dependencies (no sources here).
    const own = c.dir ? findGoMod(model, stage, c, c.dir) : null;
    if (own && 'mod' in own && (pkg === own.mod.module || pkg.startsWith(`${own.mod.module}/`))) return { path: `${bin}/${name}`, mod: own.mod, modRoot: own.root };
    return { path: `${bin}/${name}`, mod: null, remote: true };
  }
  const pkgDir = absPath(c.dir, pkg);
  const named = nameOfPackageDir(model, stage, c, pkgDir);
  if ('reason' in named) return no(named.reason.replace('`go build` without `-o <path>`', '`go install`'));
  if (!named.mod && !coveredBy(pkgDir!, [`${absPath('/', gopath ?? '/go')}/src`])) return no('`go install` in GOPATH mode installs only packages inside $GOPATH/src');
  return { path: `${bin}/${named.name}`, mod: named.mod, modRoot: named.root };
}

/** Package names of the stage's apt-get/apt installs (versions and architectures dropped), and whether apk/dnf install anything. */
function systemPackages(model: Model, stage: Stage): { apt: string[]; other: boolean } {
  const apt: string[] = [];
  let other = false;
  for (const c of runCommands(model, stage)) {
    const n = c.cmd.name;
    const a = c.cmd.args.map((x) => x.value);
    if ((n === 'apk' && a.includes('add')) || ((n === 'dnf' || n === 'yum' || n === 'microdnf') && a.includes('install'))) other = true;
    if ((n !== 'apt-get' && n !== 'apt') || !a.includes('install')) continue;
    for (const p of a.slice(a.indexOf('install') + 1)) {
      if (p === null || p.startsWith('-')) continue;
      const name = aptPackageName(p);
      if (!apt.includes(name)) apt.push(name);
    }
  }
  return { apt, other };
}

/** Programs `go install` put in the image: the last element of each package path, the version removed. */
function goInstalledTools(cmds: RunCommand[]): Map<string, RunCommand> {
  const out = new Map<string, RunCommand>();
  for (const c of cmds) {
    if (c.cmd.name !== 'go' || c.cmd.args[0]?.value !== 'install') continue;
    for (const a of c.cmd.args.slice(1)) {
      const v = a.value;
      if (!v || v.startsWith('-')) continue;
      const name = v.split('@', 1)[0].replace(/\/(\.\.\.)?$/, '').split('/').pop();
      if (name && name !== '.' && name !== '...') out.set(name, c);
    }
  }
  return out;
}

/** Packages that a static Go binary finds in distroless/static too (CA certificates, time zones). */
const IN_DISTROLESS_STATIC = /^(tzdata|ca-certificates)$/;

export const goRecipe: Recipe = {
  ecosystem: 'go',
  applies(_model, stage) {
    return rootRepoIs(stage, 'golang');
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    // The last `go build` of the stage is the build step.
    let found: RecipeResult | null = null;
    const cmds = runCommands(model, stage);
    const program = mainCommand(model, stage)?.[0] ?? null;
    const runner = program ? program.slice(program.lastIndexOf('/') + 1) : null;
    if (runner && GO_LIVE_RELOAD.has(runner)) {
      return { ok: false, reason: `the image starts \`${runner}\`, a live-reload runner that rebuilds the program with the Go toolchain while the container runs; the runtime would have no toolchain` };
    }
    // A tool the stage installed and then ran (`playwright install --with-deps`): what it put in the image
    // (browsers, system packages) is for the program, and would not reach the runtime stage.
    const tools = goInstalledTools(cmds);
    const ranTool = cmds.find((c) => c.cmd.name !== null && tools.has(c.cmd.name) && tools.get(c.cmd.name)!.instr.start <= c.instr.start);
    if (ranTool) {
      return { ok: false, reason: `the RUN on line ${ranTool.instr.line + 1} runs \`${ranTool.cmd.name}\`, which \`go install\` put in the image; what it sets up would not reach the runtime stage` };
    }
    for (const c of cmds) {
      const cmd = c.cmd;
      if (cmd.name !== 'go') continue;
      const sub = cmd.args[0]?.value;
      if (sub !== 'build' && sub !== 'install') continue;
      const b = parseGoBuild(cmd);
      if (!b) {
        found = { ok: false, reason: `the \`go ${sub}\` arguments are not static words` };
        continue;
      }
      const out: Output & { remote?: boolean } = sub === 'install' ? installOutputOf(model, stage, c, b) : outputOf(model, stage, c, b);
      if (!out.path) {
        found = { ok: false, reason: out.reason ?? 'the binary path is not known' };
        continue;
      }
      const i = c.instr;
      const vars = stageVars(model, stage, i);
      const cgoAssign = cmd.assignments.find((a) => a.startsWith('CGO_ENABLED='));
      const cgoSetting = cgoAssign ? cgoAssign.slice(12) : vars.get('CGO_ENABLED') ?? null;
      const pkgs = systemPackages(model, stage);
      const installsC = pkgs.apt.some((p) => TOOLCHAIN_PACKAGE.test(p)) || pkgs.other;
      const cgoModule = out.mod?.requires.find((r) => CGO_MODULES.includes(r)) ?? null;
      const cgo = cgoSetting === '1' || (cgoSetting !== '0' && (installsC || cgoModule !== null));
      // Files the program opens in its working directory and programs it runs (read from its sources).
      // A remote `go install pkg@version` has no sources here: what it reads is not known (null).
      const needs = goRuntimeNeeds(model, stage, out.remote ? null : out.modRoot ?? c.dir);
      if ('reason' in needs) {
        found = { ok: false, reason: needs.reason };
        continue;
      }
      const artifacts = [...(coveredBy(out.path, needs.carry) ? [] : [out.path]), ...needs.carry];
      // `go install`'s $GOPATH/bin is on the golang image's PATH only: a CMD naming the binary bare finds it in /usr/local/bin.
      const name = out.path.slice(out.path.lastIndexOf('/') + 1);
      const onPath = sub === 'install' && mainCommand(model, stage)?.[0] === name && !/^\/(usr\/(local\/)?)?s?bin$/.test(out.path.slice(0, out.path.lastIndexOf('/')));
      const base = { ecosystem: 'go', buildStep: i, artifacts, buildOnlyEnv: BUILD_ONLY_ENV, artifactTargets: onPath && artifacts.includes(out.path) ? { [out.path]: `/usr/local/bin/${name}` } : undefined };
      if (!cgo && needs.packages) {
        // Programs it runs: the binary stays static, the runtime is the Debian release with their packages.
        const release = golangRelease(ref.tag);
        const names = needs.packages.length ? ` (${needs.packages.join(', ')})` : '';
        if (!release || release === 'alpine') {
          found = { ok: false, reason: `the program runs other programs${names}, and a runtime that has them is written here only for the Debian releases of golang:<version>` };
          continue;
        }
        const builderEdits = [];
        if (cgoSetting !== '0') {
          const at = i.run!.map[cmd.nameWord ? cmd.nameWord.start : cmd.start];
          builderEdits.push({ start: at, end: at, text: 'CGO_ENABLED=0 ' });
        }
        const rt = debianSlim(release, needs.packages);
        found = { ok: true, plan: { ...base, ...rt, builderEdits } };
        continue;
      }
      if (!cgo) {
        // Packages the program may run or load (ffmpeg, a browser's libraries): distroless/static has none of them.
        const used = pkgs.apt.filter((p) => !BUILD_PACKAGE.test(p) && !TOOLCHAIN_PACKAGE.test(p) && !/-(dev|devel)$/.test(p) && !IN_DISTROLESS_STATIC.test(p));
        if (used.length) {
          found = { ok: false, reason: `the stage installs ${used.join(', ')}, which the program may run or load at run time; ${RUNTIME_GO} would not have ${used.length > 1 ? 'them' : 'it'}` };
          continue;
        }
        const builderEdits = [];
        if (cgoSetting !== '0') {
          // Before the command name, after any assignments already written in front of it.
          const at = i.run!.map[cmd.nameWord ? cmd.nameWord.start : cmd.start];
          builderEdits.push({ start: at, end: at, text: 'CGO_ENABLED=0 ' });
        }
        const owners = needs.writes ? ownedBy(needs.carry, DISTROLESS_USER) : undefined;
        found = { ok: true, plan: { ...base, runtimeImage: RUNTIME_GO, builderEdits, runtimeNonRoot: true, runtimeHasShell: false, artifactOwners: owners } };
        continue;
      }
      if (golangRelease(ref.tag) === 'alpine') {
        const rt = cgoAlpineRuntime(model, stage, i, ref.tag ?? '', needs.packages, artifacts);
        if ('reason' in rt) found = { ok: false, reason: rt.reason };
        else {
          const { scan, ...runtime } = rt;
          found = { ok: true, plan: { ...base, ...runtime, builderEdits: scan ? [{ start: i.end, end: i.end, text: scanStep(model, 'apk', artifacts) }] : [] } };
        }
        continue;
      }
      const rt = cgoRuntime(ref.tag, pkgs, needs.packages, scannable(artifacts));
      if (!('reason' in rt) && rt.runtimeNonRoot && needs.writes) rt.artifactOwners = ownedBy(needs.carry, DISTROLESS_USER);
      if ('reason' in rt) found = { ok: false, reason: rt.reason };
      else {
        const { scan, ...runtime } = rt;
        found = { ok: true, plan: { ...base, ...runtime, builderEdits: scan ? [{ start: i.end, end: i.end, text: scanStep(model, 'apt', artifacts) }] : [] } };
      }
    }
    return found ?? { ok: false, reason: 'no `go build` step in the final stage' };
  },
};

interface Runtime {
  runtimeImage: string;
  runtimeNonRoot: boolean;
  runtimeHasShell: boolean;
  runtimeSetup?: string[];
  artifactOwners?: Record<string, string>;
  /** Set where the builder's library scan finds the run-time packages (scanned-packages.ts). */
  runtimeFromBuilder?: string[];
  note?: string;
}

/** The user distroless `:nonroot` images run as (GoogleContainerTools/distroless README: uid and gid 65532). */
const DISTROLESS_USER = '65532:65532';

function ownedBy(paths: string[], owner: string): Record<string, string> | undefined {
  return paths.length ? Object.fromEntries(paths.map((p) => [p, owner])) : undefined;
}

/** `debian:<release>-slim` with CA certificates (the golang image has them; a Go program's TLS needs them) and `packages`. */
function debianSlim(release: string, packages: string[]): Runtime {
  const list = ['ca-certificates', ...packages.filter((p) => p !== 'ca-certificates')];
  return {
    runtimeImage: `debian:${release}-slim`,
    runtimeNonRoot: false,
    runtimeHasShell: true,
    runtimeSetup: [`RUN apt-get update && apt-get install -y --no-install-recommends ${list.join(' ')} && rm -rf /var/lib/apt/lists/*`],
  };
}

/**
 * The runtime of a cgo binary: the builder's Debian release, with the run-time side of its packages; `tools`: the
 * packages of the programs it runs (null: it runs none), which rule out distroless.
 */
function cgoRuntime(tag: string | null, pkgs: { apt: string[]; other: boolean }, tools: string[] | null, canScan: boolean): (Runtime & { scan?: boolean }) | { reason: string } {
  const release = golangRelease(tag);
  if (release === 'alpine' || pkgs.other) return { reason: 'the build uses cgo on a non-Debian image; the run-time libraries of its packages are only known here for Debian' };
  if (!release) return { reason: `the build uses cgo and the Debian release behind golang:${tag ?? 'latest'} is not known here` };
  const runtime: string[] = [];
  const unknown: string[] = [];
  let cxx = false;
  for (const p of pkgs.apt) {
    if (CXX_HINT.test(p)) cxx = true;
    if (LIBC_DEV.test(p)) continue;
    if (/-(dev|devel)$/.test(p)) {
      const libs = runtimeLibFor(p, release);
      if (libs === null) unknown.push(p);
      else for (const l of libs.split(' ').filter(Boolean)) if (!runtime.includes(l)) runtime.push(l);
    } else if (!BUILD_PACKAGE.test(p) && !TOOLCHAIN_PACKAGE.test(p)) {
      // Not a build tool: the program may use it at run time, and the same release has it.
      if (!runtime.includes(p)) runtime.push(p);
    }
  }
  for (const t of tools ?? []) if (!runtime.includes(t)) runtime.push(t);
  if (unknown.length) {
    // The builder (this same Debian release) finds the run-time packages of what the binary links.
    if (!canScan) return { reason: `the build uses cgo with ${unknown.join(', ')}, whose run-time library on Debian ${release} is not known here` };
    const slim = debianSlim(release, runtime);
    const why = `the tables here do not know the run-time package${unknown.length > 1 ? 's' : ''} of ${unknown.join(', ')} on Debian ${release}`;
    return { ...slim, runtimeSetup: [scannedInstall('apt', ['ca-certificates', ...runtime.filter((p) => p !== 'ca-certificates')])], runtimeFromBuilder: [SCANNED_PACKAGES], note: scanNote('apt', why, null), scan: true };
  }
  // Nothing beyond libc (and no C++ toolchain asked for: distroless base has no libstdc++), and no programs run.
  if (runtime.length === 0 && !cxx && tools === null) return { runtimeImage: DISTROLESS_BASE[release], runtimeNonRoot: true, runtimeHasShell: false };
  return debianSlim(release, runtime);
}

/**
 * The runtime of a cgo binary built on golang's Alpine variant: the Alpine release the tag names (else the one an
 * untagged variant is built on, ALPINE_FOR_SWAP: musl runs binaries linked against an older musl), with the run-time
 * packages of the apk packages from the Alpine table, or, where it does not know them, found by the builder
 * (scanned-packages.ts).
 */
function cgoAlpineRuntime(model: Model, stage: Stage, build: Instr, tag: string, tools: string[] | null, artifacts: string[]): (Runtime & { scan: boolean }) | { reason: string } {
  if (tools?.length) return { reason: `the program runs other programs (${tools.join(', ')}), and a runtime that has them is written here only for the Debian releases of golang:<version>` };
  const apk = otherPackages(model, stage, 'apk');
  if (apk.problem) return { reason: apk.problem };
  const named = /(?:^|-)alpine(3\.\d+)$/.exec(tag)?.[1] ?? null;
  const image = named ? `alpine:${named}` : ALPINE_FOR_SWAP;
  const release = `alpine${image.slice('alpine:'.length)}`;
  const dev = apk.dev.filter((p) => p.split(/[=<>~]/, 1)[0] !== 'musl-dev');
  const table = isKnownRelease(release) ? runtimeLibraries(dev, release as Release) : null;
  const unnamed = named ? '' : ` golang:${tag} does not name its Alpine release: the runtime is ${image} (musl runs a binary linked against an older musl); name the release in the tag (golang:<version>-alpine3.NN) to match.`;
  if (table && !table.unknown.length) {
    const packages = [...table.packages, ...apk.runtime.filter((p) => !table.packages.includes(p))];
    // The C++ side of a cgo build links libstdc++, which alpine lacks.
    if (apk.buildOnly.some((p) => /^(g\+\+|build-base|clang(\d+)?)$/.test(p))) for (const l of ['libstdc++', 'libgcc']) if (!packages.includes(l)) packages.push(l);
    return { runtimeImage: image, runtimeNonRoot: false, runtimeHasShell: true, runtimeSetup: packages.length ? [`RUN apk add --no-cache ${packages.join(' ')}`] : [], scan: false, ...(unnamed ? { note: unnamed.trim() } : {}) };
  }
  const why = `the tables here do not know the run-time package${dev.length > 1 ? 's' : ''} of ${dev.join(', ')} on ${image}`;
  if (runsAsOtherAt(stage, build)) return { reason: `${why}, and the builder cannot scan for them: it builds as a user other than root, and the scan installs scanelf with apk` };
  if (!scannable(artifacts)) return { reason: 'a path the runtime copies is not a plain path the scan of its run-time libraries can name' };
  return {
    runtimeImage: image,
    runtimeNonRoot: false,
    runtimeHasShell: true,
    runtimeSetup: [scannedInstall('apk', apk.runtime)],
    runtimeFromBuilder: [SCANNED_PACKAGES],
    note: scanNote('apk', why, null) + unnamed,
    scan: true,
  };
}

/**
 * The Alpine release of an untagged `golang:<version>-alpine` for a base swap: any release runs a static binary;
 * docker-library/golang builds its alpine variants on alpine3.22 and alpine3.23 (versions.json, checked 2026-12).
 */
const ALPINE_FOR_SWAP = 'alpine:3.22';
/** Packages a final stage may install and still be only a runtime (certificates, time zones). */
const RUNTIME_ONLY_PACKAGES = /^(ca-certificates|tzdata)$/;

/**
 * A final stage on a golang image that builds nothing: it copies in a binary another stage built static
 * (`CGO_ENABLED=0`, nothing else the program reads or runs that the Go recipe would add) and runs it. Its toolchain
 * goes by swapping the base for the distribution the golang tag is built on (`golang:1.22-alpine` → `alpine:3.22`,
 * `golang:1.22-bookworm` → `debian:bookworm-slim`), which keeps the stage's shell, package manager and root user for
 * its own RUNs. Null when any of that cannot be shown.
 */
export function goBaseSwap(model: Model, stage: Stage): { image: string; binary: string } | null {
  if (stage.baseStage || !stage.image || !rootRepoIs(stage, 'golang') || stage.image.digest) return null;
  const release = golangRelease(stage.image.tag);
  if (!release) return null;
  const tag = stage.image.tag ?? '';
  const alpine = /(?:^|-)alpine(3\.\d+)?$/.exec(tag);
  const image = release === 'alpine' ? (alpine?.[1] ? `alpine:${alpine[1]}` : ALPINE_FOR_SWAP) : `debian:${release}-slim`;
  if (release === 'alpine' && !alpine) return null;
  // Only package installs of run-time packages, no Go command.
  for (const c of runCommands(model, stage)) {
    const n = c.cmd.name;
    const a = c.cmd.args.map((x) => x.value);
    if (a.some((x) => x === null)) return null;
    if (n === 'apk' && (a[0] === 'add' || a.includes('add'))) {
      if (!a.slice(a.indexOf('add') + 1).every((p) => p!.startsWith('-') || RUNTIME_ONLY_PACKAGES.test(p!))) return null;
    } else if ((n === 'apt-get' || n === 'apt') && a.includes('install')) {
      if (release === 'alpine' || !a.slice(a.indexOf('install') + 1).every((p) => p!.startsWith('-') || RUNTIME_ONLY_PACKAGES.test(p!))) return null;
    } else if (!((n === 'apk' && a[0] === 'update') || ((n === 'apt-get' || n === 'apt') && a[0] === 'update') || (n === 'rm' && a.every((x) => x!.startsWith('-') || /^\/var\/(lib\/apt\/lists|cache\/apk)\//.test(x!))))) return null;
  }
  if (stage.instructions.some((i) => i.keyword === 'ONBUILD' || i.keyword === 'SHELL')) return null;
  const wd = workdirAt(model, stage, null);
  if (!wd) return null;
  const main = mainCommand(model, stage);
  const program = main?.[0];
  if (!program) return null;
  const target = program.includes('/') ? absPath(wd, program) : null;
  if (!target) return null;
  // The binary: copied from a stage of this file that builds it static and needs nothing else beside it.
  for (const d of copyDests(model, stage).reverse()) {
    if (!d.from || d.path === null || d.sources.length !== 1) continue;
    const src = d.sources[0];
    const base = src.slice(src.lastIndexOf('/') + 1);
    const lands = d.path === target || (d.path.endsWith('/') || model.doc.text.slice(d.instr.start, d.instr.end).trim().endsWith(' .') ? `${d.path.replace(/\/$/, '')}/${base}` === target : false);
    if (!lands) continue;
    const from = model.stages.find((s) => s.alias === d.from!.toLowerCase()) ?? (/^\d+$/.test(d.from) ? model.stages[Number(d.from)] : undefined);
    if (!from || from === stage || !rootRepoIs(from, 'golang')) return null;
    const built = goRecipe.plan(model, from);
    if (!built.ok || built.plan.runtimeImage !== RUNTIME_GO || built.plan.builderEdits.length) return null;
    const bin = absPath(workdirAt(model, from, null), src);
    if (!bin || !built.plan.artifacts.includes(bin) || built.plan.artifacts.length !== 1) return null;
    return { image, binary: target };
  }
  return null;
}
