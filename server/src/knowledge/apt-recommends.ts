/**
 * Debian and Ubuntu packages whose Recommends carry a package that builds and programs usually need, which
 * `--no-install-recommends` would leave out. Without ca-certificates, an `https://` fetch with curl, wget or git
 * fails (`SSL certificate problem: unable to get local issuer certificate`), so the apt fix keeps it.
 *
 * A kept package's own kept recommends are kept too (cmake → gcc → libc6-dev).
 *
 * Sources: the package pages of packages.debian.org (bookworm, trixie) and packages.ubuntu.com (jammy, noble):
 * - curl depends on libcurl4 (libcurl4t64 on trixie and noble), which Recommends ca-certificates;
 * - libcurl3-gnutls (git's transport) Recommends ca-certificates;
 * - wget Recommends ca-certificates;
 * - git Recommends ca-certificates (with patch, less and ssh-client; the ssh client is kept only where the file
 *   shows git over ssh, GIT_OVER_SSH below);
 * - cmake Recommends gcc and make: without them `cmake .. && make` finds no compiler or no make (read with
 *   `apt-cache depends cmake` on bookworm, 2026-12; the same on trixie, jammy and noble's package pages);
 * - gcc (and gcc-12, gcc-14…) Recommends libc6-dev: without it a compile cannot link (`cannot find crti.o`), as a
 *   `pip install` that builds a C extension from source on a slim image does (`apt-cache show gcc gcc-12`, bookworm,
 *   2026-12-02; g++ and gfortran depend on it through libstdc++-dev and libgfortran-dev, clang depends on it);
 * - python3-pip (and python-pip) on Ubuntu 18.04 and Debian buster Recommends python3-setuptools and python3-wheel:
 *   without setuptools a `pip3 install` that builds from source stops with "Could not import setuptools"
 *   (packages.ubuntu.com, bionic's python3-pip 9.0.1; bookworm's 23.0.1 Depends on both, `apt-cache show
 *   python3-pip`, 2026-12-02, so naming them there changes nothing). Its build-essential and python3-dev
 *   Recommends are what `--no-install-recommends` is for: a build that compiles names them;
 * - libvulkan1 Recommends mesa-vulkan-drivers (or another vulkan-icd): without a driver the Vulkan loader finds no
 *   GPU and a program falls back to its CPU path (`apt-cache depends libvulkan1`, bookworm, 2026-12).
 */
/**
 * git Recommends ssh-client (openssh-client on Debian and Ubuntu): without it `git clone git@host:…` or over
 * `ssh://` fails (`cannot run ssh: No such file or directory`). Kept where the file itself shows git over ssh.
 */
export const GIT_OVER_SSH = /\bgit@[\w.-]+:|\bssh:\/\/|type=ssh\b|\bGIT_SSH|\bssh-keyscan\b|\.ssh\//;

/**
 * Recommends kept only where the file later runs what they provide. dpkg-dev (which build-essential depends on)
 * Recommends gnupg (`gnupg | gnupg2` on Ubuntu 18.04, `gnupg | sq | … | gpg` on bookworm; packages.ubuntu.com bionic,
 * packages.debian.org bookworm, read 2026-12-02), and the ubuntu and debian base images have no gpg of their own: a
 * later `gpg --verify` of a download, or `apt-key add`, stops with `gpg: not found` once the recommends go.
 */
export const KEPT_WHEN_USED: readonly {
  /** The recommended package the fix names. */
  keep: string;
  /** The packages that bring it as a recommend, each with how the message names it. */
  by: Readonly<Record<string, string>>;
  /** Packages that provide what it does already (an install naming one needs nothing kept). */
  provided: readonly string[];
  /** What a later step runs that needs it. */
  used: RegExp;
}[] = [
  { keep: 'gnupg', by: { 'build-essential': 'build-essential (through dpkg-dev)', 'dpkg-dev': 'dpkg-dev' }, provided: ['gnupg', 'gnupg2', 'gpg'], used: /(^|[\s;&|(])(gpg2?|gpgv|apt-key)(\s|$)/m },
];

export const KEPT_RECOMMENDS: Readonly<Record<string, readonly string[]>> = {
  curl: ['ca-certificates'],
  libcurl4: ['ca-certificates'],
  libcurl4t64: ['ca-certificates'],
  'libcurl3-gnutls': ['ca-certificates'],
  wget: ['ca-certificates'],
  git: ['ca-certificates'],
  cmake: ['gcc', 'make'],
  gcc: ['libc6-dev'],
  'python3-pip': ['python3-setuptools', 'python3-wheel'],
  'python-pip': ['python-setuptools', 'python-wheel'],
  'gcc-12': ['libc6-dev'],
  'gcc-13': ['libc6-dev'],
  'gcc-14': ['libc6-dev'],
  libvulkan1: ['mesa-vulkan-drivers'],
};

/** Packages that depend on kept recommends themselves, so naming them is enough (build-essential's Depends). */
export const PROVIDES: Readonly<Record<string, readonly string[]>> = {
  'build-essential': ['gcc', 'g++', 'make', 'libc6-dev', 'dpkg-dev'],
  // g++ depends on gcc and on libstdc++-dev, which depends on libc6-dev (`apt-cache show g++ libstdc++-12-dev`, bookworm).
  'g++': ['gcc', 'libc6-dev'],
  clang: ['libc6-dev'],
  gfortran: ['gcc', 'libc6-dev'],
};
