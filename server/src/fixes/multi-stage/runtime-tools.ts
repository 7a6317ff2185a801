/**
 * The programs a runtime stage's HEALTHCHECK calls that the slim runtime lacks: `HEALTHCHECK CMD curl -f
 * http://localhost:8000/ || exit 1` on `python:3.12-slim` needs curl installed there. Each command the check runs
 * must be the built program, a program of the runtime image, a shell builtin or core utility of every Debian
 * image, or a tool of the table below (then its package is installed); anything else declines.
 */
import type { Instr, Model } from '../../core/model';
import { parseShell } from '../../core/shell';
import { programOf } from './common';

/**
 * Programs health checks call and the Debian package that holds each: the same name on bookworm, bullseye and
 * trixie (packages.debian.org, "search the contents of packages", checked 2026-12).
 */
const TOOL_PACKAGES: Record<string, string> = {
  curl: 'curl',
  wget: 'wget',
  nc: 'netcat-openbsd',
  pg_isready: 'postgresql-client',
  'redis-cli': 'redis-tools',
};

/** Shell builtins and what every Debian image has (coreutils, grep, sed: Priority required). */
const EVERY_DEBIAN = new Set(['exit', 'true', 'false', 'test', '[', 'echo', 'printf', 'cat', 'grep', 'sed', 'sh', 'bash', 'sleep', 'head', 'tail', 'wc', 'timeout', 'kill']);

/** The Debian packages the tools a HEALTHCHECK runs come from, or why they cannot be known. */
export function runtimeToolPackages(model: Model, check: Instr, provided: (program: string) => boolean, runtime: string): { ok: true; packages: string[] } | { ok: false; reason: string } {
  const p = programOf(model, check);
  let names: (string | null)[];
  if (p.words) names = [p.words[0] ?? null];
  else {
    const script = p.body && !p.body.startsWith('[') ? parseShell(p.body) : null;
    if (!script || script.commands.length === 0) return { ok: false, reason: `the HEALTHCHECK on line ${check.line + 1} is not a command that can be read here` };
    names = script.commands.map((c) => c.name);
  }
  const packages: string[] = [];
  for (const n of names) {
    if (n === null) return { ok: false, reason: `the HEALTHCHECK on line ${check.line + 1} runs a command named by a variable` };
    if (provided(n) || EVERY_DEBIAN.has(n)) continue;
    const pkg = Object.prototype.hasOwnProperty.call(TOOL_PACKAGES, n) ? TOOL_PACKAGES[n] : undefined;
    if (!pkg) return { ok: false, reason: `the HEALTHCHECK on line ${check.line + 1} runs \`${n}\`, which ${runtime} does not have` };
    if (!packages.includes(pkg)) packages.push(pkg);
  }
  return { ok: true, packages };
}
