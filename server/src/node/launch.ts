/**
 * Starts a bundle (the server or the CLI) with a V8 code cache. Most of a cold start is V8 parsing and
 * compiling the functions the first analysis runs; the cache keeps their bytecode between runs, so the
 * next process skips that work (measured here on the CLI, 1,000 lines: ≈ 180 ms → ≈ 100 ms).
 *
 * The cache is a file per bundle, Node version and bundle build (size and modification time), in
 * `dist/.cache/` or, when that is not writable, the system temp folder. It is written once, after the
 * first run has compiled what an analysis needs (on exit, and for a long-lived server also a few
 * seconds after start). V8 checks the data itself and rejects anything that does not match; any
 * failure here falls back to a plain `require` of the bundle.
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

function cacheFiles(bundle: string, st: fs.Stats): string[] {
  const name = `${path.basename(bundle)}-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8cache`;
  return [path.join(path.dirname(bundle), '.cache', name), path.join(os.tmpdir(), 'dockerfile-lean-cache', name)];
}

function readFirst(files: string[]): Buffer | undefined {
  for (const f of files) {
    try {
      return fs.readFileSync(f);
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

function writeSomewhere(files: string[], data: Buffer): void {
  for (const [i, f] of files.entries()) {
    try {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      const tmp = `${f}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, f);
      if (i === 0) removeStale(f);
      return;
    } catch {
      // read-only: try the next place
    }
  }
}

/**
 * Removes the caches of earlier builds of the same bundle, for the same Node, from the bundle's own cache
 * folder (each build has a new name, and a rebuilt install would otherwise collect them). The shared temp
 * folder is left alone: other installs may be using what is there.
 */
function removeStale(current: string): void {
  const dir = path.dirname(current);
  // Same bundle, Node version and architecture (several Node versions may share an install: an editor's and the system's).
  const prefix = `${path.basename(current).split('-').slice(0, 3).join('-')}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // the cache is written; pruning can wait for another run
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.v8cache') && name !== path.basename(current)) {
      try {
        fs.unlinkSync(path.join(dir, name));
      } catch {
        // gone already, or not ours to remove
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
  let files: string[];
  let cached: Buffer | undefined;
  let code: string;
  try {
    const st = fs.statSync(bundle);
    files = cacheFiles(bundle, st);
    cached = readFirst(files);
    code = fs.readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
    script = new vm.Script(Module.wrap(code), { filename: bundle, cachedData: cached });
  } catch {
    require(bundle);
    return;
  }
  trace(`bundle compiled, ${!cached ? 'no cache' : script.cachedDataRejected ? 'cache rejected' : 'cache used'}`);
  if (!cached || script.cachedDataRejected) {
    let saved = false;
    const save = () => {
      if (saved) return;
      saved = true;
      try {
        writeSomewhere(files, script.createCachedData());
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
