/**
 * The shell grammar's modules, compiled by the launcher (node/launch.ts) while it loads the bundle and
 * picked up by core/shell.ts. A process started another way (tests of the sources) has none, and the
 * grammar is loaded from its files.
 */

/** A compiled WebAssembly module or an instance (opaque here). */
export type WasmObject = object;

/** The part of the WebAssembly API used here; the project's TypeScript libraries do not declare it. */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmObject>;
  instantiate(module: WasmObject, imports: object): Promise<WasmObject>;
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface PrecompiledWasm {
  /** web-tree-sitter's runtime, `tree-sitter.wasm`. */
  runtime: Promise<WasmObject>;
  /** The bash grammar, `tree-sitter-bash.wasm`. */
  language: Promise<WasmObject>;
}

const KEY = Symbol.for('dockerfile-lean.precompiled-wasm');

export function setPrecompiled(handoff: PrecompiledWasm): void {
  (globalThis as Record<symbol, unknown>)[KEY] = handoff;
}

export function precompiled(): PrecompiledWasm | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as PrecompiledWasm | undefined;
}
