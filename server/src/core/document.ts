/**
 * The only place where positions (line, UTF-16 character) and offsets are converted, and where the
 * file's own conventions (line ending, BOM, escape character, indentation) are read.
 */
import type { Position, Range } from './types';

/** The index of the last item of `sorted` (ascending, first item ≤ `x`) that is at most `x` (a binary search). */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class DocText {
  readonly text: string;
  /** Offset of the first character of each line. */
  readonly lineStarts: number[];
  /** The file's dominant line ending, kept in every rewrite. */
  readonly eol: '\n' | '\r\n';
  readonly hasBom: boolean;

  constructor(text: string) {
    this.text = text;
    this.hasBom = text.charCodeAt(0) === 0xfeff;
    const starts = [0];
    let crlf = 0;
    let lf = 0;
    // Line breaks found with indexOf (the engine's own search) rather than a loop over every character.
    let nl = text.indexOf('\n');
    let cr = text.indexOf('\r');
    while (nl !== -1 || cr !== -1) {
      if (cr !== -1 && (nl === -1 || cr < nl)) {
        if (cr + 1 === nl) {
          starts.push(nl + 1);
          crlf++;
          nl = text.indexOf('\n', nl + 1);
        } else {
          // A lone CR ends a line too, as the Dockerfile parser sees it.
          starts.push(cr + 1);
        }
        cr = text.indexOf('\r', cr + 1);
      } else {
        starts.push(nl + 1);
        lf++;
        nl = text.indexOf('\n', nl + 1);
      }
    }
    this.lineStarts = starts;
    this.eol = crlf > lf ? '\r\n' : '\n';
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[pos.line];
    const end = this.lineEndOffset(pos.line);
    return Math.min(start + Math.max(0, pos.character), end);
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAt(o);
    return { line, character: o - this.lineStarts[line] };
  }

  /** The line an offset is on (the line of `positionAt`, without making a position). */
  lineAt(offset: number): number {
    return lastAtOrBefore(this.lineStarts, Math.max(0, Math.min(offset, this.text.length)));
  }

  rangeAt(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Offset just past the line's last character, before its line ending. */
  lineEndOffset(line: number): number {
    if (line + 1 < this.lineStarts.length) {
      let e = this.lineStarts[line + 1] - 1;
      if (this.text.charCodeAt(e) === 10 && e > this.lineStarts[line] && this.text.charCodeAt(e - 1) === 13) e--;
      return e;
    }
    return this.text.length;
  }

  /** Offset just past the line's line ending (or the end of the text). */
  lineBreakEnd(line: number): number {
    return line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStarts[line], this.lineEndOffset(line));
  }

  /** Leading spaces and tabs of a line. */
  indentOf(line: number): string {
    const m = /^[ \t]*/.exec(this.lineText(line));
    return m ? m[0] : '';
  }
}
