/** Pure edit helpers: build, order and apply text edits on a document's text. */
import type { DocText } from './document';
import { docEnd, type Instr, type Model } from './model';
import type { TextEdit } from './types';

/** An edit expressed in offsets; converted to a TextEdit with `toTextEdit`. */
export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

export function toTextEdit(doc: DocText, e: OffsetEdit): TextEdit {
  return { range: doc.rangeAt(e.start, e.end), newText: e.text };
}

export function toTextEdits(doc: DocText, edits: OffsetEdit[]): TextEdit[] {
  return edits.map((e) => toTextEdit(doc, e));
}

/** Applies non-overlapping edits (any order) to a text. Throws on overlap. */
export function applyOffsetEdits(text: string, edits: OffsetEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error('overlapping edits');
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** One edit that turns `before` into `after`: the changed middle between their common prefix and suffix; null when equal. */
export function middleEdit(before: string, after: string): OffsetEdit | null {
  if (before === after) return null;
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { start: p, end: before.length - s, text: after.slice(p, after.length - s) };
}

export function applyTextEdits(doc: DocText, edits: TextEdit[]): string {
  return applyOffsetEdits(
    doc.text,
    edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), text: e.newText })),
  );
}

/**
 * The lines an instruction occupies together with the comment lines directly above it (no blank line
 * between): [start of the first comment line, just past the instruction's line break).
 */
export function instructionBlock(model: Model, instr: Instr): { start: number; end: number; commentStart: number } {
  const doc = model.doc;
  let first = instr.line;
  while (first > 0 && /^[ \t]*#/.test(doc.lineText(first - 1)) && !isDirectiveLine(model, first - 1)) first--;
  return {
    commentStart: doc.lineStarts[first],
    start: doc.lineStarts[instr.line],
    end: doc.lineBreakEnd(instr.endLine),
  };
}

function isDirectiveLine(model: Model, line: number): boolean {
  return model.directives.some((d) => d.line === line);
}

/** The text of an instruction's whole lines, without the final line break. */
export function instructionLines(model: Model, instr: Instr): string {
  const doc = model.doc;
  return doc.text.slice(doc.lineStarts[instr.line], doc.lineEndOffset(instr.endLine));
}

/** The continuation sequence this file uses: its escape character, a line break and an indentation. */
export function continuation(model: Model): string {
  return `${model.escape}${model.doc.eol}${model.continuationIndent}`;
}

/** Past this many columns a RUN line that would hold several commands gets one command per line instead. */
const LONG_LINE = 80;

/**
 * Appends ` && <command>` to a shell-form RUN, after its last statement (before a trailing comment or `;`),
 * in the file's own continuation style: ` && \` at line ends, or a leading `&& ` on the next line. Several
 * commands go on one line when it stays short and the RUN is one line, else one per continuation line. Null
 * when the RUN cannot take it safely (not parsed shell form, or its last statement runs in the background).
 */
export function appendCommandEdit(model: Model, i: Instr, command: string | readonly string[]): OffsetEdit | null {
  const commands = typeof command === 'string' ? [command] : command;
  const run = i.run;
  const script = run?.script();
  // A body of comments only has no statement to follow: ` && …` would land in front of the comment.
  if (!run || !script || script.lastStatementEnd === 0 || commands.length === 0) return null;
  const tail = run.body.slice(script.lastStatementEnd).trim();
  if (tail.startsWith('&')) return null;
  const at = docEnd(run, script.lastStatementEnd);
  const doc = model.doc;
  const oneLine = ` && ${commands.join(' && ')}`;
  if (i.endLine === i.line && (commands.length === 1 || doc.lineText(i.line).length + oneLine.length <= LONG_LINE)) return { start: at, end: at, text: oneLine };
  const indent = (i.endLine > i.line ? doc.indentOf(i.endLine) : '') || model.continuationIndent;
  const next = `${model.escape}${doc.eol}${indent}`;
  const text = leadingAnd(model, i) || (i.endLine === i.line && leadingAndFile(model)) ? commands.map((c) => ` ${next}&& ${c}`).join('') : commands.map((c) => ` && ${next}${c}`).join('');
  return { start: at, end: at, text };
}

/**
 * The body of a new RUN of `commands` whose line starts with `prefix` (its indentation and `RUN `): one line
 * when it stays short, else one command per line in the file's continuation style.
 */
export function runBody(model: Model, prefix: string, commands: readonly string[]): string {
  const oneLine = commands.join(' && ');
  if (commands.length < 2 || prefix.length + oneLine.length <= LONG_LINE) return oneLine;
  const next = `${model.escape}${model.doc.eol}${prefix.slice(0, prefix.length - prefix.trimStart().length)}${model.continuationIndent}`;
  return leadingAndFile(model) ? commands.join(` ${next}&& `) : commands.join(` && ${next}`);
}

/**
 * The stages of one pipeline (`a | b | c`) as a command of a RUN body: on one line when `prefix` and it fit, else one
 * stage per line in the file's continuation style (`| b` at the start of a line indented past the `&&`s where the
 * file's RUNs put `&&` first, else ` |` at the end of the line and the next stage indented twice).
 */
export function pipedBody(model: Model, prefix: string, stages: readonly string[]): string {
  const oneLine = stages.join(' | ');
  if (stages.length < 2 || prefix.length + oneLine.length <= LONG_LINE) return oneLine;
  const lead = `${model.escape}${model.doc.eol}${prefix.slice(0, prefix.length - prefix.trimStart().length)}${model.continuationIndent}`;
  return leadingAndFile(model) ? stages.join(` ${lead}   | `) : stages.join(` | ${lead}${model.continuationIndent}`);
}

/** Whether the file's continued RUNs put `&&` at the start of their lines (none puts it at the end). */
function leadingAndFile(model: Model): boolean {
  let leading = false;
  for (const i of model.instructions) {
    if (i.keyword !== 'RUN' || i.endLine === i.line) continue;
    if (!leadingAnd(model, i)) return false;
    leading = true;
  }
  return leading;
}

const leadingAnds = new WeakMap<Instr, boolean>();

/** Whether a continued instruction puts `&&` at the start of its lines (looked at once per instruction). */
function leadingAnd(model: Model, i: Instr): boolean {
  let leading = leadingAnds.get(i);
  if (leading === undefined) {
    leading = false;
    for (let l = i.line + 1; l <= i.endLine && !leading; l++) if (/^[ \t]*&&/.test(model.doc.lineText(l))) leading = true;
    leadingAnds.set(i, leading);
  }
  return leading;
}
