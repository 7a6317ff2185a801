/**
 * Programs a compiled program runs (`exec.Command("ps", …)`) and the Debian package that ships each, for a
 * `debian:<release>-slim` runtime: null where the program comes with an Essential package (coreutils, util-linux's
 * `kill`, dash, bash, perl-base's `/usr/bin/perl`), which every slim image has. A package that may already be
 * there is still named (installing it again changes nothing), so each entry holds on bookworm, bullseye and trixie.
 * Programs missing here are not guessed: the conversion declines and names them.
 *
 * Source: the package file lists of packages.debian.org (bookworm, bullseye, trixie) and `dpkg -S` on Debian 12,
 * checked 2026-12. `perl` (not perl-base): a script's modules may be outside perl-base's subset. `last` is left out
 * (util-linux on bookworm, wtmpdb on trixie).
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

/** The Debian package of a program named by its name or a path in `/bin`, `/usr/bin`, `/sbin`, `/usr/sbin`; null when not known here. */
export function debianProgram(program: string): DebianProgram | null {
  const m = /^(?:\/(?:usr\/)?s?bin\/)?([A-Za-z0-9][A-Za-z0-9._+-]*)$/.exec(program);
  if (!m) return null;
  const name = m[1];
  if (Object.prototype.hasOwnProperty.call(PACKAGES, name)) return { program: name, package: PACKAGES[name] };
  if ((ESSENTIAL as readonly string[]).includes(name)) return { program: name, package: null };
  return null;
}
