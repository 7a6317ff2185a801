#!/usr/bin/env bash
# bases.sh — local stand-ins for the public base images the examples and the fixes name.
# No image registry is reachable on CI, so every FROM must resolve to an image built here:
#
#   localhost/debian:bookworm-slim        debootstrap --variant=minbase bookworm, slimmed like the official -slim
#   localhost/buildpack-deps:bookworm     + build-essential, ca-certificates (what the "full" language images carry)
#   localhost/golang:bookworm             + Debian golang-go (Go 1.19), GOPATH=/go, GOPROXY=off
#   localhost/gcc:bookworm                = buildpack-deps (Debian gcc 12 + make)
#   localhost/python:bookworm[-slim]      + Debian python3, pip, venv; `python`/`pip` commands; no PEP 668 marker
#   localhost/node:bookworm[-slim]        + the host's node binary and npm; user node (uid/gid 1000)
#   localhost/maven:bookworm-jdk17        debian + Debian OpenJDK 17 and Maven 3.8 with the default lifecycle's plugins,
#                                         resolving offline from Debian's /usr/share/maven-repo (no Maven Central here)
#   localhost/eclipse-temurin:17-jre      debian + Debian's openjdk-17-jre-headless (java on PATH, sh, apt)
#   localhost/distroless-static:nonroot   scratch + passwd/group (nonroot 65532) + CA bundle, USER 65532:65532
#   localhost/distroless-static:latest    the same, running as root (like gcr.io/distroless/static-debian12)
#
# Idempotent: an image is rebuilt only when it is missing or its recipe label differs (FORCE=1 rebuilds all).
# Scratch files (rootfs, tar, build contexts) live in test/images/.cache/ (git-ignored).
# Needs root, debootstrap, buildah, podman, runc; reaches only the Debian mirror the host's apt uses.
# Env: CACHE_DIR, MIRROR, SECURITY_MIRROR, FORCE=1, ONLY="debian golang ..." (dependencies are built as needed).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${CACHE_DIR:-$HERE/.cache}
mkdir -p "$CACHE_DIR"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$HERE/containers.conf}
export BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
LABEL=io.dockerfile-lean.test.recipe
exec 3>&2

log() { echo "[bases] $*" >&2; }
t() { local s=$SECONDS; "$@"; log "  $(( SECONDS - s )) s: ${*:1:3}" 2>&3; }

# The Debian mirrors the host's apt already uses (deb822 or one-line format); fall back to deb.debian.org.
host_uris() {
  { grep -h -E '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -E 's/^\s*URIs:\s*//' | tr ' ' '\n'
    grep -h -E '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/^\s*deb\s+(\[[^]]*\]\s+)?//' | awk '{print $1}'; } | sed -E 's#/+$##' || true
}
MIRROR=${MIRROR:-$(host_uris | grep -E '/debian$' | head -1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-$(host_uris | grep -E '/debian-security$' | head -1 || true)}
SECURITY_MIRROR=${SECURITY_MIRROR:-${MIRROR}-security}

# current_recipe IMAGE -> the recipe label of a stored image, empty when absent
current_recipe() { podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }
# up_to_date IMAGE RECIPE
up_to_date() { [ -z "${FORCE:-}" ] && [ "$(current_recipe "$1")" = "$2" ]; }
recipe_of() { { echo "$*"; cat; } | sha256sum | cut -c1-16; }   # recipe_of NAME < definition
# A base depends on its parent: the parent's recipe is part of the child's, so a rebuilt parent rebuilds children.

# ---- localhost/debian:bookworm-slim ---------------------------------------------------------------
DEBIAN=localhost/debian:bookworm-slim
SLIM_VERSION=2   # bump when the slimming below changes
DEBIAN_RECIPE=$(echo "bookworm minbase slim=$SLIM_VERSION mirror=$MIRROR security=$SECURITY_MIRROR" | recipe_of debian)
build_debian() {
  local R=$CACHE_DIR/rootfs/bookworm
  if [ ! -e "$R/.complete" ]; then
    rm -rf "$R"; mkdir -p "$(dirname "$R")"
    log "debootstrap --variant=minbase bookworm ($MIRROR)"
    t debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
      { tail -20 "$CACHE_DIR/debootstrap.log" >&2; exit 1; }
    touch "$R/.complete"
  fi
  # Slim the tree like the official bookworm-slim: no docs/man/locales now or on later installs.
  cat > "$R/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  find "$R/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$R"/usr/share/{man,info,locale,groff,lintian}/* "$R"/var/cache/apt/archives/*.deb \
         "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* "$R"/var/log/*.log "$R"/var/cache/ldconfig/aux-cache
  rm -f "$R/etc/resolv.conf" "$R/etc/apt/sources.list"
  : > "$R/etc/hostname"
  cat > "$R/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # As in the official image: downloaded .debs are dropped after every install (lists are not).
  cat > "$R/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  # --one-file-system: a mount debootstrap (or anything else) left inside the tree, such as /proc, stays out.
  tar --one-file-system --numeric-owner --xattrs --exclude=./.complete -C "$R" -cf "$CACHE_DIR/bookworm-rootfs.tar" .
  t podman import -q \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --change "LABEL $LABEL=$DEBIAN_RECIPE" \
      "$CACHE_DIR/bookworm-rootfs.tar" "$DEBIAN" >/dev/null
  rm -f "$CACHE_DIR/bookworm-rootfs.tar"
}

# ---- Containerfile-built bases ----------------------------------------------------------------------
# build_file IMAGE PARENT_RECIPE < Containerfile   (the label is appended here)
build_file() {
  local img=$1 parent=$2 ctx text recipe
  text=$(cat)
  recipe=$(printf '%s\n%s\n' "$parent" "$text" | recipe_of "$img")
  eval "RECIPE_$(echo "$img" | tr -c 'a-zA-Z0-9\n' _)=$recipe"
  if up_to_date "$img" "$recipe"; then log "$img: up to date"; return; fi
  ctx=$CACHE_DIR/ctx/$(echo "$img" | tr -c 'a-zA-Z0-9\n' _)
  rm -rf "$ctx"; mkdir -p "$ctx"
  printf '%s\nLABEL %s=%s\n' "$text" "$LABEL" "$recipe" > "$ctx/Containerfile"
  log "$img: building"
  t buildah bud --layers --pull=never -t "$img" "$ctx" >"$ctx/build.log" 2>&1 ||
    { tail -25 "$ctx/build.log" >&2; log "$img: build failed (log: $ctx/build.log)"; exit 1; }
}
recipe_var() { local v; v="RECIPE_$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)"; echo "${!v}"; }

# ---- node bases: the host's node binary + npm, like the official images' layout --------------------
NODE_BIN=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")   # …/node_modules/npm
NODE_VERSION=$(node --version)
build_node() {  # build_node IMAGE PARENT PARENT_RECIPE
  local img=$1 parent=$2 recipe ctr
  recipe=$(echo "node=$NODE_VERSION npm=$(cat "$NPM_DIR/package.json" | sha256sum | cut -c1-12) parent=$3 v2" | recipe_of "$img")
  if up_to_date "$img" "$recipe"; then log "$img: up to date"; return; fi
  log "$img: building (node $NODE_VERSION from the host)"
  ctr=$(buildah from --pull=never "$parent")
  buildah copy "$ctr" "$NODE_BIN" /usr/local/bin/node >/dev/null
  buildah copy "$ctr" "$NPM_DIR" /usr/local/lib/node_modules/npm >/dev/null
  buildah run "$ctr" -- sh -ec '
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
    groupadd --gid 1000 node
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    node --version >/dev/null && npm --version >/dev/null'
  buildah config --env NODE_VERSION="${NODE_VERSION#v}" --cmd '["node"]' --label "$LABEL=$recipe" "$ctr"
  buildah commit -q --rm "$ctr" "$img" >/dev/null
}

# ---- distroless/static stand-in: no shell, no package manager, just files ------------------------
build_distroless() {  # build_distroless IMAGE USER WORKDIR
  local img=$1 user=$2 wd=$3 recipe ctr mnt src
  recipe=$(echo "user=$user wd=$wd ca-from=$(recipe_var localhost/buildpack-deps:bookworm) v2" | recipe_of "$img")
  if up_to_date "$img" "$recipe"; then log "$img: up to date"; return; fi
  log "$img: building"
  ctr=$(buildah from scratch)
  mnt=$(buildah mount "$ctr")
  src=$(podman image mount localhost/buildpack-deps:bookworm)
  mkdir -p "$mnt"/{etc/ssl/certs,tmp,root,home/nonroot,usr/share/zoneinfo,var/lib}
  cp "$src/etc/ssl/certs/ca-certificates.crt" "$mnt/etc/ssl/certs/ca-certificates.crt"
  podman image unmount localhost/buildpack-deps:bookworm >/dev/null
  cat > "$mnt/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat > "$mnt/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$mnt/etc/nsswitch.conf"
  printf 'PRETTY_NAME="Distroless (local stand-in for gcr.io/distroless/static-debian12)"\nID=debian\nVERSION_ID="12"\n' > "$mnt/etc/os-release"
  chmod 1777 "$mnt/tmp"; chmod 700 "$mnt/root" "$mnt/home/nonroot"
  chown 65532:65532 "$mnt/home/nonroot"
  buildah umount "$ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --user "$user" --workingdir "$wd" --label "$LABEL=$recipe" "$ctr"
  buildah commit -q --rm "$ctr" "$img" >/dev/null
}

# ---- what to build --------------------------------------------------------------------------------
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

if up_to_date "$DEBIAN" "$DEBIAN_RECIPE"; then log "$DEBIAN: up to date"; else log "$DEBIAN: building"; build_debian; fi

build_file localhost/buildpack-deps:bookworm "$DEBIAN_RECIPE" <<'EOF'
FROM localhost/debian:bookworm-slim
# Stand-in for buildpack-deps, which golang:, gcc:, python: and node: (non-slim) are built on.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential ca-certificates \
 && rm -rf /var/lib/apt/lists/*
EOF
BP_RECIPE=$(recipe_var localhost/buildpack-deps:bookworm)

if want golang || want go; then
build_file localhost/golang:bookworm "$BP_RECIPE" <<'EOF'
FROM localhost/buildpack-deps:bookworm
# Debian's Go (1.19); module downloads are impossible offline, so examples are stdlib-only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-go \
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go GOPROXY=off GOTOOLCHAIN=local PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /go
EOF
fi

if want gcc || want c; then
build_file localhost/gcc:bookworm "$BP_RECIPE" <<'EOF'
FROM localhost/buildpack-deps:bookworm
CMD ["bash"]
EOF
fi

PY_SETUP='ln -s /usr/bin/python3 /usr/local/bin/python && ln -s /usr/bin/pip3 /usr/local/bin/pip && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED'
if want python; then
build_file localhost/python:bookworm "$BP_RECIPE" <<EOF
FROM localhost/buildpack-deps:bookworm
# Debian's python3 (3.11) where python:3.11 has its own build in /usr/local; same commands, pip works system-wide.
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-dev python3-pip python3-venv \\
 && rm -rf /var/lib/apt/lists/* \\
 && $PY_SETUP
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
EOF
build_file localhost/python:bookworm-slim "$DEBIAN_RECIPE" <<EOF
FROM localhost/debian:bookworm-slim
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-pip python3-venv \\
 && rm -rf /var/lib/apt/lists/* \\
 && $PY_SETUP
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
EOF
fi

if want node; then
  build_node localhost/node:bookworm localhost/buildpack-deps:bookworm "$BP_RECIPE"
  build_node localhost/node:bookworm-slim "$DEBIAN" "$DEBIAN_RECIPE"
fi

if want java; then
# The slim tree has no man directories; OpenJDK's postinst links its man pages there.
build_file localhost/maven:bookworm-jdk17 "$DEBIAN_RECIPE" <<'EOF'
FROM localhost/debian:bookworm-slim
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven libmaven-compiler-plugin-java \
      libmaven-jar-plugin-java libmaven-resources-plugin-java libsurefire-java libmaven-install-plugin-java \
 && rm -rf /var/lib/apt/lists/* \
 && printf '<settings><localRepository>/usr/share/maven-repo</localRepository><offline>true</offline></settings>\n' > /usr/share/maven/conf/settings.xml
CMD ["jshell"]
EOF
build_file localhost/eclipse-temurin:17-jre "$DEBIAN_RECIPE" <<'EOF'
FROM localhost/debian:bookworm-slim
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
EOF
fi

if want distroless; then
  build_distroless localhost/distroless-static:nonroot 65532:65532 /home/nonroot
  build_distroless localhost/distroless-static:latest "" /
fi

podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' |
  grep -E '^localhost/(debian|buildpack-deps|golang|gcc|python|node|maven|eclipse-temurin|distroless-static):' >&2 || true
