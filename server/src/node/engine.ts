/**
 * The container engine behind "Build and compare", as one small interface: docker and podman share their CLI
 * (podman accepts docker's), buildah has its own commands. Found on PATH (docker only when its daemon answers),
 * or named by the user. Every command runs without a shell through process-tree.ts; the engine's output is kept
 * as text to show, never run. Containers started here get no environment, secrets or mounts of the user's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runProcess, type RunOptions, type RunResult } from './process-tree';

export type EngineName = 'docker' | 'podman' | 'buildah';
export const ENGINE_NAMES: readonly EngineName[] = ['docker', 'podman', 'buildah'];

export interface ImageFacts {
  id: string;
  /** Bytes, as the engine reports them (buildah: only a rounded figure, so `sizeExact` is false). */
  size: number | null;
  sizeExact: boolean;
  layers: number | null;
  /** Config.User as written ('' = the image's default, root). */
  user: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
  workdir: string;
  exposed: string[];
}

export interface BuildRequest {
  file: string;
  context: string;
  tag: string;
  /** Extra arguments for the build command (e.g. `--pull=never`), given by the user. */
  extraArgs: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  onLine?: (line: string) => void;
}

export interface SmokeRequest {
  name: string;
  seconds: number;
  network: boolean;
  /** Replaces the image's CMD (the ENTRYPOINT stays). */
  command?: string[];
  /** A container port to publish on 127.0.0.1 (needs `network`). */
  port?: number;
  signal?: AbortSignal;
  /** The URL path or full URL asked once the container runs (needs `port`). */
  urlPath?: string;
}

export interface SmokeResult {
  /** running: still up at the end of the time; exited: ended by itself; failed: could not start. */
  state: 'running' | 'exited' | 'failed' | 'not-run';
  exitCode: number | null;
  seconds: number;
  log: string;
  detail?: string;
  http?: { url: string; status: number | null; error?: string };
}

export interface Engine {
  readonly name: EngineName;
  readonly bin: string;
  version: string;
  build(req: BuildRequest): Promise<RunResult>;
  inspect(tag: string, signal?: AbortSignal): Promise<ImageFacts | null>;
  /** The bytes of one file in the image (following no links), or null when absent or unreadable. */
  readFile(tag: string, file: string, signal?: AbortSignal): Promise<Buffer | null>;
  /** For each path: true present, false absent, null could not tell. */
  pathsExist(tag: string, paths: string[], signal?: AbortSignal): Promise<Map<string, boolean | null>>;
  smoke(tag: string, req: SmokeRequest): Promise<SmokeResult>;
  removeImages(tags: string[]): Promise<void>;
  /** The folder the engine stores images in, when it is on this machine. */
  storagePath(): Promise<string | null>;
}

const run = (bin: string, args: string[], opts: RunOptions = {}) => runProcess(bin, args, { timeoutMs: 120_000, ...opts });

/** An executable of that name on PATH (PATHEXT on Windows), or null. */
export function onPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      try {
        if (fs.statSync(p).isFile()) {
          fs.accessSync(p, fs.constants.X_OK);
          return p;
        }
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** The facts of an image from its config (docker's Config and OCI's config name these fields alike). */
function factsOf(id: string, size: number | null, sizeExact: boolean, layers: unknown, config: Record<string, unknown> | undefined): ImageFacts {
  const c = config ?? {};
  return {
    id: id.slice(0, 12),
    size,
    sizeExact,
    layers: Array.isArray(layers) ? layers.length : null,
    user: typeof c.User === 'string' ? c.User : '',
    cmd: Array.isArray(c.Cmd) ? c.Cmd : null,
    entrypoint: Array.isArray(c.Entrypoint) ? c.Entrypoint : null,
    workdir: typeof c.WorkingDir === 'string' ? c.WorkingDir : '',
    exposed: Object.keys((c.ExposedPorts as object | undefined) ?? {}),
  };
}

// ---------------------------------------------------------------------------------------------
// tar: the few headers `docker cp CONTAINER:PATH -` sends first

function tarEntries(buf: Buffer): { name: string; type: string; size: number; data: Buffer }[] {
  const out: { name: string; type: string; size: number; data: Buffer }[] = [];
  let at = 0;
  while (at + 512 <= buf.length) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const str = (o: number, n: number) => h.subarray(o, o + n).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8) || 0;
    const data = buf.subarray(at + 512, at + 512 + size);
    out.push({ name: str(0, 100), type: str(156, 1) || '0', size, data });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// docker and podman

class DockerLike implements Engine {
  version = '';
  constructor(
    readonly name: 'docker' | 'podman',
    readonly bin: string,
  ) {}

  build(req: BuildRequest): Promise<RunResult> {
    // BuildKit prints plain step lines with BUILDKIT_PROGRESS (podman ignores it); no build argument or
    // secret is added: the user's own engine configuration applies.
    const env = this.name === 'docker' ? { ...process.env, BUILDKIT_PROGRESS: 'plain' } : process.env;
    const args = ['build', ...(this.name === 'podman' ? ['--layers'] : []), ...req.extraArgs, '-f', req.file, '-t', req.tag, req.context];
    return runProcess(this.bin, args, { env, signal: req.signal, timeoutMs: req.timeoutMs, onLine: req.onLine });
  }

  async inspect(tag: string, signal?: AbortSignal): Promise<ImageFacts | null> {
    const r = await run(this.bin, ['image', 'inspect', tag], { signal });
    if (r.code !== 0) return null;
    try {
      const j = JSON.parse(r.out)[0];
      const size = typeof j.Size === 'number' ? j.Size : null;
      return factsOf(String(j.Id ?? '').replace(/^sha256:/, ''), size, size !== null, j.RootFS?.Layers, j.Config);
    } catch {
      return null;
    }
  }

  /** A created (never started) container to copy files out of; removed by `done`. */
  private async withCreated<T>(tag: string, signal: AbortSignal | undefined, work: (ctr: string) => Promise<T>, fallback: T): Promise<T> {
    // Never started: the command only lets an image without CMD be created.
    const c = await run(this.bin, ['create', '--network', 'none', tag, '/dockerfile-lean-never-started'], { signal });
    const ctr = c.out.trim().split('\n').pop() ?? '';
    if (c.code !== 0 || !/^[0-9a-f]{12,}$/.test(ctr)) return fallback;
    try {
      return await work(ctr);
    } finally {
      await run(this.bin, ['rm', '-f', ctr]);
    }
  }

  /** The first tar headers of `cp CTR:PATH -`: enough to know the path exists (the stream is stopped there). */
  private cpHead(ctr: string, p: string, signal?: AbortSignal, wholeFile = false): Promise<RunResult> {
    return run(this.bin, ['cp', `${ctr}:${p}`, '-'], {
      signal,
      binary: true,
      keepBytes: 8 << 20,
      enough: wholeFile ? undefined : (b) => b.length >= 512,
    });
  }

  readFile(tag: string, file: string, signal?: AbortSignal): Promise<Buffer | null> {
    return this.withCreated(tag, signal, async (ctr) => {
      const r = await this.cpHead(ctr, file, signal, true);
      if (r.code !== 0) return null;
      const e = tarEntries(r.raw)[0];
      return e && (e.type === '0' || e.type === '\0') ? Buffer.from(e.data) : null;
    }, null);
  }

  pathsExist(tag: string, paths: string[], signal?: AbortSignal): Promise<Map<string, boolean | null>> {
    const unknown = new Map(paths.map((p) => [p, null as boolean | null]));
    return this.withCreated(tag, signal, async (ctr) => {
      const out = new Map<string, boolean | null>();
      for (const p of paths) {
        const r = await this.cpHead(ctr, p, signal);
        if (r.raw.length >= 512) out.set(p, true);
        else if (/no such file|not found|could not find|does not exist/i.test(r.err)) out.set(p, false);
        else out.set(p, r.code === 0 ? true : null);
      }
      return out;
    }, unknown);
  }

  async smoke(tag: string, req: SmokeRequest): Promise<SmokeResult> {
    const t0 = Date.now();
    const net = req.network ? [] : ['--network', 'none'];
    const pub = req.port && req.network ? ['-p', `127.0.0.1::${req.port}`] : [];
    // No -e, no -v, no --env-file: nothing of the user's environment goes in.
    const s = await run(this.bin, ['run', '-d', '--name', req.name, ...net, ...pub, tag, ...(req.command ?? [])], { signal: req.signal });
    if (s.code !== 0) {
      await run(this.bin, ['rm', '-f', req.name]);
      return { state: 'failed', exitCode: null, seconds: 0, log: (s.out + s.err).trim(), detail: `${this.name} run failed (exit ${s.code})` };
    }
    try {
      let http: SmokeResult['http'];
      const until = t0 + req.seconds * 1000;
      let state = await this.state(req.name);
      while (Date.now() < until && state.running && !req.signal?.aborted) {
        if (req.port && req.urlPath && !http?.status) http = await this.ask(req.name, req.port, req.urlPath);
        await new Promise((r) => setTimeout(r, 250));
        state = await this.state(req.name);
      }
      const logs = await run(this.bin, ['logs', req.name]);
      return {
        state: state.running ? 'running' : 'exited',
        exitCode: state.running ? null : state.exitCode,
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        log: (logs.out + logs.err).slice(-8000),
        ...(http ? { http } : {}),
      };
    } finally {
      await run(this.bin, ['rm', '-f', req.name]);
    }
  }

  private async state(name: string): Promise<{ running: boolean; exitCode: number | null }> {
    const r = await run(this.bin, ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
    const [running, code] = r.out.trim().split(/\s+/);
    return { running: running === 'true', exitCode: code !== undefined && /^-?\d+$/.test(code) ? Number(code) : null };
  }

  private async ask(name: string, port: number, urlPath: string): Promise<SmokeResult['http']> {
    const p = await run(this.bin, ['port', name, `${port}/tcp`]);
    // `127.0.0.1:43121` (the first line): the host port after the last colon.
    const first = (p.out.trim().split('\n')[0] ?? '').trim();
    const hostPort = first.slice(first.lastIndexOf(':') + 1);
    const m = /^\d+$/.test(hostPort) ? [hostPort, hostPort] : null;
    if (!m) return { url: urlPath, status: null, error: 'the port is not published' };
    const url = `http://127.0.0.1:${m[1]}${urlPath.startsWith('/') ? '' : '/'}${urlPath}`;
    const http = require('http') as typeof import('http');
    return new Promise((resolve) => {
      // Reported by the path asked (the host port is a different one each run).
      const shown = urlPath;
      const rq = http.get(url, { timeout: 2000 }, (res) => {
        res.resume();
        resolve({ url: shown, status: res.statusCode ?? null });
      });
      rq.on('error', (e) => resolve({ url: shown, status: null, error: e.message }));
      rq.on('timeout', () => rq.destroy(new Error('no answer within 2 s')));
    });
  }

  async removeImages(tags: string[]): Promise<void> {
    if (tags.length) await run(this.bin, ['rmi', ...tags]);
  }

  async storagePath(): Promise<string | null> {
    const r = await run(this.bin, ['info', '--format', this.name === 'docker' ? '{{.DockerRootDir}}' : '{{.Store.GraphRoot}}'], { timeoutMs: 30_000 });
    const p = r.code === 0 ? r.out.trim() : '';
    return p && path.isAbsolute(p) && fs.existsSync(p) ? p : null;
  }
}

// ---------------------------------------------------------------------------------------------
// buildah

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1 << 20, GIB: 1 << 30 };

class Buildah implements Engine {
  readonly name = 'buildah' as const;
  version = '';
  constructor(readonly bin: string) {}

  build(req: BuildRequest): Promise<RunResult> {
    return runProcess(this.bin, ['bud', '--layers', ...req.extraArgs, '-f', req.file, '-t', req.tag, req.context], { signal: req.signal, timeoutMs: req.timeoutMs, onLine: req.onLine });
  }

  async inspect(tag: string, signal?: AbortSignal): Promise<ImageFacts | null> {
    const r = await run(this.bin, ['inspect', '--type', 'image', tag], { signal });
    if (r.code !== 0) return null;
    try {
      const j = JSON.parse(r.out);
      const c = j.OCIv1?.config;
      const im = await run(this.bin, ['images', '--json', tag], { signal });
      const sizeText = String(JSON.parse(im.out)?.[0]?.size ?? '');
      const m = /^([\d.]+)\s*([a-zA-Z]+)$/.exec(sizeText.trim());
      const size = m ? Math.round(Number(m[1]) * (SIZE_UNITS[m[2].toUpperCase()] ?? NaN)) || null : null;
      return factsOf(String(j.FromImageID ?? ''), size, false, j.OCIv1?.rootfs?.diff_ids, c);
    } catch {
      return null;
    }
  }

  /** A working container of the image, mounted (root; rootless buildah needs `buildah unshare`, not done here). */
  private async withMount<T>(tag: string, signal: AbortSignal | undefined, work: (root: string) => Promise<T>, fallback: T): Promise<T> {
    const c = await run(this.bin, ['from', '--pull=never', tag], { signal });
    const ctr = c.out.trim().split('\n').pop() ?? '';
    if (c.code !== 0 || !ctr) return fallback;
    try {
      const m = await run(this.bin, ['mount', ctr], { signal });
      const root = m.out.trim();
      if (m.code !== 0 || !path.isAbsolute(root)) return fallback;
      return await work(root);
    } finally {
      await run(this.bin, ['rm', ctr]);
    }
  }

  readFile(tag: string, file: string, signal?: AbortSignal): Promise<Buffer | null> {
    return this.withMount(tag, signal, async (root) => {
      try {
        const p = path.join(root, file);
        return fs.lstatSync(p).isFile() ? fs.readFileSync(p) : null;
      } catch {
        return null;
      }
    }, null);
  }

  pathsExist(tag: string, paths: string[], signal?: AbortSignal): Promise<Map<string, boolean | null>> {
    const unknown = new Map<string, boolean | null>(paths.map((p) => [p, null]));
    return this.withMount(tag, signal, async (root) => new Map<string, boolean | null>(paths.map((p) => [p, existsIn(root, p)])), unknown);
  }

  async smoke(tag: string, req: SmokeRequest): Promise<SmokeResult> {
    const t0 = Date.now();
    if (req.port) return { state: 'not-run', exitCode: null, seconds: 0, log: '', detail: 'buildah publishes no ports: a URL check needs docker or podman' };
    const facts = await this.inspect(tag, req.signal);
    const words = [...(facts?.entrypoint ?? []), ...(req.command ?? facts?.cmd ?? [])];
    if (!words.length) return { state: 'not-run', exitCode: null, seconds: 0, log: '', detail: 'the image has no CMD or ENTRYPOINT' };
    const c = await run(this.bin, ['from', '--pull=never', '--name', req.name, tag], { signal: req.signal });
    if (c.code !== 0) return { state: 'failed', exitCode: null, seconds: 0, log: (c.out + c.err).trim(), detail: `buildah from failed (exit ${c.code})` };
    try {
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), req.seconds * 1000);
      const onAbort = () => limit.abort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const r = await runProcess(this.bin, ['run', ...(req.network ? [] : ['--network', 'none']), req.name, '--', ...words], { signal: limit.signal, keepBytes: 8000 });
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      const log = (r.out + r.err).slice(-8000);
      const seconds = Math.round((Date.now() - t0) / 100) / 10;
      if (r.aborted) return { state: 'running', exitCode: null, seconds, log };
      return { state: 'exited', exitCode: r.code, seconds, log };
    } finally {
      await run(this.bin, ['rm', req.name]);
    }
  }

  async removeImages(tags: string[]): Promise<void> {
    if (tags.length) await run(this.bin, ['rmi', ...tags]);
  }

  async storagePath(): Promise<string | null> {
    const r = await run(this.bin, ['info'], { timeoutMs: 30_000 });
    try {
      const p = JSON.parse(r.out)?.store?.GraphRoot;
      return typeof p === 'string' && fs.existsSync(p) ? p : null;
    } catch {
      return null;
    }
  }
}

/** Whether `p` exists inside a mounted root, following links in its folders within that root (not the last one). */
export function existsIn(root: string, p: string): boolean {
  let cur = root;
  const segs = p.split('/').filter(Boolean);
  for (let k = 0; k < segs.length; k++) {
    let next = path.join(cur, segs[k]);
    let st = fs.lstatSync(next, { throwIfNoEntry: false });
    if (!st) return false;
    if (k === segs.length - 1) return true;
    for (let hops = 0; st?.isSymbolicLink() && hops < 20; hops++) {
      const target = fs.readlinkSync(next);
      next = target.startsWith('/') ? path.join(root, target) : path.join(path.dirname(next), target);
      if (next !== root && !next.startsWith(root + path.sep)) next = path.join(root, path.relative(root, next).replace(/^(\.\.(\/|$))+/, ''));
      st = fs.lstatSync(next, { throwIfNoEntry: false });
    }
    if (!st?.isDirectory()) return false;
    cur = next;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// finding one

export interface FoundEngine {
  engine: Engine | null;
  /** Why none (or why a named one could not be used), in words for the user. */
  problem?: string;
}

async function versionOf(e: Engine): Promise<{ ok: boolean; version: string; detail: string }> {
  if (e.name === 'docker') {
    // The CLI alone is not enough: its daemon must answer (a docker CLI without a running daemon is common).
    const r = await run(e.bin, ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
    const v = r.out.trim();
    return { ok: r.code === 0 && v !== '', version: v, detail: (r.err || r.out).trim().split('\n').pop() ?? '' };
  }
  const r = await run(e.bin, ['--version'], { timeoutMs: 15_000 });
  const v = /version\s+(\S+)/.exec(r.out)?.[1] ?? r.out.trim();
  return { ok: r.code === 0, version: v, detail: (r.err || r.out).trim().split('\n').pop() ?? '' };
}

function make(name: EngineName, bin: string): Engine {
  return name === 'buildah' ? new Buildah(bin) : new DockerLike(name, bin);
}

/** The engine named, or the first of docker (when its daemon answers), podman, buildah on PATH. */
export async function findEngine(wanted: EngineName | 'auto' = 'auto', envPath = process.env.PATH ?? ''): Promise<FoundEngine> {
  const names = wanted === 'auto' ? ENGINE_NAMES : [wanted];
  const problems: string[] = [];
  for (const name of names) {
    const bin = onPath(name, envPath);
    if (!bin) {
      if (wanted !== 'auto') problems.push(`${name} is not on PATH`);
      continue;
    }
    const e = make(name, bin);
    const v = await versionOf(e);
    if (v.ok) {
      e.version = v.version;
      return { engine: e };
    }
    problems.push(`${name} (${bin}) does not answer: ${v.detail || 'no version'}`);
  }
  const tried = problems.length ? `: ${problems.join('; ')}` : '';
  return { engine: null, problem: wanted === 'auto' ? `no container engine found (docker, podman or buildah on PATH)${tried}` : `the engine ${wanted} cannot be used${tried}` };
}
