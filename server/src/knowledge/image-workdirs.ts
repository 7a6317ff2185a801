/**
 * The WORKDIR official toolchain images set, for a stage that sets none: `/` where the image sets none.
 * Source: the Dockerfiles of docker-library (node, python, rust, ruby, gcc: no WORKDIR; golang: `WORKDIR $GOPATH`,
 * GOPATH=/go), checked 2026-12. Images not listed: unknown.
 */
const IMAGE_WORKDIRS: Record<string, string> = {
  node: '/',
  python: '/',
  rust: '/',
  ruby: '/',
  gcc: '/',
  golang: '/go',
};

/** The working directory of a container of `repo` (a repository key such as `node`), or null when not known here. */
export function imageWorkdir(repo: string): string | null {
  return Object.prototype.hasOwnProperty.call(IMAGE_WORKDIRS, repo) ? IMAGE_WORKDIRS[repo] : null;
}
