/**
 * A fast scan of a Dockerfile into parser directives and instruction boundaries, without building a
 * syntax tree. The boundaries are the ones `dockerfile-ast` computes (its parse is the model's
 * reference, and its instruction objects are still built, lazily, one at a time, from what this scan
 * finds): a test compares the two on every fixture, the benchmark corpus and generated files.
 *
 * The rules of the format this follows:
 * - Parser directives are `# name=value` lines at the very top; a blank line, a plain comment or an
 *   instruction ends them. Only `escape` (a backslash or a backtick) changes how the rest is read.
 * - An instruction starts at the first non-blank character of a line that is not a comment. Its keyword
 *   runs to the first blank; an escape character followed by a line break continues the instruction
 *   on the next line (blanks between the two are allowed); comment lines inside a continued instruction
 *   belong to it.
 * - ADD, COPY and RUN (and ONBUILD with one of them) whose arguments name heredocs (`<<EOF`, `<<-EOF`,
 *   `<<"EOF"`) extend to the line that holds only the delimiter (after tabs, for `<<-`).
 */
import { lastAtOrBefore } from './document';

export interface ScannedDirective {
  name: string;
  value: string;
  /** Line of the directive (0-based). */
  line: number;
}

export interface ScannedInstruction {
  /** The keyword as the reference parser reads it (continuations removed), as written. */
  instruction: string;
  /** Offset of the keyword's first character. */
  start: number;
  /** Offset just past the keyword. */
  keywordEnd: number;
  /** Offset just past the instruction: its last line break (not included), or the end of the text. */
  end: number;
  /** How many heredocs its arguments name. */
  heredocs: number;
  /** A heredoc it names has no line with its delimiter: everything to the end of the text is its body. */
  heredocOpen: boolean;
}

export interface Scan {
  directives: ScannedDirective[];
  escape: '\\' | '`';
  instructions: ScannedInstruction[];
}

const SP = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const HASH = 35;

const isBlank = (c: number) => c === SP || c === TAB;
const isBreak = (c: number) => c === CR || c === LF;

/**
 * The next occurrence of `needle` at or after an offset (the text's length when there is none). Offsets
 * mostly grow during a scan: the engine's own search runs again only when an offset passes the last
 * answer (or goes back before the last search), so a whole scan costs about one pass per needle.
 */
function finder(text: string, needle: string): (from: number) => number {
  let searchedFrom = Infinity;
  let at = -1;
  return (from) => {
    if (from < searchedFrom || (at !== -1 && at < from)) {
      searchedFrom = from;
      at = text.indexOf(needle, from);
    }
    return at === -1 ? text.length : at;
  };
}

/** Heredoc names among an instruction's argument words (`<<EOF`, `<<-"EOF"`, …), and whether any strips tabs. */
export function heredocNames(words: readonly string[]): { names: string[]; tabbed: boolean } {
  const names: string[] = [];
  let tabbed = false;
  for (const w of words) {
    if (!w.startsWith('<<') || w.length <= 2) continue;
    let v = w.slice(2);
    if (v.startsWith('-')) {
      tabbed = true;
      v = v.slice(1);
    }
    let ok = true;
    for (const q of ['"', "'"]) {
      if (v.startsWith(q)) {
        if (!v.endsWith(q) || v.length < 2) ok = false;
        else v = v.slice(1, -1);
      }
    }
    if (ok && !v.startsWith('<')) names.push(v);
  }
  return { names, tabbed };
}

function scanDirectives(text: string, lineOf: (offset: number) => number): ScannedDirective[] {
  const out: ScannedDirective[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) continue;
    if (c !== HASH) return out;
    // `# name=value`: the name is the first word; anything else is a comment and ends the directives.
    let nameStart = -1;
    let nameEnd = -1;
    let j = i + 1;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (isBreak(d)) return out;
      if (d === 61 /* = */) break;
      if (isBlank(d)) {
        if (nameStart !== -1 && nameEnd === -1) nameEnd = j;
      } else if (nameStart === -1) nameStart = j;
    }
    if (j >= n || nameStart === -1) return out;
    if (nameEnd === -1) nameEnd = j;
    let valueStart = -1;
    let valueEnd = -1;
    let k = j + 1;
    for (; k < n; k++) {
      const d = text.charCodeAt(k);
      if (isBreak(d)) break;
      if (isBlank(d)) {
        if (valueStart !== -1 && valueEnd === -1) valueEnd = k;
      } else if (valueStart === -1) valueStart = k;
    }
    if (valueStart === -1) {
      valueStart = j + 1;
      valueEnd = k;
    } else if (valueEnd === -1) valueEnd = k;
    out.push({ name: text.slice(nameStart, nameEnd), value: text.slice(valueStart, valueEnd), line: lineOf(i) });
    // Reading resumes just past the value: a blank line, a comment or anything else ends the directives.
    i = text.charCodeAt(valueEnd) === CR ? valueEnd + 1 : valueEnd;
  }
  return out;
}

/**
 * Scans `text`. `lineStarts` are the offsets of line starts (as DocText computes them); `heredocWords`
 * gives the argument words of an instruction (only called for ADD/COPY/RUN/ONBUILD lines with `<<`).
 */
export function scanDockerfile(
  text: string,
  lineStarts: readonly number[],
  heredocWords: (ins: ScannedInstruction, lineEnd: number, escape: string) => string[],
): Scan {
  const n = text.length;
  const lineOf = (offset: number) => lastAtOrBefore(lineStarts, offset);
  const directives = scanDirectives(text, lineOf);
  let escape: '\\' | '`' = '\\';
  for (const d of directives) if (d.name.toLowerCase() === 'escape' && (d.value === '\\' || d.value === '`')) escape = d.value;
  const esc = escape.charCodeAt(0);
  const instructions: ScannedInstruction[] = [];
  const nextLf = finder(text, '\n');
  const nextCr = finder(text, '\r');
  const nextEscape = finder(text, escape);
  const nextMark = finder(text, '<<');
  /** The next line break at or after `from` (or the end of the text). */
  const nextBreak = (from: number) => Math.min(nextLf(from), nextCr(from));

  // Where a heredoc body ends: the break after the line that is exactly `name` (leading tabs allowed when tabbed).
  const heredocEnd = (name: string, from: number, tabbed: boolean, ins: ScannedInstruction): number => {
    let word = -1;
    let lineStart = true;
    for (let i = from; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === SP) lineStart = false;
      else if (c === TAB) {
        if (!tabbed) lineStart = false;
      } else if (isBreak(c)) {
        if (word !== -1 && text.slice(word, i) === name) return i;
        word = -1;
        lineStart = true;
      } else if (lineStart) {
        word = i;
        lineStart = false;
      }
    }
    // The last line, without a line break, may still be the delimiter.
    if (word === -1 || text.slice(word) !== name) ins.heredocOpen = true;
    return n;
  };

  // The arguments of an instruction: to the first line break that is not escaped, skipping comment lines
  // inside a continuation; then any heredoc bodies. Returns the end offset.
  const argumentsEnd = (ins: ScannedInstruction, from: number): number => {
    let escaped = false;
    for (let i = from + 1; i < n; i++) {
      // Outside a continuation only line breaks and the escape character matter: skip to the next one.
      if (!escaped) i = Math.min(nextBreak(i), nextEscape(i));
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (isBreak(c)) {
        if (escaped) continue;
        return withHeredocs(ins, i);
      }
      if (c === esc) {
        const next = text.charCodeAt(i + 1);
        if (isBreak(next)) {
          escaped = true;
          i++;
        } else if (isBlank(next)) {
          let j = i + 2;
          while (j < n && isBlank(text.charCodeAt(j))) j++;
          if (j >= n) return withHeredocs(ins, n);
          if (isBreak(text.charCodeAt(j))) escaped = true;
          // The character after the blanks is consumed with them.
          i = j;
        }
        continue;
      }
      if (c === HASH) {
        if (escaped) {
          // A comment line inside a continuation: skipped with its line break.
          i = nextBreak(i);
          continue;
        }
      } else if (!isBlank(c)) escaped = false;
    }
    // The end of the text: heredocs named here are unterminated, but they are still heredocs.
    return withHeredocs(ins, n);
  };

  const withHeredocs = (ins: ScannedInstruction, lineEnd: number): number => {
    const kw = ins.instruction.toUpperCase();
    if (kw !== 'ADD' && kw !== 'COPY' && kw !== 'RUN' && kw !== 'ONBUILD') return lineEnd;
    if (nextMark(ins.keywordEnd) + 1 >= lineEnd) return lineEnd;
    const { names, tabbed } = heredocNames(heredocWords({ ...ins, end: lineEnd }, lineEnd, escape));
    ins.heredocs = names.length;
    let end = lineEnd;
    for (const name of names) end = heredocEnd(name, end, tabbed, ins);
    return end;
  };

  // The keyword being read by instructionAt (see there).
  let keywordStart = 0;
  let wordEnd = 0;
  let built: string | null = null;

  let i = 0;
  if (directives.length > 0) i = directives.length < lineStarts.length ? lineStarts[directives.length] : n;
  else if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isBlank(c) || isBreak(c)) continue;
    if (c === HASH) {
      i = nextBreak(i) - 1;
      continue;
    }
    i = instructionAt(i);
  }
  return { directives, escape, instructions };

  /** Reads the instruction starting at `start`; returns the offset its scan ended at. */
  function instructionAt(start: number): number {
    // The keyword as read: while it is one run of the text, only its end is tracked (no string is built
    // per character); a line continuation inside it makes it a string of its own.
    keywordStart = start;
    wordEnd = start + 1;
    built = null;
    let keywordEnd = -1;
    let escapedKeyword = false;
    for (let i = start + 1; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === esc) {
        escapedKeyword = true;
        const next = text.charCodeAt(i + 1);
        if (isBreak(next)) {
          if (keywordEnd === -1) keywordEnd = i;
          i++;
        } else if (isBlank(next)) {
          let j = i + 2;
          while (j < n && isBlank(text.charCodeAt(j))) j++;
          if (j >= n) {
            keywordEnd = i + 1;
            append(i);
            return add(keyword(), start, keywordEnd, n);
          }
          if (isBreak(text.charCodeAt(j))) {
            i = j;
          } else {
            keywordEnd = i + 1;
            append(i);
            i = j - 2;
          }
        } else {
          keywordEnd = i + 1;
          append(i);
          escapedKeyword = false;
        }
        continue;
      }
      if (isBlank(c)) {
        if (escapedKeyword) {
          let j = i + 1;
          while (j < n && isBlank(text.charCodeAt(j))) j++;
          if (j < n && isBreak(text.charCodeAt(j))) {
            i = j;
            continue;
          }
          escapedKeyword = false;
        }
        if (keywordEnd === -1) keywordEnd = i;
        const ins: ScannedInstruction = { instruction: keyword(), start, keywordEnd, end: -1, heredocs: 0, heredocOpen: false };
        const end = argumentsEnd(ins, i);
        ins.end = end;
        instructions.push(ins);
        return end;
      }
      if (isBreak(c)) {
        if (escapedKeyword) continue;
        return add(keyword(), start, i, i);
      }
      if (c === HASH && escapedKeyword) continue;
      keywordEnd = i + 1;
      append(i);
      escapedKeyword = false;
    }
    return add(keyword(), start, keywordEnd === -1 ? n : keywordEnd, n);
  }

  /** Adds the character at `at` to the keyword being read. */
  function append(at: number): void {
    if (built === null && at === wordEnd) wordEnd++;
    else built = (built ?? text.slice(keywordStart, wordEnd)) + text[at];
  }

  function keyword(): string {
    return built ?? text.slice(keywordStart, wordEnd);
  }

  function add(word: string, start: number, keywordEnd: number, end: number): number {
    instructions.push({ instruction: word, start, keywordEnd, end, heredocs: 0, heredocOpen: false });
    return end;
  }
}
