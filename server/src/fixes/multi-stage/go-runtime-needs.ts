/**
 * What the runtime of a Go program needs besides the binary, decided from the build context (go-source.ts):
 * - files it opens by a relative path that came in with the COPY (data files, templates, static folders, a SQLite
 *   database, `.env`): copied along, owned by the runtime user when the program writes in its working directory; a
 *   file it writes that the build context does not show: the whole working directory, owned by that user;
 * - when what it opens cannot be told (no readable sources, a path computed at run time, a file the build may
 *   generate): the whole working directory (the app the COPY brought, with its sources: a few files), never
 *   guessed smaller; declined where that directory is not the app's own (`/`, GOPATH's `/go`);
 * - programs it runs (`exec.Command`): a Debian slim runtime with their packages (knowledge/runtime-tools.ts),
 *   or a decline naming the programs the table does not know.
 */
import type { Model, Stage } from '../../core/model';
import { checkDeadline } from '../../core/deadline';
import { withoutTrailingSlashes } from '../../core/flags';
import { parseShell } from '../../core/shell';
import { rootImage, workdirAt } from '../../core/stage-info';
import { debianProgram, debianProgramNote } from '../../knowledge/runtime-tools';
import { golangRelease } from '../../knowledge/toolchains';
import { absPath, copyDests, coveredBy, runCommands } from './common';
import { readGoSources, type GoSources } from './go-source';
import { globMatches } from './glob';

export interface GoRuntimeNeeds {
  /** Builder paths the runtime copies besides the binary (entries of the working directory, or all of it). */
  carry: string[];
  /** The program writes in its working directory: what is carried there must belong to the runtime user. */
  writes: boolean;
  /** Programs it runs: the runtime must be Debian with these packages (empty: only Essential ones). Null: none run. */
  packages: string[] | null;
}

/** Files a Go project keeps for the build only: what `COPY . .` brings that a carried entry need not be. */
const BUILD_ONLY = /^(go\.mod|go\.sum|go\.work|go\.work\.sum|vendor\/|Dockerfile.*|\.dockerignore|\.git\/|\.gitignore|\.github\/|README.*|LICENSE.*|Makefile)$/;

export interface AppFolder {
  /** The context folder ('' = the context itself). */
  dir: string;
  /** Null: the folder was copied whole. Else the names and patterns copied from it. */
  only: string[] | null;
  /** Entries copied into sub-folders of the image folder (from anywhere). */
  present: string[];
}

/**
 * The context folder behind the image folder `imageDir`: `all` when a COPY brought a whole folder there (`COPY . .`,
 * `COPY service/ ./`); otherwise, when every COPY into it names files or patterns of one context folder
 * (`COPY go.mod go.sum ./`, `COPY *.go ./`), that folder with the names and patterns it copied (`only`). Null when
 * the copies cannot be followed or the adapter cannot list folders.
 */
export function contextDirOf(model: Model, stage: Stage, imageDir: string): AppFolder | null {
  const files = model.files;
  if (!files?.list) return null;
  const listable = (dir: string) => {
    try {
      return files.list!(dir) !== null;
    } catch {
      return false;
    }
  };
  const clean = (src: string) => src.replace(/^(\.\/)+/, '');
  const bad = (src: string) => src.includes('$') || src.includes('://') || src.split('/').includes('..') || src.startsWith('/');
  const dests = copyDests(model, stage).filter((x) => !x.from);
  if (dests.some((d) => d.path === null)) return null;
  const only: string[] = [];
  const present: string[] = [];
  let folder: string | null = null;
  for (const d of dests.reverse()) {
    if (!coveredBy(imageDir, [d.path!]) && !coveredBy(d.path!, [imageDir])) continue;
    if (d.sources.some(bad)) return null;
    const whole = d.sources.length === 1 && !/[*?[]/.test(d.sources[0]) && (/^(\.\/?)?$/.test(d.sources[0]) || d.sources[0].endsWith('/') || listable(withoutTrailingSlashes(clean(d.sources[0]))));
    if (whole && coveredBy(imageDir, [d.path!])) {
      const src = withoutTrailingSlashes(clean(d.sources[0]));
      const base = src === '.' ? '' : src;
      const rest = imageDir === d.path ? '' : imageDir.slice(d.path === '/' ? 1 : d.path!.replace(/\/$/, '').length + 1);
      const dir = [base, rest].filter(Boolean).join('/');
      if (!listable(dir)) return null;
      // Copies made after it (files named into the folder) came from the same context: the folder holds them all.
      if (folder !== null && folder !== dir) return null;
      return { dir, only: null, present: [] };
    }
    if (coveredBy(d.path!, [imageDir]) && d.path!.replace(/\/$/, '') !== imageDir.replace(/\/$/, '')) {
      // Something copied into a folder inside it: that entry is there, wherever it came from.
      present.push(d.path!.slice(imageDir.replace(/\/$/, '').length + 1).split('/')[0]);
      continue;
    }
    // Named files or patterns copied into the folder itself, all from one context folder.
    if (!coveredBy(imageDir, [d.path!])) continue;
    for (const src of d.sources.map(clean)) {
      const k = src.lastIndexOf('/');
      const dir = k < 0 ? '' : src.slice(0, k);
      if (folder !== null && folder !== dir) return null;
      folder = dir;
      only.push(src.slice(k + 1));
    }
  }
  return folder !== null && listable(folder) ? { dir: folder, only, present } : null;
}

/**
 * Whether the context's `.dockerignore` may leave `entry` (a top-level name of the context folder `dir`) out of
 * the build: then the image may not have it, and a COPY naming it would fail.
 */
function mayBeIgnored(model: Model, dir: string, entry: string): boolean {
  let text: string | null = null;
  try {
    text = model.files?.read('.dockerignore') ?? null;
  } catch {
    return true;
  }
  if (text === null) return false;
  const path = dir ? `${dir}/${entry}` : entry;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('!')) return true;
    const pat = withoutTrailingSlashes(line.replace(/^(\.?\/)+/, ''));
    const segs = pat.split('/');
    const want = path.split('/');
    let k = 0;
    for (; k < segs.length && k < want.length; k++) {
      if (segs[k] === '**' || segs[k].includes('**')) return true;
      if (!globMatches(segs[k], want[k])) break;
    }
    if (k === segs.length || k === want.length) return true;
  }
  return false;
}

/** The first segment of a relative path (`./static/css` → `static`); null when it leaves the folder or is a pattern. */
function topEntry(p: string): string | null {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (!parts.length || parts[0] === '..' || /[*?[\\]/.test(parts[0])) return null;
  return parts[0];
}

/** Whether the stage runs anything besides Go's own commands (that could leave files in the working directory). */
function runsOtherThanGo(model: Model, stage: Stage): boolean {
  return runCommands(model, stage).some((c) => c.cmd.name !== 'go' && c.cmd.name !== 'apt-get' && c.cmd.name !== 'apk' && c.cmd.name !== 'rm');
}

/**
 * The runtime's needs of the program built from the module at `moduleDir` (an image path; null when no go.mod was
 * read), run in the stage's final WORKDIR; or why a conversion would lose something.
 */
export function goRuntimeNeeds(model: Model, stage: Stage, moduleDir: string | null): GoRuntimeNeeds | { reason: string } {
  const wd = workdirAt(model, stage, null);
  // Nothing from the build context in the image: no file of it for the program to read.
  if (!copyDests(model, stage).some((d) => !d.from)) return { carry: [], writes: false, packages: null };
  const modCtx = moduleDir ? contextDirOf(model, stage, moduleDir) : null;
  const src: GoSources | null = modCtx !== null && model.files ? readGoSources(model.files, modCtx.dir) : null;
  const appCtx = wd ? contextDirOf(model, stage, wd) : null;
  /** Whether the image has the top-level entry `top` of the app folder, from the build context. */
  // The app folder's entries, listed once (a literal of the sources is checked against them, not the disk).
  let listed: Set<string> | null = null;
  if (appCtx) {
    try {
      listed = new Set((model.files?.list?.(appCtx.dir) ?? []).map((e) => withoutTrailingSlashes(e)));
    } catch {
      listed = new Set();
    }
  }
  const hasEntry = (top: string): boolean => {
    if (!appCtx || !listed) return false;
    if (appCtx.present.includes(top)) return true;
    if (appCtx.only && !appCtx.only.some((p) => globMatches(p, top))) return false;
    return listed.has(top) && !mayBeIgnored(model, appCtx.dir, top);
  };
  const carry: string[] = [];
  const add = (p: string) => {
    if (!carry.includes(p)) carry.push(p);
  };
  let whole: string | null = src ? null : 'its Go sources are not readable in the build context';
  let writes = !src;
  const packages: string[] = [];
  // The Debian release the runtime would be (the golang image's): some programs' packages depend on it.
  const rel = golangRelease(rootImage(stage).ref?.tag ?? null);
  const release = rel === 'alpine' ? null : rel;
  let execs = false;
  const unknown: string[] = [];

  for (const e of src?.execs ?? []) {
    checkDeadline();
    execs = true;
    if (e.script !== undefined) {
      const script = parseShell(e.script);
      if (!script) return { reason: `the program runs a shell script that does not parse (${e.where})` };
      for (const c of script.commands) {
        const known = c.name ? debianProgram(c.name, release) : null;
        if (!known) unknown.push(c.name ?? '(a command named at run time)');
        else if (known.package && !packages.includes(known.package)) packages.push(known.package);
      }
      continue;
    }
    if (e.program === null) return { reason: `the program runs a program named at run time (${e.where}); the runtime may not have it` };
    const sys = debianProgram(e.program, release);
    if (sys) {
      if (sys.package && !packages.includes(sys.package)) packages.push(sys.package);
      continue;
    }
    // A file of the app (`./moss`): carried, and its interpreter installed.
    const p = e.program.includes('/') && wd ? absPath(wd, e.program) : null;
    if (!p || !coveredBy(p, [wd!]) || p === wd || appCtx === null) {
      unknown.push(e.program);
      continue;
    }
    const rel = p.slice(wd!.replace(/\/$/, '').length + 1);
    let text: string | null = null;
    try {
      text = hasEntry(topEntry(rel) ?? '') ? model.files!.read([appCtx.dir, rel].filter(Boolean).join('/')) : null;
    } catch {
      text = null;
    }
    const shebang = text === null ? null : /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(text);
    const interp = shebang ? (/\/env$/.test(shebang[1]) && shebang[2] ? shebang[2] : shebang[1]) : null;
    const known = interp ? debianProgram(interp, release) : null;
    if (!known) {
      unknown.push(text === null ? `${e.program} (not a file of the build context)` : interp ? `${e.program} (run by ${interp})` : `${e.program} (no #! line)`);
      continue;
    }
    if (known.package && !packages.includes(known.package)) packages.push(known.package);
    add(`${wd!.replace(/\/$/, '')}/${topEntry(rel)}`);
  }
  if (unknown.length) {
    const names = [...new Set(unknown)];
    const notes = names.map((n) => (debianProgramNote(n) ? `${n}: ${debianProgramNote(n)}` : null)).filter((x) => x !== null);
    const on = release ? ` on ${release}` : '';
    return { reason: `the program runs ${names.map((n) => `\`${n}\``).join(', ')}, which ${names.length > 1 ? 'are' : 'is'} not known here to come with a Debian package${on}${notes.length ? ` (${notes.join('; ')})` : ''}; the runtime would not have ${names.length > 1 ? 'them' : 'it'}` };
  }

  for (const u of src?.uses ?? []) {
    checkDeadline();
    if (u.path === null) {
      whole ??= `it opens a path computed at run time (${u.where})`;
      if (u.write) writes = true;
      continue;
    }
    let rel: string | null;
    if (u.path.startsWith('/')) {
      if (!wd || !coveredBy(u.path, [wd]) || u.path === wd) continue; // a system path: not the build's
      rel = u.path.slice(wd.replace(/\/$/, '').length + 1);
    } else rel = u.path;
    const top = topEntry(rel);
    if (top === null) {
      whole ??= `it opens \`${u.path}\` (${u.where})`;
      if (u.write) writes = true;
      continue;
    }
    if (u.write) writes = true;
    if (hasEntry(top)) add(`${wd!.replace(/\/$/, '')}/${top}`);
    // A file it writes that the listing does not show (a database kept out of it, one the program creates): the
    // working directory comes whole, owned by the runtime user, so whatever the build put there is there too.
    else if (u.write) whole ??= `it writes \`${u.path}\` (${u.where}), which the build context does not show`;
    else if (appCtx === null || runsOtherThanGo(model, stage)) whole ??= `it reads \`${u.path}\` (${u.where}), which the build may make`;
  }
  // Paths held in constants: a literal naming a non-source entry of the app folder that a file call may open.
  if (src && appCtx !== null && wd && src.uses.length) {
    for (const lit of src.literals) {
      if (lit.length > 200 || /[\s:]|^-/.test(lit) || lit.startsWith('/')) continue;
      const top = topEntry(lit);
      if (!top || top.endsWith('.go') || BUILD_ONLY.test(top) || BUILD_ONLY.test(`${top}/`)) continue;
      if (hasEntry(top)) add(`${wd.replace(/\/$/, '')}/${top}`);
    }
  }
  if (whole !== null) {
    if (!wd || wd === '/' || wd === '/go' || coveredBy('/go/pkg', [wd])) {
      return { reason: `what the program reads from its working directory cannot be told (${whole}), and ${!wd ? 'the working directory is not known' : `${wd} is not the app's own folder`}, so it is not copied whole` };
    }
    return { carry: [wd], writes, packages: execs ? packages : null };
  }
  return { carry, writes, packages: execs ? packages : null };
}
