/**
 * Debian and Ubuntu packages whose Recommends carry a package that builds and programs usually need, which
 * `--no-install-recommends` would leave out. Without ca-certificates, an `https://` fetch with curl, wget or git
 * fails (`SSL certificate problem: unable to get local issuer certificate`), so the apt fix keeps it.
 *
 * Sources: the package pages of packages.debian.org (bookworm, trixie) and packages.ubuntu.com (jammy, noble):
 * - curl depends on libcurl4 (libcurl4t64 on trixie and noble), which Recommends ca-certificates;
 * - libcurl3-gnutls (git's transport) Recommends ca-certificates;
 * - wget Recommends ca-certificates;
 * - git Recommends ca-certificates (with patch, less and ssh-client, which a build rarely needs).
 */
export const KEPT_RECOMMENDS: Readonly<Record<string, readonly string[]>> = {
  curl: ['ca-certificates'],
  libcurl4: ['ca-certificates'],
  libcurl4t64: ['ca-certificates'],
  'libcurl3-gnutls': ['ca-certificates'],
  wget: ['ca-certificates'],
  git: ['ca-certificates'],
};
