/**
 * Base images: which family (how users are created) and which user they run as.
 * Knowledge that changes lives here as data, each entry with its source and the date it was checked.
 */

export interface ImageRef {
  /** Registry host when one is written (`gcr.io`, `mcr.microsoft.com`), else null (Docker Hub). */
  registry: string | null;
  /** Repository path without the registry; Docker Hub's `library/` prefix removed. */
  path: string;
  /** The last path component (`node`, `static-debian12`). */
  name: string;
  tag: string | null;
  digest: string | null;
}

export type Family = 'debian' | 'alpine' | 'rhel' | 'rhel-minimal' | 'distroless' | 'scratch' | 'unknown';

export interface BaseImageEntry {
  /** Matched against `registry/path` (registry omitted for Docker Hub). */
  repo: RegExp;
  /** Matched against the tag when given; an entry without it matches any tag. */
  tag?: RegExp;
  /** Family when the tag says nothing more specific (alpine tags are recognised separately). */
  family: Family;
  /** The user the image runs as by default: `root`, or a non-root user name or uid. */
  runsAs: string;
  /** A non-root user the image already ships (reused by the fix), with its uid. */
  shipsUser?: { name: string; uid: number; gid: number; group: string };
  source: string;
  checked: string;
}

const HUB = 'Docker Hub official image docs and `docker image inspect` (Config.User)';

/** Order matters: the first matching entry wins. */
export const BASE_IMAGES: BaseImageEntry[] = [
  { repo: /^scratch$/, family: 'scratch', runsAs: 'root', source: 'Dockerfile reference: FROM scratch', checked: '2026-11' },
  { repo: /^gcr\.io\/distroless\//, tag: /(^|-)nonroot$/, family: 'distroless', runsAs: 'nonroot', shipsUser: { name: 'nonroot', uid: 65532, gid: 65532, group: 'nonroot' }, source: 'GoogleContainerTools/distroless README (nonroot tags)', checked: '2026-11' },
  { repo: /^gcr\.io\/distroless\//, family: 'distroless', runsAs: 'root', shipsUser: { name: 'nonroot', uid: 65532, gid: 65532, group: 'nonroot' }, source: 'GoogleContainerTools/distroless README', checked: '2026-11' },
  { repo: /^(cgr\.dev|chainguard)\//, family: 'distroless', runsAs: 'nonroot', shipsUser: { name: 'nonroot', uid: 65532, gid: 65532, group: 'nonroot' }, source: 'Chainguard images docs (run as nonroot 65532)', checked: '2026-11' },
  { repo: /^nginxinc\/nginx-unprivileged$/, family: 'debian', runsAs: '101', source: 'nginxinc/docker-nginx-unprivileged README (USER 101)', checked: '2026-11' },
  { repo: /^bitnami\//, family: 'debian', runsAs: '1001', source: 'Bitnami non-root containers docs (USER 1001)', checked: '2026-11' },
  { repo: /^mcr\.microsoft\.com\/dotnet\//, family: 'debian', runsAs: 'root', shipsUser: { name: 'app', uid: 1654, gid: 1654, group: 'app' }, source: '.NET 8 container images: non-root `app` user (APP_UID 1654)', checked: '2026-11' },
  { repo: /^node$/, family: 'debian', runsAs: 'root', shipsUser: { name: 'node', uid: 1000, gid: 1000, group: 'node' }, source: HUB + ' (node images create user node 1000)', checked: '2026-11' },
  { repo: /^rocker\/rstudio$/, family: 'debian', runsAs: 'root', shipsUser: { name: 'rstudio', uid: 1000, gid: 1000, group: 'rstudio' }, source: 'rocker-versioned2 docs (rstudio user)', checked: '2026-11' },
  { repo: /^(registry\.access\.redhat\.com|registry\.redhat\.io)\/ubi\d+\/(nodejs|python|ruby|php|perl|go-toolset|openjdk)[-\w]*$/, family: 'rhel', runsAs: '1001', source: 'Red Hat UBI s2i images (USER 1001)', checked: '2026-11' },
  { repo: /(^|\/)ubi\d*[-/]?(minimal|micro)$|\/ubi\d+-(minimal|micro)$/, family: 'rhel-minimal', runsAs: 'root', source: 'Red Hat UBI minimal/micro docs (microdnf, no shadow-utils)', checked: '2026-11' },
  { repo: /(^|\/)(ubi\d*|fedora|rockylinux|almalinux|centos|amazonlinux|oraclelinux)$/, family: 'rhel', runsAs: 'root', source: HUB, checked: '2026-11' },
  { repo: /^(alpine|.*\/alpine)$/, family: 'alpine', runsAs: 'root', source: HUB, checked: '2026-11' },
  { repo: /(^|\/)(debian|ubuntu|buildpack-deps|golang|python|ruby|php|perl|rust|gcc|openjdk|eclipse-temurin|amazoncorretto|maven|gradle|r-base|rocker\/r-ver|rocker\/tidyverse|rocker\/verse|rocker\/shiny|httpd|nginx|haproxy|redis|postgres|mysql|mariadb|mongo|elixir|erlang|haskell|swift|julia|clojure|composer)$/, family: 'debian', runsAs: 'root', source: HUB, checked: '2026-11' },
];

export function parseImageRef(text: string): ImageRef {
  let rest = text.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry: string | null = null;
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) {
    registry = parts.shift()!.toLowerCase();
    if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = null;
  }
  if (registry === null && parts[0] === 'library' && parts.length > 1) parts.shift();
  const path = parts.join('/').toLowerCase();
  return { registry, path, name: parts[parts.length - 1].toLowerCase(), tag, digest };
}

export function repoKey(ref: ImageRef): string {
  return ref.registry ? `${ref.registry}/${ref.path}` : ref.path;
}

export interface BaseImageInfo {
  family: Family;
  runsAs: string;
  shipsUser?: BaseImageEntry['shipsUser'];
  known: boolean;
}

/** What is known of a base image; unknown images are assumed to run as root, family from the tag. */
export function lookupBaseImage(ref: ImageRef): BaseImageInfo {
  const key = repoKey(ref);
  const tag = ref.tag ?? 'latest';
  for (const e of BASE_IMAGES) {
    if (!e.repo.test(key)) continue;
    if (e.tag && !e.tag.test(tag)) continue;
    let family = e.family;
    if (family === 'debian' && /(^|-)alpine/.test(tag)) family = 'alpine';
    if (family === 'debian' && /(^|-)(ubi|fedora|rhel)/.test(tag)) family = 'rhel';
    return { family, runsAs: e.runsAs, shipsUser: e.shipsUser, known: true };
  }
  const family: Family = /(^|-)alpine/.test(tag) ? 'alpine' : /(^|-)(slim|bookworm|bullseye|trixie|buster|jammy|noble|focal)/.test(tag) ? 'debian' : 'unknown';
  return { family, runsAs: 'root', known: false };
}

/** Whether a USER value (name, name:group, uid, uid:gid) means root. */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(':')[0];
  return u === 'root' || u === '0' || u === '';
}
