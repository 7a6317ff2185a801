/**
 * Debian and Ubuntu packages whose Recommends carry a package that builds and programs usually need, which
 * `--no-install-recommends` would leave out. Without ca-certificates, an `https://` fetch with curl, wget or git
 * fails (`SSL certificate problem: unable to get local issuer certificate`), so the apt fix keeps it.
 *
 * Sources: the package pages of packages.debian.org (bookworm, trixie) and packages.ubuntu.com (jammy, noble):
 * - curl depends on libcurl4 (libcurl4t64 on trixie and noble), which Recommends ca-certificates;
 * - libcurl3-gnutls (git's transport) Recommends ca-certificates;
 * - wget Recommends ca-certificates;
 * - git Recommends ca-certificates (with patch, less and ssh-client, which a build rarely needs);
 * - cmake Recommends gcc and make: without them `cmake .. && make` finds no compiler or no make (read with
 *   `apt-cache depends cmake` on bookworm, 2026-12; the same on trixie, jammy and noble's package pages);
 * - libvulkan1 Recommends mesa-vulkan-drivers (or another vulkan-icd): without a driver the Vulkan loader finds no
 *   GPU and a program falls back to its CPU path (`apt-cache depends libvulkan1`, bookworm, 2026-12).
 */
export const KEPT_RECOMMENDS: Readonly<Record<string, readonly string[]>> = {
  curl: ['ca-certificates'],
  libcurl4: ['ca-certificates'],
  libcurl4t64: ['ca-certificates'],
  'libcurl3-gnutls': ['ca-certificates'],
  wget: ['ca-certificates'],
  git: ['ca-certificates'],
  cmake: ['gcc', 'make'],
  libvulkan1: ['mesa-vulkan-drivers'],
};

/** Packages that depend on kept recommends themselves, so naming them is enough (build-essential's Depends). */
export const PROVIDES: Readonly<Record<string, readonly string[]>> = {
  'build-essential': ['gcc', 'g++', 'make', 'libc6-dev', 'dpkg-dev'],
};
