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
import { aptPackages, runtimePackages } from './system-packages';
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
    const tag = ref!.tag ?? '';
    if (/(^|-)alpine/.test(tag)) return { ok: false, reason: 'the image is an Alpine Ruby; the run-time packages of what apk installs into it are not known here' };
    // Already slim (`ruby:3.3-slim` + build-essential libpq-dev): the builder is the same image with its build
    // packages, the runtime the same image with their run-time libraries. The gems could link nothing else.
    const slimBase = /(^|-)slim/.test(tag);
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

    // The native gems that link libraries of the full image: from Gemfile.lock, else from the Gemfile's own gems.
    const apt = aptPackages(model, stage);
    let manual: string | undefined;
    if (!slimBase) {
      const gems = gemsOf(model, stage);
      if ('reason' in gems) manual = gems.reason;
      else {
        for (const g of gems.names) {
          const dev = Object.prototype.hasOwnProperty.call(GEM_SYSTEM_LIBRARIES, g) ? GEM_SYSTEM_LIBRARIES[g] : undefined;
          if (dev && !apt.dev.some((d) => beforeQualifier(d) === dev)) apt.dev.push(dev);
        }
      }
    }
    const pkgs = runtimePackages(apt, debianReleaseOfTag(ref!.tag), text ?? 'ruby', undefined, true);
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
        runtimeImage: slimBase ? `ruby:${tag}` : `ruby:${slimTag(ref!.tag, true)}`,
        builderEdits: [],
        buildOnlyEnv: /^(MAKEFLAGS|CC|CXX|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|PKG_CONFIG_PATH)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms,
        runtimeAptPackages: pkgs.packages,
      },
      manual,
    };
  },
};

/**
 * Gems of a Gemfile whose gemspec depends on a native gem of GEM_SYSTEM_LIBRARIES (typhoeus → ethon, which loads
 * libcurl; image_processing → ruby-vips): the Gemfile names the parent only. From each gem's gemspec on
 * rubygems.org (runtime dependencies), checked 2026-12.
 */
const GEM_NATIVE_DEPENDENCY: Record<string, string> = { typhoeus: 'ethon', image_processing: 'ruby-vips' };

/** `gem "pg"` / `gem 'pg', '~> 1.5'` lines of a Gemfile: the gem names. */
export function gemsInGemfile(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*gem[ \t]+["']([A-Za-z0-9_.-]+)["']/gm)) {
    for (const g of [m[1], GEM_NATIVE_DEPENDENCY[m[1]]]) if (g && !out.includes(g)) out.push(g);
  }
  return out;
}

/**
 * The gems the bundle installs, from Gemfile.lock (every gem, transitive ones included), else from the Gemfile;
 * a reason when neither is readable: then which gems link the full image's libraries is not known, and the
 * conversion is only offered (it carries the run-time libraries of the Dockerfile's own packages).
 */
function gemsOf(model: Model, stage: Stage): { names: string[] } | { reason: string } {
  const sources = copyDests(model, stage).flatMap((d) => (d.from ? [] : d.sources));
  const lockSource = sources.find((s) => /(^|\/)Gemfile\.lock$/.test(s));
  const lockPath = (lockSource ?? 'Gemfile.lock').replace(/^\.\//, '').replace(/^\//, '');
  if (!model.files) return { reason: 'which gems link system libraries of the full image is in Gemfile.lock, and the build context cannot be read here; the quick fix installs only the run-time libraries of the packages the Dockerfile installs' };
  checkDeadline();
  const files = model.files;
  const read = (p: string) => {
    try {
      return files.read(p);
    } catch {
      return null;
    }
  };
  const lock = read(lockPath);
  if (lock !== null) return { names: gemsInLockfile(lock) };
  const gemfile = read(lockPath.replace(/\.lock$/, ''));
  if (gemfile !== null) return { names: gemsInGemfile(gemfile) };
  return { reason: `neither ${lockPath} nor the Gemfile is found next to the Dockerfile (the folder read as its build context), so which gems link system libraries of the full image is not known; the quick fix installs only the run-time libraries of the packages the Dockerfile installs` };
}
