/**
 * The programs a runtime stage needs besides the app, and the packages that ship them. Two tables, one per use:
 * RUNTIME_TOOLS for what a HEALTHCHECK, CMD or ENTRYPOINT calls (Debian and Alpine), and the Debian programs a
 * compiled program runs itself (`exec.Command`), below. Where both name a program they name the same package
 * (test/unit/runtime-tools.test.ts checks it).
 */

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

// --- Programs a compiled program runs -----------------------------------------------------------

/**
 * Programs a compiled program runs (`exec.Command("ps", …)`) and the Debian package that ships each, for a
 * `debian:<release>-slim` runtime: null where the program comes with an Essential package (coreutils, util-linux's
 * `kill`, dash, bash, perl-base's `/usr/bin/perl`), which every slim image has. A package that may already be
 * there is still named (installing it again changes nothing), so each entry holds on bookworm, bullseye and trixie.
 * Programs missing here are not guessed: the conversion declines and names them.
 *
 * Source: the package file lists of packages.debian.org (bookworm, bullseye, trixie) and `dpkg -S` on Debian 12,
 * checked 2026-12. `perl` (not perl-base): a script's modules may be outside perl-base's subset. Programs whose
 * package differs by release are in BY_RELEASE, below.
 */
export interface DebianProgram {
  program: string;
  /** The package to install; null: an Essential package ships it. */
  package: string | null;
}

const ESSENTIAL = [
  // coreutils
  'cat', 'cp', 'date', 'df', 'du', 'echo', 'env', 'head', 'id', 'ln', 'ls', 'mkdir', 'mv', 'nproc', 'printf', 'pwd', 'rm', 'sleep',
  'sort', 'stat', 'tail', 'tee', 'touch', 'true', 'false', 'uname', 'wc', 'whoami', 'sync', 'chmod', 'chown', 'test', 'timeout',
  // shells, grep, sed, tar, gzip, findutils
  'sh', 'bash', 'dash', 'grep', 'sed', 'tar', 'gzip', 'gunzip', 'find', 'xargs',
  // util-linux, hostname's own package (Essential on bookworm; named below to hold on trixie too)
  'mount', 'umount', 'lsblk', 'nsenter',
] as const;

const PACKAGES: Record<string, string> = {
  ps: 'procps', pgrep: 'procps', pkill: 'procps', free: 'procps', uptime: 'procps', top: 'procps', vmstat: 'procps', kill: 'procps',
  hostname: 'hostname',
  perl: 'perl',
  python3: 'python3',
  curl: 'curl',
  wget: 'wget',
  git: 'git',
  ssh: 'openssh-client',
  ip: 'iproute2',
  ss: 'iproute2',
  ping: 'iputils-ping',
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
  convert: 'imagemagick',
  zip: 'zip',
  unzip: 'unzip',
  openssl: 'openssl',
  jq: 'jq',
  awk: 'mawk',
  nslookup: 'bind9-dnsutils',
  dig: 'bind9-dnsutils',
};

/**
 * Programs whose package depends on the Debian release: per release, the package (null: an Essential one ships
 * it); a release missing is not known here, and `note` says why.
 * - `last`: /usr/bin/last is in util-linux 2.38.1-5+deb12u3 on bookworm, which is Essential (`dpkg -c` and
 *   `dpkg -I` of the .deb from deb.debian.org's pool, and `dpkg -S /usr/bin/last` on Debian 12); util-linux 2.41-5
 *   (trixie) no longer ships it, and the replacement (wtmpdb's last-like command) reads another database
 *   (wiki.debian.org/pam_lastlog2 and wtmpdb). Checked 2026-12.
 */
const BY_RELEASE: Record<string, { releases: Record<string, string | null>; note: string }> = {
  last: { releases: { bookworm: null }, note: 'util-linux ships it on bookworm only; trixie\'s util-linux no longer does' },
};

/** Why a program of BY_RELEASE is not known for a release (or for an unnamed one); null for other programs. */
export function debianProgramNote(program: string): string | null {
  const name = program.replace(/^\/(usr\/)?s?bin\//, '');
  return Object.prototype.hasOwnProperty.call(BY_RELEASE, name) ? BY_RELEASE[name].note : null;
}

/**
 * The Debian package of a program named by its name or a path in `/bin`, `/usr/bin`, `/sbin`, `/usr/sbin`, on
 * `release` (bookworm, trixie, …; null: not named, so only the programs that hold on every release); null when not
 * known here.
 */
export function debianProgram(program: string, release: string | null = null): DebianProgram | null {
  const m = /^(?:\/(?:usr\/)?s?bin\/)?([A-Za-z0-9][A-Za-z0-9._+-]*)$/.exec(program);
  if (!m) return null;
  const name = m[1];
  if (Object.prototype.hasOwnProperty.call(BY_RELEASE, name)) {
    const r = BY_RELEASE[name].releases;
    return release !== null && Object.prototype.hasOwnProperty.call(r, release) ? { program: name, package: r[release] } : null;
  }
  if (Object.prototype.hasOwnProperty.call(PACKAGES, name)) return { program: name, package: PACKAGES[name] };
  if ((ESSENTIAL as readonly string[]).includes(name)) return { program: name, package: null };
  return null;
}
