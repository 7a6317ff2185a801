/**
 * Rust: `cargo build --release` in the original rust image; the binary the CMD/ENTRYPOINT names by its
 * path under target/ moves to the slim image of the same Debian release, or to scratch when it was built
 * for a musl target (statically linked). `cargo install --path <dir>` works too when the crate's Cargo.toml
 * (read from the build context) names the binary the CMD runs: it is copied from the install root's bin/
 * ($CARGO_HOME, /usr/local/cargo in the rust image) to /usr/local/bin, on the runtime's PATH.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, stageVars } from '../../core/stage-info';
import { rustRuntimeFor } from '../../knowledge/toolchains';
import { absPath, coveredBy, mainCommand, optionValue, runCommands, type RunCommand, rootRepoIs } from './common';
import { cargoBinaryNames, parseCargoToml, readCopied } from './project-files';
import type { Recipe, RecipeResult } from './types';

/** CARGO_HOME of the official rust image (docker-library/rust Dockerfiles: `ENV CARGO_HOME=/usr/local/cargo`). */
const RUST_IMAGE_CARGO_HOME = '/usr/local/cargo';
const BUILD_ONLY_ENV = /^(CARGO_\w*|RUSTUP_\w*|RUSTFLAGS|CC|CXX|PATH)$/;
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function targetOf(args: string[]): string | null {
  return optionValue(args, ['--target']);
}

export const rustRecipe: Recipe = {
  ecosystem: 'rust',
  applies(_model, stage) {
    return rootRepoIs(stage, 'rust');
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    const builds = runCommands(model, stage).filter((c) => c.cmd.name === 'cargo' && c.cmd.args[0]?.value === 'build');
    const build = builds[builds.length - 1];
    if (!build) {
      const installs = runCommands(model, stage).filter((c) => c.cmd.name === 'cargo' && c.cmd.args[0]?.value === 'install');
      if (installs.length) return cargoInstall(model, stage, installs[installs.length - 1], ref.tag);
      return { ok: false, reason: 'no `cargo build` step in the final stage' };
    }
    const args = build.cmd.args.map((a) => a.value ?? '');
    if (!args.includes('--release') && !args.includes('-r')) return { ok: false, reason: '`cargo build` without `--release` builds a debug binary; add --release first' };
    const target = targetOf(args);
    const musl = !!target && target.includes('musl');
    if (/(^|-)alpine/.test(ref.tag ?? '') && !musl) return { ok: false, reason: 'an alpine rust image links against musl dynamically unless the target is named; build with `--target <arch>-unknown-linux-musl` to convert' };
    const vars = stageVars(model, stage, build.instr);
    const targetDirVar = vars.get('CARGO_TARGET_DIR');
    const targetDir = targetDirVar ? absPath(build.dir, targetDirVar) : build.dir ? absPath(build.dir, 'target') : null;
    if (!targetDir) return { ok: false, reason: 'the directory cargo builds in is not known' };
    const outDir = `${targetDir}/${target ? `${target}/` : ''}release`;
    const words = mainCommand(model, stage);
    const prog = words?.[0];
    if (!prog) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT naming the binary' };
    const p = prog.includes('/') ? absPath(build.dir, prog) : null;
    if (!p || !coveredBy(p, [outDir]) || p === outDir) {
      return { ok: false, reason: `the CMD runs \`${prog}\`; the binary's name is in Cargo.toml, so name it by its path under ${outDir}` };
    }
    const runtimeImage = musl ? 'scratch' : rustRuntimeFor(ref.tag);
    return {
      ok: true,
      plan: {
        ecosystem: 'rust',
        buildStep: build.instr,
        artifacts: [p],
        runtimeImage,
        builderEdits: [],
        buildOnlyEnv: BUILD_ONLY_ENV,
        runtimeNonRoot: false,
        runtimeHasShell: !musl,
      },
    };
  },
};

/** `cargo install --path <dir>`: the binary under the install root, named by the crate's Cargo.toml. */
function cargoInstall(model: Model, stage: Stage, c: RunCommand, tag: string | null): RecipeResult {
  const unknown = { ok: false as const, reason: '`cargo install` puts the binary in $CARGO_HOME/bin under a name from Cargo.toml, which is not readable here; build with `cargo build --release` and name target/release/<bin> in the CMD, or let the workspace files be read' };
  const a = c.cmd.args.slice(1).map((x) => x.value);
  if (a.some((x) => x === null)) return { ok: false, reason: 'the `cargo install` arguments are not static words' };
  const args = a as string[];
  const val = (flag: string) => {
    const k = args.findIndex((x) => x === flag || x.startsWith(`${flag}=`));
    return k < 0 ? null : args[k] === flag ? args[k + 1] ?? null : args[k].slice(flag.length + 1);
  };
  const pathArg = val('--path');
  if (!pathArg) return { ok: false, reason: '`cargo install` of a crate from a registry or git: build the project with `cargo install --path <dir>` or `cargo build --release`' };
  if (args.includes('--debug')) return { ok: false, reason: '`cargo install --debug` builds a debug binary' };
  const target = targetOf(args);
  const musl = !!target && target.includes('musl');
  if (/(^|-)alpine/.test(tag ?? '') && !musl) return { ok: false, reason: 'an alpine rust image links against musl dynamically unless the target is named; build with `--target <arch>-unknown-linux-musl` to convert' };
  const crateDir = absPath(c.dir, pathArg);
  if (!crateDir || !model.files) return unknown;
  const text = readCopied(model, stage, crateDir, 'Cargo.toml', c.instr);
  if (text === null) return unknown;
  const manifest = parseCargoToml(text);
  if (!manifest) return { ok: false, reason: 'the Cargo.toml copied from the build context does not parse or names no package' };
  const onlyBin = val('--bin');
  const names = onlyBin ? [onlyBin] : cargoBinaryNames(manifest, text);
  // The install root: --root, CARGO_INSTALL_ROOT, CARGO_HOME (the rust image sets /usr/local/cargo).
  const vars = stageVars(model, stage, c.instr);
  const rootSetting = val('--root') ?? vars.get('CARGO_INSTALL_ROOT') ?? vars.get('CARGO_HOME') ?? RUST_IMAGE_CARGO_HOME;
  const root = rootSetting.includes('$') ? null : absPath(c.dir, rootSetting);
  if (!root) return { ok: false, reason: 'the cargo install root is not known' };
  const bin = `${root === '/' ? '' : root}/bin`;
  const prog = mainCommand(model, stage)?.[0];
  if (!prog) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT naming the binary' };
  const name = prog.includes('/') ? (absPath(c.dir, prog)?.startsWith(`${bin}/`) ? prog.slice(prog.lastIndexOf('/') + 1) : null) : prog;
  if (!name || !names.includes(name)) {
    return { ok: false, reason: `the CMD runs \`${prog}\`, which is not one of the binaries Cargo.toml names (${names.join(', ') || 'none'}) under ${bin}` };
  }
  const from = `${bin}/${name}`;
  // A bare name is found through PATH: the runtime's PATH has /usr/local/bin, not $CARGO_HOME/bin.
  const to = prog.includes('/') || PATH_DIRS.includes(bin) ? from : `/usr/local/bin/${name}`;
  const runtimeImage = musl ? 'scratch' : rustRuntimeFor(tag);
  return {
    ok: true,
    plan: {
      ecosystem: 'rust',
      buildStep: c.instr,
      artifacts: [from],
      artifactTargets: to === from ? undefined : { [from]: to },
      runtimeImage,
      builderEdits: [],
      buildOnlyEnv: BUILD_ONLY_ENV,
      runtimeNonRoot: false,
      runtimeHasShell: !musl,
    },
  };
}
