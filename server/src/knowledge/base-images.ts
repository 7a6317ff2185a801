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

/**
 * How users are created: `debian` and `rhel` (groupadd/useradd), `alpine` (busybox addgroup/adduser),
 * `rhel-minimal` (ubi-minimal: a shell and chown, but no shadow-utils), `rhel-micro` (ubi-micro),
 * `distroless` and `scratch` (no shell at all), `windows` (users by name, cmd/PowerShell), `unknown`.
 */
export type Family = 'debian' | 'alpine' | 'rhel' | 'rhel-minimal' | 'rhel-micro' | 'distroless' | 'scratch' | 'windows' | 'unknown';

/** Whether RUN steps can run in images of a family (false: no /bin/sh, so no user can be created or chown run). */
export function familyHasShell(family: Family): boolean {
  return family !== 'distroless' && family !== 'scratch' && family !== 'rhel-micro' && family !== 'windows';
}

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
  /** Supplementary groups a created user joins (rocker / r-base: `staff` may write R's site-library). */
  userGroups?: string[];
  /**
   * Set when the image's own start command needs root (an init that drops privileges itself): a final stage
   * that keeps that command must not switch user. The text says why.
   */
  startsAsRoot?: string;
  /**
   * Set when the image's ENTRYPOINT starts as root and runs the server as its own user (gosu, su-exec): a final
   * stage that keeps that ENTRYPOINT already runs the server unprivileged. The text says how.
   */
  stepsDown?: string;
  /** Set when the image cannot start as another user without changes the Dockerfile must make: what works instead. */
  cannotSwitch?: string;
  /** Set when the dev-container tooling, not the Dockerfile, picks the user (`remoteUser`, `containerUser`). */
  userSetByTooling?: boolean;
  /** The image's own start command is a shell or a REPL (an OS or language image meant to be built FROM). */
  startsShell?: boolean;
  source: string;
  checked: string;
}

const HUB = 'Docker Hub official image docs and `docker image inspect` (Config.User)';

/** Order matters: the first matching entry wins. */
const UBI_S2I = { name: '1001', uid: 1001, gid: 0, group: '0' };
const DOTNET_APP = { name: 'app', uid: 1654, gid: 1654, group: 'app' };
const STAFF = ['staff'];

/** Order matters: the first matching entry wins. */
export const BASE_IMAGES: BaseImageEntry[] = [
  // Windows: users by name; Nano Server runs as ContainerUser, Server Core and Windows as ContainerAdministrator.
  { repo: /./, tag: /nanoserver/i, family: 'windows', runsAs: 'ContainerUser', source: 'Microsoft Learn, Windows containers: container user accounts (Nano Server defaults to ContainerUser)', checked: '2026-12' },
  { repo: /^mcr\.microsoft\.com\/windows\/nanoserver$/, family: 'windows', runsAs: 'ContainerUser', source: 'Microsoft Learn, Windows containers: container user accounts (Nano Server defaults to ContainerUser)', checked: '2026-12' },
  { repo: /./, tag: /windowsservercore|servercore|windowsserver|ltsc20\d\d/i, family: 'windows', runsAs: 'ContainerAdministrator', source: 'Microsoft Learn, Windows containers: container user accounts (Server Core defaults to ContainerAdministrator)', checked: '2026-12' },
  { repo: /^microsoft\/nanoserver$/, family: 'windows', runsAs: 'ContainerUser', source: 'Microsoft Learn, Windows containers: container user accounts (Nano Server defaults to ContainerUser); microsoft/* are the old Docker Hub names', checked: '2026-12' },
  { repo: /^microsoft\/(windowsservercore|iis|aspnet|dotnet-framework|wcf|mssql-server-windows[-\w]*)$/, family: 'windows', runsAs: 'ContainerAdministrator', source: 'Microsoft Learn, Windows containers: container user accounts; microsoft/* are the old Docker Hub names of the Server Core images', checked: '2026-12' },
  { repo: /^mcr\.microsoft\.com\/(windows|dotnet\/framework\/)/, family: 'windows', runsAs: 'ContainerAdministrator', source: 'Microsoft Learn, Windows containers: container user accounts; .NET Framework images are Server Core based', checked: '2026-12' },
  // Dev containers: the tooling picks the user (remoteUser, usually `vscode`); a USER in the Dockerfile fights it.
  { repo: /^mcr\.microsoft\.com\/devcontainers\/|(^|\/)vscode\/devcontainers\//, family: 'debian', runsAs: 'root', userSetByTooling: true, source: 'containers.dev reference: remoteUser / containerUser; devcontainers/images READMEs (user vscode)', checked: '2026-12' },
  // Jupyter docker-stacks run as jovyan (NB_UID 1000, NB_GID 100 `users`).
  { repo: /^(quay\.io\/)?jupyter\/|^jupyterhub\/singleuser$/, family: 'debian', runsAs: 'jovyan', shipsUser: { name: 'jovyan', uid: 1000, gid: 100, group: 'users' }, source: 'jupyter/docker-stacks docs, Common features (NB_USER jovyan, NB_UID 1000, NB_GID 100); docker-stacks-foundation Dockerfile (USER ${NB_UID})', checked: '2026-12' },
  { repo: /^scratch$/, family: 'scratch', runsAs: 'root', source: 'Dockerfile reference: FROM scratch', checked: '2026-11' },
  { repo: /^gcr\.io\/distroless\//, tag: /(^|-)nonroot$/, family: 'distroless', runsAs: 'nonroot', shipsUser: { name: 'nonroot', uid: 65532, gid: 65532, group: 'nonroot' }, source: 'GoogleContainerTools/distroless README (nonroot tags)', checked: '2026-11' },
  { repo: /^gcr\.io\/distroless\//, family: 'distroless', runsAs: 'root', shipsUser: { name: 'nonroot', uid: 65532, gid: 65532, group: 'nonroot' }, source: 'GoogleContainerTools/distroless README', checked: '2026-11' },
  { repo: /^(cgr\.dev|chainguard)\//, family: 'distroless', runsAs: 'nonroot', shipsUser: { name: 'nonroot', uid: 65532, gid: 65532, group: 'nonroot' }, source: 'Chainguard images docs (run as nonroot 65532)', checked: '2026-11' },
  { repo: /^nginxinc\/nginx-unprivileged$/, family: 'debian', runsAs: '101', source: 'nginxinc/docker-nginx-unprivileged README (USER 101)', checked: '2026-11' },
  { repo: /^bitnami\//, family: 'debian', runsAs: '1001', source: 'Bitnami non-root containers docs (USER 1001)', checked: '2026-11' },
  // .NET: chiseled / distroless tags have no shell and already set USER $APP_UID; 8.0 and later ship `app`; older tags ship no user.
  { repo: /^mcr\.microsoft\.com\/dotnet\//, tag: /chiseled|distroless/, family: 'distroless', runsAs: '1654', shipsUser: DOTNET_APP, source: '.NET chiseled container images docs (USER $APP_UID)', checked: '2026-11' },
  { repo: /^mcr\.microsoft\.com\/dotnet\//, tag: /^[1-7]\./, family: 'debian', runsAs: 'root', source: '.NET container images: the `app` user exists from .NET 8', checked: '2026-11' },
  { repo: /^mcr\.microsoft\.com\/dotnet\//, family: 'debian', runsAs: 'root', shipsUser: DOTNET_APP, source: '.NET 8 container images: non-root `app` user (APP_UID 1654)', checked: '2026-11' },
  { repo: /^ubuntu$/, tag: /^(2[3-9]|[3-9]\d)\.|^(lunar|mantic|noble|oracular|plucky|questing|latest|rolling|devel)\b/, family: 'debian', runsAs: 'root', startsShell: true, shipsUser: { name: 'ubuntu', uid: 1000, gid: 1000, group: 'ubuntu' }, source: 'Ubuntu images from 23.04 ship user ubuntu (1000) (Launchpad bug 2005129)', checked: '2026-11' },
  { repo: /^node$/, family: 'debian', runsAs: 'root', startsShell: true, shipsUser: { name: 'node', uid: 1000, gid: 1000, group: 'node' }, source: HUB + ' (node images create user node 1000)', checked: '2026-11' },
  {
    repo: /^rocker\/(rstudio|tidyverse|verse|geospatial|binder|ml|ml-verse)$/,
    family: 'debian',
    runsAs: 'root',
    shipsUser: { name: 'rstudio', uid: 1000, gid: 1000, group: 'rstudio' },
    startsAsRoot: 'its /init (s6-overlay) starts RStudio Server as root, which then runs each session as the signed-in user',
    source: 'rocker-versioned2 docs and scripts/default_user.sh (user rstudio 1000, in group staff; CMD ["/init"])',
    checked: '2026-11',
  },
  { repo: /^rocker\/(shiny|shiny-verse)$/, family: 'debian', runsAs: 'root', userGroups: STAFF, startsAsRoot: 'its /init starts Shiny Server as root, which then runs the apps as user shiny', source: 'rocker-versioned2 scripts/install_shiny_server.sh (CMD ["/init"])', checked: '2026-11' },
  { repo: /^r-base$/, family: 'debian', runsAs: 'root', shipsUser: { name: 'docker', uid: 1000, gid: 1000, group: 'docker' }, userGroups: STAFF, source: 'Docker Hub r-base Dockerfile (rocker-org/rocker: useradd docker, usermod -a -G staff docker)', checked: '2026-11' },
  { repo: /^rocker\/(r-ver|r-base|r-devel|cuda)$/, family: 'debian', runsAs: 'root', userGroups: STAFF, source: 'rocker-versioned2 scripts/install_R_source.sh and Debian r-base: site-library owned by root:staff, group-writable', checked: '2026-11' },
  { repo: /^(registry\.access\.redhat\.com|registry\.redhat\.io|quay\.io\/sclorg)\/(ubi\d+\/)?(nodejs|python|ruby|php|perl|go-toolset|openjdk|dotnet|nginx|httpd)[-\w]*$/, family: 'rhel', runsAs: '1001', shipsUser: UBI_S2I, source: 'Red Hat UBI / sclorg s2i images (USER 1001, group 0)', checked: '2026-11' },
  { repo: /(^|\/)ubi\d*[-/]?micro$|\/ubi\d+-micro$/, family: 'rhel-micro', runsAs: 'root', source: 'Red Hat UBI micro docs (no package manager, no shadow-utils)', checked: '2026-11' },
  { repo: /(^|\/)ubi\d*[-/]?minimal$|\/ubi\d+-minimal$/, family: 'rhel-minimal', runsAs: 'root', startsShell: true, source: 'Red Hat UBI minimal docs (microdnf, no shadow-utils)', checked: '2026-11' },
  { repo: /(^|\/)(rockylinux|almalinux|oraclelinux|centos)$/, tag: /(^|-)minimal$/, family: 'rhel-minimal', runsAs: 'root', startsShell: true, source: 'Rocky / Alma minimal images (microdnf, no shadow-utils)', checked: '2026-11' },
  { repo: /^amazonlinux$/, tag: /^(2023|latest)/, family: 'rhel-minimal', runsAs: 'root', startsShell: true, source: 'Amazon Linux 2023 container image (no shadow-utils installed)', checked: '2026-11' },
  { repo: /(^|\/)(ubi\d*|fedora|rockylinux|almalinux|centos|amazonlinux|oraclelinux)$/, family: 'rhel', runsAs: 'root', startsShell: true, source: HUB, checked: '2026-11' },
  { repo: /^(alpine|.*\/alpine)$/, family: 'alpine', runsAs: 'root', startsShell: true, source: HUB, checked: '2026-11' },
  {
    repo: /^nginx$/,
    family: 'debian',
    runsAs: 'root',
    cannotSwitch:
      'the official nginx image starts its master process as root (it writes /var/run/nginx.pid and /var/cache/nginx, and listens on port 80) and runs the workers as user nginx; with a USER it stops at start. Build FROM nginxinc/nginx-unprivileged (user 101, port 8080) instead, or move `pid` and the `*_temp_path` directives under /tmp and listen on a port above 1023 before a USER nginx',
    source: 'nginx Docker Hub docs ("Running nginx as a non-root user"); nginx-unprivileged README',
    checked: '2026-12',
  },
  { repo: /^httpd$/, family: 'debian', runsAs: 'root', stepsDown: 'httpd starts as root to listen and runs its children as the `User` of httpd.conf', source: 'httpd Docker Hub docs and httpd.conf (User daemon)', checked: '2026-12' },
  // php's apache and fpm variants (and the apps built on them): the parent runs the workers as www-data.
  { repo: /^php$/, tag: /apache|fpm/, family: 'debian', runsAs: 'root', stepsDown: 'its server (apache2-foreground / php-fpm) starts as root and runs the workers as www-data', source: 'docker-library/php Dockerfiles (APACHE_RUN_USER www-data; php-fpm pool user www-data)', checked: '2026-12' },
  { repo: /^(wordpress|nextcloud|drupal|joomla|matomo|mediawiki)$/, family: 'debian', runsAs: 'root', stepsDown: 'its server (apache2-foreground / php-fpm) starts as root and runs the workers as www-data', source: 'Docker Hub official images built FROM php:*-apache / php:*-fpm', checked: '2026-12' },

  // Their docker-entrypoint.sh starts as root, fixes data directory ownership and re-runs itself as the server's user.
  { repo: /^postgres$/, family: 'debian', runsAs: 'root', stepsDown: 'its docker-entrypoint.sh runs the server as user postgres (gosu / su-exec)', source: 'docker-library/postgres docker-entrypoint.sh (exec gosu postgres)', checked: '2026-12' },
  { repo: /^(mysql|mariadb)$/, family: 'debian', runsAs: 'root', stepsDown: 'its docker-entrypoint.sh runs the server as user mysql (gosu)', source: 'docker-library/mysql and MariaDB/mariadb-docker docker-entrypoint.sh (exec gosu mysql)', checked: '2026-12' },
  { repo: /^redis$/, family: 'debian', runsAs: 'root', stepsDown: 'its docker-entrypoint.sh runs redis-server as user redis (gosu / setpriv)', source: 'docker-library/redis docker-entrypoint.sh (exec gosu redis / setpriv)', checked: '2026-12' },
  { repo: /^rabbitmq$/, family: 'debian', runsAs: 'root', stepsDown: 'its docker-entrypoint.sh runs rabbitmq-server as user rabbitmq (gosu / su-exec)', source: 'docker-library/rabbitmq Dockerfile templates and docker-entrypoint.sh (exec gosu / su-exec rabbitmq)', checked: '2026-12' },
  { repo: /^phusion\/(baseimage|passenger-[\w-]+)$/, family: 'debian', runsAs: 'root', stepsDown: 'its /sbin/my_init (runit) starts as root and runs each service as the user its run script names', source: 'phusion/baseimage-docker README (CMD ["/sbin/my_init"], runit services, setuser)', checked: '2026-12' },
  { repo: /^mongo$/, family: 'debian', runsAs: 'root', stepsDown: 'its docker-entrypoint.sh runs mongod as user mongodb (gosu)', source: 'docker-library/mongo docker-entrypoint.sh (exec gosu mongodb)', checked: '2026-12' },
  { repo: /(^|\/)(debian|ubuntu|buildpack-deps|golang|python|ruby|php|perl|rust|gcc|openjdk|eclipse-temurin|amazoncorretto|maven|gradle|elixir|erlang|haskell|swift|julia|clojure|composer)$/, family: 'debian', runsAs: 'root', startsShell: true, source: HUB + ' (CMD a shell or the language REPL)', checked: '2026-11' },
  { repo: /(^|\/)(haproxy)$/, family: 'debian', runsAs: 'root', source: HUB, checked: '2026-11' },
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
  userGroups?: string[];
  startsAsRoot?: string;
  stepsDown?: string;
  cannotSwitch?: string;
  userSetByTooling?: boolean;
  startsShell?: boolean;
  known: boolean;
}

/** Answers by repository and tag: a file names the same few images in many stages, and each stage is asked about by several rules. */
const lookups = new Map<string, Readonly<BaseImageInfo>>();

/** What is known of a base image; unknown images are assumed to run as root, family from the tag. */
export function lookupBaseImage(ref: ImageRef): Readonly<BaseImageInfo> {
  const key = repoKey(ref);
  const tag = ref.tag ?? 'latest';
  const memo = `${key}\n${tag}`;
  let info = lookups.get(memo);
  if (!info) {
    if (lookups.size >= 2000) lookups.clear();
    lookups.set(memo, (info = Object.freeze(findBaseImage(key, tag))));
  }
  return info;
}

function findBaseImage(key: string, tag: string): BaseImageInfo {
  for (const e of BASE_IMAGES) {
    if (!e.repo.test(key)) continue;
    if (e.tag && !e.tag.test(tag)) continue;
    let family = e.family;
    if (family === 'debian' && /(^|-)alpine/.test(tag)) family = 'alpine';
    if (family === 'debian' && /(^|-)(ubi|fedora|rhel)/.test(tag)) family = 'rhel';
    const { runsAs, shipsUser, userGroups, startsAsRoot, stepsDown, cannotSwitch, userSetByTooling, startsShell } = e;
    return { family, runsAs, shipsUser, userGroups, startsAsRoot, stepsDown, cannotSwitch, userSetByTooling, startsShell, known: true };
  }
  const family: Family = /(^|-)alpine/.test(tag) ? 'alpine' : /(^|-)(slim|bookworm|bullseye|trixie|buster|jammy|noble|focal)/.test(tag) ? 'debian' : 'unknown';
  return { family, runsAs: 'root', known: false };
}

/** Whether a USER value (name, name:group, uid, uid:gid) means root. */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(':')[0];
  return u === 'root' || u === '0' || u === '';
}
