/**
 * Running the container engine's processes so that they can be stopped for real: each command is started in a
 * process group of its own (POSIX), and stopping it ends the whole tree, found through /proc on Linux (children
 * that left the group with setsid, as container runtimes do) and the group itself; Windows uses `taskkill /T`.
 * Output is read as text lines for the caller to show, never run or interpreted as commands.
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import { processExists } from '../lsp/client-process';

/** Loaded at the first run: the CLI's other commands start without it (it costs a few ms). */
const childProcess = (): typeof import('child_process') => require('child_process');

export interface RunOptions {
  signal?: AbortSignal;
  /** Past it the tree is ended and the result says timedOut. */
  timeoutMs?: number;
  /** Every line of stdout and stderr, as it arrives. */
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** How much of stdout and of stderr is kept (the end of it); default 4 MiB each. */
  keepBytes?: number;
  /** Called with stdout as it grows: true ends the process (the caller has what it needs). */
  enough?: (stdout: Buffer) => boolean;
  /** stdout as raw bytes (binary output such as a tar stream). */
  binary?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  out: string;
  err: string;
  raw: Buffer;
  timedOut: boolean;
  aborted: boolean;
  /** The process could not be started (ENOENT, EACCES): the message. */
  spawnError?: string;
  pid?: number;
}

/** Processes started here that are still running: ended on exit of this process. */
const live = new Set<ChildProcess>();
let exitHook = false;

function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const p of live) if (p.pid) signalTree(p.pid, 'SIGKILL');
  });
}

/** The pids of every descendant of `pid` (Linux: /proc; elsewhere an empty list). */
export function descendants(pid: number): number[] {
  if (process.platform !== 'linux') return [];
  const children = new Map<number, number[]>();
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${n}/stat`, 'latin1');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    const list = children.get(ppid);
    if (list) list.push(Number(n));
    else children.set(ppid, [Number(n)]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** Whether a process (or, with a negative id, a process group) still exists. */
export const alive = processExists;

function signalTree(pid: number, sig: NodeJS.Signals): number[] {
  if (process.platform === 'win32') {
    childProcess().spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' });
    return [];
  }
  const tree = descendants(pid);
  for (const p of [-pid, pid, ...tree]) {
    try {
      process.kill(p, sig);
    } catch {
      // gone already
    }
  }
  return tree;
}

/** Ends a process, its group and every descendant: SIGTERM, then SIGKILL for what is left after `graceMs`. */
export async function endTree(pid: number, graceMs = 3000): Promise<void> {
  const tree = signalTree(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  const left = () => [-pid, pid, ...tree].filter(alive);
  while (Date.now() < until && left().length) await new Promise((r) => setTimeout(r, 100));
  // Descendants started after the first look (a runtime forking as it stops) are looked up again.
  for (const p of [...left(), ...descendants(pid)]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (process.platform !== 'win32') signalTree(pid, 'SIGKILL');
}

class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.max && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  buffer(): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.length > this.max ? all.subarray(all.length - this.max) : all;
  }
}

/** Runs a command without a shell; never rejects. */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  installExitHook();
  return new Promise((resolve) => {
    const keep = opts.keepBytes ?? 4 << 20;
    const out = new Tail(keep);
    const err = new Tail(keep);
    let timedOut = false;
    let aborted = false;
    let stopping: Promise<void> | null = null;
    let child: ChildProcess;
    const finish = (r: Omit<RunResult, 'out' | 'err' | 'raw' | 'timedOut' | 'aborted'>) => {
      const raw = out.buffer();
      resolve({ ...r, out: opts.binary ? '' : raw.toString('utf8'), err: err.buffer().toString('utf8'), raw, timedOut, aborted, pid: child?.pid });
    };
    if (opts.signal?.aborted) {
      aborted = true;
      finish({ code: null, signal: null });
      return;
    }
    try {
      child = childProcess().spawn(cmd, args, {
        env: opts.env ?? process.env,
        stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (e) {
      finish({ code: null, signal: null, spawnError: (e as Error).message });
      return;
    }
    live.add(child);
    const stop = () => {
      if (!stopping && child.pid) stopping = endTree(child.pid);
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, opts.timeoutMs)
      : null;
    const lines = (stream: NodeJS.ReadableStream, sink: Tail, isOut: boolean) => {
      let partial = '';
      let grown: Buffer[] = [];
      stream.on('data', (b: Buffer) => {
        sink.push(b);
        if (isOut && opts.enough) {
          grown.push(b);
          if (opts.enough(Buffer.concat(grown))) {
            grown = [];
            stop();
          }
        }
        if (opts.onLine && !(isOut && opts.binary)) {
          partial += b.toString('utf8');
          const parts = partial.split(/\r?\n|\r/);
          partial = parts.pop() ?? '';
          for (const l of parts) opts.onLine(l);
        }
      });
      stream.on('end', () => {
        if (partial && opts.onLine) opts.onLine(partial);
      });
    };
    lines(child.stdout!, out, true);
    lines(child.stderr!, err, false);
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    child.on('error', (e) => {
      live.delete(child);
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      finish({ code: null, signal: null, spawnError: e.message });
    });
    child.on('close', async (code, sig) => {
      live.delete(child);
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // The tree is gone before the caller hears of it (a cancelled build leaves no runtime behind).
      if (stopping) await stopping;
      finish({ code, signal: sig });
    });
  });
}
