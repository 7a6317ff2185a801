/**
 * Starts a bundle (the server or the CLI) with a V8 code cache. Most of a cold start is V8 parsing and
 * compiling the functions the first analysis runs; the cache keeps their bytecode between runs, so the
 * next process skips that work (measured here on the CLI, 1,000 lines: ≈ 180 ms → ≈ 100 ms).
 *
 * What V8 checks is not enough to trust a cache file: it compares its version, its flags and the source's
 * *length*, not the source, so data made from another script of the same length is accepted and that
 * script's bytecode runs instead of the bundle. The launcher therefore
 * - reads and writes caches only in folders no other user can write (`cacheDirs`, `usableDir`): the bundle's
 *   own `dist/.cache/`, then a per-user cache folder (`$XDG_CACHE_HOME/dockerfile-lean`, else
 *   `~/.cache/dockerfile-lean`; `~/Library/Caches/dockerfile-lean` on macOS; `%LOCALAPPDATA%\dockerfile-lean`
 *   on Windows), never a shared temp folder;
 * - stores the bundle's bytes with the data and hands the data to V8 only when they equal the bundle it has
 *   just read (a copy compares in well under a millisecond; a hash would need Node's `crypto` module, whose
 *   load alone costs about 3 ms of every start);
 * - opens cache files without following symlinks, checks what it opened (a regular file of ours, of a bounded
 *   size) and writes a new one under a fresh name created exclusively, then renames it into place.
 *
 * The cache is a file per bundle, Node version and bundle build (size and modification time). It is written
 * once, after the first run has compiled what an analysis needs (on exit, and for a long-lived server also a
 * few seconds after start). Any failure here falls back to a plain `require` of the bundle.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import * as v8 from 'v8';
import Module from 'module';
import { trace } from './trace';
import { precompileWasm, useBaselineWasmCompiler } from './wasm-tier';

interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
}

// Windows has no uids and its file modes say nothing of who may write (ACLs do, and Node cannot read them
// cheaply). There the cache lives only in the per-user local application-data folder, which the profile's
// ACL gives to the user (and SYSTEM and administrators) alone; `dist/.cache` is not used, since an install
// folder may inherit "Authenticated Users: Modify" (folders made at the root of a drive do).
const WINDOWS = process.platform === 'win32';
const UID = WINDOWS ? -1 : process.getuid!();
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
/** File header: this tag, then the bundle's length (uint32 LE) and bytes, then V8's data. */
const MAGIC = Buffer.from('DFLV8C1\n', 'latin1');
/** Larger files are not read: the bundle plus its data is about 1 MB. */
const MAX_CACHE_BYTES = 64 << 20;
/** The per-user folder is shared by every install of the user: other installs' caches go after this long. */
const STALE_SHARED_MS = 30 * 24 * 3600 * 1000;

interface CacheDir {
  dir: string;
  /** The bundle's own folder: caches of earlier builds there are removed at once. */
  own: boolean;
}

function cacheName(bundle: string, st: fs.Stats): string {
  return `${path.basename(bundle)}-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8cache`;
}

function cacheDirs(bundle: string): CacheDir[] {
  const dirs: CacheDir[] = WINDOWS ? [] : [{ dir: path.join(path.dirname(bundle), '.cache'), own: true }];
  const user = userCacheDir();
  if (user) dirs.push({ dir: user, own: false });
  return dirs;
}

/**
 * The per-user cache folder. A relative base is ignored, as the XDG spec says (it would depend on the working
 * directory). Not `os.tmpdir()/dockerfile-lean-<uid>`: another user could make that folder first (the launcher
 * would refuse it, but every start would then be a cold one), and temp folders are emptied at boot.
 */
function userCacheDir(): string | undefined {
  const env = WINDOWS ? process.env.LOCALAPPDATA : process.env.XDG_CACHE_HOME;
  let base: string;
  if (env && path.isAbsolute(env)) base = env;
  else {
    try {
      base = path.join(os.homedir(), WINDOWS ? 'AppData/Local' : process.platform === 'darwin' ? 'Library/Caches' : '.cache');
    } catch {
      return undefined; // no home directory
    }
  }
  return path.isAbsolute(base) ? path.join(base, 'dockerfile-lean') : undefined;
}

/**
 * Whether `dir` may hold caches: a real directory (not a symlink) of ours that no one else can write, in a
 * parent where no one else can replace it (ours or root's, and not writable by others unless sticky, like
 * /tmp, where only an entry's owner may rename or remove it). Creates it (mode 0700) when `create` is set.
 * Folders that fail are refused, never repaired: whatever is in them may have been planted.
 */
function usableDir(dir: string, create: boolean): boolean {
  if (refused.has(dir)) return false;
  let st = lstat(dir);
  if (!st && create) {
    // The nearest folder that exists must be safe; what is made below it (a missing ~/.cache too) is private.
    let above = path.dirname(dir);
    while (!lstat(above) && path.dirname(above) !== above) above = path.dirname(above);
    if (!safeParent(above)) return false;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      return false; // not ours to create (a read-only install)
    }
    st = lstat(dir);
  }
  if (!st) return false;
  const why = !st.isDirectory()
    ? 'not a directory'
    : notPrivate(st) || (safeParent(path.dirname(dir)) ? '' : 'another user could replace it in its parent');
  if (!why) return true;
  trace(`cache folder not used (${why}): ${dir}`);
  refused.add(dir);
  return false;
}

const refused = new Set<string>();

/** Why another user may have written what `st` describes, or '' (owner and write bits; not known on Windows). */
function notPrivate(st: fs.Stats): string {
  return WINDOWS ? '' : st.uid !== UID ? `owned by uid ${st.uid}` : st.mode & 0o022 ? 'writable by others' : '';
}

function safeParent(dir: string): boolean {
  if (WINDOWS) return true;
  try {
    // stat, not lstat: a symlinked parent is judged by the folder it leads to, where the entry lives.
    const st = fs.statSync(dir);
    return st.isDirectory() && (st.uid === UID || st.uid === 0) && (!(st.mode & 0o022) || !!(st.mode & 0o1000));
  } catch {
    return false;
  }
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/**
 * The V8 data of the first cache file found for `source` in a usable folder; `null` when a file was found but
 * holds no data for these bytes (another bundle's, an earlier format, damaged); undefined when there is none.
 */
function readCache(dirs: CacheDir[], name: string, source: Buffer): Buffer | null | undefined {
  for (const { dir } of dirs) {
    if (!usableDir(dir, false)) continue;
    const file = path.join(dir, name);
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
    } catch {
      continue; // not there (or a symlink): try the next place
    }
    try {
      const st = fs.fstatSync(fd);
      const why = !st.isFile() ? 'not a regular file' : st.size > MAX_CACHE_BYTES ? 'too large' : notPrivate(st);
      if (why) {
        trace(`cache file not used (${why}): ${file}`);
        continue;
      }
      const data = Buffer.allocUnsafe(st.size);
      let n = 0;
      for (let r; n < data.length && (r = fs.readSync(fd, data, n, data.length - n, n)) > 0; ) n += r;
      const start = MAGIC.length + 4 + source.length;
      if (
        n === data.length &&
        n > start &&
        data.subarray(0, MAGIC.length).equals(MAGIC) &&
        data.readUInt32LE(MAGIC.length) === source.length &&
        data.subarray(MAGIC.length + 4, start).equals(source)
      ) {
        return data.subarray(start);
      }
      trace(`cache file not used (not made from this bundle): ${file}`);
      return null;
    } catch {
      continue;
    } finally {
      fs.closeSync(fd);
    }
  }
  return undefined;
}

/** Writes the cache to the first usable folder: a fresh file, created exclusively (no symlink followed), then renamed into place. */
function writeCache(dirs: CacheDir[], name: string, source: Buffer, data: Buffer): void {
  const header = Buffer.allocUnsafe(MAGIC.length + 4);
  MAGIC.copy(header);
  header.writeUInt32LE(source.length, MAGIC.length);
  for (const { dir, own } of dirs) {
    if (!usableDir(dir, true)) continue;
    const file = path.join(dir, name);
    // Nobody else can write here; the unpredictable name and O_EXCL keep even a leftover or a link from being written through.
    const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    let fd: number;
    try {
      fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o600);
    } catch {
      continue; // something is at that name already (it is left alone), or the folder is read-only
    }
    try {
      try {
        fs.writeSync(fd, header);
        fs.writeSync(fd, source);
        fs.writeSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      removeStale(dir, name, own);
      return;
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // gone already
      }
    }
  }
}

/**
 * Removes the caches of other builds of the same bundle, for the same Node, and temp files left by writers
 * that died. In the bundle's own folder every other build goes (a rebuilt install would otherwise collect
 * them); the per-user folder is shared by the user's installs, so there only files older than a month go.
 */
function removeStale(dir: string, current: string, own: boolean): void {
  // Same bundle, Node version and architecture (several Node versions may share an install: an editor's and the system's).
  const prefix = `${current.split('-').slice(0, 3).join('-')}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // the cache is written; pruning can wait for another run
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix) || name === current || !(name.endsWith('.v8cache') || name.endsWith('.tmp'))) continue;
    const file = path.join(dir, name);
    const old = (ms: number) => now - (lstat(file)?.mtimeMs ?? now) > ms;
    if (name.endsWith('.tmp') ? old(3600 * 1000) : own || old(STALE_SHARED_MS)) {
      try {
        fs.unlinkSync(file);
      } catch {
        // gone already
      }
    }
  }
}

/** Runs `bundle` as the main module. `saveAfterMs`: also write the cache this long after start (long-lived processes). */
export function launch(bundle: string, saveAfterMs?: number): void {
  trace('launcher');
  // The cache records V8's flags; set them before anything is compiled so they match on every run.
  useBaselineWasmCompiler();
  // V8 decodes and validates the shell grammar on its own threads while this thread loads the bundle below (its
  // compile finishes once this thread is back in the event loop: see node/wasm-tier.ts).
  precompileWasm(path.dirname(bundle));
  // Keep V8's young generation at its starting size instead of doubling it under allocation: an analysis
  // allocates many short-lived objects, and small, frequent scavenges were both faster and lighter here
  // (10,000-line open: RSS 90 → 78 MB, open 340 → 290 ms, typing burst 168 → 149 ms; medians).
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  let script: vm.Script;
  let dirs: CacheDir[];
  let name: string;
  let source: Buffer;
  let cached: Buffer | null | undefined;
  try {
    // One read: the bytes compared with the cache's copy are the bytes compiled.
    const fd = fs.openSync(bundle, 'r');
    try {
      name = cacheName(bundle, fs.fstatSync(fd));
      source = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    dirs = cacheDirs(bundle);
    cached = readCache(dirs, name, source);
    const code = source.toString('utf8').replace(/^#!.*/, '');
    script = new vm.Script(Module.wrap(code), { filename: bundle, cachedData: cached ?? undefined });
  } catch {
    require(bundle);
    return;
  }
  const used = !!cached && !script.cachedDataRejected;
  trace(`bundle compiled, ${cached === undefined ? 'no cache' : used ? 'cache used' : 'cache rejected'}`);
  if (!used) {
    let saved = false;
    const save = () => {
      if (saved) return;
      saved = true;
      try {
        writeCache(dirs, name, source, script.createCachedData());
      } catch {
        // no cache this time
      }
    };
    process.once('exit', save);
    if (saveAfterMs !== undefined) setTimeout(save, saveAfterMs).unref();
  }
  const m = new Module(bundle);
  m.filename = bundle;
  m.paths = (Module as unknown as ModuleInternals)._nodeModulePaths(path.dirname(bundle));
  const fn = script.runInThisContext() as (exports: unknown, req: NodeJS.Require, mod: Module, file: string, dir: string) => void;
  const req = ((id: string) => m.require(id)) as NodeJS.Require;
  fn.call(m.exports, m.exports, req, m, bundle, path.dirname(bundle));
}
