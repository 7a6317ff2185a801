/**
 * Node: the original image installs all dependencies and runs the build; the dev dependencies are then
 * pruned in the builder and the whole app directory (build output, package.json, production node_modules,
 * and every file beside them the program may read at run time: `public/`, views, config) moves to the slim
 * image of the same Node line. Pruning in the builder (rather than installing again in the runtime) keeps
 * native modules compiled where the compilers are. The install may run in an earlier stage the final one is
 * built `FROM` (a `deps` stage); the build must run in the final stage.
 */
import { NPM_CI, NPM_INSTALL, cacheMounted } from '../../core/package-calls';
import type { Model, Stage } from '../../core/model';
import { rootImage, workdirAt } from '../../core/stage-info';
import { instructionBlock, type OffsetEdit } from '../../core/edits';
import { absPath, appDirs, copyDests, coveredBy, execForm, lastRun, mainCommand, runCommands, slimTag, stageChain, type RunCommand, rootRepoIs } from './common';
import { majorVersionOf, parsePackageJson, parseYarnRc, readCopied, type PackageJson } from './project-files';
import type { Recipe, RecipeResult } from './types';
import { buildPackagesShipped, runtimeReinstalls } from './build-packages';
import { aptPackages, runtimePackages, type AptPackages } from './system-packages';
import { debianReleaseOfTag } from '../../knowledge/runtime-libraries';
import { NODE_BUNDLED_YARN } from '../../knowledge/toolchains';
import type { Instr } from '../../core/model';

type Pm = 'npm' | 'yarn' | 'pnpm';
const PMS = new Set<string>(['npm', 'yarn', 'pnpm']);
const BUILD_SCRIPT = /^(build|compile|dist|generate|bundle)(:[\w:-]+)?$/;
/** What removes the dev dependencies from an installed node_modules, per package manager. */
const PRUNE: Record<Pm, string> = { npm: 'npm prune --omit=dev', yarn: 'yarn install --production --frozen-lockfile', pnpm: 'pnpm prune --prod' };
/** Yarn Berry's production install (yarnpkg.com/cli/workspaces/focus): built in from Yarn 4, the workspace-tools plugin before. */
const BERRY_PRUNE = 'yarn workspaces focus --all --production';
/** The package's own scripts an install runs (npm-scripts' life cycle; yarn and pnpm run the same ones). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];
/**
 * Keeps Yarn Berry's package cache inside the project (yarnpkg.com/configuration/yarnrc#enableGlobalCache; the
 * default is true from Yarn 4): Plug'n'Play's .pnp.cjs then points into the app directory's .yarn/cache, which the
 * runtime copies, not into the builder's home. Environment settings override .yarnrc.yml.
 */
const BERRY_LOCAL_CACHE = 'ENV YARN_ENABLE_GLOBAL_CACHE=false';

function argValues(c: RunCommand): (string | null)[] {
  return c.cmd.args.map((a) => a.value);
}

/** Build tools that build whatever their options say (`tsc --project tsconfig.json`, `webpack --mode production`). */
const BUILD_TOOLS = new Set(['tsc', 'webpack', 'rollup', 'tsup', 'ncc', 'esbuild']);
/** Framework CLIs whose `build` subcommand builds the app (`next build`, `nest build`, `vite build`, `ng build`). */
const FRAMEWORK_CLIS = new Set(['next', 'nest', 'vite', 'ng', 'nuxt', 'nuxi', 'astro', 'react-scripts', 'gatsby', 'parcel', 'remix', 'svelte-kit', 'vue-cli-service']);

/** Whether the words run a build tool or a framework's build from node_modules/.bin (`tsc -p .`, `next build`). */
function runsBuildTool(words: readonly (string | null)[]): boolean {
  const [tool, sub] = words;
  if (!tool) return false;
  const name = tool.slice(tool.lastIndexOf('/') + 1);
  // Watching or only type-checking builds nothing to ship.
  if (BUILD_TOOLS.has(name)) return !words.some((w) => w === '--watch' || w === '-w' || w === '--noEmit' || w === '--version' || w === '--help');
  return FRAMEWORK_CLIS.has(name) && sub === 'build';
}

/**
 * `npm run build`, `yarn build`, `pnpm run build`, and a build tool run from node_modules/.bin (`npx tsc`,
 * `yarn tsc -p .`, `pnpm next build`, `npm exec -- vite build`, `node_modules/.bin/webpack`): the command that builds
 * the app, and the package manager it runs through.
 */
export function isNodeBuild(c: RunCommand): Pm | null {
  const name = c.cmd.name;
  const args = argValues(c);
  if (name === 'npx') return runsBuildTool(args[0] === '--' ? args.slice(1) : args) || args[1] === 'build' ? 'npm' : null;
  if (name && /^(\.\/)?node_modules\/\.bin\/[\w.-]+$/.test(name)) return runsBuildTool([name, ...args]) ? 'npm' : null;
  if (!name || !PMS.has(name)) return null;
  // `npm exec`, `pnpm exec`, `yarn exec` (and yarn / pnpm running a bin by name): the tool itself.
  const exec = args[0] === 'exec' ? args.slice(args[1] === '--' ? 2 : 1) : name !== 'npm' ? args : null;
  if (exec && runsBuildTool(exec)) return name as Pm;
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
    (name === 'npm' && sub !== null && (NPM_CI.has(sub) || (NPM_INSTALL.has(sub) && args.slice(1).every((a) => a !== null && a.startsWith('-'))))) ||
    (name === 'yarn' && (sub === null || sub === 'install' || (sub.startsWith('-') && args.every((a) => a !== null && a.startsWith('-'))))) ||
    (name === 'pnpm' && (sub === 'install' || sub === 'i'));
  if (!isInstall) return null;
  const prodOnly = args.some((a) => a === '--omit=dev' || a === '--production' || a === '--prod' || a === '--only=production' || a === '-P');
  return { pm: name as Pm, prodOnly };
}

/** Whether the stage runs a Node build step (`npm run build`, `npx tsc`): what makes a builder stage worth it. */
export function nodeBuildStep(model: Model, stage: Stage): boolean {
  return runCommands(model, stage).some((c) => isNodeBuild(c));
}

export function nodeRuntimeImage(tag: string | null): string {
  return `node:${slimTag(tag, false)}`;
}

export const nodeRecipe: Recipe = {
  ecosystem: 'node',
  applies(_model, stage) {
    return rootRepoIs(stage, 'node');
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    if (ref.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of its slim variant is not known here' };
    const chain = stageChain(stage);
    const cmds = chain.flatMap((s) => runCommands(model, s));
    const builds = cmds.filter((c) => isNodeBuild(c) && c.instr.stage === stage);
    const build = builds[builds.length - 1];
    if (!build) return nativeModulesPlan(model, stage, cmds) ?? { ok: false, reason: 'there is no build step, only dependencies: a runtime that takes node_modules compiled with the build packages is not written here' };
    const pm = isNodeBuild(build)!;
    if (!build.dir) return { ok: false, reason: 'the directory the build runs in is not known' };
    // The app directory is the WORKDIR: the build runs there, or in a folder inside it (`cd client && npm run build`),
    // whose output the program in the WORKDIR serves. The dependencies pruned are the WORKDIR's.
    const wdEnd = workdirAt(model, stage, null);
    const dir = wdEnd && build.dir.startsWith(wdEnd + '/') ? wdEnd : build.dir;
    if (dir === '/' || wdEnd !== dir) {
      return { ok: false, reason: 'the build does not run in the image\'s WORKDIR, so the app directory is not known' };
    }
    // RUNs after the build that only drop the dev dependencies (`yarn install --production`, the Dockerfile's own
    // prune) or copy files inside the app directory (`cp -r build result_build`): they stay in the builder.
    const tail = tailAfterBuild(stage, cmds, build, dir);
    const ownPrune = tail.pruned;
    const before = cmds.slice(0, cmds.indexOf(build));
    const installsIn = (d: string) => before.map((c) => ({ c, i: installOf(c) })).filter((x) => x.i && x.c.dir === d);
    // A build in a folder inside the WORKDIR with no install in the WORKDIR itself: nothing there to prune.
    const rootInstalls = installsIn(dir);
    const pruneable = rootInstalls.length > 0;
    const install = pruneable ? rootInstalls : installsIn(build.dir);
    const last = install[install.length - 1];
    if (!last) return { ok: false, reason: `no dependency install (\`${pm} ci\` / \`${pm} install\`) runs in ${dir} before the build` };
    const installPm = last.i!.pm;
    const copied = (file: string) => {
      for (let k = chain.length - 1; k >= 0; k--) {
        const t = readCopied(model, chain[k], dir, file, chain[k] === stage ? build.instr : null);
        if (t !== null) return t;
      }
      return null;
    };
    const pkgText = copied('package.json');
    const pkg = pkgText === null ? null : parsePackageJson(pkgText);
    if (pkgText !== null && !pkg) return { ok: false, reason: 'package.json in the build context does not parse' };
    let prune: string | null = PRUNE[installPm];
    const builderEdits: OffsetEdit[] = [];
    if (installPm === 'yarn') {
      const y = yarnPrune(model, chain, last.c, copied('.yarnrc.yml'), pkg, copied('yarn.lock'));
      if ('reason' in y) return { ok: false, reason: y.reason };
      prune = y.prune;
      if (y.localCache) {
        const at = instructionBlock(model, last.c.instr).commentStart;
        builderEdits.push({ start: at, end: at, text: `${BERRY_LOCAL_CACHE}${model.doc.eol}` });
      }
    }
    // The build output: the top-level entry of the app directory the command runs from.
    const main = mainCommand(model, stage);
    if (!main || main.length === 0) {
      const has = stage.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
      return { ok: false, reason: has ? 'the CMD or ENTRYPOINT is not one plain command (an exec form that is not valid JSON runs through a shell)' : 'the stage has no CMD or ENTRYPOINT' };
    }
    const app = dir.replace(/\/$/, '');
    // `npm start` / `npm run <s>` whose script is `node <file>` (package.json in the build context) runs that file.
    const started = pkg && startScriptWords(main, pkg);
    const words = started || main;
    const prog = words[0];
    // yarn and pnpm come from corepack in the builder (`corepack enable`, and the release it downloaded into the
    // builder's home); the runtime has neither, and would fetch the release at start. A script that is one
    // `node <file>` runs as that command instead.
    // Yarn classic is part of the official node images up to Node 25 (knowledge/toolchains.ts NODE_BUNDLED_YARN): where
    // the builder ran that same yarn (a v1 lockfile, no corepack, no other yarn installed), the runtime has it too.
    const bundledYarn = main[0] === 'yarn' && !started && bundledYarnRuns(model, chain, cmds, ref.tag, pkg, copied);
    const viaCorepack = (main[0] === 'yarn' || main[0] === 'pnpm') && !bundledYarn;
    // A yarn or pnpm the stage installs with `npm install -g` the runtime installs again (globalCli below).
    if (viaCorepack && !started && !globalCli(cmds, main[0])) {
      return { ok: false, reason: `the CMD runs \`${main.join(' ')}\`, and the runtime may not have that ${main[0]} (what corepack downloads stays in the builder's home); a package.json start script that is one \`node <file>\` would run as that command` };
    }
    // A CLI the stage installs globally (`npm install -g serve`) and the CMD runs: the runtime installs it too.
    const cli = globalCli(cmds, prog);
    // `npx [-y] http-server <dir>` where the app does not depend on the server: npx fetches it at start, in either image.
    const fetched = prog === 'npx' ? npxFetched(words, pkg, [copied('package-lock.json'), copied('yarn.lock'), copied('pnpm-lock.yaml')]) : null;
    /** What the CMD reads, when it is less than the whole app directory (the folder `serve` serves). */
    let served: string | null = null;
    if (prog === 'node' || prog === '/usr/local/bin/node') {
      let script = words.slice(1).find((w) => !w.startsWith('-'));
      // `node .` runs the package's main (package.json), index.js when it names none.
      if (script && pkg && absPath(dir, script) === app) script = pkg.main ?? 'index.js';
      const p = script ? absPath(dir, script) : null;
      if (!p) return { ok: false, reason: 'the CMD does not name the script node runs' };
      if (!p.startsWith(app + '/')) return { ok: false, reason: `the CMD runs ${p}, outside the app directory ${app}` };
    } else if (cli || fetched) {
      // The runtime's install of the CLI must see the same npm configuration: none the builder's ENV or .npmrc sets.
      if (cli) {
        const config = npmConfigOf(model, chain);
        if (config) return { ok: false, reason: `the runtime would install \`${cli.name}\` again, but the stage configures npm (${config}), which the runtime would not have` };
      }
      prune = null;
      const dirServed = servedDirectory(fetched ?? words, dir);
      if (dirServed && dirServed !== app) {
        if (!dirServed.startsWith(app + '/')) return { ok: false, reason: `the CMD serves ${dirServed}, outside the app directory ${app}` };
        served = dirServed;
      }
    } else if (!PMS.has(prog) && prog !== 'npx' && !inBinDir(prog, dir, app)) {
      return { ok: false, reason: `the CMD runs \`${prog}\`, not node, a package script or a CLI the stage installs with \`npm install -g\`` };
    } else {
      // A package script that is not one plain `node <file>` (`vite preview`, `tsc && node dist`, `npx dotenv …`), one
      // package.json does not show, npx, or a CLI of node_modules/.bin: what it runs may be a dev dependency, so none
      // is pruned.
      prune = null;
    }
    // yarn and pnpm run the package's own install scripts again when they prune (`yarn install --production`,
    // `pnpm prune --prod`): a `postinstall` or `prepare` that calls a dev dependency (`husky install`) then fails
    // the build, that dependency gone. npm's prune runs none of them.
    if (prune && installPm !== 'npm' && pkg && INSTALL_SCRIPTS.some((k) => k in pkg.scripts)) prune = null;
    // The whole app directory: the build context does not say which files beside the build output the program
    // reads at run time (a static site in public/, templates, config), so none is left behind.
    // A static file server (`serve -s build`) reads only the folder it serves.
    const artifacts = served ? [served, ...tail.copied.filter((d) => !coveredBy(d, [served!]))] : [app];
    const system = runtimeSystemSetup(model, chain, ref.tag, nodeRuntimeImage(ref.tag));
    if (!system.ok) return system;
    if (ownPrune || !pruneable) prune = null;
    const runtime = nodeRuntimeImage(ref.tag);
    // The same image with the whole app directory and every dependency: a builder stage would leave behind only
    // the package manager's cache (which the install can clean itself) and build packages the stage does not have.
    // With the Dockerfile's own prune it saves the dev dependencies only if a layer holds them: not when the install put
    // node_modules in a cache mount.
    // (Not when a RUN after the build is left: what it makes is not known, and the planner says so.)
    const lastStep = tail.last ?? build.instr;
    // (A RUN that only changes owners or modes, as the non-root fix adds, makes nothing: the files stay the same.)
    const laterRun = stage.instructions
      .slice(stage.instructions.indexOf(lastStep) + 1)
      .some((i) => i.keyword === 'RUN' && !cmds.filter((c) => c.instr === i).every((c) => ownersOnly(c) || copiesInApp(c, app) !== null));
    if (!prune && !served && !laterRun && runtime === `node:${ref.tag ?? 'latest'}` && !buildPackagesShipped(model, stage).length && !system.apt?.length) {
      const mounted = ownPrune && cacheMounted(last.c.instr, { test: (t) => absPath(dir, t) === `${app}/node_modules` });
      // Not reported at all: the package manager's cache is npm-hygiene's to clean, and nothing else would go.
      if (!ownPrune) return { ok: false, quiet: true, reason: `the runtime would be ${runtime} itself with the whole app directory and every dependency (what \`${words.join(' ')}\` runs may be a dev dependency): a builder stage would save only the package cache` };
      if (mounted) return { ok: false, quiet: true, reason: `the dev dependencies never reach a layer (node_modules is a cache mount while they are installed, and the RUN on line ${ownPrune.line + 1} installs the production ones): a ${runtime} runtime would hold the same files` };
    }
    const setup = [...(cli?.line ? [cli.line] : []), ...system.setup];
    const eol = model.doc.eol;
    const at = model.doc.lineEndOffset(lastStep.endLine);
    return {
      ok: true,
      plan: {
        ecosystem: 'node',
        buildStep: lastStep,
        artifacts,
        runtimeImage: runtime,
        builderEdits: [...builderEdits, ...(prune ? [{ start: at, end: at, text: `${eol}RUN ${prune}` }] : [])],
        buildOnlyEnv: /^(NPM_CONFIG_\w*|npm_config_\w*|YARN_\w*|COREPACK_\w*)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms: ['node', 'npm', 'npx', '/usr/local/bin/node', ...(bundledYarn ? ['yarn'] : []), ...(cli ? [cli.name] : [])],
        runtimeSetup: setup,
        ...(cli?.moved ? { setupRuns: cli.moved } : {}),
        ...(system.apt ? { runtimeAptPackages: system.apt } : {}),
        ...(viaCorepack && started ? { runtimeCommand: (w: string[]) => (w.length === main.length && w.every((x, k) => x === main[k]) ? started : null) } : {}),
      },
    };
  },
};

/** npm options a global install may carry that change nothing about what it installs. */
const QUIET_NPM_OPTION = /^(-g|--global|--location=global|--no-audit|--no-fund|--silent|-s|-q|--quiet|--unsafe-perm(=true)?|--no-update-notifier|--no-progress|--loglevel=\w+)$/;

/** The package specs of `npm install -g <spec>…` / `yarn global add <spec>…`, and how to install one again; null when not one. */
function globalInstall(c: RunCommand): { specs: string[]; again: (spec: string) => string } | null {
  const args = argValues(c);
  if (args.some((a) => a === null)) return null;
  const words = args as string[];
  if (c.cmd.name === 'npm' && NPM_INSTALL.has(words[0] ?? '') && words.some((a) => a === '-g' || a === '--global' || a === '--location=global')) {
    const rest = words.slice(1);
    if (rest.some((a) => a.startsWith('-') && !QUIET_NPM_OPTION.test(a))) return null;
    return { specs: rest.filter((a) => !a.startsWith('-')), again: (spec) => `RUN npm install -g ${spec}` };
  }
  if (c.cmd.name === 'yarn' && words[0] === 'global' && words[1] === 'add') {
    const rest = words.slice(2);
    if (rest.some((a) => a.startsWith('-') && a !== '--silent' && a !== '--no-progress')) return null;
    return { specs: rest, again: (spec) => `RUN yarn global add ${spec}` };
  }
  return null;
}

/** The name of an unscoped registry package spec (`serve`, `serve@14`, `serve@^14.2.0`); null for a path, URL or scope. */
function specName(spec: string): string | null {
  const m = /^([a-z0-9][a-z0-9._-]*)(@[^\s/:]+)?$/.exec(spec);
  return m ? m[1] : null;
}

/**
 * The globally installed CLI the CMD runs (`npm install -g serve`, `CMD serve -s build`): its bin has the package's
 * name. The runtime installs the same spec again, before it copies the app: a RUN after the build that only installs
 * global packages moves there as written (`moved`); an install inside an earlier RUN stays (the build may use it) and
 * the runtime installs the CLI's spec alone (`line`).
 */
function globalCli(cmds: RunCommand[], prog: string): { name: string; line: string | null; moved: Instr[] | null } | null {
  if (!prog || prog.includes('/')) return null;
  let found: { c: RunCommand; spec: string; again: (s: string) => string } | null = null;
  for (const c of cmds) {
    const g = globalInstall(c);
    const spec = g?.specs.find((s) => specName(s) === prog);
    if (g && spec) found = { c, spec, again: g.again };
  }
  if (!found) return null;
  const instr = found.c.instr;
  const own = cmds.filter((c) => c.instr === instr);
  const buildAt = cmds.findIndex((c) => isNodeBuild(c) && c.instr.stage === instr.stage);
  const afterBuild = buildAt >= 0 && cmds.indexOf(own[0]) > buildAt && cmds[buildAt].instr !== instr && instr.stage === cmds[buildAt].instr.stage;
  const onlyGlobal = own.every((c) => globalInstall(c) !== null);
  // The whole RUN moves, as written.
  if (afterBuild && onlyGlobal) return { name: prog, line: null, moved: [instr] };
  return { name: prog, line: found.again(found.spec), moved: null };
}

/** The npm or yarn configuration the stages set (an ENV of NPM_CONFIG_*, YARN_*, a copied .npmrc or .yarnrc), named; null when none. */
function npmConfigOf(model: Model, chain: Stage[]): string | null {
  for (const s of chain) {
    for (const i of s.instructions) {
      if (i.keyword !== 'ENV') continue;
      const names = (i.node as unknown as { getProperties(): { getName(): string }[] }).getProperties().map((p) => p.getName());
      const set = names.find((n) => /^(NPM_CONFIG_|npm_config_|YARN_)/.test(n));
      if (set) return `ENV ${set} on line ${i.line + 1}`;
    }
    const rc = copyDests(model, s).find((d) => d.path === null || d.sources.some((src) => /(^|\/)\.(npmrc|yarnrc)$/.test(src)));
    if (rc) return rc.path === null ? `a COPY on line ${rc.instr.line + 1} whose files are not known` : `.npmrc copied on line ${rc.instr.line + 1}`;
  }
  return null;
}

/**
 * Static file servers and the options that change nothing about which files they read: `serve` (vercel/serve README:
 * it reads serve.json from the folder it serves) and `http-server` (http-party/http-server README); checked 2026-12.
 * An option not listed here (a config file, TLS key files, symlinks followed) makes the folder unsure.
 */
const STATIC_SERVERS: Record<string, { flags: RegExp; valued: RegExp }> = {
  serve: {
    flags: /^(-s|--single|-d|--debug|-n|--no-clipboard|-u|--no-compression|--no-etag|--cors|-C|-L|--no-request-logging|--no-port-switching)$/,
    valued: /^(-l|--listen|-p|--port)$/,
  },
  'http-server': {
    flags: /^(-s|--silent|-g|--gzip|-b|--brotli|--cors|-U|--utc|--no-dotfiles)$/,
    valued: /^(-p|--port|-a|-c|-e|--ext|-t|-P|--proxy)$/,
  },
};

/**
 * The words of a static server `npx [-y] <server>[@version] …` fetches, with the server first; null when the app
 * may have it installed (npx then runs node_modules/.bin's copy): package.json lists it, a lockfile names it (a
 * dependency's dependency whose bin npm links too), or neither package.json nor a lockfile is known.
 */
function npxFetched(words: string[], pkg: PackageJson | null, locks: (string | null)[]): string[] | null {
  let k = 1;
  while (k < words.length && /^(-y|--yes|-q|--quiet)$/.test(words[k])) k++;
  const name = words[k] ? specName(words[k]) : null;
  if (!name || !STATIC_SERVERS[name] || !pkg) return null;
  if (pkg.dependencies.includes(name) || pkg.devDependencies.includes(name)) return null;
  const read = locks.filter((l): l is string => l !== null);
  // package-lock.json (`"node_modules/x"`, v1's `"x": {`), yarn.lock (`x@…:` / `"x@…"`), pnpm-lock.yaml (`/x@…`, `x@…`).
  const forms = [`/${name}"`, `"${name}":`, `\n${name}@`, `"${name}@`, `/${name}@`, ` ${name}@`, `'${name}@`];
  if (!read.length || read.some((l) => forms.some((f) => l.includes(f)))) return null;
  return [name, ...words.slice(k + 1)];
}

/**
 * The folder a static server serves (its one positional argument, the working directory without one), resolved
 * against `dir`; null when its options say it may read more (a config file, symlinks) or are not known here.
 */
function servedDirectory(words: string[], dir: string): string | null {
  const server = STATIC_SERVERS[words[0]];
  if (!server) return null;
  const { flags: FLAGS, valued: VALUED } = server;
  const positional: string[] = [];
  for (let k = 1; k < words.length; k++) {
    const w = words[k];
    if (FLAGS.test(w) || (w.startsWith('--') && w.includes('=') && VALUED.test(w.slice(0, w.indexOf('='))))) continue;
    if (VALUED.test(w)) {
      k++;
      continue;
    }
    if (w.startsWith('-')) return null;
    positional.push(w);
  }
  if (positional.length > 1) return null;
  return absPath(dir, positional[0] ?? '.');
}

/** Whether the program is a bin of the app's own node_modules (`node_modules/.bin/next`). */
function inBinDir(prog: string, dir: string, app: string): boolean {
  const p = prog.includes('/') ? absPath(dir, prog) : null;
  return !!p && p.startsWith(`${app}/node_modules/.bin/`) && !p.slice(`${app}/node_modules/.bin/`.length).includes('/');
}

/** `chown` / `chmod`: a command that changes who may use files, not which files there are. */
function ownersOnly(c: RunCommand): boolean {
  return c.cmd.name === 'chown' || c.cmd.name === 'chmod';
}

/** Commands that drop the dev dependencies from node_modules (or clean a cache beside them). */
function prunesDev(c: RunCommand): boolean {
  const args = argValues(c);
  if (c.cmd.name === 'npm' && args[0] === 'prune') return args.slice(1).some((a) => a === '--production' || a === '--omit=dev' || a === '--prod');
  if ((c.cmd.name === 'npm' || c.cmd.name === 'yarn') && args[0] === 'cache' && args[1] === 'clean') return true;
  return !!installOf(c)?.prodOnly;
}

/**
 * `cp`/`mv`/`mkdir` of static paths inside the app directory: the folders it writes (a copy of the build output), or
 * null when it is not one.
 */
function copiesInApp(c: RunCommand, app: string): string[] | null {
  const name = c.cmd.name;
  if ((name !== 'cp' && name !== 'mv' && name !== 'mkdir') || !c.dir) return null;
  const args = argValues(c);
  if (args.some((a) => a === null)) return null;
  const words = args as string[];
  if (words.some((w) => w.startsWith('-') && !/^-[rRpafv]+$/.test(w))) return null;
  const paths = words.filter((w) => !w.startsWith('-')).map((w) => absPath(c.dir, w));
  if (!paths.length || paths.some((p) => !p || !p.startsWith(app + '/') || /[*?[]/.test(p))) return null;
  return name === 'mkdir' ? (paths as string[]) : [paths[paths.length - 1]!];
}

/**
 * The RUNs right after the build that only drop the dev dependencies in `dir` (the Dockerfile's own prune) or copy
 * files inside it: the last of them (the builder's last step), the prune, and the folders the copies write.
 */
function tailAfterBuild(stage: Stage, cmds: RunCommand[], build: RunCommand, dir: string): { last: Instr | null; pruned: Instr | null; copied: string[] } {
  const k = stage.instructions.indexOf(build.instr);
  const out: { last: Instr | null; pruned: Instr | null; copied: string[] } = { last: null, pruned: null, copied: [] };
  const app = dir.replace(/\/$/, '');
  for (const i of stage.instructions.slice(k + 1)) {
    if (i.keyword !== 'RUN') continue;
    const own = cmds.filter((c) => c.instr === i);
    if (!own.length) break;
    // (With the non-root fix's `chown` beside it: owners change, not files.)
    if (own.every((c) => (prunesDev(c) && c.dir === dir) || ownersOnly(c)) && own.some((c) => prunesDev(c) && argValues(c)[0] !== 'cache')) {
      out.pruned = out.last = i;
      continue;
    }
    const written = own.map((c) => copiesInApp(c, app));
    if (written.some((w) => w === null)) break;
    out.copied.push(...written.flat() as string[]);
    out.last = i;
  }
  return out;
}

/**
 * Whether the runtime has the yarn the builder ran: Yarn classic bundled in the official node image of a major that
 * has it (NODE_BUNDLED_YARN), for a project Yarn classic manages (a v1 yarn.lock; no Berry .yarnrc.yml or
 * packageManager), with no corepack or other yarn installed in the stages.
 */
function bundledYarnRuns(model: Model, chain: Stage[], cmds: RunCommand[], tag: string | null, pkg: PackageJson | null, copied: (f: string) => string | null): boolean {
  const m = /^(\d+)(?:$|[.-])/.exec(tag ?? '');
  const major = m ? Number(m[1]) : null;
  if (major === null || major < NODE_BUNDLED_YARN.minMajor || major > NODE_BUNDLED_YARN.maxMajor) return false;
  if (!copied('yarn.lock')?.slice(0, 2000).includes('# yarn lockfile v1')) return false;
  const pm = pkg?.packageManager ?? null;
  if (pm !== null && !/^yarn@1\./.test(pm)) return false;
  if (copied('.yarnrc.yml') !== null) return false;
  if (chain.some((s) => copyDests(model, s).some((d) => d.sources.some((src) => /(^|\/)\.yarnrc\.yml$|(^|\/)\.yarn\/?$/.test(src))))) return false;
  return !cmds.some((c) => c.cmd.name === 'corepack' || globalInstall(c)?.specs.some((sp) => specName(sp) === 'yarn'));
}

/** Python beside a compiler is node-gyp's (github.com/nodejs/node-gyp#on-unix: python3, make, a C/C++ toolchain): it stays in the builder. */
function withoutNodeGypPython(apt: AptPackages): void {
  if (apt.buildOnly.some((p) => /^(build-essential|g\+\+|gcc|make)([-:=]|$)/.test(p))) apt.runtime = apt.runtime.filter((p) => !/^(python3?|python3-minimal|python-is-python3)([:=]|$)/.test(p));
}

/**
 * The system packages the builder installed that the program may use at run time (ffmpeg, imagemagick, the
 * run-time libraries of `-dev` packages a native module links), installed again in the runtime: the same image
 * family as the builder (Debian slim for Debian, the same Alpine tag for Alpine). Build-only packages (compilers,
 * make, git, curl: knowledge/toolchains.ts BUILD_PACKAGE) stay behind. A reason instead when they cannot be told.
 */
function runtimeSystemSetup(model: Model, chain: Stage[], tag: string | null, image: string): { ok: true; setup: string[]; apt?: string[] } | { ok: false; reason: string } {
  if (/(^|-)alpine/.test(tag ?? '')) {
    const r = runtimeReinstalls(model, chain);
    if (!r.ok) return r;
    return { ok: true, setup: r.packages.length ? [`RUN apk add --no-cache ${r.packages.join(' ')}`] : [] };
  }
  const all = chain.map((s) => aptPackages(model, s));
  const apt = { dev: [...new Set(all.flatMap((a) => a.dev))], buildOnly: [...new Set(all.flatMap((a) => a.buildOnly))], runtime: [...new Set(all.flatMap((a) => a.runtime))], problem: all.find((a) => a.problem)?.problem ?? null };
  withoutNodeGypPython(apt);
  const pkgs = runtimePackages(apt, debianReleaseOfTag(tag), image, 'name the release in the tag (e.g. node:20-bookworm)', true);
  if (!pkgs.ok) return pkgs;
  return { ok: true, setup: [], apt: pkgs.packages };
}

/**
 * The words `npm start` / `npm run <name>` (also yarn/pnpm) end up running when package.json's script is one
 * plain `node <file> …` and no pre/post script runs around it; null otherwise.
 */
export function startScriptWords(words: string[], pkg: PackageJson): string[] | null {
  const [pm, a, b] = words;
  if (!pm || !PMS.has(pm)) return null;
  const name = a === 'start' ? 'start' : a === 'run' || a === 'run-script' ? b : pm !== 'npm' ? a : undefined;
  if (!name || words.length > (a === 'run' || a === 'run-script' ? 3 : 2)) return null;
  const script = pkg.scripts[name];
  if (!script || pkg.scripts[`pre${name}`] || pkg.scripts[`post${name}`]) return null;
  const w = execForm(script);
  return w && w[0] === 'node' ? w : null;
}

/**
 * How the builder drops Yarn's dev dependencies: Yarn classic `--production`, or for Yarn Berry (read from
 * .yarnrc.yml and package.json in the build context) `yarn workspaces focus --all --production` when the
 * dependencies are in node_modules. Plug'n'Play, or a .yarnrc.yml that cannot be read: no prune (Plug'n'Play
 * keeps every dependency as a zip file behind .pnp.cjs, with no production-only install to copy); the package
 * cache is kept in the project (`localCache`) and the whole app directory goes, which runs either way.
 */
function yarnPrune(model: Model, chain: Stage[], install: RunCommand, rcText: string | null, pkg: PackageJson | null, lockText: string | null = null): { prune: string | null; localCache?: true } | { reason: string } {
  const args = argValues(install);
  const pmMajor = majorVersionOf(pkg?.packageManager ?? null, 'yarn');
  const copiesRc = chain.some((s) => copyDests(model, s).some((d) => d.sources.some((src) => /(^|\/)\.yarnrc\.yml$|(^|\/)\.yarn\/?$/.test(src))));
  // The lockfile says which Yarn wrote it: classic's header `# yarn lockfile v1`, Berry's `__metadata:` block.
  const lockHead = lockText?.slice(0, 2000) ?? '';
  const classicLock = lockHead.includes('# yarn lockfile v1');
  const berryLock = !classicLock && /^__metadata:/m.test(lockHead);
  const berry = args.includes('--immutable') || copiesRc || rcText !== null || berryLock || (pmMajor !== null && pmMajor >= 2);
  if (!berry) {
    if (args.includes('--frozen-lockfile')) return { prune: PRUNE.yarn };
    // Pruned as the file installed: a lockfile the install was allowed to update is not frozen for the prune either.
    if (pmMajor === 1 || classicLock) return { prune: 'yarn install --production' };
    return { reason: '`yarn install` without `--frozen-lockfile` or `--immutable` does not say whether this is Yarn classic or Berry' };
  }
  if (rcText === null) return { prune: null, localCache: true };
  const rc = parseYarnRc(rcText);
  if (!rc) return { reason: '.yarnrc.yml in the build context does not parse' };
  if (rc.nodeLinker === 'pnp') return { prune: null, localCache: true };
  if (rc.nodeLinker !== 'node-modules') return { reason: `Yarn's nodeLinker \`${rc.nodeLinker}\` is not converted here; \`node-modules\` is` };
  const major = pmMajor ?? majorVersionOf(rc.yarnPath, 'yarn');
  if (major === null) return { reason: 'the Yarn Berry version is not named (packageManager in package.json or yarnPath in .yarnrc.yml), and its production install differs by version' };
  if (major < 4 && !rc.workspaceTools) return { reason: `Yarn ${major} needs the workspace-tools plugin for \`${BERRY_PRUNE}\`; add it or use Yarn 4` };
  return { prune: BERRY_PRUNE };
}

/**
 * No build step, but build packages installed for native modules (`node:20-slim` + build-essential python3, then
 * `npm ci`): the builder keeps the packages and compiles node_modules; the runtime is the slim image of the same
 * line (the same image when it is already slim) with the whole app directory, node_modules as installed (nothing
 * pruned: the original image had them all), and the run-time libraries of the `-dev` packages. null when the stage
 * installs no build packages (then a builder stage gains nothing).
 */
function nativeModulesPlan(model: Model, stage: Stage, cmds: RunCommand[]): RecipeResult | null {
  if (buildPackagesShipped(model, stage).length === 0) return null;
  const ref = rootImage(stage).ref!;
  const tag = ref.tag ?? '';
  if (/(^|-)alpine/.test(tag)) return { ok: false, reason: 'the image is an Alpine Node; the run-time packages of what apk installs into it are not known here' };
  const install = cmds.filter((c) => installOf(c)).pop();
  if (!install) return { ok: false, reason: 'no dependency install (`npm ci` / `npm install` / `yarn install`) runs in the stage: nothing is built with the build packages' };
  const wd = workdirAt(model, stage, null);
  if (!install.dir || install.dir === '/' || install.dir !== wd) return { ok: false, reason: 'the dependency install does not run in the image\'s WORKDIR, so the app directory is not known' };
  const found = appDirs(model, stage);
  if (!found.ok) return found;
  if (!found.dirs.some((d) => d === install.dir)) return { ok: false, reason: `the dependencies are installed in ${install.dir}, which is not where the app is copied` };
  const apt = aptPackages(model, stage);
  withoutNodeGypPython(apt);
  const pkgs = runtimePackages(apt, debianReleaseOfTag(ref.tag), `node:${tag || 'latest'}`, 'name the release in the tag (e.g. -bookworm-slim)', true);
  if (!pkgs.ok) return pkgs;
  return {
    ok: true,
    plan: {
      ecosystem: 'node',
      buildStep: lastRun(stage)!,
      artifacts: found.dirs,
      runtimeImage: /(^|-)slim/.test(tag) ? `node:${tag}` : nodeRuntimeImage(ref.tag),
      builderEdits: [],
      buildOnlyEnv: /^(NPM_CONFIG_\w*|npm_config_\w*|YARN_\w*|COREPACK_\w*)$/,
      runtimeNonRoot: false,
      runtimeHasShell: true,
      // yarn (classic) is part of the official node images, slim ones included.
      runtimePrograms: ['node', 'npm', 'npx', 'yarn', '/usr/local/bin/node'],
      runtimeAptPackages: pkgs.packages,
    },
  };
}
