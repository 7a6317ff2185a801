/**
 * The command line's output, written straight to file descriptors 1 and 2. Node's `process.stdout`
 * builds a stream object on first use (for a pipe it loads the socket machinery: a few milliseconds of a
 * run that takes about a hundred), and the tool needs none of what it offers: every write here is
 * synchronous and complete when it returns, so the process can exit right after the last one.
 */
import * as fs from 'fs';

export const STDOUT = 1;
export const STDERR = 2;

/** Set once a reader has gone away (`dockerfile-lean check … | head`): later writes to it are dropped. */
const closed = new Set<number>();
let pause: Int32Array | null = null;

/** Writes all of `data`; a full non-blocking pipe is waited on, a closed one ends output to that descriptor quietly. */
export function write(fd: number, data: string | Uint8Array): void {
  if (closed.has(fd)) return;
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // The reader is behind: wait a millisecond for it, without spinning.
        Atomics.wait((pause ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') {
        closed.add(fd);
        return;
      }
      throw err;
    }
  }
}

/**
 * Whether the descriptor is a terminal. Pipes, files and sockets are answered from one `fstat`; only a
 * character device (a terminal, or /dev/null) loads the `tty` module to tell which.
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fs.fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('tty') as typeof import('tty')).isatty(fd);
}
