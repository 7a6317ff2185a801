import { printable } from '../core/printable';

/**
 * Phase timings on stderr when DOCKERFILE_LEAN_TRACE is set (for profiling the launchers and the server:
 * milliseconds since the process started, then what happened; document URIs shown with control characters
 * escaped). Off, it costs one call to an empty function.
 */
export const trace: (what: string) => void = process.env.DOCKERFILE_LEAN_TRACE
  ? (what) => process.stderr.write(`[trace] ${performance.now().toFixed(1)} ${printable(what)}\n`)
  : () => {};
