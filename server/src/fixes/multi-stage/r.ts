/**
 * R on rocker/r-ver: the stage installs compilers and `-dev` packages and then R packages (`install2.r`,
 * `R -e "install.packages(…)"`); the runtime is the same rocker/r-ver tag with only the run-time libraries of those
 * `-dev` packages, and gets R's site library and the app. rocker/r-ver installs R into /usr/local/lib/R and adds
 * /usr/local/lib/R/site-library first on the library path (rocker-versioned2 scripts/install_R_source.sh, checked
 * 2026-11), which is where packages go when no library is named.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, stageVars } from '../../core/stage-info';
import { lookupBaseImage, repoKey } from '../../knowledge/base-images';
import { rockerRelease } from '../../knowledge/runtime-libraries';
import { appDirs, lastRun, runCommands, type RunCommand, rootRepoIs } from './common';
import { aptInstallLine, aptPackages, runtimePackages } from './system-packages';
import type { Recipe, RecipeResult } from './types';

export const R_SITE_LIBRARY = '/usr/local/lib/R/site-library';

const INSTALLERS = /^(install2\.r|installGithub\.r|installBioc\.r)$/;

/** `install2.r …`, or `R -e` / `Rscript -e` with an expression that installs packages. */
function installsPackages(c: RunCommand): boolean {
  const n = (c.cmd.name ?? '').replace(/^.*\//, '');
  if (INSTALLERS.test(n)) return true;
  if (n !== 'R' && n !== 'Rscript') return false;
  return c.cmd.args.some((a) => /\b(install\.packages|install_github|install_version|BiocManager::install|pak::pkg_install|remotes::install_\w+)\s*\(/.test(a.value ?? ''));
}

export const rRecipe: Recipe = {
  ecosystem: 'r',
  applies(_model, stage) {
    return rootRepoIs(stage, /^(rocker\/|r-base$)/);
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const { ref, text } = rootImage(stage);
    const repo = repoKey(ref!);
    if (repo !== 'rocker/r-ver') {
      const info = lookupBaseImage(ref!);
      if (info.startsAsRoot) return { ok: false, reason: `${repo} is a server image: ${info.startsAsRoot}; the recipe converts rocker/r-ver only` };
      return { ok: false, reason: `the recipe converts rocker/r-ver only; the run-time packages of ${repo} are not known here` };
    }
    if (ref!.digest) return { ok: false, reason: 'the image is pinned by digest; the runtime stage would repeat it, which the recipe does not do yet' };
    const cmds = runCommands(model, stage);
    const installs = cmds.filter(installsPackages);
    if (installs.length === 0) return { ok: false, reason: 'no `install2.r` or `install.packages()` in the final stage: which R packages to keep is not known' };
    if (cmds.some((c) => c.cmd.args.some((a) => /\brenv\b/.test(a.value ?? '')))) {
      return { ok: false, reason: 'renv keeps packages in a project library linked to its cache, outside the site library the recipe copies' };
    }
    for (const c of installs) {
      if (c.cmd.args.some((a) => /^(-l|--libloc)(=|$)/.test(a.value ?? '') || /\blib\s*=/.test(a.value ?? ''))) {
        return { ok: false, reason: `the install on line ${c.instr.line + 1} names its own library, not the site library the recipe copies` };
      }
    }
    const vars = stageVars(model, stage, installs[installs.length - 1].instr);
    const libVar = ['R_LIBS', 'R_LIBS_SITE', 'R_LIBS_USER'].find((v) => vars.has(v));
    if (libVar) return { ok: false, reason: `${libVar} is set, so packages may go to another library than ${R_SITE_LIBRARY}` };

    const pkgs = runtimePackages(aptPackages(model, stage), rockerRelease(ref!.tag), text ?? 'rocker/r-ver', 'use a versioned tag (rocker/r-ver:4.4.1)');
    if (!pkgs.ok) return pkgs;

    const found = appDirs(model, stage, ['/usr/local/lib/R']);
    if (!found.ok) return found;
    const app = found.dirs;
    return {
      ok: true,
      plan: {
        ecosystem: 'r',
        buildStep: lastRun(stage)!,
        artifacts: [R_SITE_LIBRARY, ...app],
        runtimeImage: text!,
        builderEdits: [],
        buildOnlyEnv: /^(MAKEFLAGS|CC|CXX|CFLAGS|CXXFLAGS|FC|FFLAGS|FCFLAGS|LDFLAGS|PKG_CONFIG_PATH|DEBIAN_FRONTEND)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms: ['R', 'Rscript', 'r', '/usr/local/bin/R', '/usr/local/bin/Rscript'],
        runtimeSetup: pkgs.packages.length ? [aptInstallLine(pkgs.packages)] : [],
      },
    };
  },
};
