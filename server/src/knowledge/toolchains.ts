/**
 * Toolchain images and their slim runtimes, with approximate sizes for the messages.
 * Sizes are uncompressed linux/amd64 image sizes as reported by `docker image ls` for the tags
 * named, rounded; the Go figures were also measured here by building real images (961 MB → 4.7 MB).
 */

export interface ToolchainEntry {
  repo: RegExp;
  ecosystem: 'go' | 'rust' | 'node' | 'python' | 'java' | 'dotnet' | 'ruby' | 'c' | 'php' | 'r';
  /** Approximate size of the toolchain image, MB. */
  sizeMb: number;
  /** The slim runtime a converted image would use, and its approximate size, MB. */
  runtime: string;
  runtimeSizeMb: number;
  source: string;
  checked: string;
}

export const TOOLCHAINS: ToolchainEntry[] = [
  { repo: /^golang$/, ecosystem: 'go', sizeMb: 850, runtime: 'gcr.io/distroless/static-debian12:nonroot', runtimeSizeMb: 2, source: 'golang:1.22 (≈ 814 MB) and distroless/static (≈ 2 MB) on Docker Hub / gcr.io; measured here: 961 MB → 4.7 MB', checked: '2026-11' },
  { repo: /^rust$/, ecosystem: 'rust', sizeMb: 1500, runtime: 'debian:bookworm-slim', runtimeSizeMb: 75, source: 'rust:1 (≈ 1.5 GB), debian:bookworm-slim (≈ 75 MB), Docker Hub', checked: '2026-11' },
  { repo: /^(gcc|buildpack-deps)$/, ecosystem: 'c', sizeMb: 1300, runtime: 'debian:bookworm-slim', runtimeSizeMb: 75, source: 'gcc:13 (≈ 1.4 GB), buildpack-deps:bookworm (≈ 800 MB), Docker Hub', checked: '2026-11' },
  { repo: /^node$/, ecosystem: 'node', sizeMb: 1100, runtime: 'node:20-slim', runtimeSizeMb: 200, source: 'node:20 (≈ 1.1 GB) and node:20-slim (≈ 200 MB), Docker Hub; measured here with stand-ins (Debian bookworm + the same node/npm): 507 MB full, 195 MB slim', checked: '2026-11' },
  { repo: /^python$/, ecosystem: 'python', sizeMb: 1000, runtime: 'python:3.11-slim', runtimeSizeMb: 130, source: 'python:3.11 (≈ 1.0 GB) and python:3.11-slim (≈ 130 MB), Docker Hub; measured here with stand-ins (Debian python3 3.11): 495 MB full, 158 MB slim', checked: '2026-11' },
  { repo: /^(maven|gradle)$/, ecosystem: 'java', sizeMb: 500, runtime: 'eclipse-temurin:<same major>-jre', runtimeSizeMb: 270, source: 'maven:3-eclipse-temurin-21 (≈ 500 MB), eclipse-temurin:21-jre (≈ 270 MB)', checked: '2026-11' },
  { repo: /^ruby$/, ecosystem: 'ruby', sizeMb: 1000, runtime: 'ruby:3.3-slim', runtimeSizeMb: 220, source: 'ruby:3.3-bookworm (≈ 1.0 GB, on buildpack-deps) and ruby:3.3-slim-bookworm (≈ 220 MB), Docker Hub; not measured here', checked: '2026-11' },
  { repo: /^mcr\.microsoft\.com\/dotnet\/sdk$/, ecosystem: 'dotnet', sizeMb: 850, runtime: 'mcr.microsoft.com/dotnet/aspnet', runtimeSizeMb: 220, source: 'dotnet/sdk:8.0 (≈ 850 MB), dotnet/aspnet:8.0 (≈ 220 MB)', checked: '2026-11' },
];

/**
 * JDK images are a toolchain only when the stage builds with Maven or Gradle on them (the Java recipe says
 * when); run alone they are a (large) runtime. Sizes: eclipse-temurin:21-jdk (≈ 450 MB) and
 * eclipse-temurin:21-jre (≈ 270 MB), Docker Hub.
 */
export const JDK_TOOLCHAIN: ToolchainEntry = { repo: /^(eclipse-temurin|openjdk|amazoncorretto)$/, ecosystem: 'java', sizeMb: 450, runtime: 'eclipse-temurin:<same major>-jre', runtimeSizeMb: 270, source: 'eclipse-temurin:21-jdk (≈ 450 MB), eclipse-temurin:21-jre (≈ 270 MB), Docker Hub', checked: '2026-11' };

/**
 * Java majors with an `eclipse-temurin:<major>-jre` image (and `-jre-alpine`): 8, 11 and 17 onwards.
 * Source: docker-library/docs eclipse-temurin README (supported and past tags), checked 2026-11.
 */
export function temurinJreExists(major: number): boolean {
  return major === 8 || major === 11 || major >= 17;
}

/**
 * The JDK of the official maven image's tags that name none (`maven`, `maven:latest`, `maven:3`, `maven:3.9`, and
 * `eclipse-temurin`, `3-eclipse-temurin`, `3.9-eclipse-temurin`): they move with every Maven release and follow the
 * newest Temurin JDK, LTS or not. Today they are `FROM eclipse-temurin:26-jdk-noble` (Ubuntu 24.04). History of the
 * default: 17 from 2021-09, 21 from 2023-10, 25 from 2025-09-26, 26 from 2026-04-15. A tag with a patch version
 * (`3.9.6`) is frozen at the JDK of its day and is not covered.
 * Source: carlossg/docker-maven common.sh (`latest='26'`, `default_jdk=eclipse-temurin-$latest-noble`) and
 * eclipse-temurin-26-noble/Dockerfile, at the repository's state of 2026-08-05; checked 2026-12.
 */
export const MAVEN_DEFAULT_JDK = {
  tags: /^(latest|3|3\.9|(3-|3\.9-)?eclipse-temurin)?$/,
  major: 26,
  image: 'eclipse-temurin:26-jdk-noble',
  jre: 'eclipse-temurin:26-jre-noble',
  since: '2026-04',
  source: 'carlossg/docker-maven common.sh, 2026-08-05',
  checked: '2026-12',
};

/**
 * The Node majors whose official images (full, slim and alpine variants) bundle Yarn classic (1.22) at
 * /usr/local/bin/yarn: 25 and below, not as of 26.0.0. The images gained Yarn in December 2016, before Node 8, so
 * majors below 8 (whose older patch tags predate it) are not counted. A tag without a major (`latest`, `lts`,
 * `current`) moves across that line and is not counted either.
 * Source: nodejs/docker-node README, "Yarn v1 Classic bundling" (versions 25 and below; not bundled as of Node.js
 * 26.0.0); checked 2026-12.
 */
export const NODE_BUNDLED_YARN = { minMajor: 8, maxMajor: 25, source: 'nodejs/docker-node README, Yarn v1 Classic bundling', checked: '2026-12' };

/**
 * Packages that only build: compilers, make/cmake, headers (-dev/-devel). Installed into a final stage they
 * are a toolchain whatever the base. build-essential on bookworm was measured here: debian:bookworm-slim
 * stand-in 82 MB → 394 MB with `apt-get install --no-install-recommends build-essential ca-certificates`.
 */
export const BUILD_PACKAGE = /^(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|clang(-\d+)?|make|cmake|ninja-build|autoconf|automake|libtool|pkg-config|pkgconf|gfortran|ca-certificates|git|curl|wget|[a-z0-9.+-]+-(dev|devel))$/;
/** Of those, the ones that are a toolchain by themselves (ca-certificates, git, curl only come along). */
export const TOOLCHAIN_PACKAGE = /^(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|clang(-\d+)?|make|cmake|gfortran|[a-z0-9.+-]+-(dev|devel))$/;
export const BUILD_PACKAGES_SIZE_MB = 310;

/** Composer and what it fetches with: composer.phar 2.x is about 3 MB (getcomposer.org downloads); the git package on bookworm 44 MB installed (`apt-cache show git`, Installed-Size 44890 kB, read here 2026-11), before its dependencies. */
export const COMPOSER_SIZE_MB = 47;

/** A distribution image kept only to run `dnf --installroot`: ubi9/ubi ≈ 215 MB, fedora:40 ≈ 230 MB, ubi9-minimal ≈ 100 MB (Red Hat Ecosystem Catalog / Docker Hub, uncompressed; not measured here). */
export const INSTALLROOT_HOST_SIZE_MB = 215;

/**
 * The slim runtime for a C/C++ toolchain image: the same distribution release without compilers.
 * gcc:<major> without a codename is built on buildpack-deps:bookworm up to 15 and on trixie from 16, which `latest` is
 * (docker-library/gcc Dockerfiles, checked 2026-12-02).
 */
const RELEASE_RUNTIME: Record<string, string> = {
  bookworm: 'debian:bookworm-slim',
  bullseye: 'debian:bullseye-slim',
  trixie: 'debian:trixie-slim',
  jammy: 'ubuntu:jammy',
  noble: 'ubuntu:noble',
  focal: 'ubuntu:focal',
};
export function cRuntimeFor(repo: string, tag: string | null): string | null {
  const codename = Object.keys(RELEASE_RUNTIME).find((c) => (tag ?? '').split('-').includes(c));
  if (codename) return RELEASE_RUNTIME[codename];
  if (repo === 'gcc') {
    // gcc:16 is built FROM buildpack-deps:trixie, and `latest` is 16; 15 and older on bookworm (docker-library/gcc
    // 16/Dockerfile and 15/Dockerfile, read 2026-12-02). A program built on trixie's glibc does not start on bookworm.
    const major = /^(\d+)/.exec(tag ?? '')?.[1];
    return !tag || tag === 'latest' || (major !== undefined && Number(major) >= 16) ? RELEASE_RUNTIME.trixie : RELEASE_RUNTIME.bookworm;
  }
  return null;
}

/**
 * The slim runtime for a binary built on a `rust` image: the release the tag names, else Debian trixie. The rust
 * images without a codename moved to trixie (rust-lang/docker-rust, August 2025: 1.90 and `latest` are trixie); a
 * binary built on an older release (bookworm, bullseye) runs on trixie's newer glibc too, so trixie is right for
 * every untagged release, where bookworm would not run a program built on trixie.
 */
export function rustRuntimeFor(tag: string | null): string {
  const codename = Object.keys(RELEASE_RUNTIME).find((c) => (tag ?? '').split('-').includes(c));
  return codename ? RELEASE_RUNTIME[codename] : RELEASE_RUNTIME.trixie;
}

export function lookupToolchain(repoKey: string): ToolchainEntry | null {
  return TOOLCHAINS.find((t) => t.repo.test(repoKey)) ?? null;
}

/**
 * The Debian release under a `golang` tag: the codename when the tag names one (`1.22-bullseye`), else the
 * default variant of that Go line, which is the first Debian variant in docker-library/golang's versions.json.
 * Trixie became the first variant for every maintained line (1.23 on) with "Add Debian Trixie (drop Bullseye)"
 * (docker-library/golang 86aa8ce, July 2025); 1.21 and 1.22 had left maintenance before, on bookworm.
 * `alpine` for alpine tags; null when the release is not known here (1.20 and older, other suffixes).
 */
export function golangRelease(tag: string | null): 'bookworm' | 'bullseye' | 'trixie' | 'alpine' | null {
  const t = tag ?? 'latest';
  if (/(^|-)alpine/.test(t)) return 'alpine';
  for (const c of ['bookworm', 'bullseye', 'trixie'] as const) if (t.split('-').includes(c)) return c;
  if (t === 'latest' || t === '1') return 'trixie';
  const m = /^1\.(\d+)(\.\d+)?(rc\d+)?$/.exec(t);
  if (!m) return null;
  const minor = Number(m[1]);
  if (minor === 21 || minor === 22) return 'bookworm';
  if (minor >= 23) return 'trixie';
  return null;
}

/**
 * gcr.io/distroless/base (glibc, libssl, CA certificates, tzdata; no shell) per Debian release, `:nonroot`
 * variant (uid 65532). GoogleContainerTools/distroless README: base-debian11, base-debian12, base-debian13.
 */
export const DISTROLESS_BASE: Record<'bookworm' | 'bullseye' | 'trixie', string> = {
  bullseye: 'gcr.io/distroless/base-debian11:nonroot',
  bookworm: 'gcr.io/distroless/base-debian12:nonroot',
  trixie: 'gcr.io/distroless/base-debian13:nonroot',
};

/**
 * Images whose own default command opens a shell, a REPL or the build tool (`bash`, `node`, `python3`, `irb`,
 * `ghci`, `jshell`, `R`, `mvn`, `gradle`): a Dockerfile on them that sets no command of its own builds an image
 * to work in or to build on, not an application. PHP counts only for its CLI tags (`php -a`); its apache and fpm
 * tags serve the app. Source: the CMD lines of the docker-library official images' Dockerfiles and of
 * rocker-versioned2 (r-ver: `CMD ["R"]`), checked 2026-12.
 */
export const INTERACTIVE_DEFAULT_IMAGE = /^(debian|ubuntu|alpine|busybox|fedora|centos|rockylinux|almalinux|amazonlinux|oraclelinux|archlinux|opensuse\/\w+|(.*\/)?ubi\d*(-minimal)?|buildpack-deps|gcc|golang|rust|node|python|pypy|ruby|perl|php|eclipse-temurin|openjdk|amazoncorretto|maven|gradle|haskell|swift|julia|clojure|erlang|elixir|rocker\/r-ver|r-base|mcr\.microsoft\.com\/dotnet\/sdk)$/;

/**
 * Images other than the toolchain table's that ship a C compiler, so that `-dev` packages alone let a stage compile:
 * perl (on buildpack-deps), PHP's Debian images (they keep $PHPIZE_DEPS: gcc, make, autoconf, for
 * docker-php-ext-install), rocker's R images and r-base (R builds packages from source). Source: the
 * docker-library perl and php Dockerfiles and rocker-versioned2 scripts/install_R_source.sh, checked 2026-12.
 */
export const IMAGES_WITH_COMPILERS = /^(perl|php|r-base|rocker\/[\w.-]+|buildpack-deps)$/;

/**
 * Go live-reload runners: a CMD that runs one watches the sources and rebuilds the program with `go build` while the
 * container runs, so it needs the Go toolchain and the sources at run time (a development image, not a build to
 * split). Source: each project's README, checked 2026-12: air (github.com/air-verse/air, formerly cosmtrek/air),
 * CompileDaemon (github.com/githubnemo/CompileDaemon), fresh (github.com/gravityblast/fresh), realize
 * (github.com/oxequa/realize), gin (github.com/codegangsta/gin).
 */
export const GO_LIVE_RELOAD: ReadonlySet<string> = new Set(['air', 'CompileDaemon', 'fresh', 'realize', 'gin']);
