/**
 * Ruby / Rails: the full `ruby` image (buildpack-deps: compilers and many `-dev` packages) runs `bundle install`
 * and any asset build; the slim image of the same Ruby and release gets the bundle (GEM_HOME, /usr/local/bundle in
 * the official images, which also holds Bundler's config as BUNDLE_APP_CONFIG) and the app, plus the run-time
 * libraries of the `-dev` packages the gems were built against: those the Dockerfile installs, and those the
 * native gems in Gemfile.lock link from the full image (pg → libpq5).
 */
import type { Model, Stage } from '../../core/model';
import { checkDeadline } from '../../core/deadline';
import { rootImage, stageVars } from '../../core/stage-info';
import { GEM_SYSTEM_LIBRARIES, debianReleaseOfTag, gemsInLockfile } from '../../knowledge/runtime-libraries';
import { beforeQualifier } from '../../knowledge/runtime-libraries';
import { absPath, appDirs, copyDests, coveredBy, lastRun, mainCommand, runCommands, slimTag, type RunCommand, rootRepoIs } from './common';
import { aptInstallLine, aptPackages, runtimePackages } from './system-packages';
import type { Recipe, RecipeResult } from './types';

/** GEM_HOME of the official ruby images (docker-library/ruby Dockerfiles: `ENV GEM_HOME /usr/local/bundle`). */
export const RUBY_GEM_HOME = '/usr/local/bundle';

function isBundleInstall(c: RunCommand): boolean {
  const a = c.cmd.args.map((x) => x.value);
  const name = c.cmd.name;
  if (name === 'bundle' || name === 'bundler') return a[0] === 'install' || a.length === 0;
  return false;
}

/** A path Bundler is told to install into: `bundle config [set] [--local|--global] path X` or `bundle install --path X`. */
function configuredPath(c: RunCommand): string | null | undefined {
  if (c.cmd.name !== 'bundle' && c.cmd.name !== 'bundler') return undefined;
  const a = c.cmd.args.map((x) => x.value);
  if (a[0] === 'config') {
    const rest = a.slice(a[1] === 'set' ? 2 : 1).filter((x) => x === null || !x.startsWith('--'));
    if (rest[0] === 'path' || rest[0] === 'BUNDLE_PATH') return rest[1] ?? null;
    return undefined;
  }
  if (a[0] === 'install') {
    const k = a.findIndex((x) => x === '--path' || (x ?? '').startsWith('--path='));
    if (k >= 0) return a[k] === '--path' ? a[k + 1] ?? null : a[k]!.slice(7);
    if (a.includes('--deployment')) return 'vendor/bundle';
  }
  return undefined;
}

export const rubyRecipe: Recipe = {
  ecosystem: 'ruby',
  applies(_model, stage) {
    return rootRepoIs(stage, 'ruby');
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const { ref, text } = rootImage(stage);
    if (ref!.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of its slim variant is not known here' };
    if (/(^|-)(slim|alpine)/.test(ref!.tag ?? '')) return { ok: false, reason: 'the image is already a slim Ruby; the build packages installed into it are the only toolchain, and removing them needs the gems built elsewhere' };
    const cmds = runCommands(model, stage);
    const installs = cmds.filter(isBundleInstall);
    const install = installs[installs.length - 1];
    if (!install) return { ok: false, reason: 'no `bundle install` in the final stage: the gems to keep are not known' };
    if (install.cmd.args.some((a) => a.value === '--standalone' || a.value === '--system')) {
      return { ok: false, reason: '`bundle install --standalone` / `--system` puts gems where the recipe does not follow them' };
    }
    const vars = stageVars(model, stage, install.instr);
    const gemHome = vars.has('GEM_HOME') ? vars.get('GEM_HOME') : RUBY_GEM_HOME;
    if (!gemHome || !gemHome.startsWith('/')) return { ok: false, reason: 'GEM_HOME is not a plain absolute path' };

    // Where the bundle goes when it is not GEM_HOME.
    let bundlePath: string | null = null;
    const configured = cmds.slice(0, cmds.indexOf(install) + 1).map(configuredPath).filter((x) => x !== undefined);
    const raw = configured.length ? configured[configured.length - 1] : vars.has('BUNDLE_PATH') ? vars.get('BUNDLE_PATH') : vars.get('BUNDLE_DEPLOYMENT') === 'true' ? 'vendor/bundle' : undefined;
    if (raw === null) return { ok: false, reason: 'the bundle path depends on a variable' };
    if (raw !== undefined) {
      bundlePath = absPath(install.dir, raw);
      if (!bundlePath || raw.includes('$') || raw.includes('~')) return { ok: false, reason: `the bundle path ${raw} is relative to a directory that is not known` };
    }

    // The native gems in Gemfile.lock that link libraries of the full image.
    const lockSource = copyDests(model, stage).flatMap((d) => (d.from ? [] : d.sources)).find((s) => /(^|\/)Gemfile\.lock$/.test(s));
    const lockPath = (lockSource ?? 'Gemfile.lock').replace(/^\.\//, '').replace(/^\//, '');
    if (!model.files) return { ok: false, reason: 'which gems link system libraries is in Gemfile.lock, and the build context cannot be read here' };
    checkDeadline();
    const lock = model.files.read(lockPath);
    if (lock === null) return { ok: false, reason: `${lockPath} is not in the build context: which gems link system libraries is not known` };
    const apt = aptPackages(model, stage);
    for (const g of gemsInLockfile(lock)) {
      const dev = GEM_SYSTEM_LIBRARIES[g];
      if (dev && !apt.dev.some((d) => beforeQualifier(d) === dev)) apt.dev.push(dev);
    }
    const pkgs = runtimePackages(apt, debianReleaseOfTag(ref!.tag), text ?? 'ruby');
    if (!pkgs.ok) return pkgs;

    // The app: every place the stage copied files into from the build context.
    const found = appDirs(model, stage);
    if (!found.ok) return found;
    const app = found.dirs;
    if (install.dir === null || !coveredBy(install.dir, app)) return { ok: false, reason: '`bundle install` does not run inside the app directory' };

    const words = mainCommand(model, stage);
    const prog = words?.[0] ?? null;
    const runtimePrograms = ['ruby', 'bundle', 'bundler', 'gem', 'irb', 'rake', '/usr/local/bin/ruby', '/usr/local/bin/bundle'];
    // A bare command (rails, puma) is a gem's executable in GEM_HOME/bin, on PATH in both images.
    if (prog && !prog.includes('/') && bundlePath === null) runtimePrograms.push(prog);
    const artifacts = [gemHome];
    if (bundlePath && !coveredBy(bundlePath, [gemHome, ...app])) artifacts.push(bundlePath);
    for (const a of app) if (!coveredBy(a, artifacts)) artifacts.push(a);
    return {
      ok: true,
      plan: {
        ecosystem: 'ruby',
        buildStep: lastRun(stage)!,
        artifacts,
        runtimeImage: `ruby:${slimTag(ref!.tag, true)}`,
        builderEdits: [],
        buildOnlyEnv: /^(MAKEFLAGS|CC|CXX|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|PKG_CONFIG_PATH)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms,
        runtimeSetup: pkgs.packages.length ? [aptInstallLine(pkgs.packages)] : [],
      },
    };
  },
};
