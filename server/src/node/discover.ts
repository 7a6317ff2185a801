/**
 * Finding Dockerfiles for the command line: under a directory (by name) or by a glob, recursively, in a
 * stable sorted order. Skipped: `.git` always; `node_modules`, and whatever `.gitignore` files,
 * `.dockerfileleanignore` files (same syntax) and the config files' `ignore` lists say, unless ignores are off.
 * Each ignore file or config applies to the folder it sits in and everything below it, as `.gitignore` files
 * do; those in the folders above the starting point count too, up to the repository root. Ignore files that
 * are symbolic links are not read (as Git does not), nor ignore or config files planted by another user in a
 * folder anyone can write (see node/config.ts).
 *
 * Links to files count only when the file they lead to is inside the tree searched: a link out of it is
 * skipped, so neither `check` nor `fix --write` reaches outside the folder or glob base it was given.
 *
 * `.dockerignore` is not read: it says what the build context leaves out, and often lists the Dockerfiles
 * themselves.
 */
import * as fs from 'fs';
import * as path from 'path';
import ignore, { type Ignore } from 'ignore';
import type Picomatch from 'picomatch';
import { CONFIG_NAMES, exists, isDir, isFile, loadConfig } from './config';
import { isInside, plantedBy, readBounded, realFolder } from './files';

const TEMPLATE_SUFFIX = /\.(j2|jinja2?|ejs|tmpl|tpl|template|mustache|hbs|handlebars|erb|gotmpl)$/i;

/** A template a tool renders into a Dockerfile (`Dockerfile.j2`, `Dockerfile.ejs`), by its name. */
export function isTemplateName(name: string): boolean {
  return TEMPLATE_SUFFIX.test(name);
}

/** Names taken for Dockerfiles when a directory is searched. */
export function isDockerfileName(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false; // BuildKit's per-Dockerfile ignore file, `Dockerfile.dockerignore`
  // A template a tool renders into the Dockerfile (`Dockerfile.j2`, `Dockerfile.ejs`, `Dockerfile.tmpl`): its
  // placeholders and `{% if %}` branches are not Dockerfile text. Named on the command line, it is still checked.
  if (isTemplateName(name)) return false;
  return name === 'Dockerfile' || name.startsWith('Dockerfile.') || name.endsWith('.Dockerfile') || name.endsWith('.dockerfile') || name.startsWith('Containerfile');
}

export const IGNORE_FILES = ['.gitignore', '.dockerfileleanignore'] as const;

export interface DiscoverOptions {
  /** False with `--no-ignore`: only `.git` is skipped. */
  useIgnores: boolean;
  /** With `--config FILE`: that file's `ignore` list (relative to its folder) instead of the config files found. */
  configFile?: string | null;
}

interface Matcher {
  base: string;
  ig: Ignore;
}

/** The ignore rules one folder adds: its ignore files and (unless a config was given) its config file's list. */
function folderMatcher(dir: string, opts: DiscoverOptions): Matcher | null {
  const ig = ignore();
  let any = false;
  for (const name of IGNORE_FILES) {
    const text = readSmall(path.join(dir, name));
    if (text !== null) {
      ig.add(text);
      any = true;
    }
  }
  if (!opts.configFile) {
    for (const name of CONFIG_NAMES) {
      const f = path.join(dir, name);
      if (!isFile(f)) continue;
      // Only the first config name found counts (as for settings); a broken one adds nothing (its error is reported where it is used).
      const cfg = loadConfig(f, {}).config;
      if (cfg?.ignore.length) {
        ig.add(cfg.ignore);
        any = true;
      }
      break;
    }
  }
  return any ? { base: dir, ig } : null;
}

/** The matchers of the folders above `dir`, up to the repository root (or the file-system root). */
function ancestorMatchers(dir: string, opts: DiscoverOptions): Matcher[] {
  const out: Matcher[] = [];
  let d = dir;
  for (let depth = 0; depth < 256; depth++) {
    if (exists(path.join(d, '.git'))) break;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
    const m = folderMatcher(d, opts);
    if (m) out.unshift(m);
  }
  return out;
}

function explicitConfigMatcher(opts: DiscoverOptions): Matcher[] {
  if (!opts.configFile) return [];
  const cfg = loadConfig(opts.configFile).config;
  return cfg?.ignore.length ? [{ base: path.dirname(path.resolve(opts.configFile)), ig: ignore().add(cfg.ignore) }] : [];
}

function ignored(matchers: Matcher[], abs: string, isDir: boolean): boolean {
  for (const m of matchers) {
    const rel = path.relative(m.base, abs).split(path.sep).join('/');
    if (!rel || rel.startsWith('../') || rel === '..' || path.isAbsolute(rel)) continue;
    if (m.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/**
 * Every file under `root` that `want` accepts (called with the path relative to `root`, POSIX separators),
 * skipping ignored ones. Symbolic links to folders are not followed (no cycles); links to files are when
 * the file is inside `root` (by real path).
 */
function walk(root: string, opts: DiscoverOptions, want: (rel: string, name: string) => boolean): string[] {
  const absRoot = path.resolve(root);
  const realRoot = realFolder(absRoot);
  const found: string[] = [];
  const base = opts.useIgnores ? [...explicitConfigMatcher(opts), ...ancestorMatchers(absRoot, opts)] : [];
  const visit = (dir: string, rel: string, matchers: Matcher[], depth: number): void => {
    if (depth > 64) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to check there
    }
    const own = opts.useIgnores ? folderMatcher(dir, opts) : null;
    const here = own ? [...matchers, own] : matchers;
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFileEntry = e.isFile();
      if (e.isSymbolicLink()) {
        isDir = false;
        isFileEntry = realRoot !== null && linksInside(abs, realRoot);
      }
      if (isDir) {
        if (e.name === '.git') continue;
        if (opts.useIgnores && e.name === 'node_modules') continue;
        if (opts.useIgnores && ignored(here, abs, true)) continue;
        visit(abs, r, here, depth + 1);
      } else if (isFileEntry && want(r, e.name)) {
        if (opts.useIgnores && ignored(here, abs, false)) continue;
        found.push(r);
      }
    }
  };
  visit(absRoot, '', base, 0);
  return found.sort(byCodeUnits);
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The Dockerfiles under `dir`, as `dir` joined with their relative paths, sorted. */
export function discoverDir(dir: string, opts: DiscoverOptions): string[] {
  return walk(dir, opts, (_rel, name) => isDockerfileName(name)).map((rel) => joinShown(dir, rel));
}

/** The glob matcher, loaded on first use: only glob arguments need it. */
function picomatch(): typeof Picomatch {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('picomatch') as typeof Picomatch;
}

/** Whether an argument that names no existing file is meant as a glob. */
export function looksLikeGlob(arg: string): boolean {
  return picomatch().scan(arg).isGlob;
}

/** The files a glob matches (any name: the glob says which), sorted. */
export function expandGlob(pattern: string, opts: DiscoverOptions): string[] {
  const normalized = pattern.split(path.sep).join('/');
  const pm = picomatch();
  const scan = pm.scan(normalized);
  const base = scan.base || '.';
  const isMatch = pm(scan.glob, { dot: false });
  if (!isDir(base)) return [];
  return walk(base, opts, (rel) => isMatch(rel)).map((rel) => joinShown(scan.base, rel));
}

/** The folder a glob is searched from (the part before its first pattern), `.` when it starts with one. */
export function globBase(pattern: string): string {
  return picomatch().scan(pattern.split(path.sep).join('/')).base || '.';
}

/** `dir` and a relative path joined as the user would write it: `.` and `./` prefixes dropped, `/` kept. */
function joinShown(dir: string, rel: string): string {
  if (!dir || dir === '.' || dir === './') return rel.split('/').join(path.sep);
  return path.join(dir, ...rel.split('/'));
}

/** Whether the link `abs` leads to a regular file inside `realRoot`. */
function linksInside(abs: string, realRoot: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync.native(abs);
  } catch {
    return false; // dangling, a loop, unreadable
  }
  return isInside(real, realRoot) && isFile(real);
}

/** An ignore file's text: a regular file (not a link), at most 1 MB, not planted; else null. */
function readSmall(f: string): string | null {
  const r = readBounded(f, { maxBytes: 1 << 20, noFollow: true });
  if (!r.ok || plantedBy(f, r.stat, r.stat)) return null;
  return r.data.toString('utf8');
}
