/**
 * PHP / Composer: the stage as written (with Composer, git, unzip and `-dev` packages) stays the builder and runs
 * `composer install`; the runtime is the same `php:<tag>` image again, without Composer or the build packages,
 * with the app (and its `vendor/`) copied over.
 *
 * Extensions compiled in the stage (`docker-php-ext-install`, `pecl install` + `docker-php-ext-enable`) are kept by
 * copying the extension directory and `conf.d` from the builder, both written by those scripts (docker-library/php
 * docker-php-ext-* scripts: `php-config --extension-dir` = /usr/local/lib/php/extensions/…, ini files in
 * $PHP_INI_DIR/conf.d), and installing the run-time libraries of the `-dev` packages they were built against.
 * Compiling them again in the runtime would need the build packages there. Any other RUN (`a2enmod`, edits of
 * php.ini or the Apache config) changes the image in ways the runtime would lose, so the recipe declines.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, stageVars } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { debianReleaseOfTag } from '../../knowledge/runtime-libraries';
import { absPath, appDirs, coveredBy, lastRun, mainCommand, runCommands, type RunCommand } from './common';
import { aptInstallLine, aptPackages, runtimePackages } from './system-packages';
import type { Recipe, RecipeResult } from './types';

export const PHP_EXTENSION_DIR = '/usr/local/lib/php/extensions';
export const PHP_CONF_D = '/usr/local/etc/php/conf.d';

const EXTENSION_TOOLS = new Set(['docker-php-ext-install', 'docker-php-ext-configure', 'docker-php-ext-enable', 'pecl']);
/** Commands whose effect is the build only (or the files the runtime copies). */
const BUILD_COMMANDS = new Set(['apt-get', 'apt', 'rm', 'composer', 'curl', 'wget', 'mv', 'chmod', 'cd', 'set', 'true', 'php', 'unzip', 'mkdir', 'git', 'docker-php-source', ...EXTENSION_TOOLS]);

function isComposer(c: RunCommand): boolean {
  const n = c.cmd.name ?? '';
  if (/(^|\/)composer(\.phar)?$/.test(n)) return true;
  return n === 'php' && /(^|\/)composer(\.phar)?$/.test(c.cmd.args[0]?.value ?? '');
}

function composerArgs(c: RunCommand): (string | null)[] {
  const a = c.cmd.args.map((x) => x.value);
  return c.cmd.name === 'php' ? a.slice(1) : a;
}

/** The `composer install` of a php stage, or null. */
export function composerInstall(model: Model, stage: Stage): RunCommand | null {
  const ref = rootImage(stage).ref;
  if (!ref || repoKey(ref) !== 'php') return null;
  const all = runCommands(model, stage).filter((c) => isComposer(c) && ['install', 'i'].includes(composerArgs(c)[0] ?? ''));
  return all[all.length - 1] ?? null;
}

export const phpRecipe: Recipe = {
  ecosystem: 'php',
  applies(model, stage) {
    return composerInstall(model, stage) !== null;
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const { ref, text } = rootImage(stage);
    if (ref!.digest) return { ok: false, reason: 'the image is pinned by digest; the runtime stage would repeat it, which the recipe does not do yet' };
    const install = composerInstall(model, stage)!;
    const cmds = runCommands(model, stage);
    const other = cmds.find((c) => !c.cmd.name || !BUILD_COMMANDS.has(c.cmd.name.replace(/^.*\//, '')) && !isComposer(c));
    if (other) {
      return { ok: false, reason: `the RUN on line ${other.instr.line + 1} runs \`${other.cmd.name ?? '?'}\`, whose changes to the image would not reach the runtime stage` };
    }
    if (cmds.some((c) => c.cmd.name === 'install-php-extensions')) {
      return { ok: false, reason: '`install-php-extensions` installs the libraries it needs itself; which ones is not known here' };
    }
    if (composerArgs(install).some((a) => a === '-d' || (a ?? '').startsWith('--working-dir'))) {
      return { ok: false, reason: '`composer install --working-dir` installs elsewhere than the directory it runs in; where vendor/ lands is not followed here' };
    }
    const vars = stageVars(model, stage, install.instr);
    const vendorVar = vars.get('COMPOSER_VENDOR_DIR');
    if (vendorVar === null || (vendorVar && !install.dir)) return { ok: false, reason: 'COMPOSER_VENDOR_DIR is not a plain path' };

    const found = appDirs(model, stage, ['/usr/local/bin', '/usr/local/etc', '/usr/local/lib/php']);
    if (!found.ok) return found;
    const app = found.dirs;
    if (!install.dir || !coveredBy(install.dir, app)) {
      return { ok: false, reason: '`composer install` does not run in a directory the stage copied the app into, so where vendor/ lands is not known' };
    }
    const vendor = vendorVar ? absPath(install.dir, vendorVar) : null;

    const apt = aptPackages(model, stage);
    const extensions = cmds.some((c) => EXTENSION_TOOLS.has(c.cmd.name ?? ''));
    // Without compiled extensions the -dev packages were for nothing the runtime loads; with them, their libraries are needed.
    const pkgs = runtimePackages(extensions ? apt : { ...apt, dev: [] }, debianReleaseOfTag(ref!.tag), text ?? 'php');
    if (!pkgs.ok) return pkgs;

    const words = mainCommand(model, stage);
    const prog = words?.[0] ?? null;
    const artifacts = [...app];
    if (vendor && !coveredBy(vendor, artifacts)) artifacts.push(vendor);
    if (extensions) artifacts.push(PHP_EXTENSION_DIR, PHP_CONF_D);
    return {
      ok: true,
      plan: {
        ecosystem: 'php',
        buildStep: lastRun(stage)!,
        artifacts,
        runtimeImage: text!,
        builderEdits: [],
        buildOnlyEnv: /^(COMPOSER_\w*|PHPIZE_DEPS)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        // The image's own programs (apache2-foreground, php-fpm, php) are in the runtime too.
        runtimePrograms: prog && !/(^|\/)composer(\.phar)?$/.test(prog) && /^([^/.][^/]*|\/(usr\/(local\/)?)?s?bin\/[^/]+)$/.test(prog) ? [prog] : [],
        runtimeKeepsImageCommand: true,
        runtimeSetup: pkgs.packages.length ? [aptInstallLine(pkgs.packages)] : [],
      },
    };
  },
};
