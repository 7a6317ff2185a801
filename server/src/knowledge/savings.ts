/**
 * Estimated savings quoted in messages. Each figure says where it comes from.
 */
export const SAVINGS = {
  aptLists: {
    text: 'about 20–90 MB',
    source: 'Measured here 2026-11-23: bookworm-slim + updates + security lists ≈ 87 MB; a bare bookworm main list ≈ 20 MB',
  },
  aptRecommends: {
    text: 'a few MB to hundreds of MB, depending on the packages',
    source: 'Measured here 2026-11-23: curl pulls ≈ 3.4 MB of recommends; build-essential recommends add ≈ 100+ MB (Debian package sizes)',
  },
  apkCache: {
    text: 'about 2–3 MB of package indexes',
    source:
      'Not measured here: APKINDEX.tar.gz of Alpine 3.20 main (≈ 0.6 MB) and community (≈ 1.9 MB) on dl-cdn.alpinelinux.org, which `apk add` without --no-cache keeps in /var/cache/apk',
  },
  dnfCache: {
    text: 'tens to a few hundred MB of repository metadata',
    source:
      'Not measured here: repodata of UBI 9 (tens of MB unpacked) and Fedora 40 with updates (≈ 100–250 MB unpacked) that dnf/yum keep in /var/cache/dnf or /var/cache/yum',
  },
  dnfWeakDeps: {
    text: 'a few MB to hundreds of MB, depending on the packages',
    source: 'Weak dependencies are RPM Recommends, the same idea as apt recommends (see aptRecommends); documentation under /usr/share/doc and man pages adds a few MB more',
  },
  pipCache: {
    text: 'as much as the downloaded wheels: tens of MB for numpy or pandas, hundreds for torch',
    source: 'Not measured here: the pip cache (~/.cache/pip) keeps every downloaded wheel; wheel sizes from PyPI manylinux x86_64 files (numpy 2.x ≈ 16 MB, pandas 2.x ≈ 13 MB, torch ≥ 170 MB)',
  },
  npmCache: {
    text: 'every tarball and registry document npm fetched: about 3 MB for nodemon alone, 6 MB for express with body-parser, tens to hundreds of MB for a front-end build',
    source:
      'Measured 2026-12-02 (apparent size of ~/.npm/_cacache after one install into an empty cache): nodemon 3.1 2.9 MB (npm 9, 11) and 3.2 MB (npm 6); serve 14 5.7 MB (npm 9, 11), 6.2 MB (npm 6); express 5 alone 5.1 MB; `npm ci` of express 4, body-parser, isomorphic-fetch and base-64 from a lockfile 6.4 MB, 388 files (npm 11). npm keeps each package\'s registry document (all its versions) beside the tarball, which is why the cache is several times the tarballs; a front-end build\'s dependencies (react-scripts, webpack) weigh tens to hundreds of MB',
  },
} as const;
