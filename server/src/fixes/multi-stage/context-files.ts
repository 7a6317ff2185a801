/**
 * Which build-context file a path in the image came from, followed back through the stage's COPY/ADD
 * instructions (`COPY . .`, `COPY pom.xml ./`, `COPY *.csproj ./`, `COPY app/ /src/`), and its text read
 * through the workspace files. Every candidate is confirmed by reading it: null when no COPY explains the
 * path, when the files cannot be read (no workspace), or when the source is a URL or another stage.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { checkDeadline } from '../../core/deadline';
import { copyDests } from './common';
import { globMatches } from './glob';
import { withoutTrailingSlashes } from '../../core/flags';

export interface ContextFile {
  /** The path inside the build context. */
  rel: string;
  text: string;
}

function norm(p: string): string {
  return withoutTrailingSlashes(p.replace(/^(\.\/|\/)+/, ''));
}

/** Context paths that would have put `file` (absolute) in the image, copied from `source` into `dest`. */
function candidates(source: string, dest: string, file: string): string[] {
  const s = norm(source);
  const under = file.startsWith(dest.replace(/\/$/, '') + '/') ? file.slice(dest.replace(/\/$/, '').length + 1) : null;
  const slash = file.lastIndexOf('/');
  const dir = file.slice(0, slash) || '/';
  const base = file.slice(slash + 1);
  if (s === '' || s === '.' || s === '*') return under !== null ? [under] : [];
  if (/[*?[]/.test(s)) {
    const k = s.lastIndexOf('/');
    if (/[*?[]/.test(s.slice(0, k + 1))) return [];
    const glob = s.slice(k + 1);
    // Brackets, braces and escapes are not followed: no candidate.
    if (/[[\]{}\\]/.test(glob)) return [];
    return dir === dest && globMatches(glob, base) ? [s.slice(0, k + 1) + base] : [];
  }
  const out: string[] = [];
  if (file === dest) out.push(s);
  if (dir === dest && s.slice(s.lastIndexOf('/') + 1) === base) out.push(s);
  if (under !== null) out.push(`${s}/${under}`);
  return out;
}

/** The context file behind `file` (an absolute path in the image) as the stage has it just before `before`. */
export function contextFileFor(model: Model, stage: Stage, file: string, before: Instr | null = null): ContextFile | null {
  const files = model.files;
  if (!files) return null;
  const stop = before ? stage.instructions.indexOf(before) : stage.instructions.length;
  const dests = copyDests(model, stage).filter((d) => stage.instructions.indexOf(d.instr) < stop);
  for (const d of dests.reverse()) {
    if (d.from || d.path === null) continue;
    for (const src of d.sources) {
      checkDeadline();
      if (src.includes('://') || src.includes('$') || src.startsWith('<<')) continue;
      for (const rel of candidates(src, d.path, file)) {
        if (rel.split('/').includes('..')) continue;
        checkDeadline();
        let text: string | null = null;
        try {
          text = files.read(rel);
        } catch {
          text = null;
        }
        if (text !== null) return { rel, text };
      }
    }
  }
  return null;
}

/** Whether every COPY/ADD from the build context before `before` can be followed (no variables, no unknown WORKDIR). */
export function copiesFollowable(model: Model, stage: Stage, before: Instr | null = null): boolean {
  const stop = before ? stage.instructions.indexOf(before) : stage.instructions.length;
  return copyDests(model, stage).every((d) => stage.instructions.indexOf(d.instr) >= stop || d.from !== null || (d.path !== null && d.sources.every((s) => !s.includes('$'))));
}
