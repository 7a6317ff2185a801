/** Shared helpers for the unit tests (bundled into each test file). */
import * as path from 'path';
import { spawnSync } from 'child_process';
import { buildModel } from '../../server/src/core/model';

export const ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures');

export const toCrlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

/**
 * The same file with the backtick as escape character: a directive on the first line and every
 * line-continuation backslash turned into a backtick. Null when the file sets its own escape or already
 * holds a backquote.
 */
export function toBacktick(s: string): string | null {
  if (/^\uFEFF?(#[^\n]*\n)*#\s*escape\s*=/i.test(s)) return null;
  // A backquote already in the text would become an escape character: no such variant.
  if (s.includes('`')) return null;
  const bom = s.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = bom ? s.slice(1) : s;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  return bom + '# escape=`' + eol + body.replace(/\\([ \t]*)(\r?\n)/g, '`$1$2');
}

/** Lines that are comments or parser directives, in order. */
export function commentLines(s: string): string[] {
  return s.split(/\r?\n/).filter((l) => /^\s*#/.test(l));
}

/** Heredoc bodies, as written. */
export function heredocBodies(s: string): string[] {
  const model = buildModel(s);
  const out: string[] = [];
  for (const i of model.instructions) {
    const hs = (i.node as unknown as { getHeredocs?: () => { getContentRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null }[] }).getHeredocs?.() ?? [];
    for (const h of hs) {
      const r = h.getContentRange();
      if (r) out.push(s.slice(model.doc.offsetAt(r.start), model.doc.offsetAt(r.end)));
    }
  }
  return out;
}

/** Whether every item of `sub` appears in `all` in the same order. */
export function isSubsequence(sub: string[], all: string[]): boolean {
  let k = 0;
  for (const x of all) if (k < sub.length && x === sub[k]) k++;
  return k === sub.length;
}

/** `sh -n` on every shell-form RUN (and ONBUILD RUN) body of a Dockerfile: returns the bodies that fail, with the error. */
export function shellSyntaxErrors(s: string): string[] {
  const model = buildModel(s);
  const bad: string[] = [];
  for (const i of model.instructions) {
    // ONBUILD RUN triggers are shell too, run in a child build.
    const run = i.run ?? i.onbuildRun;
    if (!run || run.form !== 'shell') continue;
    const r = spawnSync('sh', ['-n'], { input: run.body, encoding: 'utf8' });
    if (r.status !== 0) bad.push(`${run.body}\n  → ${r.stderr.trim()}`);
  }
  return bad;
}
