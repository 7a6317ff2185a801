/**
 * The shell grammar is a 1.4 MB WebAssembly module. V8's default tiering recompiles its hot functions
 * with the optimising compiler while the first documents are analysed; on two cores that work took
 * more time than it ever saved (parsing every RUN body of a 10,000-line file: ≈ 330 ms with tiering,
 * ≈ 140 ms with the baseline compiler alone, measured here; steady-state analysis the same). Both the
 * server and the CLI therefore keep the baseline compiler. Must run before the module is compiled.
 */
import * as v8 from 'v8';

export function useBaselineWasmCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}
