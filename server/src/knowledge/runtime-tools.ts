/**
 * Programs a HEALTHCHECK, CMD or ENTRYPOINT commonly calls besides the app (`curl -f http://localhost/ || exit 1`),
 * which the full toolchain image had and a slim runtime may lack, with the package that provides each on the
 * runtime families a conversion writes: Debian/Ubuntu (apt) and Alpine (apk). `null`: the family's base image
 * already has the program (Debian's essential packages; the BusyBox applets of Alpine's base image).
 */
export interface RuntimeTool {
  program: string;
  debian: string | null;
  /** Absent: the Alpine package is not mapped here (a conversion to Alpine declines). */
  alpine?: string | null;
  source: string;
  checked: string;
}

const DEB = 'packages.debian.org (bookworm, trixie) and packages.ubuntu.com (jammy, noble): the package shipping the program';
const APK = 'pkgs.alpinelinux.org (v3.19–v3.21): busybox applets of the base image, or the package shipping the program';

export const RUNTIME_TOOLS: readonly RuntimeTool[] = [
  { program: 'curl', debian: 'curl', alpine: 'curl', source: `${DEB}; ${APK}`, checked: '2026-12' },
  // BusyBox wget (Alpine) takes -q, -O and --spider, the options health checks use.
  { program: 'wget', debian: 'wget', alpine: null, source: `${DEB}; ${APK}`, checked: '2026-12' },
  { program: 'nc', debian: 'netcat-openbsd', alpine: null, source: `${DEB}; ${APK}`, checked: '2026-12' },
  { program: 'pgrep', debian: 'procps', alpine: null, source: `${DEB}; ${APK}`, checked: '2026-12' },
  { program: 'ps', debian: 'procps', alpine: null, source: `${DEB}; ${APK}`, checked: '2026-12' },
  { program: 'bash', debian: null, alpine: 'bash', source: `${DEB} (bash is essential); ${APK}`, checked: '2026-12' },
  // Alpine names the PostgreSQL client by major version (postgresql16-client): not mapped.
  { program: 'pg_isready', debian: 'postgresql-client', source: DEB, checked: '2026-12' },
  { program: 'redis-cli', debian: 'redis-tools', alpine: 'redis', source: `${DEB}; ${APK} (redis-cli is in the redis package)`, checked: '2026-12' },
];

/**
 * Commands every Debian/Ubuntu and Alpine image with a shell has (shell builtins; coreutils/BusyBox): a health
 * check's `|| exit 1`, `test -f`, `cat`.
 */
export const BASE_COMMANDS: ReadonlySet<string> = new Set([
  'sh', '/bin/sh', 'exit', 'exec', 'true', 'false', 'test', '[', 'echo', 'printf', 'cd', 'set', 'export', 'kill', 'sleep',
  'cat', 'grep', 'sed', 'ls', 'env', 'head', 'tail', 'wc', 'date', 'stat', 'find', 'touch', 'rm', 'mkdir', 'timeout',
]);

export function runtimeTool(program: string): RuntimeTool | null {
  const name = program.replace(/^\/(usr\/)?bin\//, '');
  return RUNTIME_TOOLS.find((t) => t.program === name) ?? null;
}
