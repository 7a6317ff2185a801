/**
 * C/C++ with make (or cmake/ninja): build in the original gcc / buildpack-deps image, ship the program on the
 * slim image of the same distribution release. The program must be named by the CMD/ENTRYPOINT by its
 * path (built in the build directory, or installed to an absolute path or an explicit PREFIX).
 */
import type { Model, Stage } from '../../core/model';
import { rootImage } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { BUILD_PACKAGE, cRuntimeFor } from '../../knowledge/toolchains';
import { absPath, coveredBy, mainCommand, runCommands, type RunCommand, rootRepoIs } from './common';
import type { Recipe, RecipeResult } from './types';

const BUILDERS = new Set(['make', 'gmake', 'cmake', 'ninja', 'gcc', 'cc', 'g++', 'c++', 'clang', 'clang++']);
const PACKAGE_MANAGERS = new Set(['apt-get', 'apt']);

function isBuild(c: RunCommand): boolean {
  const n = c.cmd.name;
  if (!n || !BUILDERS.has(n)) return false;
  // `cmake -S . -B build` only configures; `cmake --build` builds.
  if (n === 'cmake') return c.cmd.args.some((a) => a.value === '--build' || a.value === '--install');
  return true;
}

/** `make install [PREFIX=/x] [DESTDIR=/y]`: the prefix written on the command line, '' when none. */
function makeInstall(c: RunCommand): { prefix: string | null; destdir: string | null } | null {
  if (c.cmd.name !== 'make' && c.cmd.name !== 'gmake') return null;
  const a = c.cmd.args.map((x) => x.value ?? '');
  if (!a.includes('install')) return null;
  const val = (k: RegExp) => a.find((x) => k.test(x))?.replace(/^[^=]*=/, '') ?? null;
  return { prefix: val(/^(PREFIX|prefix)=/), destdir: val(/^DESTDIR=/) };
}

export const cRecipe: Recipe = {
  ecosystem: 'c',
  applies(_model, stage) {
    return rootRepoIs(stage, /^(gcc|buildpack-deps)$/);
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    const runtimeImage = cRuntimeFor(repoKey(ref), ref.tag);
    if (!runtimeImage) return { ok: false, reason: `the distribution release behind ${repoKey(ref)}:${ref.tag ?? 'latest'} is not known here` };
    const cmds = runCommands(model, stage);
    for (const c of cmds) {
      if (!c.cmd.name || !PACKAGE_MANAGERS.has(c.cmd.name) || !c.cmd.args.some((a) => a.value === 'install')) continue;
      const pkgs = c.cmd.args.map((a) => a.value).filter((x): x is string => x !== null && !x.startsWith('-') && x !== 'install');
      const libs = pkgs.filter((p) => !BUILD_PACKAGE.test(p) || /-(dev|devel)$/.test(p));
      if (libs.length) return { ok: false, reason: `the program may link libraries installed with ${libs.join(', ')}; their run-time packages are not known here` };
    }
    const builds = cmds.filter(isBuild);
    const build = builds[builds.length - 1];
    if (!build) return { ok: false, reason: 'no `make`, `cmake --build` or compiler step in the final stage' };
    const words = mainCommand(model, stage);
    const prog = words?.[0];
    if (!prog) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT naming the program' };
    const install = builds.map(makeInstall).filter((x) => x !== null).pop() ?? null;
    let artifact: string | null = null;
    if (prog.includes('/')) {
      const wd = build.dir;
      const p = absPath(wd, prog);
      if (!p) return { ok: false, reason: 'the program path is relative and the working directory is unknown' };
      // Built in the build directory, or installed to an absolute path by `make install`.
      if ((build.dir && coveredBy(p, [build.dir]) && build.dir !== '/') || (install && prog.startsWith('/'))) artifact = p;
      else return { ok: false, reason: `the CMD runs ${p}, which the build step does not show it makes` };
    } else if (install?.prefix && !install.destdir) {
      artifact = `${install.prefix.replace(/\/$/, '')}/bin/${prog}`;
    } else {
      return {
        ok: false,
        reason: install
          ? '`make install` puts the program under a PREFIX the Makefile sets, which the Dockerfile does not show; name the program by its path in the CMD'
          : `the CMD runs \`${prog}\` from PATH, not a program the build step makes`,
      };
    }
    return {
      ok: true,
      plan: {
        ecosystem: 'c',
        buildStep: build.instr,
        artifacts: [artifact],
        runtimeImage,
        builderEdits: [],
        buildOnlyEnv: /^(CC|CXX|CPP|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|PKG_CONFIG_PATH)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
      },
    };
  },
};
