/**
 * The shell grammar is a 1.4 MB WebAssembly module. V8's default tiering recompiles its hot functions
 * with the optimising compiler while the first documents are analysed; on two cores that work took
 * more time than it ever saved (parsing every RUN body of a 10,000-line file: ≈ 330 ms with tiering,
 * ≈ 140 ms with the baseline compiler alone, measured here; steady-state analysis the same). Both the
 * server and the CLI therefore keep the baseline compiler.
 * Must run before the module is compiled.
 *
 * V8 compiles a module's functions lazily, at their first call (the first RUN body parsed pays ≈ 10 ms,
 * nearly all of it for the grammar's 160 KB lexer function). Compiling them up front was tried, for both
 * modules and for the grammar alone (the lazy-compilation flag must then stay off until the compile has
 * made its decision, and be as it was when the bundle's code cache is checked and written): it gained
 * nothing, because V8's asynchronous compile takes its next step only when this thread is back in the
 * event loop, so it cannot run alongside the bundle's load or the model's build.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { setPrecompiled, wasm } from '../core/wasm-handoff';

export function useBaselineWasmCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/**
 * Starts compiling the shell grammar's two modules from `dir` (the bundle's folder) and leaves them for
 * the bundle (core/wasm-handoff.ts). The files are read synchronously (1.5 MB from the page cache: about a
 * millisecond, and about as much again to start the compilation) so that V8's threads compile them while this thread loads the bundle; read
 * asynchronously, compilation could only start once the bundle has loaded. Nothing is left when a file
 * is missing: the bundle then loads them itself.
 */
export function precompileWasm(dir: string): void {
  try {
    const compile = (file: string) => {
      const p = wasm.compile(fs.readFileSync(path.join(dir, file)));
      p.catch(() => {}); // the bundle sees the failure; never an unhandled rejection here
      return p;
    };
    setPrecompiled({ runtime: compile('tree-sitter.wasm'), language: compile('tree-sitter-bash.wasm') });
  } catch {
    // not there: the bundle reads and compiles them itself
  }
}
