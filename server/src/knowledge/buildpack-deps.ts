/**
 * What the full `buildpack-deps` images already have installed, and the official images built on them: an
 * `apt-get install` of only these packages there installs nothing, so it asks nothing either (no `-y` needed).
 *
 * Source: docker-library/buildpack-deps, `debian/bookworm/Dockerfile`, `debian/bookworm/scm/Dockerfile` and
 * `debian/bookworm/curl/Dockerfile` at 8330ca1 (2025-11-13; trixie's lists are the same), read 2026-12-02. The full
 * image is built on the scm one, which is built on the curl one. The official images built FROM the full
 * `buildpack-deps:<release>` (their Dockerfiles' first line): python, node, ruby, gcc, perl, and rust
 * (rust-lang/docker-rust `stable/bookworm/Dockerfile`, read 2026-12-02), without a `slim`, `alpine` or Windows tag.
 */
/** Installed in `buildpack-deps:<release>-curl`. */
const CURL = ['ca-certificates', 'curl', 'gnupg', 'netbase', 'sq', 'wget'];
/** Added in `buildpack-deps:<release>-scm`. */
const SCM = ['git', 'mercurial', 'openssh-client', 'subversion', 'procps'];
/** Added in the full `buildpack-deps:<release>`. */
const FULL = [
  'autoconf', 'automake', 'bzip2', 'default-libmysqlclient-dev', 'dpkg-dev', 'file', 'g++', 'gcc', 'imagemagick', 'libbz2-dev',
  'libc6-dev', 'libcurl4-openssl-dev', 'libdb-dev', 'libevent-dev', 'libffi-dev', 'libgdbm-dev', 'libglib2.0-dev', 'libgmp-dev',
  'libjpeg-dev', 'libkrb5-dev', 'liblzma-dev', 'libmagickcore-dev', 'libmagickwand-dev', 'libmaxminddb-dev', 'libncurses5-dev',
  'libncursesw5-dev', 'libpng-dev', 'libpq-dev', 'libreadline-dev', 'libsqlite3-dev', 'libssl-dev', 'libtool', 'libwebp-dev',
  'libxml2-dev', 'libxslt-dev', 'libyaml-dev', 'make', 'patch', 'unzip', 'xz-utils', 'zlib1g-dev',
];

/** What the full buildpack-deps image has: its curl, scm and own layers. */
export const BUILDPACK_DEPS_PACKAGES: ReadonlySet<string> = new Set([...CURL, ...SCM, ...FULL]);

/**
 * What golang's Debian images have: `buildpack-deps:<release>-scm` and the cgo packages their Dockerfile adds (g++,
 * gcc, libc6-dev, make, pkg-config; docker-library/golang `1.25/bookworm/Dockerfile`, read 2026-12-02).
 */
const GOLANG_PACKAGES: ReadonlySet<string> = new Set([...CURL, ...SCM, 'g++', 'gcc', 'libc6-dev', 'make', 'pkg-config']);

/** The official images built on the full buildpack-deps, by repository (a tag without slim / alpine / windows). */
export const ON_FULL_BUILDPACK_DEPS = /^(python|node|ruby|gcc|perl|rust|buildpack-deps)$/;

/**
 * The packages an image reference (repository key and tag) already has installed, when it is one of the official
 * images built on buildpack-deps (without a slim, alpine or Windows tag); null otherwise.
 */
export function buildpackDepsPackages(repo: string, tag: string | null): ReadonlySet<string> | null {
  const t = tag ?? 'latest';
  if (/(slim|alpine|windows|nanoserver|servercore)/.test(t)) return null;
  if (repo === 'golang') return GOLANG_PACKAGES;
  if (repo === 'buildpack-deps' && /(^|-)curl$/.test(t)) return new Set(CURL);
  if (repo === 'buildpack-deps' && /(^|-)scm$/.test(t)) return new Set([...CURL, ...SCM]);
  return ON_FULL_BUILDPACK_DEPS.test(repo) ? BUILDPACK_DEPS_PACKAGES : null;
}
