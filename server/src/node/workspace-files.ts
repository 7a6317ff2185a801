/**
 * Reading the files next to a Dockerfile for the analysis (see WorkspaceFiles in core/types). Used by
 * the server and the CLI, never by the core. Reads stay inside the folder: by the path as written and by
 * the real path of what is opened (a symbolic link, or a folder link in the path, that leads out of the
 * folder counts as no file, as BuildKit would not read it either). Only regular files are read, at most
 * 1 MB (node/files.ts), and are cached per path until the file's identity, size or modification time
 * changes. The cache holds at most 500 files and about 32 MB of text: past either it starts again.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { WorkspaceFiles } from '../core/types';
import { isInside, readBounded, realFolder } from './files';
import { COMPOSE_FILES } from '../fixes/multi-stage/project-files';

const MAX_BYTES = 1 << 20;

interface Cached {
  dev: number;
  ino: number;
  mtimeMs: number;
  size: number;
  text: string | null;
}

const cache = new Map<string, Cached>();
const MAX_CACHED_FILES = 500;
const MAX_CACHED_CHARS = 32 << 20;
let cachedChars = 0;

const sameFile = (a: Cached, b: fs.Stats): boolean => a.ino === b.ino && a.dev === b.dev && a.mtimeMs === b.mtimeMs && a.size === b.size;

/** `realRoot` is the real path of the folder the file must stay in. */
function readCached(file: string, realRoot: () => string | null): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    cachedChars -= cache.get(file)?.text?.length ?? 0;
    cache.delete(file);
    return null;
  }
  if (!st.isFile()) return null;
  // A hit needs the same file as the path reached last time: a link turned elsewhere is another inode.
  const hit = cache.get(file);
  if (hit && sameFile(hit, st)) return hit.text;
  const root = realRoot();
  const r = root === null ? null : readBounded(file, { maxBytes: MAX_BYTES, within: root });
  const text = r?.ok ? r.data.toString('utf8') : null;
  const key = r?.ok ? r.stat : st;
  if (cache.size >= MAX_CACHED_FILES || cachedChars + (text?.length ?? 0) > MAX_CACHED_CHARS) {
    cache.clear();
    cachedChars = 0;
  }
  cachedChars += (text?.length ?? 0) - (cache.get(file)?.text?.length ?? 0);
  cache.set(file, { dev: key.dev, ino: key.ino, mtimeMs: key.mtimeMs, size: key.size, text });
  return text;
}

/** How many files and characters the cache holds (for tests). */
export function cachedFiles(): { files: number; chars: number } {
  return { files: cache.size, chars: cachedChars };
}

/** The files of `dir`, addressed by relative POSIX paths that stay inside it. */
export function folderFiles(dir: string): WorkspaceFiles {
  const root = path.resolve(dir);
  let realRoot: string | null | undefined;
  const real = (): string | null => {
    if (realRoot === undefined) realRoot = realFolder(root);
    return realRoot;
  };
  return {
    read(relPath: string): string | null {
      if (!relPath || relPath.includes('\0') || path.posix.isAbsolute(relPath)) return null;
      const full = path.resolve(root, ...relPath.split('/'));
      if (!isInside(full, root)) return null;
      return readCached(full, real);
    },
    list(relDir: string): string[] | null {
      if (relDir.includes('\0') || path.posix.isAbsolute(relDir)) return null;
      const full = path.resolve(root, ...relDir.split('/').filter((s) => s !== ''));
      if (!isInside(full, root)) return null;
      return listFolder(full, real);
    },
    composeFiles() {
      return composeFilesAround(root);
    },
  };
}

/** Compose files projects keep beside the default ones for `-f` (`docker-compose.prod.yml`, `compose.dev.yaml`). */
const COMPOSE_VARIANT = /^(docker-)?compose\.[\w.-]+\.ya?ml$/;
/** At most this many of those variants of one folder are read. */
const MAX_COMPOSE_VARIANTS = 12;

/**
 * The compose files in `root` and the folders above it, up to the one holding `.git` and at most three levels up.
 * Each is read like a file of the context, bounded and by its real path inside its own folder.
 */
function composeFilesAround(root: string): { name: string; text: string; dir: string; env: string | null }[] {
  const out: { name: string; text: string; dir: string; env: string | null }[] = [];
  let dir = root;
  for (let up = 0; up <= 3; up++) {
    let realDir: string | null | undefined;
    const real = (): string | null => (realDir === undefined ? (realDir = realFolder(dir)) : realDir);
    let env: string | null | undefined;
    // The folder's listing is cached like a context folder's (by its identity and modification time).
    const variants = (listFolder(dir, real) ?? []).filter((n) => COMPOSE_VARIANT.test(n)).slice(0, MAX_COMPOSE_VARIANTS);
    for (const name of [...COMPOSE_FILES, ...variants]) {
      const text = readCached(path.join(dir, name), real);
      if (text === null) continue;
      env ??= readCached(path.join(dir, '.env'), real);
      out.push({ name, text, dir: path.relative(dir, root).split(path.sep).join('/'), env });
    }
    if (fs.existsSync(path.join(dir, '.git'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/** At most this many entries of one folder are listed: past it the folder counts as unlistable. */
const MAX_ENTRIES = 2000;

const listings = new Map<string, { dev: number; ino: number; mtimeMs: number; entries: string[] | null }>();

/**
 * The entries of a folder inside the root (by its real path, as for reads): names, folders marked with a
 * trailing `/`, links listed by name (a read follows them only inside the root). Kept per path until the folder's
 * identity or modification time (which an added, removed or renamed entry changes) does; at most 500 folders.
 */
function listFolder(dir: string, realRoot: () => string | null): string[] | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    listings.delete(dir);
    return null;
  }
  const hit = listings.get(dir);
  if (hit && hit.dev === st.dev && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs) return hit.entries;
  const entries = listFolderNow(dir, realRoot);
  if (listings.size >= MAX_CACHED_FILES) listings.clear();
  listings.set(dir, { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, entries });
  return entries;
}

function listFolderNow(dir: string, realRoot: () => string | null): string[] | null {
  const root = realRoot();
  if (root === null) return null;
  let real: string;
  try {
    real = fs.realpathSync.native(dir);
  } catch {
    return null;
  }
  if (!isInside(real, root)) return null;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(real, { withFileTypes: true });
  } catch {
    return null;
  }
  if (entries.length > MAX_ENTRIES) return null;
  return entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
}
