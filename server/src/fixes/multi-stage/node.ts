/**
 * Node: the original image installs all dependencies and runs the build; the dev dependencies are then
 * pruned in the builder and the app (build output, package.json, lockfile, production node_modules)
 * moves to the slim image of the same Node line. Pruning in the builder (rather than installing again in
 * the runtime) keeps native modules compiled where the compilers are.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, workdirAt } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { absPath, copyDests, mainCommand, runCommands, slimTag, type RunCommand } from './common';
import type { Recipe, RecipeResult } from './types';

type Pm = 'npm' | 'yarn' | 'pnpm';
const PMS = new Set<string>(['npm', 'yarn', 'pnpm']);
const BUILD_SCRIPT = /^(build|compile|dist|generate|bundle)(:[\w:-]+)?$/;
const LOCKFILES: Record<Pm, string[]> = { npm: ['package-lock.json', 'npm-shrinkwrap.json'], yarn: ['yarn.lock'], pnpm: ['pnpm-lock.yaml'] };
/** What removes the dev dependencies from an installed node_modules, per package manager. */
const PRUNE: Record<Pm, string> = { npm: 'npm prune --omit=dev', yarn: 'yarn install --production --frozen-lockfile', pnpm: 'pnpm prune --prod' };

function argValues(c: RunCommand): (string | null)[] {
  return c.cmd.args.map((a) => a.value);
}

/** `npm run build`, `yarn build`, `pnpm run build`, `npx tsc`: the command that builds the app. */
export function isNodeBuild(c: RunCommand): Pm | null {
  const name = c.cmd.name;
  const args = argValues(c);
  if (name === 'npx' && (args[0] === 'tsc' || args[1] === 'build')) return 'npm';
  if (!name || !PMS.has(name)) return null;
  const script = args[0] === 'run' || args[0] === 'run-script' ? args[1] : name === 'npm' ? null : args[0];
  return script && BUILD_SCRIPT.test(script) ? (name as Pm) : null;
}

/** `npm ci`, `npm install` (no packages named), `yarn`, `yarn install`, `pnpm install`. */
function installOf(c: RunCommand): { pm: Pm; prodOnly: boolean } | null {
  const name = c.cmd.name;
  if (!name || !PMS.has(name)) return null;
  const args = argValues(c);
  const sub = args[0] ?? null;
  const isInstall =
    (name === 'npm' && (sub === 'ci' || ((sub === 'install' || sub === 'i') && args.slice(1).every((a) => a !== null && a.startsWith('-'))))) ||
    (name === 'yarn' && (sub === null || sub === 'install' || (sub.startsWith('-') && args.every((a) => a !== null && a.startsWith('-'))))) ||
    (name === 'pnpm' && (sub === 'install' || sub === 'i'));
  if (!isInstall) return null;
  const prodOnly = args.some((a) => a === '--omit=dev' || a === '--production' || a === '--prod' || a === '--only=production' || a === '-P');
  return { pm: name as Pm, prodOnly };
}

/** Why a Node final stage carries a toolchain: a build step, or dev dependencies installed. Null when neither. */
export function nodeToolchainEvidence(model: Model, stage: Stage): string | null {
  const cmds = runCommands(model, stage);
  const build = cmds.find((c) => isNodeBuild(c));
  if (build) return 'build step';
  if (cmds.some((c) => installOf(c)?.prodOnly === false)) return 'dev dependencies';
  return null;
}

export function nodeRuntimeImage(tag: string | null): string {
  return `node:${slimTag(tag, false)}`;
}

export const nodeRecipe: Recipe = {
  ecosystem: 'node',
  applies(_model, stage) {
    const ref = rootImage(stage).ref;
    return !!ref && repoKey(ref) === 'node';
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    if (ref.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of its slim variant is not known here' };
    const cmds = runCommands(model, stage);
    const builds = cmds.filter((c) => isNodeBuild(c));
    const build = builds[builds.length - 1];
    if (!build) return { ok: false, reason: 'there is no build step, only dependencies: install production dependencies alone (`npm ci --omit=dev`) instead' };
    const pm = isNodeBuild(build)!;
    const dir = build.dir;
    if (!dir) return { ok: false, reason: 'the directory the build runs in is not known' };
    if (dir === '/' || workdirAt(model, stage, null) !== dir) {
      return { ok: false, reason: 'the build does not run in the image\'s WORKDIR, so the app directory is not known' };
    }
    const before = cmds.slice(0, cmds.indexOf(build));
    const install = before.map((c) => ({ c, i: installOf(c) })).filter((x) => x.i && x.c.dir === dir);
    const last = install[install.length - 1];
    if (!last) return { ok: false, reason: `no dependency install (\`${pm} ci\` / \`${pm} install\`) runs in ${dir} before the build` };
    const installPm = last.i!.pm;
    if (installPm === 'yarn') {
      const args = argValues(last.c);
      const berry = args.includes('--immutable') || copyDests(model, stage).some((d) => d.sources.some((s) => /(^|\/)\.yarnrc\.yml$|(^|\/)\.yarn\/?$/.test(s)));
      const classic = args.includes('--frozen-lockfile');
      if (berry || !classic) {
        return {
          ok: false,
          reason: berry
            ? 'Yarn Berry: whether dependencies are in node_modules or Plug\'n\'Play files is set in .yarnrc.yml, which the Dockerfile does not show'
            : '`yarn install` without `--frozen-lockfile` or `--immutable` does not say whether this is Yarn classic or Berry',
        };
      }
    }
    // The build output: the top-level entry of the app directory the command runs from.
    const words = mainCommand(model, stage);
    if (!words || words.length === 0) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT' };
    const app = dir.replace(/\/$/, '');
    const artifacts: string[] = [];
    const prog = words[0];
    if (prog === 'node' || prog === '/usr/local/bin/node') {
      const script = words.slice(1).find((w) => !w.startsWith('-'));
      const p = script ? absPath(dir, script) : null;
      if (!p) return { ok: false, reason: 'the CMD does not name the script node runs' };
      if (!p.startsWith(app + '/')) return { ok: false, reason: `the CMD runs ${p}, outside the app directory ${app}` };
      const top = p.slice(app.length + 1).split('/')[0];
      const sources = copyDests(model, stage).flatMap((d) => d.sources.map((s) => s.replace(/^.*\//, '')));
      const lock = LOCKFILES[installPm].find((l) => sources.includes(l));
      // A script at the top of the app directory may load anything beside it: the whole directory goes.
      if (top === p.slice(app.length + 1)) artifacts.push(app);
      else artifacts.push(`${app}/package.json`, ...(lock ? [`${app}/${lock}`] : []), `${app}/node_modules`, `${app}/${top}`);
    } else if (PMS.has(prog) || prog === 'npx') {
      // `npm start` and the like read package.json, which may name any file: the whole app directory goes.
      artifacts.push(app);
    } else {
      return { ok: false, reason: `the CMD runs \`${prog}\`, not node or a package script` };
    }
    const eol = model.doc.eol;
    const at = model.doc.lineEndOffset(build.instr.endLine);
    return {
      ok: true,
      plan: {
        ecosystem: 'node',
        buildStep: build.instr,
        artifacts: [...new Set(artifacts)],
        runtimeImage: nodeRuntimeImage(ref.tag),
        builderEdits: [{ start: at, end: at, text: `${eol}RUN ${PRUNE[installPm]}` }],
        buildOnlyEnv: /^(NPM_CONFIG_\w*|npm_config_\w*|YARN_\w*|COREPACK_\w*)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms: ['node', 'npm', 'npx', '/usr/local/bin/node'],
      },
    };
  },
};
