/**
 * The run-time packages of a build found by the build itself, where the tables (knowledge/runtime-libraries.ts)
 * do not know them: a `-dev` package they lack, or a release they do not cover (`ubuntu:latest`, `ubuntu:20.04`,
 * an Alpine Python). After the build, the builder lists the shared libraries the files the runtime copies link and
 * writes the packages that have them to a file; the runtime copies the file, installs those packages and deletes it.
 *
 * - Debian and Ubuntu: `ldd` (libc-bin, Essential) resolves each executable and shared object of the copied paths to
 *   the libraries it loads; `dpkg-query --search` names their packages. Paths are looked up without their `/usr`
 *   prefix (`*` + `/lib/x86_64-linux-gnu/libssl.so.3`), since on a merged-/usr system the loader may report
 *   `/lib/…` for a file dpkg lists under `/usr/lib/…` or the other way round. Libraries inside the copied paths,
 *   or anywhere no package owns (`/usr/local/lib`), drop out.
 * - Alpine: `scanelf` (Alpine's scanelf package, built from pax-utils; installed in the builder for the scan) lists
 *   each ELF file's NEEDED sonames; those a system library directory (`/lib`, `/usr/lib`, where only packages put
 *   files) has become `so:<soname>` names, which `apk add` resolves to the package that provides them. A library
 *   of the copied paths or of `/usr/local/lib` (python:alpine's libpython) is skipped.
 *
 * What a program opens with dlopen (plugins, NSS modules, a library named at run time) is not linked, so neither
 * the scan nor the tables see it; the finding says so. An empty list installs nothing and does not fail the build.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { withoutTrailingSlashes } from '../../core/flags';
import { pipedBody, runBody } from '../../core/edits';

export type ScanManager = 'apt' | 'apk';

/** The file the builder writes and the runtime reads (and deletes). */
export const SCANNED_PACKAGES = '/tmp/runtime-packages';

/** Paths the scan names in shell words and awk strings as they are: no quoting needed. */
const PLAIN_PATH = /^\/[A-Za-z0-9_.@+/-]*$/;

/** Whether the scan can name these paths (plain absolute paths, none of them `/`). */
export function scannable(paths: string[]): boolean {
  return paths.length > 0 && paths.every((p) => PLAIN_PATH.test(p) && p !== '/' && !p.includes('//'));
}

/**
 * Whether a USER other than root is in effect at `at` (the build step, after which the scan runs): the scan's
 * `apk add scanelf` needs root.
 */
export function runsAsOtherAt(stage: Stage, at: Instr): boolean {
  let user: string | null = null;
  for (const i of stage.instructions) {
    if (i === at) break;
    if (i.keyword === 'USER') user = (i.node.getArgumentsContent() ?? '').trim();
  }
  return user !== null && !/^(root|0)(:(root|0))?$/.test(user);
}

/**
 * The builder's scan of `paths` (the paths the runtime copies): a comment and one RUN, in the file's continuation
 * style, preceded by a line break (inserted right after the build step).
 */
export function scanStep(model: Model, manager: ScanManager, paths: string[]): string {
  const eol = model.doc.eol;
  const roots = paths.map(withoutTrailingSlashes).join(' ');
  if (manager === 'apt') {
    // ldd's `libssl.so.3 => /usr/lib/x86_64-linux-gnu/libssl.so.3 (0x…)`: the path is the third field.
    const skip = paths.map((p) => `index($3, "${withoutTrailingSlashes(p)}/") == 1 { next } `).join('');
    const comment = '# The packages of the shared libraries the built files link (ldd, dpkg-query), for the runtime stage to install.';
    const body = runBody(model, 'RUN ', [
      pipedBody(model, 'RUN ', [
        `find ${roots} -type f \\( -perm -100 -o -name '*.so*' \\) -exec ldd {} + 2>/dev/null`,
        `awk '${skip}$3 ~ /^\\// { sub(/^\\/usr\\//, "/", $3); print "*" $3 }'`,
        `sort -u > /tmp/runtime-libraries`,
      ]),
      pipedBody(model, 'RUN ', [
        'xargs -r dpkg-query --search < /tmp/runtime-libraries 2>/dev/null',
        `awk -F': ' '!/^diversion/ { gsub(/:[a-z0-9]+/, "", $1); gsub(/, /, "\\n", $1); print $1 }'`,
        `sort -u > ${SCANNED_PACKAGES}`,
      ]),
      'rm /tmp/runtime-libraries',
    ]);
    return `${eol}${comment}${eol}RUN ${body}`;
  }
  const comment = '# The system libraries the built files link, as so:<library> names for the runtime stage to install (scanelf, of pax-utils, reads them).';
  const body = runBody(model, 'RUN ', [
    'apk add --no-cache scanelf',
    pipedBody(model, 'RUN ', [
      `scanelf --recursive --nobanner --format '%n' ${roots}`,
      `tr ',' '\\n'`,
      `sort -u`,
      `awk 'NF { if (system("test -e /lib/" $1 " -o -e /usr/lib/" $1) == 0) print "so:" $1 }' > ${SCANNED_PACKAGES}`,
    ]),
  ]);
  return `${eol}${comment}${eol}RUN ${body}`;
}

/**
 * The runtime's install (one RUN, its commands joined by ` && `): `fixed` (the packages known without the scan),
 * then the scanned ones, with the package manager's hygiene; the list file is deleted.
 */
export function scannedInstall(manager: ScanManager, fixed: string[]): string {
  if (manager === 'apt') {
    const opts = 'apt-get install -y --no-install-recommends';
    return ['RUN apt-get update', ...(fixed.length ? [`${opts} ${fixed.join(' ')}`] : []), `xargs -r ${opts} < ${SCANNED_PACKAGES}`, `rm -rf /var/lib/apt/lists/* ${SCANNED_PACKAGES}`].join(' && ');
  }
  return [...(fixed.length ? [`RUN apk add --no-cache ${fixed.join(' ')}`, `xargs -r apk add --no-cache < ${SCANNED_PACKAGES}`] : [`RUN xargs -r apk add --no-cache < ${SCANNED_PACKAGES}`]), `rm ${SCANNED_PACKAGES}`].join(' && ');
}

/** The packages `scannedInstall` installs besides the scanned ones, when `line` is one of its lines; else null. */
export function scannedInstallFixed(line: string, manager: ScanManager): string[] | null {
  for (const fixed of [[], ...[/^RUN apt-get update && apt-get install -y --no-install-recommends ([^&]+) && xargs /, /^RUN apk add --no-cache ([^&]+) && xargs /].map((re) => re.exec(line)?.[1].trim().split(/\s+/) ?? null)]) {
    if (fixed && scannedInstall(manager, fixed) === line) return fixed;
  }
  return null;
}

/**
 * The finding's detail line where the scan is used: what it finds, what it cannot see, and, for a base whose tag
 * moves (`ubuntu:latest`), that both stages get the same release only when they resolve the tag alike.
 */
export function scanNote(manager: ScanManager, why: string, movingImage: string | null): string {
  const how = manager === 'apt' ? 'ldd and dpkg-query' : 'scanelf, as so: names apk resolves';
  const moving = movingImage ? ` ${movingImage} does not name its distribution release: both stages get the same one only when they resolve the tag at the same build; pin a release tag to be sure.` : '';
  return `Since ${why}, the builder lists the packages of the shared libraries the copied files link (${how}) and the runtime installs them; libraries it opens with dlopen (plugins, NSS modules) are not seen.${moving}`;
}
