/** merge-run: consecutive RUN instructions of one stage that can safely become one layer. */
import { joinContinuations, type Instr, type Model, type RunInfo, type Stage } from '../core/model';
import { parseShell, type ShellScript } from '../core/shell';
import { ships, workdirAt } from '../core/stage-info';
import { withoutTrailingSlashes } from '../core/flags';
import { baseName, cacheMounted } from '../core/package-calls';
import type { Fix, Finding } from '../core/types';
import { continuation, toTextEdits, type OffsetEdit } from '../core/edits';
import { message } from '../core/message';
import type { RawFinding, Rule } from './types';

/** The RUN body of a `RUN` or of an `ONBUILD RUN`. */
export function runOf(i: Instr): RunInfo | undefined {
  return i.keyword === 'RUN' ? i.run : i.keyword === 'ONBUILD' ? i.onbuildRun : undefined;
}

/** Whether a RUN (or an ONBUILD RUN) can take part in a merge at all. */
function mergeable(i: Instr): boolean {
  const run = runOf(i);
  if (!run || run.form !== 'shell') return false;
  const script = run.script();
  if (!script) return false;
  // A body that ends in a comment cannot be followed by ` && …` on the same logical line.
  if (!script.endsOpen) return true;
  const tail = run.body.slice(script.lastStatementEnd);
  return !(tail.lastIndexOf('#') > tail.lastIndexOf('\n'));
}

/**
 * Maximal groups of consecutive mergeable RUNs with equal flags; only comments may stand between them.
 * `ONBUILD RUN`s group only with each other: they run in a child build, not in this one.
 */
export function runGroups(stage: Stage): Instr[][] {
  // Once per stage: `fixes` is asked once per finding, and apt-hygiene asks per RUN.
  let groups = groupsOf.get(stage);
  if (!groups) groupsOf.set(stage, (groups = findGroups(stage)));
  return groups;
}

const groupsOf = new WeakMap<Stage, Instr[][]>();

function findGroups(stage: Stage): Instr[][] {
  const groups: Instr[][] = [];
  let cur: Instr[] = [];
  const flush = () => {
    if (cur.length >= 2) groups.push(cur);
    cur = [];
  };
  const list = stage.instructions;
  // A shell-form RUN next to another of the same kind: only those can be in a group (and need a shell parse).
  const shellRun = (i: Instr | undefined, keyword: string) => i !== undefined && i.keyword === keyword && runOf(i)?.form === 'shell';
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    if (!shellRun(list[k - 1], i.keyword) && !shellRun(list[k + 1], i.keyword)) {
      flush();
      continue;
    }
    if (mergeable(i)) {
      if (cur.length > 0 && (cur[0].keyword !== i.keyword || runOf(cur[0])!.flagsKey !== runOf(i)!.flagsKey)) flush();
      cur.push(i);
      // Under errexit a body stops at its first failure, in `;` sequences, loops and subshells alike. Anywhere but
      // last, the merge puts it left of `&&`, where the shell ignores errexit (POSIX), even inside `( … )`: such a
      // body may only end a group. (Conservative: under a SHELL with -e, RUNs then do not merge at all.)
      const run = runOf(i)!;
      if (run.shellErrexit || run.script()!.setsErrexit) flush();
    } else flush();
  }
  flush();
  return groups;
}

/** Commands that remove, move or rewrite files in place: run after another RUN, the old copies stay in its layer. */
const REWRITING_COMMANDS = new Set(['rm', 'rmdir', 'unlink', 'shred', 'mv', 'chown', 'chmod', 'chgrp', 'strip', 'truncate']);
/** Of those, the ones that change files in place: the layer stores a second copy rather than a file that is gone. */
const IN_PLACE_COMMANDS = new Set(['chown', 'chmod', 'chgrp', 'strip', 'truncate']);

/**
 * Package managers by family: the subcommands that add packages or fill the cache, those that clean the cache,
 * those that remove packages, the cache's paths, and the options with which adding leaves no cache behind.
 */
interface Family {
  names: ReadonlySet<string>;
  adds: ReadonlySet<string>;
  cleans: ReadonlySet<string>;
  removes: ReadonlySet<string>;
  cache: readonly string[];
  noCache: readonly string[];
}
const family = (names: string[], adds: string[], cleans: string[], removes: string[], cache: string[], noCache: string[] = []): Family => ({
  names: new Set(names),
  adds: new Set(adds),
  cleans: new Set(cleans),
  removes: new Set(removes),
  cache,
  noCache,
});
const FAMILIES: Family[] = [
  family(['apt-get', 'apt'], ['update', 'install', 'upgrade', 'dist-upgrade', 'build-dep'], ['clean', 'autoclean', 'dist-clean'], ['purge', 'remove', 'autoremove'], ['/var/lib/apt', '/var/cache/apt']),
  family(['apk'], ['add', 'update', 'upgrade'], ['cache'], ['del'], ['/var/cache/apk', '/etc/apk/cache'], ['--no-cache']),
  family(['dnf', 'yum', 'microdnf', 'tdnf'], ['install', 'update', 'upgrade', 'groupinstall', 'makecache'], ['clean'], ['remove', 'erase', 'autoremove'], ['/var/cache/dnf', '/var/cache/yum', '/var/cache/tdnf']),
  family(['pip', 'pip3'], ['install'], ['cache'], ['uninstall'], ['.cache/pip'], ['--no-cache-dir']),
  family(['npm'], ['install', 'i', 'ci', 'add'], ['cache'], ['uninstall', 'prune', 'rm'], ['.npm']),
  family(['yarn'], ['install', 'add'], ['cache'], ['remove'], ['.cache/yarn', 'yarn/cache']),
  family(['pnpm'], ['install', 'add', 'i'], ['store'], ['prune', 'remove'], ['pnpm/store', '.pnpm-store']),
  family(['gem'], ['install', 'update'], ['cleanup'], ['uninstall'], []),
  family(['conda', 'mamba', 'micromamba'], ['install', 'create', 'update'], ['clean'], ['remove'], ['/pkgs']),
  family(['go'], ['build', 'install', 'mod', 'get', 'test'], ['clean'], [], ['go-build', '/go/pkg']),
  family(['cargo'], ['build', 'install', 'fetch'], ['clean'], [], ['.cargo/registry', '/target']),
  family(['composer'], ['install', 'require', 'update'], ['clear-cache', 'clearcache'], ['remove'], ['.composer/cache', 'composer/cache']),
];

const familyOf = (name: string | null): Family | undefined => (name ? FAMILIES.find((f) => f.names.has(name)) : undefined);
const firstOperand = (words: string[]): string => words.find((w) => !w.startsWith('-')) ?? '';

interface Rewrites {
  cleans: Set<Family>;
  removes: Set<Family>;
  /** The packages it removes by name, per family (none for `autoremove` alone). */
  removedNames: Map<Family, Set<string>>;
  paths: string[];
  /** Of those, the ones it changes in place rather than removes (`chown -R`, `chmod -R`, `strip`). */
  changedInPlace: Set<string>;
}

/** A removal that takes packages by no name (`npm prune`). */
const ANY_PACKAGE = '*';

/** The package names a manager's words name after its subcommand (options, versions and `\\` left out). */
function packageNames(words: string[], sub: string): string[] {
  const at = words.indexOf(sub);
  return words
    .slice(at + 1)
    .filter((w) => w && !w.startsWith('-') && w !== '\\')
    .map((w) => w.split(/[=<>]/)[0]);
}
const rewritesOf = new WeakMap<RunInfo, Rewrites>();

/** What a body removes or rewrites, found once per RUN: a group's later RUNs each look back at every earlier one. */
function rewrites(run: RunInfo): Rewrites {
  let r = rewritesOf.get(run);
  if (!r) rewritesOf.set(run, (r = findRewrites(run)));
  return r;
}

/** What a body removes or rewrites: the families whose cache it cleans or whose packages it removes, and the paths it touches. */
function findRewrites(run: RunInfo): Rewrites {
  const out: Rewrites = { cleans: new Set<Family>(), removes: new Set<Family>(), removedNames: new Map(), paths: [], changedInPlace: new Set() };
  const script = run.script();
  if (!script) return out;
  for (const c of script.commands) {
    const name = c.name ? baseName(c.name) : null;
    if (!name) continue;
    const words = c.args.map((a) => a.value ?? '');
    const fam = familyOf(name);
    const sub = firstOperand(words);
    if (fam?.cleans.has(sub)) out.cleans.add(fam);
    else if (fam?.removes.has(sub)) {
      out.removes.add(fam);
      const names = out.removedNames.get(fam) ?? new Set<string>();
      for (const n of packageNames(words, sub)) names.add(n);
      // `npm prune` removes what the install added for development, by no name.
      if (sub === 'prune') names.add(ANY_PACKAGE);
      out.removedNames.set(fam, names);
    } else if (name === 'dpkg' && words.some((w) => w === '--purge' || w === '--remove' || w === '-P' || w === '-r')) {
      out.removes.add(FAMILIES[0]);
      const names = out.removedNames.get(FAMILIES[0]) ?? new Set<string>();
      for (const w of words) if (w && !w.startsWith('-')) names.add(w);
      out.removedNames.set(FAMILIES[0], names);
    }
    else if (REWRITING_COMMANDS.has(name)) {
      const paths = words.filter((w) => w && !w.startsWith('-'));
      out.paths.push(...paths);
      if (IN_PLACE_COMMANDS.has(name)) for (const p of paths) out.changedInPlace.add(p);
    }
    else if (name === 'find' && (words.includes('-delete') || ['-exec', '-execdir'].some((x) => REWRITING_COMMANDS.has(words[words.indexOf(x) + 1] ?? '')))) {
      const firstTest = words.findIndex((w) => w.startsWith('-'));
      out.paths.push(...words.slice(0, firstTest < 0 ? words.length : firstTest).filter((w) => w !== '.'));
    }
  }
  return out;
}

/** Folders too general for a mention of them in an earlier RUN to say it wrote what a later one removes there. */
const GENERAL_DIRS = new Set(['/tmp', '/var', '/var/tmp', '/usr', '/usr/local', '/usr/share', '/etc', '/home', '/root', '/lib', '/bin', '/sbin', '/run', '/dev', '/proc', '/sys', '/mnt', '/media']);

/** A path as a prefix to look for: without trailing slashes and a last segment that is a glob (`/var/lib/apt/lists/*` → `/var/lib/apt/lists`). */
function pathStem(p: string): string {
  let stem = p;
  const slash = stem.lastIndexOf('/');
  if (slash > 0 && /[*?[]/.test(stem.slice(slash + 1))) stem = stem.slice(0, slash);
  return withoutTrailingSlashes(stem);
}

/**
 * Whether a later RUN of the group removes or rewrites what an earlier one wrote, so that merged, it never
 * reaches a layer: packages an earlier RUN installed (`apt-get purge`, `apk del`, `pip uninstall`), a package
 * manager's cache an earlier RUN filled and left (`apt-get clean`, `rm -rf /var/lib/apt/lists/*` after an
 * `apt-get update` that did not remove them), or a path an earlier RUN's text names (`curl -o /tmp/x.tgz` …
 * `rm /tmp/x.tgz`). A later `rm` or `chown` of files no earlier RUN mentions (its own temporary files, the base
 * image's), or of a cache each RUN cleans itself, saves nothing by the merge.
 */
function removesEarlierWork(model: Model, group: Instr[]): 'removes' | 'rewrites' | null {
  let rewritten = false;
  for (let k = 1; k < group.length; k++) {
    const later = rewrites(runOf(group[k])!);
    if (later.cleans.size === 0 && later.removes.size === 0 && later.paths.length === 0) continue;
    const cleansCacheOf = (f: Family, r: Rewrites) => r.cleans.has(f) || r.paths.some((p) => f.cache.some((c) => p.includes(c)));
    for (let j = 0; j < k; j++) {
      const run = runOf(group[j])!;
      const script = run.script();
      if (!script) continue;
      const earlier = rewrites(run);
      for (const c of script.commands) {
        const words = c.args.map((a) => a.value ?? '');
        // `dpkg -i x.deb`: the package's name is in the file, so any removal by name may be of it.
        if (c.name && baseName(c.name) === 'dpkg' && words.some((w) => w === '-i' || w === '--install') && later.removedNames.get(FAMILIES[0])?.size) return 'removes';
        const fam = c.name ? familyOf(baseName(c.name)) : undefined;
        const sub = firstOperand(words);
        if (!fam || !fam.adds.has(sub)) continue;
        // Packages the later RUN removes by name that this one installed and did not remove itself (`autoremove`
        // alone removes nothing an install just added; an `apk del` of the later RUN's own virtual package neither).
        const removed = later.removedNames.get(fam);
        if (removed?.size) {
          const ownRemoved = earlier.removedNames.get(fam);
          const added = packageNames(words, sub);
          if (removed.has(ANY_PACKAGE) || added.some((n) => n.endsWith('.deb') || n.endsWith('.rpm') || (removed.has(n) && !ownRemoved?.has(n)))) return 'removes';
        }
        // A cache the earlier RUN left behind in its layer (it neither cleaned it, nor added without one, nor had
        // the cache on a mount, which no layer keeps).
        const mounted = cacheMounted(group[j], { test: (target) => fam.cache.some((dir) => target.includes(dir) || (target.length > 4 && dir.startsWith(target))) });
        if (cleansCacheOf(fam, later) && !cleansCacheOf(fam, earlier) && !mounted && !words.some((w) => fam.noCache.includes(w))) return 'removes';
      }
      // The folder the earlier RUN installs into by working there (`composer install`, `npm ci` in the WORKDIR).
      const stage = group[j].stage;
      const cwd = stage && installsIntoCwd(script) ? workdirAt(model, stage, group[j]) : null;
      for (const p of later.paths) {
        const stem = pathStem(p);
        // Too short or too general to tell (`/`, `.`, `/tmp`), or a cache handled above: not evidence.
        if (stem.length < 3 || stem.includes('$') || GENERAL_DIRS.has(stem) || FAMILIES.some((f) => f.cache.some((c) => stem.includes(c)))) continue;
        // A removal settles it; a chown or chmod of what an earlier RUN wrote is noted, and a removal may still follow.
        if (writesPath(script, stem) || (cwd && (cwd === stem || cwd.startsWith(`${stem}/`)))) {
          if (!later.changedInPlace.has(p)) return 'removes';
          rewritten = true;
        }
      }
    }
  }
  return rewritten ? 'rewrites' : null;
}

/** Installs that put the dependencies under the working directory: `composer install`, `npm ci`, `yarn`, `bundle install` with a local path. */
function installsIntoCwd(script: ShellScript): boolean {
  return script.commands.some((c) => {
    const name = c.name ? baseName(c.name) : '';
    const sub = firstOperand(c.args.map((a) => a.value ?? ''));
    return (name === 'composer' && (sub === 'install' || sub === 'update' || sub === 'require')) || ((name === 'npm' || name === 'pnpm') && ['install', 'i', 'ci'].includes(sub)) || (name === 'yarn' && (sub === '' || sub === 'install'));
  });
}

/**
 * Commands that only change a file's metadata or make empty folders, or write a few KB at most (a key or certificate
 * from openssl or ssh-keygen, a line from echo or printf): the layer keeps at most a small copy.
 */
const METADATA_ONLY = new Set(['chmod', 'chown', 'chgrp', 'mkdir', 'touch', 'ln', 'ls', 'test', '[', 'stat', 'setfacl', 'setcap', 'openssl', 'ssh-keygen', 'echo', 'printf']);

/**
 * Whether a body writes content at a path: one of its commands other than a metadata change (`chmod +x` of a
 * copied script, `mkdir` then `chown` of an empty folder) or an in-place edit (`sed -i` of a config file) names it.
 */
function writesPath(script: ShellScript, stem: string): boolean {
  for (const c of script.commands) {
    const name = c.name ? baseName(c.name) : null;
    if (name && METADATA_ONLY.has(name)) continue;
    const words = c.args.map((a) => a.value ?? '');
    if (name === 'sed' && words.some((w) => /^-[a-zA-Z]*i/.test(w) || w.startsWith('--in-place'))) continue;
    if (script.text.slice(c.start, c.end).includes(stem)) return true;
  }
  return false;
}

/** Why a merge is not offered when the merged bodies would not parse. */
export const UNPARSABLE_MERGE = 'merged, the bodies would not parse as one shell script (backquoted commands read across the `&&`)';

/**
 * Whether the group's bodies, merged, still parse as one shell script. Each body parses alone, but the
 * grammar reads backquotes across a joined `&&` differently (`> /tmp\` > /tmp\`x` twice): groups with a
 * backquote are checked (few are; the check is a shell parse of the merged body).
 */
export function mergedParses(model: Model, group: Instr[]): boolean {
  if (!group.some((i) => runOf(i)!.body.includes('`'))) return true;
  const text = mergedBodies(model, group);
  return parseShell(joinContinuations(text, 0, text.length, model.escape).body) !== null;
}

/** The group's bodies joined as the merged RUN writes them (wrapped in a subshell where needed). */
function mergedBodies(model: Model, group: Instr[]): string {
  const doc = model.doc;
  const joiner = ` && ${continuation(model)}`;
  const parts: string[] = [];
  group.forEach((i, k) => {
    const run = runOf(i)!;
    const script = run.script()!;
    let body = doc.text.slice(run.bodyStart, run.bodyEnd);
    const isFirst = k === 0;
    const isLast = k === group.length - 1;
    // Wrap a body in a subshell where joining it with `&&` would change what it means:
    // - it changes shell state (cd, export, set, exit…) that later bodies would otherwise inherit;
    // - it ends in `;` or `&`, so `&&` cannot follow it;
    // - it is not the first and is not one plain `&&` chain (a `;` or `||` would swallow an earlier failure).
    const wrap = (!isLast && script.changesShellState) || (!isLast && script.endsOpen) || (!isFirst && !script.plainAndChain);
    if (wrap) body = `( ${body} )`;
    parts.push(body);
  });
  return parts.join(joiner);
}

/** The merged RUN's text for a group, and the comment lines that stood between its RUNs. */
export function mergeGroupEdit(model: Model, group: Instr[]): OffsetEdit {
  const doc = model.doc;
  const first = group[0];
  const last = group[group.length - 1];
  // Comments that stood between the RUNs move above the merged RUN, in order.
  const comments: string[] = [];
  for (let k = 1; k < group.length; k++) {
    for (let l = group[k - 1].endLine + 1; l < group[k].line; l++) {
      const t = doc.lineText(l);
      if (/^[ \t]*#/.test(t)) comments.push(t);
    }
  }
  const head = doc.text.slice(first.start, runOf(first)!.bodyStart);
  const merged = head + mergedBodies(model, group);
  const firstLineStart = doc.lineStarts[first.line];
  const indent = doc.text.slice(firstLineStart, first.start);
  const text = comments.map((c) => c + doc.eol).join('') + indent + merged;
  return { start: firstLineStart, end: runOf(last)!.bodyEnd, text };
}

const APT = /^(apt-get|apt)$/;
/** The first arguments of an apt command that are not options: its subcommand. */
const aptSub = (c: { name: string | null; args: { value: string | null }[] }) => (c.name && APT.test(baseName(c.name)) ? c.args.map((a) => a.value ?? '').find((a) => !a.startsWith('-')) ?? null : null);

/** The RUNs of the group that only run `apt-get update`, each with an apt install in a later RUN of the group. */
function loneAptUpdates(group: Instr[]): Instr[] {
  const out: Instr[] = [];
  let installAfter = false;
  for (let k = group.length - 1; k >= 0; k--) {
    const script = group[k].run?.script();
    if (!script || !script.commands.length) continue;
    if (script.commands.every((c) => aptSub(c) === 'update')) {
      if (installAfter) out.unshift(group[k]);
    } else if (script.commands.some((c) => aptSub(c) === 'install')) installAfter = true;
  }
  return out;
}

export const mergeRun: Rule<'merge-run'> = {
  id: 'merge-run',
  meta: {
    title: 'Merge consecutive RUN instructions',
    rationale:
      'Each RUN makes a layer. Files a later RUN deletes still ship in the earlier layer, and many small layers slow pulls. Consecutive RUNs with the same flags can be one.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3059'],
  },
  check(model) {
    const out: RawFinding[] = [];
    for (const stage of model.stages) {
      // A builder stage's layers never ship: fewer of them saves nothing in the image that runs.
      if (!ships(model, stage)) continue;
      for (const group of runGroups(stage)) {
        const parses = mergedParses(model, group);
        const n = group.length;
        const onbuild = group[0].keyword === 'ONBUILD';
        const runs = onbuild ? 'ONBUILD RUN instructions' : 'RUN instructions';
        const where = onbuild ? `They make ${n} layers in every image built from this one` : `They make ${n} layers`;
        // Only a later body that removes or rewrites files makes the merged layer smaller than the layers apart.
        const saves = removesEarlierWork(model, group);
        // A RUN of only `apt-get update` before an install of the group: its lists go stale in a layer of their own.
        const lone = saves ? null : loneAptUpdates(group)[0] ?? null;
        out.push({
          start: group[0].start,
          end: group[n - 1].end,
          message: saves
            ? saves === 'rewrites'
              ? message(`Merge these ${n} ${runs}: a later one rewrites files an earlier one wrote, so both copies stay.`, `${where}; a chown or chmod of files an earlier layer holds stores them again; merged into one, they are stored once.`)
              : message(`Merge these ${n} ${runs}: a later one removes files an earlier one leaves in its layer.`, `${where}; merged into one, files removed by a later step no longer stay in an earlier layer.`)
            : lone
              ? message(`Merge these ${n} ${runs}: apt-get update on line ${lone.line + 1} runs in a RUN of its own.`, `Its lists are cached as a layer of their own, so a later install may use stale lists. ${where}; merged, they make one.`)
              : message(`${n} consecutive ${runs} could be merged into one layer.`, `${where}; no later one removes or rewrites what an earlier one wrote, so merging would only cut the number of layers.`),
          fixable: parses,
          ...(parses ? {} : { reason: UNPARSABLE_MERGE }),
          ...(saves || lone ? {} : { severityCap: 'hint' as const }),
          // What the merge saves, for a finding folded into this one (core/overlaps.ts): when nothing is removed, only the layer count.
          data: { lines: group.map((i) => i.line), loneUpdates: loneAptUpdates(group).map((i) => i.line), ...(saves ? {} : { layersOnly: `${where}; merged, they make one.` }) },
        });
      }
    }
    return out;
  },
  fixes(model, finding: Finding): Fix[] {
    const line = finding.range.start.line;
    for (const stage of model.stages) {
      for (const group of runGroups(stage)) {
        if (group[0].line !== line) continue;
        if (!mergedParses(model, group)) return [];
        return [{ title: `Merge ${group.length} RUN instructions into one`, edits: toTextEdits(model.doc, [mergeGroupEdit(model, group)]), preferred: true }];
      }
    }
    return [];
  },
};
