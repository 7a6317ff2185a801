/**
 * Files a builder image's toolchain puts in the image, per multi-stage recipe: "Build and compare" looks for
 * them in the current and the fixed image, and calls one gone only when the current image had it. A recipe
 * without an entry is reported "not checked". One concrete path per file (no globs: the engines' copy-out
 * commands take none). Each entry: the images it was read from, and the date checked.
 */
export interface ToolchainPaths {
  paths: string[];
  source: string;
  checked: string;
}

export const TOOLCHAIN_PATHS: Record<string, ToolchainPaths> = {
  go: {
    // The official images install Go under /usr/local/go and gcc/make for cgo; Debian's golang-go links /usr/bin/go.
    paths: ['/usr/local/go/bin/go', '/usr/bin/go', '/usr/bin/gcc', '/usr/bin/make'],
    source: 'docker-library/golang bookworm Dockerfile (Go in /usr/local/go; g++ gcc libc6-dev make pkg-config); Debian golang-go (/usr/bin/go)',
    checked: '2026-12',
  },
  c: {
    paths: ['/usr/local/bin/gcc', '/usr/bin/gcc', '/usr/bin/make', '/usr/include/stdio.h'],
    source: 'docker-library/gcc (gcc built into /usr/local on buildpack-deps); buildpack-deps:bookworm (build-essential: gcc, make, libc6-dev headers)',
    checked: '2026-12',
  },
  rust: {
    paths: ['/usr/local/cargo/bin/cargo', '/usr/local/rustup', '/usr/bin/gcc'],
    source: 'docker-library/rust (CARGO_HOME /usr/local/cargo, RUSTUP_HOME /usr/local/rustup, on buildpack-deps)',
    checked: '2026-12',
  },
  node: {
    paths: ['/usr/bin/gcc', '/usr/bin/make', '/usr/bin/git'],
    source: 'docker-library/node: the full node images are built on buildpack-deps (gcc, make, git); the -slim ones are not',
    checked: '2026-12',
  },
  python: {
    paths: ['/usr/bin/gcc', '/usr/bin/make', '/usr/include/stdio.h'],
    source: 'docker-library/python: the full python images are built on buildpack-deps; the -slim ones are not',
    checked: '2026-12',
  },
  ruby: {
    paths: ['/usr/bin/gcc', '/usr/bin/make', '/usr/include/stdio.h'],
    source: 'docker-library/ruby: the full ruby images are built on buildpack-deps; the -slim ones are not',
    checked: '2026-12',
  },
  java: {
    paths: ['/usr/share/maven/bin/mvn', '/opt/gradle/bin/gradle', '/opt/java/openjdk/bin/javac'],
    source: 'docker-library maven (/usr/share/maven), gradle (/opt/gradle) and eclipse-temurin JDK (/opt/java/openjdk) images',
    checked: '2026-12',
  },
  dotnet: {
    paths: ['/usr/share/dotnet/sdk'],
    source: 'mcr.microsoft.com/dotnet/sdk (the SDK under /usr/share/dotnet/sdk; aspnet/runtime have no sdk folder)',
    checked: '2026-12',
  },
  rpm: {
    paths: ['/usr/bin/dnf', '/usr/bin/rpm', '/usr/bin/microdnf'],
    source: 'fedora and ubi images (dnf or microdnf and rpm in /usr/bin); the converted image is the installroot alone',
    checked: '2026-12',
  },
};
