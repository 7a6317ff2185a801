/**
 * Ignore comments as fixes: "Ignore <rule> for this instruction" (`# dockerfile-lean ignore=<rule>` above the
 * instruction) and "Ignore <rule> in this file" (`# dockerfile-lean global ignore=<rule>` after the parser
 * directives). Pure: model and finding in, edits out. The file's line ending is kept, a BOM stays first, and
 * hadolint's own pragma lines stay directly above the instruction they name (ours goes above the block).
 */
import { firstInstructionEndingAt, isPragmaLine, type Instr, type Model } from './model';
import type { Finding, Fix } from './types';

const OUR_INLINE = /^[ \t]*#[ \t]*dockerfile-lean[ \t]+ignore[ \t]*=/;
const OUR_GLOBAL = /^[ \t]*#[ \t]*dockerfile-lean[ \t]+global[ \t]+ignore[ \t]*=/;
const LIST = /^[A-Za-z0-9_,\- \t]*/;

/** Our pragma on a line (BOM aside): where its list of names ends, and the names; null when none or empty. */
function ourPragma(re: RegExp, line: string): { end: number; names: string[] } | null {
  const text = line.replace(/^\uFEFF/, '');
  const m = re.exec(text);
  if (!m) return null;
  const list = LIST.exec(text.slice(m[0].length))![0].trimEnd();
  const names = list.split(/[,\s]+/).filter(Boolean);
  return names.length > 0 ? { end: m[0].length + list.length, names } : null;
}

/** The instruction a finding starts in (or the first one after its start), or null. */
function instructionOf(model: Model, finding: Finding): Instr | null {
  return model.instructions[firstInstructionEndingAt(model, model.doc.offsetAt(finding.range.start))] ?? null;
}

/** The line of our file-wide ignore comment with its names, or null: found through the text's mentions of the project's name. */
function globalPragma(model: Model): { line: number; p: { end: number; names: string[] } } | null {
  const doc = model.doc;
  for (let at = doc.text.indexOf('dockerfile-lean'); at >= 0; at = doc.text.indexOf('dockerfile-lean', at + 1)) {
    const line = doc.lineAt(at);
    const p = ourPragma(OUR_GLOBAL, doc.lineText(line));
    if (p) return { line, p };
  }
  return null;
}

/** Where a text inserted at the start of `line` goes: after a BOM on the first line. */
function lineStart(model: Model, line: number): number {
  const o = model.doc.lineStarts[line];
  return o === 0 && model.doc.hasBom ? 1 : o;
}

/** An edit that adds `rule` to the list of pragma `p` on `line` (none when it is named already). */
function extend(model: Model, line: number, p: { end: number; names: string[] }, rule: string): Fix['edits'] {
  if (p.names.includes(rule)) return [];
  const offset = lineStart(model, line) + p.end;
  const pos = model.doc.positionAt(offset);
  return [{ range: { start: pos, end: pos }, newText: `,${rule}` }];
}

function insertLine(model: Model, line: number, text: string): Fix['edits'] {
  const pos = model.doc.positionAt(lineStart(model, line));
  return [{ range: { start: pos, end: pos }, newText: text + model.doc.eol }];
}

export function ignoreFixes(model: Model, finding: Finding): Fix[] {
  const fixes: Fix[] = [];
  const rule = finding.rule;
  const doc = model.doc;
  const ins = instructionOf(model, finding);
  if (ins) {
    // The block of pragma lines directly above the instruction: ours is extended, else a line goes above it all.
    let top = ins.line;
    let edits: Fix['edits'] | null = null;
    for (let l = ins.line - 1; l >= 0 && isPragmaLine(doc.lineText(l)); l--) {
      top = l;
      const p = edits ? null : ourPragma(OUR_INLINE, doc.lineText(l));
      if (p) edits = extend(model, l, p, rule);
    }
    edits ??= insertLine(model, top, `${doc.indentOf(ins.line)}# dockerfile-lean ignore=${rule}`);
    if (edits.length > 0) fixes.push({ title: `Ignore ${rule} for this instruction`, edits, preferred: false });
  }
  // The file-wide ignore: an existing one of ours is extended, else a line right after the parser directives.
  const found = globalPragma(model);
  let global: Fix['edits'] | null = found ? extend(model, found.line, found.p, rule) : null;
  if (!global) {
    const last = model.directives.length > 0 ? Math.max(...model.directives.map((d) => d.line)) : -1;
    const at = last + 1;
    const text = `# dockerfile-lean global ignore=${rule}`;
    if (at < doc.lineCount && (last < 0 || doc.lineBreakEnd(last) > doc.lineEndOffset(last))) global = insertLine(model, at, text);
    else {
      // The directives are the whole file, without a final line break.
      const pos = doc.positionAt(doc.text.length);
      global = [{ range: { start: pos, end: pos }, newText: doc.eol + text + doc.eol }];
    }
  }
  if (global.length > 0) fixes.push({ title: `Ignore ${rule} in this file`, edits: global, preferred: false });
  return fixes;
}
