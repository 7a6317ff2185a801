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
export const BUILDPACK_DEPS_PACKAGES: ReadonlySet<string> = new Set([
  // curl
  'ca-certificates', 'curl', 'gnupg', 'netbase', 'sq', 'wget',
  // scm
  'git', 'mercurial', 'openssh-client', 'subversion', 'procps',
  // full
  'autoconf', 'automake', 'bzip2', 'default-libmysqlclient-dev', 'dpkg-dev', 'file', 'g++', 'gcc', 'imagemagick', 'libbz2-dev',
  'libc6-dev', 'libcurl4-openssl-dev', 'libdb-dev', 'libevent-dev', 'libffi-dev', 'libgdbm-dev', 'libglib2.0-dev', 'libgmp-dev',
  'libjpeg-dev', 'libkrb5-dev', 'liblzma-dev', 'libmagickcore-dev', 'libmagickwand-dev', 'libmaxminddb-dev', 'libncurses5-dev',
  'libncursesw5-dev', 'libpng-dev', 'libpq-dev', 'libreadline-dev', 'libsqlite3-dev', 'libssl-dev', 'libtool', 'libwebp-dev',
  'libxml2-dev', 'libxslt-dev', 'libyaml-dev', 'make', 'patch', 'unzip', 'xz-utils', 'zlib1g-dev',
]);

/** The official images built on the full buildpack-deps, by repository (a tag without slim / alpine / windows). */
export const ON_FULL_BUILDPACK_DEPS = /^(python|node|ruby|gcc|perl|rust|buildpack-deps)$/;

/** Whether an image reference (repository key and tag) is one of the full buildpack-deps images. */
export function onFullBuildpackDeps(repo: string, tag: string | null): boolean {
  if (!ON_FULL_BUILDPACK_DEPS.test(repo)) return false;
  const t = tag ?? 'latest';
  return !/(slim|alpine|windows|nanoserver|servercore)/.test(t) && !(repo === 'buildpack-deps' && /(^|-)(curl|scm)$/.test(t));
}
