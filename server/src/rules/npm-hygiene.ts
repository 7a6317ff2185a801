/** npm-hygiene: `npm install` where a lockfile is copied (use `npm ci`), and npm's cache left in the layer. */
import type { Instr, Model, Stage } from '../core/model';
import type { ShellScript } from '../core/shell';
import { NPM_CI, NPM_INSTALL, cacheMounted, envSet, insertAfterSubcommand, operands, packageCalls, replaceWord, type ManagerSpec, type PackageCall } from '../core/package-calls';
import { rootImage, ships, workdirAt } from '../core/stage-info';
import { repoKey } from '../knowledge/base-images';
import { isNodeBuild, startScriptWords } from '../fixes/multi-stage/node';
import { mainCommand, runCommands } from '../fixes/multi-stage/common';
import { parsePackageJson, readCopied } from '../fixes/multi-stage/project-files';
import { appendCommandEdit, type OffsetEdit } from '../core/edits';
import { docEnd, shellRuns } from '../core/model';
import { SAVINGS } from '../knowledge/savings';
import { capitalised, fitted, listed, message } from '../core/message';
import { BACKGROUND_REASON, packageRule, type PackageIssue } from './shared/package-rule';

const NPM_OPTS_WITH_VALUE = new Set(['--prefix', '-C', '--workspace', '-w', '--cache', '--registry', '--userconfig', '--omit', '--include', '--loglevel']);
const NPM: ManagerSpec = { names: /^npm$/, optsWithValue: NPM_OPTS_WITH_VALUE };
const INSTALL = NPM_INSTALL;
const FETCHING = new Set([...NPM_INSTALL, ...NPM_CI, 'update', 'up', 'upgrade']);
const LOCKFILES = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json)$/;

/** The sources of a COPY/ADD (every argument but the destination), flags excluded. */
function copySources(i: Instr): string[] {
  const raw = (i.node.getRawArgumentsContent() ?? '').trim();
  const args = i.node.getArguments().map((a) => a.getValue());
  let words = args.filter((w) => !w.startsWith('--'));
  const json = raw.replace(/^(--\S+\s+)*/, '');
  if (json.startsWith('[')) {
    try {
      const arr = JSON.parse(json);
      if (Array.isArray(arr)) words = arr.map(String);
    } catch {
      // not JSON: keep the words
    }
  }
  return words.slice(0, -1);
}

/** A cheap look at the instruction's text before its words are read. */
function mentionsLockfile(i: Instr): boolean {
  const t = i.text();
  return t.includes('package-lock') || t.includes('shrinkwrap');
}

/** Per stage, the offset of its first COPY or ADD that names a lockfile (Infinity when none); computed once. */
const firstLockfileCopy = new WeakMap<Stage, number>();
function lockfileCopyAt(s: Stage): number {
  let at = firstLockfileCopy.get(s);
  if (at === undefined) {
    const i = s.instructions.find((x) => (x.keyword === 'COPY' || x.keyword === 'ADD') && mentionsLockfile(x) && copySources(x).some((w) => LOCKFILES.test(w)));
    at = i ? i.start : Infinity;
    firstLockfileCopy.set(s, at);
  }
  return at;
}

/** Whether a COPY or ADD before the instruction (in its stage or a stage it builds on) names a lockfile. */
function lockfileCopied(stage: Stage, before: Instr): boolean {
  // Once per stage, not once per RUN: a file of many npm RUNs must not scan its COPYs again for each one.
  if (lockfileCopyAt(stage) < before.start) return true;
  for (let s = stage.baseStage, depth = 1; s && depth < 64; s = s.baseStage, depth++) if (lockfileCopyAt(s) !== Infinity) return true;
  return false;
}

/**
 * Whether the package-lock.json copied into the install's folder leaves out a dependency package.json names: `npm ci`
 * then stops (the lockfile must match package.json), where `npm install` updates the lockfile and goes on. Both read
 * from the build context; unknown (either unreadable) counts as in step.
 */
function lockfileBehind(model: Model, stage: Stage, i: Instr): boolean {
  const dir = workdirAt(model, stage, i);
  if (!dir) return false;
  const pkgText = readCopied(model, stage, dir, 'package.json', i);
  const lockText = readCopied(model, stage, dir, 'package-lock.json', i);
  const pkg = pkgText === null ? null : parsePackageJson(pkgText);
  if (!pkg || lockText === null) return false;
  let lock: unknown;
  try {
    lock = JSON.parse(lockText);
  } catch {
    return false;
  }
  if (!lock || typeof lock !== 'object') return false;
  const l = lock as { packages?: Record<string, { dependencies?: object; devDependencies?: object; optionalDependencies?: object }>; dependencies?: object };
  // lockfileVersion 2 and 3: the root package's own entry; version 1: the installed tree.
  const root = l.packages?.[''];
  const locked = new Set<string>(root ? [root.dependencies, root.devDependencies, root.optionalDependencies].flatMap((d) => (d && typeof d === 'object' ? Object.keys(d) : [])) : l.dependencies && typeof l.dependencies === 'object' ? Object.keys(l.dependencies) : []);
  if (!root && !l.dependencies) return false;
  return [...pkg.dependencies, ...pkg.devDependencies].some((n) => !locked.has(n));
}

function cleansCache(script: ShellScript, calls: readonly PackageCall[], after: number): boolean {
  if (calls.some((c) => c.cmd.start > after && c.sub === 'cache' && c.cmd.args[c.subIndex + 1]?.value === 'clean')) return true;
  return script.commands.some((c) => c.start > after && c.name === 'rm' && c.args.some((a) => /\.npm(\/_cacache)?\/?\*?$/.test(a.value ?? a.raw)));
}

/** Options that already leave the dev dependencies out. */
const PROD_ONLY = /^(--omit=dev|--production|--prod|--only=prod(uction)?)$/;
/** Loaders that run TypeScript or newer syntax from dev dependencies at start-up. */
const DEV_LOADERS = /ts-node|tsx|@babel\/register|esbuild-register|@swc\/register/;

/** The stages whose image holds this one's files: itself and every stage built FROM it, directly or not. */
function shippedWith(model: Model, stage: Stage): Stage[] {
  return model.stages.filter((s) => {
    for (let x: Stage | null = s, depth = 0; x && depth < 64; x = x.baseStage, depth++) if (x === stage) return true;
    return false;
  });
}

/**
 * Whether the stage's installs of all dependencies could leave the dev ones out: the stage ships, no stage that
 * holds its files runs a build (which would need them) or sets NODE_ENV / npm's production config, and the image
 * runs a plain `node <script>` (directly or as package.json's start script) without a TypeScript loader. A
 * package.json in the build context that lists no devDependencies leaves nothing to omit. Once per stage: a
 * stage of many npm RUNs must not scan the whole stage again for each.
 */
const devDepsUnusedIn = new WeakMap<Stage, DevDeps | null>();
/** The dev dependencies package.json names, or null when it is not readable here. */
type DevDeps = { names: string[] | null };
function devDependenciesUnused(model: Model, stage: Stage): DevDeps | null {
  let v = devDepsUnusedIn.get(stage);
  if (v === undefined) devDepsUnusedIn.set(stage, (v = decideDevDependenciesUnused(model, stage)));
  return v;
}

const PRODUCTION_ENV = ['NODE_ENV', 'NPM_CONFIG_PRODUCTION', 'npm_config_production', 'NPM_CONFIG_OMIT', 'npm_config_omit'];

function decideDevDependenciesUnused(model: Model, stage: Stage): DevDeps | null {
  if (!ships(model, stage)) return null;
  const holders = shippedWith(model, stage);
  // The command of the image that holds the stage: the last such stage that nothing else builds on.
  const top = holders.filter((s) => !holders.some((t) => t.baseStage === s)).pop() ?? stage;
  let words: string[] | null = null;
  for (let s: Stage | null = top, depth = 0; s && !words && depth < 64; s = s.baseStage, depth++) words = mainCommand(model, s);
  if (!words?.length) return null;
  for (const s of holders) {
    if (PRODUCTION_ENV.some((n) => envSet(s, n, null))) return null;
    if (runCommands(model, s).some((x) => isNodeBuild(x))) return null;
  }
  const dir = workdirAt(model, stage, null);
  const text = dir ? readCopied(model, stage, dir, 'package.json', null) : null;
  const pkg = text === null ? null : parsePackageJson(text);
  if (pkg && pkg.devDependencies.length === 0) return null;
  // Through an init (`tini --`, `dumb-init`) or the node image's entrypoint, the program is the next word.
  let k = 0;
  while (k < words.length - 1 && /^(tini|dumb-init|docker-entrypoint(\.sh)?|--)$/.test(words[k].slice(words[k].lastIndexOf('/') + 1))) k++;
  const main = words.slice(k);
  const run = (pkg && startScriptWords(main, pkg)) || main;
  if (run[0] !== 'node' && run[0] !== '/usr/local/bin/node') return null;
  if (run.some((w) => DEV_LOADERS.test(w)) || run.slice(1).some((w) => /\.[cm]?tsx?$/.test(w))) return null;
  return { names: pkg ? pkg.devDependencies : null };
}

/** Whether this install already leaves the dev dependencies out. */
function prodOnly(c: PackageCall): boolean {
  const args = c.cmd.args.map((a) => a.value);
  if (args.some((a, k) => a !== null && (PROD_ONLY.test(a) || (a === '--omit' && args[k + 1] === 'dev')))) return true;
  return c.cmd.assignments.some((a) => PRODUCTION_ENV.some((n) => a.startsWith(`${n}=`)));
}

/** `--omit=dev` from npm 7 (node 15); `--production` before it. */
function omitDevFlag(stage: Stage): string {
  const ref = rootImage(stage).ref;
  const major = ref && repoKey(ref) === 'node' ? /^(\d+)/.exec(ref.tag ?? '')?.[1] : undefined;
  return major !== undefined && Number(major) < 15 ? '--production' : '--omit=dev';
}

/** Commands that fetch or write files (a clone, a download, an unpacked archive, a heredoc). */
const BRINGS_FILES = /\b(git|curl|wget|npx|yarn|pnpm|tar|unzip|cp|mv|echo|printf|cat|tee)\b|<</;

/** An install of whatever package.json lists: no package named, not global. */
function installsProject(c: PackageCall): boolean {
  return operands(c, NPM_OPTS_WITH_VALUE).length === 0 && !c.cmd.args.some((a) => a.value === '-g' || a.value === '--global');
}

/**
 * Whether nothing could have put a project where `instr` runs: no COPY or ADD in the stage or the stages it is built
 * on before it, no earlier RUN that fetches or writes files (`git clone`, `curl`, `npm init`, a heredoc), and a base
 * image of the file's own list of official images that carry no project of their own.
 */
function nothingBrought(stage: Stage, instr: Instr): boolean {
  const root = rootImage(stage).ref;
  if (!root || !['node', 'alpine', 'debian', 'ubuntu'].includes(repoKey(root))) return false;
  // The same RUN may fetch the project before it installs (`git clone … && cd app && npm install`).
  const body = instr.run?.body ?? instr.text();
  if (BRINGS_FILES.test(body) || /\bcd\b/.test(body)) return false;
  for (let s: Stage | null = stage, d = 0; s && d < 64; s = s.baseStage, d++) {
    for (const x of s.instructions) {
      if (s === stage && x.start >= instr.start) break;
      if (x.keyword === 'COPY' || x.keyword === 'ADD' || x.keyword === 'ONBUILD') return false;
      if (x.keyword === 'RUN' && (BRINGS_FILES.test(x.run?.body ?? x.text()) || /\bnpm\b/.test(x.run?.body ?? x.text()))) return false;
    }
  }
  return true;
}

function issues(model: Model): PackageIssue[] {
  const out: PackageIssue[] = [];
  for (const { stage, instr: i, run, script } of shellRuns(model, /npm/)) {
    const calls = packageCalls(script, NPM);
    // A bare install with no project in the image yet (nothing copied or fetched before it) reads no package.json and
    // fetches nothing: only installs that name packages, or that have a project to read, fill the cache.
    const noProject = nothingBrought(stage, i);
    const fetching = calls.filter((c) => FETCHING.has(c.sub) && !(noProject && installsProject(c)));
    if (fetching.length === 0) continue;
    const parts: string[] = [];
    /** What the fix does, one clause per part (its title and the message's first sentence). */
    const todo: string[] = [];
    const edits: OffsetEdit[] = [];
    // `npm install` with no packages installs from package.json; with a lockfile copied in, `npm ci` is exact and faster.
    const toCi = lockfileCopied(stage, i) && !lockfileBehind(model, stage, i)
      ? fetching.filter((c) => INSTALL.has(c.sub) && installsProject(c))
      : [];
    // Installs of everything, in a stage that ships, where nothing needs the dev dependencies after the install.
    const allDeps = fetching.filter((c) => (NPM_CI.has(c.sub) || INSTALL.has(c.sub)) && installsProject(c));
    const dev = allDeps.length ? devDependenciesUnused(model, stage) : null;
    const omitDev = dev ? allDeps.filter((c) => !prodOnly(c)) : [];
    const flag = omitDev.length ? omitDevFlag(stage) : '';
    if (toCi.length) {
      parts.push('A lockfile is copied in, so `npm ci` installs exactly what it pins (and fails when it is out of date).');
      todo.push('use `npm ci`');
      for (const c of toCi) edits.push(replaceWord(run, c.cmd.args[c.subIndex], omitDev.includes(c) ? `ci ${flag}` : 'ci'));
    }
    if (omitDev.length) {
      const sub = toCi.length || NPM_CI.has(omitDev[0].sub) ? 'ci' : 'install';
      const what = dev?.names ? `The dev dependencies (${dev.names.slice(0, 3).join(', ')}${dev.names.length > 3 ? ', …' : ''}) ship` : 'Any devDependencies of package.json ship';
      parts.push(`${what}, yet no build step runs and the image starts with plain \`node\`: \`npm ${sub} ${flag}\` installs the production dependencies alone.`);
      todo.push(`add ${flag}`);
      for (const c of omitDev) if (!toCi.includes(c)) edits.push(insertAfterSubcommand(run, c, [flag]));
    }
    const last = fetching[fetching.length - 1];
    // In a builder stage the cache never ships; `npm ci` still decides what the build installs.
    const missingClean = ships(model, stage) && !cacheMounted(i, /\/\.npm\/?$/) && !cleansCache(script, calls, last.cmd.start);
    let fixable = true;
    if (missingClean) {
      parts.push(`npm's cache (${SAVINGS.npmCache.text}) stays in this layer unless \`npm cache clean --force\` runs in the same RUN or a cache is mounted on ~/.npm.`);
      todo.push('clean the npm cache');
      const e = appendCommandEdit(model, i, 'npm cache clean --force');
      if (e) edits.push(e);
      else fixable = false;
    }
    if (parts.length === 0) continue;
    const first = toCi[0] ?? omitDev[0] ?? fetching[0];
    out.push({
      instr: i,
      start: run.map[first.cmd.start],
      end: docEnd(run, first.cmd.args[first.subIndex].end),
      message: message(npmSummary(first.sub, todo, missingClean), ...parts),
      edits: fixable ? edits : null,
      reason: BACKGROUND_REASON,
      title: capitalised(listed(todo)),
      // Only the dev dependencies left out, of a package.json not readable here: whether it has any is not known.
      severityCap: omitDev.length && !toCi.length && !missingClean && !dev?.names ? 'info' : undefined,
    });
  }
  return out;
}

/** The first sentence: what the fix does to this install. */
function npmSummary(sub: string, todo: string[], cleans: boolean): string {
  if (todo.length === 1 && cleans) return `npm ${sub} leaves npm's cache in this layer: run \`npm cache clean --force\` in the same RUN.`;
  return fitted(`npm ${sub}: ${listed(todo)}${cleans ? ' in the same RUN' : ''}.`, `npm ${sub}: ${listed(todo)}.`);
}

export const npmHygiene = packageRule(
  'npm-hygiene',
  {
    title: 'Install npm packages from the lockfile, without a leftover cache',
    rationale:
      'With package-lock.json in the image, `npm ci` installs exactly what it pins; npm keeps every fetched tarball in ~/.npm, which stays in the layer unless it is cleaned in the same RUN or mounted as a cache.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: [],
  },
  'Use npm ci and clean the npm cache',
  issues,
);
