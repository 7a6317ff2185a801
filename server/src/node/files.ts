/**
 * The one way the adapters read and write files: bounded reads, containment by real path, the trust rule
 * for files found by a search, and the atomic replacement `fix --write` uses.
 *
 * Reads open the path once (non-blocking, so a FIFO never waits for a writer), `fstat` the descriptor and
 * take only what it says is a regular file, then read in fixed chunks up to the size limit plus one byte,
 * whatever the size says: procfs files report 0 and some (`/proc/self/pagemap`) never end. A file past the
 * limit is answered "too large" after at most limit + 1 bytes, never read further.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

const C = fs.constants;
/** Flags that may be missing on some platforms (Windows) count as 0 there. */
const O_NONBLOCK = C.O_NONBLOCK ?? 0;
const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;

export type ReadProblem =
  /** Nothing there (or a dangling link). */
  | 'missing'
  /** A folder, FIFO, device or socket where a regular file was wanted. */
  | 'not-file'
  /** A symbolic link where none was allowed (`noFollow`). */
  | 'link'
  /** Its real path is outside the folder it had to stay in (`within`). */
  | 'outside'
  /** Larger than `maxBytes`. */
  | 'too-large'
  /** Any other error (permissions, I/O): `code` says which. */
  | 'error';

export type ReadResult = { ok: true; data: Buffer; stat: fs.Stats } | { ok: false; problem: ReadProblem; code?: string };

export interface ReadOptions {
  maxBytes: number;
  /** The last component must not be a symbolic link (links in the folders above it are followed). */
  noFollow?: boolean;
  /** The real path of the file must be this folder's real path or below it (see realFolder). */
  within?: string;
  /** Also read FIFOs and character devices (a path the user named, such as `<(git show HEAD:Dockerfile)`). */
  streams?: boolean;
}

/** Whether `p` is `root` or below it (both absolute, normalised). */
export function isInside(p: string, root: string): boolean {
  if (p === root) return true;
  return p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path of a folder (links resolved), or null when it does not exist. */
export function realFolder(dir: string): string | null {
  try {
    return fs.realpathSync.native(dir);
  } catch {
    return null;
  }
}

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

/** Reads one file with the limits of `opts`; never throws. */
export function readBounded(file: string, opts: ReadOptions): ReadResult {
  let target = file;
  if (opts.within !== undefined) {
    let real: string;
    try {
      real = fs.realpathSync.native(file);
    } catch (err) {
      const code = errCode(err);
      return { ok: false, problem: code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' ? 'missing' : 'error', code };
    }
    if (!isInside(real, opts.within)) return { ok: false, problem: 'outside' };
    // What was checked is what gets opened: the resolved path, its last component not a link.
    target = real;
  }
  let fd: number;
  try {
    fd = fs.openSync(target, C.O_RDONLY | O_NONBLOCK | (opts.noFollow || opts.within !== undefined ? O_NOFOLLOW : 0));
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, problem: 'missing', code };
    if (code === 'ELOOP' || code === 'EMLINK') return { ok: false, problem: 'link', code };
    if (code === 'EISDIR') return { ok: false, problem: 'not-file', code };
    return { ok: false, problem: 'error', code };
  }
  try {
    const stat = fs.fstatSync(fd);
    const stream = opts.streams && (stat.isFIFO() || stat.isCharacterDevice());
    if (!stat.isFile() && !stream) return { ok: false, problem: 'not-file' };
    const data = readFd(fd, opts.maxBytes, stat.isFile() ? stat.size : 0);
    if (data === null) return { ok: false, problem: 'too-large' };
    return { ok: true, data, stat };
  } catch (err) {
    return { ok: false, problem: 'error', code: errCode(err) };
  } finally {
    fs.closeSync(fd);
  }
}

let pause: Int32Array | null = null;

/**
 * Everything an open descriptor gives until its end, or null past `maxBytes` (at most `maxBytes` + 8 bytes
 * are read to tell). `sizeHint` only sizes the first buffer. Reads ask for multiples of 8 bytes (procfs
 * files such as `/proc/self/pagemap` refuse anything else). A non-blocking pipe with nothing in it yet
 * (standard input, a FIFO) is waited on a millisecond at a time.
 */
export function readFd(fd: number, maxBytes: number, sizeHint = 0): Buffer | null {
  const limit = (Math.floor(maxBytes / 8) + 1) * 8; // the first multiple of 8 above maxBytes
  let buf = Buffer.allocUnsafe(Math.min(limit, Math.max(Math.ceil((sizeHint + 1) / 8) * 8, 16 * 1024)));
  let len = 0;
  while (len <= maxBytes) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(limit, buf.length * 2));
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    let n: number;
    try {
      n = fs.readSync(fd, buf, len, Math.min(buf.length - len, 1 << 20), null);
    } catch (err) {
      if (errCode(err) === 'EAGAIN') {
        Atomics.wait((pause ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
        continue;
      }
      if (errCode(err) === 'EOF') break; // Windows: a closed pipe
      throw err;
    }
    if (n === 0) break;
    len += n;
  }
  if (len > maxBytes) return null;
  return buf.subarray(0, len);
}

/**
 * Whether a file found by a search (a config or ignore file, not one the user named) may be read: not
 * when it, or the link that names it, belongs to another user than the one running (or root) and sits in
 * a folder others can write (a file planted in `/tmp` above `/tmp/project`). `lst` is the `lstat` of the
 * path found, `st` the file read. Null when it may be read, else why not.
 */
export function plantedBy(file: string, lst: fs.Stats, st: fs.Stats): string | null {
  const me = typeof process.getuid === 'function' ? process.getuid() : null;
  if (me === null) return null; // Windows: no owners to compare
  const foreign = [lst.uid, st.uid].find((uid) => uid !== me && uid !== 0);
  if (foreign === undefined) return null;
  let dir: fs.Stats;
  try {
    dir = fs.statSync(path.dirname(file));
  } catch {
    return null;
  }
  if ((dir.mode & 0o002) === 0) return null;
  return `owned by another user (uid ${foreign}) in a folder anyone can write`;
}

/** What a file was when it was read: `replaceFile` writes only while it is still so. */
export interface ReadState {
  stat: fs.Stats;
  data: Buffer;
}

export class WriteRefused extends Error {}

/** For tests: called after the new text is on disk and before the original is checked again. */
export interface ReplaceHooks {
  beforeCheck?: () => void;
}

/**
 * Replaces the regular file `file` (a real path: no link in its last component) with `data`, atomically:
 * the text goes to `.<name>.<random>.tmp` in the same folder (created exclusively, never through a link),
 * gets the original's mode and owner, is flushed to disk, and is renamed over the original only if the
 * original is still what was read (same inode, size, modification time and bytes); then the folder is
 * flushed. A kill or a full disk leaves the original whole. Other hard links to the file keep the old
 * text (the rename gives this name a new inode), as with editors that save by renaming.
 * Throws WriteRefused, with the reason, when nothing was changed.
 */
export function replaceFile(file: string, data: Buffer, before: ReadState, hooks: ReplaceHooks = {}): void {
  const dir = path.dirname(file);
  const st = before.stat;
  if ((st.mode & 0o222) === 0) throw new WriteRefused('read-only');
  try {
    fs.accessSync(file, C.W_OK);
  } catch (err) {
    throw new WriteRefused(errCode(err) === 'ENOENT' ? 'gone since it was read' : `not writable (${errCode(err)})`);
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new WriteRefused(`cannot create a file next to it (${errCode(err)})`);
  }
  let renamed = false;
  try {
    try {
      for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
      if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || st.gid !== process.getgid?.())) fs.fchownSync(fd, st.uid, st.gid);
      fs.fchmodSync(fd, st.mode & 0o7777);
      fs.fsyncSync(fd);
    } catch (err) {
      const code = errCode(err);
      throw new WriteRefused(code === 'EPERM' ? 'owned by another user (writing it would change its owner)' : `cannot write (${code})`);
    } finally {
      fs.closeSync(fd);
    }
    hooks.beforeCheck?.();
    const now = readBounded(file, { maxBytes: before.data.length, noFollow: true });
    if (!now.ok && now.problem === 'missing') throw new WriteRefused('gone since it was read');
    const same =
      now.ok && now.stat.ino === st.ino && now.stat.dev === st.dev && now.stat.size === st.size && now.stat.mtimeMs === st.mtimeMs && now.data.equals(before.data);
    if (!same) throw new WriteRefused('changed since it was read');
    try {
      fs.renameSync(tmp, file);
      renamed = true;
    } catch (err) {
      throw new WriteRefused(`cannot replace it (${errCode(err)})`);
    }
  } finally {
    if (!renamed) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
  syncFolder(dir);
}

/** Flushes a folder's entries (the rename) to disk; not possible everywhere (Windows), then skipped. */
function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, C.O_RDONLY);
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // EINVAL / EISDIR on file systems and platforms that cannot
  } finally {
    fs.closeSync(fd);
  }
}
