/**
 * Reading the files next to a Dockerfile for the analysis (see WorkspaceFiles in core/types). Used by
 * the server and the CLI, never by the core. Reads stay inside the folder, skip anything larger than
 * 1 MB, and are cached per path until the file's size or modification time changes.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { WorkspaceFiles } from '../core/types';

const MAX_BYTES = 1 << 20;

interface Cached {
  mtimeMs: number;
  size: number;
  text: string | null;
}

const cache = new Map<string, Cached>();

function readCached(file: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    cache.delete(file);
    return null;
  }
  if (!st.isFile()) return null;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
  let text: string | null = null;
  if (st.size <= MAX_BYTES) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = null;
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, text });
  return text;
}

/** The files of `dir`, addressed by relative POSIX paths that stay inside it. */
export function folderFiles(dir: string): WorkspaceFiles {
  const root = path.resolve(dir);
  return {
    read(relPath: string): string | null {
      if (!relPath || relPath.includes('\0') || path.posix.isAbsolute(relPath)) return null;
      const full = path.resolve(root, ...relPath.split('/'));
      if (full !== root && !full.startsWith(root + path.sep)) return null;
      return readCached(full);
    },
  };
}
