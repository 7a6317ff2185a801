/**
 * Rust: `cargo build --release` in the original rust image; the binary the CMD/ENTRYPOINT names by its
 * path under target/ moves to the slim image of the same Debian release, or to scratch when it was built
 * for a musl target (statically linked). The binary's name is in Cargo.toml, so the CMD must name it.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, stageVars } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { cRuntimeFor } from '../../knowledge/toolchains';
import { absPath, coveredBy, mainCommand, runCommands } from './common';
import type { Recipe, RecipeResult } from './types';

export const rustRecipe: Recipe = {
  ecosystem: 'rust',
  applies(_model, stage) {
    const ref = rootImage(stage).ref;
    return !!ref && repoKey(ref) === 'rust';
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    const builds = runCommands(model, stage).filter((c) => c.cmd.name === 'cargo' && c.cmd.args[0]?.value === 'build');
    const build = builds[builds.length - 1];
    if (!build) {
      const install = runCommands(model, stage).some((c) => c.cmd.name === 'cargo' && c.cmd.args[0]?.value === 'install');
      return { ok: false, reason: install ? '`cargo install` puts the binary in $CARGO_HOME/bin under a name from Cargo.toml, which the Dockerfile does not show; build with `cargo build --release` and name target/release/<bin> in the CMD' : 'no `cargo build` step in the final stage' };
    }
    const args = build.cmd.args.map((a) => a.value ?? '');
    if (!args.includes('--release') && !args.includes('-r')) return { ok: false, reason: '`cargo build` without `--release` builds a debug binary; add --release first' };
    const k = args.findIndex((a) => a === '--target' || a.startsWith('--target='));
    const target = k < 0 ? null : args[k] === '--target' ? args[k + 1] ?? null : args[k].slice(9);
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
    const runtimeImage = musl ? 'scratch' : cRuntimeFor('gcc', ref.tag);
    if (!runtimeImage) return { ok: false, reason: `the Debian release behind rust:${ref.tag} is not known here` };
    return {
      ok: true,
      plan: {
        ecosystem: 'rust',
        buildStep: build.instr,
        artifacts: [p],
        runtimeImage,
        builderEdits: [],
        buildOnlyEnv: /^(CARGO_\w*|RUSTUP_\w*|RUSTFLAGS|CC|CXX|PATH)$/,
        runtimeNonRoot: false,
        runtimeHasShell: !musl,
      },
    };
  },
};
