/**
 * The model every rule and fix reads: parsed once per document version. Stages, instructions with
 * their offsets, RUN bodies joined across continuations (with a map back to document offsets),
 * resolved base images, and ignore pragmas.
 */
import type { Instruction, From, Run, Onbuild } from 'dockerfile-ast';
import { Dockerfile as DockerfileClass } from 'dockerfile-ast/lib/dockerfile';
import { Parser as AstParser } from 'dockerfile-ast/lib/parser';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DocText } from './document';
import { isShortFlagsWith } from './flags';
import { scanDockerfile, type ScannedDirective, type ScannedInstruction } from './scan';
import type { AnalysisContext, Position, Range, WorkspaceFiles } from './types';
import { parseShell, shellReady, type ShellScript } from './shell';
import { parseImageRef, type ImageRef } from '../knowledge/base-images';

export interface RunFlag {
  name: string;
  value: string | null;
  text: string;
}

export interface RunInfo {
  flags: RunFlag[];
  /** Flags in a canonical form: RUNs merge only when theirs are equal. */
  flagsKey: string;
  form: 'shell' | 'exec' | 'heredoc' | 'empty';
  /** Document offsets of the body (after the flags) as written, continuations included. */
  bodyStart: number;
  bodyEnd: number;
  /** The body as the shell sees it: continuations joined, comment lines inside it dropped. */
  body: string;
  /** Document offset of each body character; `map[body.length]` is the offset just past the body. Built on first use. */
  readonly map: number[];
  /** The body's shell parse; null when it is not POSIX shell form or does not parse. */
  script(): ShellScript | null;
  /** The stage's SHELL runs bodies with errexit (`-e`, `-o errexit`), so a failing command ends the body. */
  shellErrexit: boolean;
}

export interface Instr {
  /** The instruction's syntax tree (dockerfile-ast), built on first use. */
  readonly node: Instruction;
  keyword: string;
  /** Offsets of the whole instruction, keyword to its last character. */
  start: number;
  end: number;
  line: number;
  endLine: number;
  stage: Stage | null;
  run?: RunInfo;
  /** For `ONBUILD RUN …`: the trigger RUN's body (never set on `run`, so RUN rules leave triggers alone). */
  onbuildRun?: RunInfo;
  /** What the ignore comments directly above it name: our rule ids, and hadolint codes (upper case). */
  ignores: ReadonlySet<string>;
  /** The instruction's text, keyword to end (continuations and heredoc bodies included). */
  text(): string;
}

export interface Stage {
  index: number;
  /** The FROM's syntax tree, built on first use. */
  readonly from: From;
  fromInstr: Instr;
  /** The image as written, with ARGs before the first FROM substituted. */
  imageText: string | null;
  /** The image exactly as written (`base-${TARGETARCH}`: an unset ARG is gone from imageText). */
  rawImageText: string | null;
  image: ImageRef | null;
  /** Lower-cased alias (`AS name`), if any. */
  alias: string | null;
  /** The earlier stage this one builds on (`FROM builder AS final`). */
  baseStage: Stage | null;
  /** Instructions after FROM, in order. */
  instructions: Instr[];
  isFinal: boolean;
  /** Another stage copies from it or builds on it. */
  usedByLaterStage: boolean;
  /** The stage's SHELL is a POSIX shell (no SHELL, or sh/bash/ash/dash). */
  posixShell: boolean;
  /**
   * What the stage ignore comments directly above its FROM name (`# hadolint stage ignore=…`, hadolint 2.15):
   * they silence those rules for every instruction of the stage.
   */
  ignores: ReadonlySet<string>;
}

export interface Model {
  doc: DocText;
  /** The parser directives at the top (`# syntax=…`, `# escape=…`, `# check=…`). */
  directives: ScannedDirective[];
  escape: string;
  instructions: Instr[];
  stages: Stage[];
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string | null>;
  /** What the global ignore comments name: our rule ids, and hadolint codes (upper case). */
  globalIgnores: Set<string>;
  /** The indentation the file uses on continuation lines (for rewrites). */
  continuationIndent: string;
  /** Offset where a heredoc without its closing delimiter starts: everything after it is its body. */
  unterminatedHeredoc: number | null;
  /** Files of the build context, when the adapter can read them (see WorkspaceFiles). */
  files: WorkspaceFiles | null;
  /** The document's path (`/` separators), when the adapter knows it (see AnalysisContext). */
  path: string | null;
}

const PRAGMA = /^[ \t]*#[ \t]*(hadolint|dockerfile-lean)[ \t]+(?:(global|stage)[ \t]+)?ignore[ \t]*=[ \t]*([A-Za-z0-9_,\- \t]+)/;
/**
 * `# hadolint shell=powershell`: declares the shell RUN bodies run in, from there to the end of the stage (above a
 * FROM: for that stage), as a SHELL instruction would. A shell that is not POSIX means the bodies are not parsed.
 */
const SHELL_PRAGMA = /^[ \t]*#[ \t]*(?:hadolint|dockerfile-lean)[ \t]+shell[ \t]*=[ \t]*([^\s#]+)/;
const POSIX_SHELL_NAME = /(^|\/)(ba|a|da|k|z)?sh$/;

/** Whether a line is an ignore (any kind) or shell pragma: a block of them directly above an instruction applies to it. */
export function isPragmaLine(line: string): boolean {
  const t = line.replace(/^\uFEFF/, '');
  return PRAGMA.test(t) || SHELL_PRAGMA.test(t);
}

function pragmaIds(tool: string, list: string): string[] {
  return list
    .split(/[,\s]+/)
    .filter(Boolean)
    // hadolint codes are kept as written (upper-cased); analyze() matches them against each rule's own list.
    .map((id) => (tool === 'hadolint' ? id.toUpperCase() : id));
}

const isEol = (c: number): boolean => c === 10 || c === 13;

/**
 * The text document dockerfile-ast reads positions from, over the model's own line table (the library's
 * document would scan the whole text again for its own). Positions and offsets as that document gives
 * them: an offset inside a line break counts as the end of the line.
 */
export class DocTextDocument implements TextDocument {
  readonly uri = '';
  readonly languageId = 'dockerfile';
  readonly version = 0;
  constructor(private readonly doc: DocText) {}
  get lineCount(): number {
    return this.doc.lineCount;
  }
  getText(range?: Range): string {
    return range ? this.doc.text.substring(this.offsetAt(range.start), this.offsetAt(range.end)) : this.doc.text;
  }
  positionAt(offset: number): Position {
    const line = this.doc.lineAt(offset);
    const start = this.doc.lineStarts[line];
    return { line, character: this.beforeEol(Math.max(0, Math.min(offset, this.doc.text.length)), start) - start };
  }
  offsetAt(position: Position): number {
    const starts = this.doc.lineStarts;
    if (position.line >= starts.length) return this.doc.text.length;
    if (position.line < 0) return 0;
    const start = starts[position.line];
    if (position.character <= 0) return start;
    const next = position.line + 1 < starts.length ? starts[position.line + 1] : this.doc.text.length;
    return this.beforeEol(Math.min(start + position.character, next), start);
  }
  getLineRange(line: number): Range {
    const starts = this.doc.lineStarts;
    const last = starts.length - 1;
    if (line > last) return { start: { line: last, character: 0 }, end: { line: last, character: this.doc.text.length - starts[last] } };
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { start: { line, character: 0 }, end: { line, character: this.doc.lineEndOffset(line) - starts[line] } };
  }
  getEOLCharacters(line: number): string {
    const starts = this.doc.lineStarts;
    if (line < 0 || line + 1 >= starts.length) return '';
    return this.doc.text.slice(this.doc.lineEndOffset(line), starts[line + 1]);
  }
  private beforeEol(offset: number, lineStart: number): number {
    while (offset > lineStart && isEol(this.doc.text.charCodeAt(offset - 1))) offset--;
    return offset;
  }
}

/** The text document and (empty) Dockerfile that dockerfile-ast's instruction objects read from: one per model. */
class TreeContext {
  private made: { document: TextDocument; dockerfile: DockerfileClass } | null = null;
  constructor(readonly doc: DocText) {}
  get(): { document: TextDocument; dockerfile: DockerfileClass } {
    if (!this.made) {
      const document = new DocTextDocument(this.doc);
      this.made = { document, dockerfile: new DockerfileClass(document) };
    }
    return this.made;
  }
}

/**
 * The words starting with `<<` in an instruction's arguments, when they sit on its first line and hold no
 * escape character (words are split at blanks, quotes included, as the reference parser splits them);
 * null otherwise.
 */
function heredocWordsOfLine(text: string, from: number, to: number, escape: string): string[] | null {
  const words: string[] = [];
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r' || c === escape) return null;
    if (c === '<' && text[i + 1] === '<' && (text[i - 1] === ' ' || text[i - 1] === '\t')) {
      let j = i;
      while (j < to && text[j] !== ' ' && text[j] !== '\t') {
        if (text[j] === '\n' || text[j] === '\r' || text[j] === escape) return null;
        j++;
      }
      words.push(text.slice(i, j));
      i = j - 1;
    }
  }
  return words;
}

/** Builds dockerfile-ast instruction objects one at a time, for the instructions something asks about. */
class LazyTrees {
  constructor(
    private readonly context: TreeContext,
    private readonly escape: string,
  ) {}
  get doc(): DocText {
    return this.context.doc;
  }
  create(ins: ScannedInstruction): Instruction {
    const { document, dockerfile } = this.context.get();
    const start = this.doc.positionAt(ins.start);
    const lineRange = { start, end: this.doc.positionAt(ins.end) };
    const keywordRange = { start, end: this.doc.positionAt(ins.keywordEnd) };
    return AstParser.createInstruction(document, dockerfile, this.escape, lineRange, ins.instruction, keywordRange);
  }
}

class InstrImpl implements Instr {
  private tree: Instruction | null = null;
  stage: Stage | null = null;
  run?: RunInfo;
  onbuildRun?: RunInfo;
  constructor(
    private readonly trees: LazyTrees,
    private readonly scanned: ScannedInstruction,
    readonly keyword: string,
    readonly start: number,
    readonly end: number,
    readonly line: number,
    readonly endLine: number,
    readonly ignores: ReadonlySet<string>,
  ) {}
  get node(): Instruction {
    return (this.tree ??= this.trees.create(this.scanned));
  }
  text(): string {
    return this.trees.doc.text.slice(this.start, this.end);
  }
}

/** The ignores of an instruction without ignore comments above it (most of them): one shared empty set. */
const NO_IGNORES: ReadonlySet<string> = new Set<string>();

export function buildModel(text: string, context: AnalysisContext = {}): Model {
  const doc = new DocText(text);
  const treeContext = new TreeContext(doc);
  const heredocTrees = new Map<string, LazyTrees>();
  const scan = scanDockerfile(text, doc.lineStarts, (ins, lineEnd, esc) => {
    // Heredoc names are read from the instruction's own argument words (a rare path: lines with `<<`):
    // from the text when the arguments are one line without escapes, else from its tree.
    const quick = ins.instruction.toUpperCase() === 'ONBUILD' ? null : heredocWordsOfLine(text, ins.keywordEnd, lineEnd, esc);
    if (quick) return quick;
    let t = heredocTrees.get(esc);
    if (!t) heredocTrees.set(esc, (t = new LazyTrees(treeContext, esc)));
    const node = t.create(ins);
    const target = node.getKeyword() === 'ONBUILD' ? (node as Onbuild).getTriggerInstruction() : node;
    return target ? target.getArguments().map((a) => a.getValue()) : [];
  });
  const escape = scan.escape;
  const trees = new LazyTrees(treeContext, escape);
  const globalIgnores = new Set<string>();
  const globalArgs = new Map<string, string | null>();

  // Pragmas: a comment line directly above an instruction (a block of them: each applies), a stage one directly
  // above a FROM, a global one anywhere; shell declarations in file order.
  const lineIgnores = new Map<number, { ids: string[]; stage: boolean }>();
  const shellPragmas: { line: number; posix: boolean }[] = [];
  for (let l = 0; l < doc.lineCount; l++) {
    const lt = doc.text.charCodeAt(doc.lineStarts[l]);
    // Cheap pre-check: only lines that could start with '#'.
    if (lt !== 35 && lt !== 32 && lt !== 9 && lt !== 0xfeff) continue;
    const lineText = doc.lineText(l).replace(/^\uFEFF/, '');
    const m = PRAGMA.exec(lineText);
    if (!m) {
      const sh = SHELL_PRAGMA.exec(lineText);
      if (sh) {
        shellPragmas.push({ line: l, posix: POSIX_SHELL_NAME.test(sh[1]) });
        // Part of a block of pragma lines: the ignores above it still reach the instruction below.
        lineIgnores.set(l, { ids: [], stage: false });
      }
      continue;
    }
    const ids = pragmaIds(m[1], m[3]);
    if (m[2] === 'global') ids.forEach((id) => globalIgnores.add(id));
    else lineIgnores.set(l, { ids, stage: m[2] === 'stage' });
  }
  let nextShellPragma = 0;

  const instructions: Instr[] = [];
  const stages: Stage[] = [];
  const byAlias = new Map<string, Stage>();
  let current: Stage | null = null;
  let continuationIndent: string | null = null;
  let shellPosix = true;
  let shellErrexit = false;
  let unterminatedHeredoc: number | null = null;

  for (let k = 0; k < scan.instructions.length; k++) {
    const scanned = scan.instructions[k];
    const start = scanned.start;
    const end = scanned.end;
    const line = doc.lineAt(start);
    const endLine = doc.lineAt(end);
    const keyword = scanned.instruction.toUpperCase();
    let ignores: ReadonlySet<string> = NO_IGNORES;
    let stageIgnores: ReadonlySet<string> = NO_IGNORES;
    if (lineIgnores.size > 0 && lineIgnores.has(line - 1)) {
      const named = new Set<string>();
      const forStage = new Set<string>();
      for (let l = line - 1; l >= 0 && lineIgnores.has(l); l--) {
        const p = lineIgnores.get(l)!;
        // A stage ignore applies only when a FROM follows it (hadolint drops it otherwise).
        if (p.stage) {
          if (keyword === 'FROM') p.ids.forEach((id) => forStage.add(id));
        } else p.ids.forEach((id) => named.add(id));
      }
      if (named.size > 0) ignores = named;
      if (forStage.size > 0) stageIgnores = forStage;
    }
    // The shell declarations between the previous instruction and this one (the last one counts).
    let declaredPosix: boolean | null = null;
    while (nextShellPragma < shellPragmas.length && shellPragmas[nextShellPragma].line < line) declaredPosix = shellPragmas[nextShellPragma++].posix;
    const instr = new InstrImpl(trees, scanned, keyword, start, end, line, endLine, ignores);
    if (current === null && keyword === 'ARG') {
      const prop = (instr.node as unknown as { getProperty(): { getName(): string; getValue(): string | null } | null }).getProperty();
      if (prop) globalArgs.set(prop.getName(), prop.getValue());
    }
    if (continuationIndent === null && endLine > line) {
      const ind = doc.indentOf(line + 1);
      if (ind.length > 0) continuationIndent = ind;
    }
    if (keyword === 'FROM') {
      const parts = fromParts(doc.text, scanned.keywordEnd, end, escape) ?? fromPartsOfTree(instr.node as From, doc);
      const imageText = resolveImageText(parts.image, globalArgs);
      const alias = parts.alias;
      current = {
        index: stages.length,
        get from() {
          return this.fromInstr.node as From;
        },
        fromInstr: instr,
        imageText,
        rawImageText: parts.image,
        image: imageText ? parseImageRef(imageText) : null,
        alias: alias ? alias.toLowerCase() : null,
        baseStage: null,
        instructions: [],
        isFinal: false,
        usedByLaterStage: false,
        posixShell: true,
        ignores: stageIgnores,
      };
      if (imageText) {
        const base = byAlias.get(imageText.toLowerCase());
        if (base) {
          current.baseStage = base;
          base.usedByLaterStage = true;
          current.posixShell = base.posixShell;
        }
      }
      if (declaredPosix !== null) current.posixShell = declaredPosix;
      shellPosix = current.posixShell;
      shellErrexit = false;
      stages.push(current);
      if (current.alias !== null && !byAlias.has(current.alias)) byAlias.set(current.alias, current);
      instr.stage = current;
    } else if (current) {
      instr.stage = current;
      current.instructions.push(instr);
      if (declaredPosix !== null) {
        shellPosix = declaredPosix;
        shellErrexit = false;
        current.posixShell = shellPosix;
      }
      if (keyword === 'SHELL') {
        shellPosix = isPosixShell(instr.node);
        shellErrexit = shellPosix && isErrexitShell(instr.node);
        current.posixShell = shellPosix;
      }
      if (keyword === 'RUN') instr.run = runInfo(instr, scanned.keywordEnd, scanned.heredocs, doc, escape, start, end, shellPosix, shellErrexit);
      if (keyword === 'ONBUILD') {
        const trigger = (instr.node as Onbuild).getTriggerInstruction();
        if (trigger && trigger.getKeyword().toUpperCase() === 'RUN') instr.onbuildRun = runInfo({ node: trigger }, null, null, doc, escape, start, end, shellPosix, shellErrexit);
      }
      if (keyword === 'COPY' || keyword === 'ADD') {
        const lead = leadingFlags(doc.text, scanned.keywordEnd, end, escape);
        const flags = lead ? lead.flags : (instr.node as Run).getFlags().map((f) => ({ name: f.getName().toLowerCase(), value: f.getValue() }));
        const v = flags.find((f) => f.name === 'from')?.value?.toLowerCase();
        const src = v ? (byAlias.get(v) ?? (/^\d+$/.test(v) ? stages[Number(v)] : undefined)) : undefined;
        if (src && src !== current) src.usedByLaterStage = true;
      }
      if (keyword === 'RUN' && instr.run) {
        for (const f of instr.run.flags) {
          if (f.name !== 'mount' || !f.value) continue;
          const m = /(?:^|,)from=([^,]+)/.exec(f.value);
          const src = m && (byAlias.get(m[1].toLowerCase()) ?? (/^\d+$/.test(m[1]) ? stages[Number(m[1])] : undefined));
          if (src && src !== current) src.usedByLaterStage = true;
        }
      }
    }
    if (unterminatedHeredoc === null && scanned.heredocOpen) unterminatedHeredoc = start;
    instructions.push(instr);
  }
  if (stages.length > 0) stages[stages.length - 1].isFinal = true;

  return {
    doc,
    directives: scan.directives,
    escape,
    instructions,
    stages,
    globalArgs,
    globalIgnores,
    continuationIndent: continuationIndent ?? '    ',
    unterminatedHeredoc,
    files: context.files ?? null,
    path: context.path ?? null,
  };
}

/** Whether a SHELL instruction names a POSIX shell (sh, bash, ash, dash, ksh, zsh). */
export function isPosixShell(node: Instruction): boolean {
  const raw = (node.getRawArgumentsContent() ?? '').trim();
  try {
    const arr = JSON.parse(raw);
    if (Array.isArray(arr) && typeof arr[0] === 'string') return /(^|\/)(ba|a|da|k|z)?sh$/.test(arr[0]);
  } catch {
    // not JSON: not a valid SHELL either
  }
  return false;
}

/** Whether a (POSIX) SHELL's options turn on errexit: `-e`, `-eux`, `-o errexit`. */
function isErrexitShell(node: Instruction): boolean {
  try {
    const arr = JSON.parse((node.getRawArgumentsContent() ?? '').trim());
    if (!Array.isArray(arr)) return false;
    return arr.slice(1).some((a, k, all) => (typeof a === 'string' && isShortFlagsWith(a, 'e') && a !== '-c') || (a === '-o' && all[k + 1] === 'errexit'));
  } catch {
    return false;
  }
}

/** Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` from the ARGs declared before the first FROM. */
export function substituteArgs(text: string, args: Map<string, string | null>): string {
  // `$NAME` and `${NAME` by a regex; the `}` after `${NAME:-` by indexOf, found once for every reference
  // that it closes (`[^}]*\}` in the regex rescans the rest of the text from every unclosed `${`).
  const ref = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+]))?|([A-Za-z_][A-Za-z0-9_]*))/g;
  let out = '';
  let from = 0;
  let close = -2;
  for (let m = ref.exec(text); m; m = ref.exec(text)) {
    const [all, braced, op, bare] = m;
    const after = m.index + all.length;
    let end = after;
    let word = '';
    if (braced !== undefined && op === undefined) {
      if (text[after] !== '}') continue;
      end = after + 1;
    } else if (braced !== undefined) {
      if (close !== -1 && close < after) close = text.indexOf('}', after);
      if (close < 0) continue;
      word = text.slice(after, close);
      end = close + 1;
    }
    const v = args.get(braced ?? bare);
    const set = v !== undefined && v !== null && v !== '';
    out += text.slice(from, m.index) + (op === '-' ? (set ? (v as string) : word) : op === '+' ? (set ? word : '') : set ? (v as string) : '');
    from = end;
    ref.lastIndex = end;
  }
  return out + text.slice(from);
}

function resolveImageText(raw: string | null, args: Map<string, string | null>): string | null {
  if (raw === null) return null;
  const v = raw.includes('$') ? substituteArgs(raw, args) : raw;
  return v.trim() || null;
}

/** Where the word at `i` ends (a blank or line break), or -1 when it holds a quote or an escape character. */
function plainWordEnd(text: string, i: number, end: number, escape: string): number {
  let j = i;
  while (j < end) {
    const c = text[j];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
    if (c === '"' || c === "'" || c === escape) return -1;
    j++;
  }
  return j;
}

/** A FROM's image (as written) and stage name, read from the text; null when a word holds a quote or an escape. */
export function fromParts(text: string, keywordEnd: number, end: number, escape: string): { image: string | null; alias: string | null } | null {
  const lead = leadingFlags(text, keywordEnd, end, escape);
  if (!lead) return null;
  const words: string[] = [];
  let i = lead.rest;
  while (i < end && words.length < 3) {
    const j = plainWordEnd(text, i, end, escape);
    if (j === -1) return null;
    words.push(text.slice(i, j));
    i = argumentsStart(text, j, end, escape);
  }
  return { image: words[0] ?? null, alias: words.length > 2 && words[1].toUpperCase() === 'AS' ? words[2] : null };
}

function fromPartsOfTree(from: From, doc: DocText): { image: string | null; alias: string | null } {
  const r = from.getImageRange();
  return { image: r ? doc.text.slice(doc.offsetAt(r.start), doc.offsetAt(r.end)) : null, alias: from.getBuildStage() };
}

/**
 * Where an instruction's arguments start: past the blanks after the keyword, escaped line breaks, and the
 * blank and comment lines inside the continuation. `end` when it has none.
 */
export function argumentsStart(text: string, from: number, end: number, escape: string): number {
  let i = from;
  let lineStart = false;
  while (i < end) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (!lineStart) return i;
      i++;
      continue;
    }
    if (lineStart && c === '#') {
      while (i < end && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === escape) {
      let j = i + 1;
      while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
      if (j >= end) return end;
      if (text[j] === '\n' || text[j] === '\r') {
        i = text[j] === '\r' && text[j + 1] === '\n' ? j + 2 : j + 1;
        lineStart = true;
        continue;
      }
    }
    return i;
  }
  return end;
}

/**
 * The `--name[=value]` words an instruction's arguments start with, and where the rest starts. Null when
 * a flag word holds a quote or an escape character (the syntax tree reads those).
 */
export function leadingFlags(text: string, keywordEnd: number, end: number, escape: string): { flags: RunFlag[]; rest: number } | null {
  const flags: RunFlag[] = [];
  let i = argumentsStart(text, keywordEnd, end, escape);
  while (i < end && text.startsWith('--', i)) {
    const j = plainWordEnd(text, i, end, escape);
    if (j === -1) return null;
    const word = text.slice(i, j);
    const eq = word.indexOf('=');
    flags.push({ name: (eq === -1 ? word.slice(2) : word.slice(2, eq)).toLowerCase(), value: eq === -1 ? null : word.slice(eq + 1), text: word });
    i = argumentsStart(text, j, end, escape);
  }
  return { flags, rest: i };
}

/**
 * A RUN's flags and body, read from the text; a flag with quotes or escapes, and ONBUILD's trigger, ask
 * the syntax tree.
 */
function runInfo(source: { readonly node: Instruction }, keywordEnd: number | null, heredocCount: number | null, doc: DocText, escape: string, start: number, end: number, posix: boolean, shellErrexit: boolean): RunInfo {
  let flags: RunFlag[] = [];
  let bodyStart = end;
  let hasArgs: boolean;
  let heredocs: number;
  const lead = keywordEnd === null ? null : leadingFlags(doc.text, keywordEnd, end, escape);
  if (lead && heredocCount !== null) {
    flags = lead.flags;
    hasArgs = lead.rest < end;
    bodyStart = lead.rest;
    heredocs = heredocCount;
  } else {
    // The syntax tree (a RUN, or ONBUILD's trigger), for flags with quotes or escapes.
    const n = source.node as Run;
    flags = n.getFlags().map((f) => ({
      name: f.getName().toLowerCase(),
      value: f.getValue(),
      text: doc.text.slice(doc.offsetAt(f.getRange().start), doc.offsetAt(f.getRange().end)),
    }));
    const args = n.getArguments();
    hasArgs = args.length > 0;
    if (hasArgs) bodyStart = doc.offsetAt(args[0].getRange().start);
    heredocs = heredocCount ?? n.getHeredocs().length;
  }
  const flagsKey =
    flags.length === 0
      ? ''
      : flags
          .map((f) => `${f.name}=${f.value ?? ''}`)
          .sort()
          .join(' ');
  let bodyEnd = end;
  // The instruction's range may end in trailing blanks; the body does not.
  while (bodyEnd > bodyStart && /[ \t]/.test(doc.text[bodyEnd - 1])) bodyEnd--;
  const joined = joinContinuations(doc.text, bodyStart, bodyEnd, escape);
  const body = joined.body;
  let form: RunInfo['form'] = 'shell';
  if (!hasArgs || body.trim() === '') form = 'empty';
  else if (heredocs > 0) form = 'heredoc';
  else if (body.trimStart().startsWith('[')) {
    try {
      if (Array.isArray(JSON.parse(body))) form = 'exec';
    } catch {
      // A body that starts with '[' but is not JSON is shell form (e.g. `[ -f x ] && …`).
    }
  }
  return new RunBody(flags, flagsKey, form, bodyStart, bodyEnd, joined, posix, shellErrexit);
}

/** A RUN's body and flags (see RunInfo); a class, so that thousands of RUNs share their methods. */
class RunBody implements RunInfo {
  readonly body: string;
  private parsed: ShellScript | null | undefined = undefined;
  constructor(
    readonly flags: RunFlag[],
    readonly flagsKey: string,
    readonly form: RunInfo['form'],
    readonly bodyStart: number,
    readonly bodyEnd: number,
    private readonly joined: JoinedBody,
    private readonly posix: boolean,
    readonly shellErrexit: boolean,
  ) {
    this.body = joined.body;
  }
  get map(): number[] {
    return this.joined.map;
  }
  script(): ShellScript | null {
    if (this.parsed !== undefined) return this.parsed;
    const shell = this.form === 'shell' && this.posix;
    const result = shell ? parseShell(this.body) : null;
    // Before the grammar has loaded there is no tree yet, which is not the same as no tree at all.
    if (result !== null || !shell || shellReady()) this.parsed = result;
    return result;
  }
}

/**
 * Joins an instruction body as the builder does: an escape character followed by blanks and a line
 * break continues the line; inside a continued instruction, comment lines and empty lines are dropped.
 * The body is built from slices of the text; `map` (document offset of each body character) is built
 * from them only when something asks for it.
 */
export function joinContinuations(text: string, from: number, to: number, escape: string): JoinedBody {
  // Kept pieces: [start, end) ranges of the text, in order.
  const pieces: number[] = [];
  let pieceStart = from;
  let i = from;
  let atLineStart = false;
  while (i < to) {
    if (atLineStart) {
      // Skip comment lines and blank lines inside a continued instruction.
      let j = i;
      while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
      if (text[j] === '#' || text[j] === '\n' || text[j] === '\r') {
        while (j < to && text[j] !== '\n' && text[j] !== '\r') j++;
        if (text[j] === '\r' && text[j + 1] === '\n') j += 2;
        else if (j < to) j++;
        i = j;
        pieceStart = i;
        continue;
      }
      atLineStart = false;
    }
    const next = text.indexOf(escape, i);
    if (next === -1 || next >= to) {
      i = to;
      break;
    }
    let j = next + 1;
    while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
    if (text[j] === '\n' || text[j] === '\r' || j >= to) {
      if (next > pieceStart) pieces.push(pieceStart, next);
      if (text[j] === '\r' && text[j + 1] === '\n') j += 2;
      else j++;
      i = j;
      pieceStart = i;
      atLineStart = true;
      continue;
    }
    i = next + 1;
  }
  if (to > pieceStart && pieceStart < to) pieces.push(pieceStart, Math.min(i, to));
  let body = '';
  for (let k = 0; k < pieces.length; k += 2) body += text.slice(pieces[k], pieces[k + 1]);
  return new JoinedBody(body, pieces, to);
}

/** A joined body, and the document offset of each of its characters (built on first use). */
class JoinedBody {
  private offsets: number[] | null = null;
  constructor(
    readonly body: string,
    private readonly pieces: number[],
    private readonly to: number,
  ) {}
  get map(): number[] {
    if (!this.offsets) {
      const map: number[] = [];
      const pieces = this.pieces;
      for (let k = 0; k < pieces.length; k += 2) for (let o = pieces[k]; o < pieces[k + 1]; o++) map.push(o);
      map.push(this.to);
      this.offsets = map;
    }
    return this.offsets;
  }
}

/** The `name=value` properties of an ARG or ENV instruction, as dockerfile-ast reads them (none for other keywords). */
export function instrProperties(i: Instr): { getName(): string; getValue(): string | null }[] {
  return (i.node as unknown as { getProperties?: () => { getName(): string; getValue(): string | null }[] }).getProperties?.() ?? [];
}

/** Offset in the document just past body character `end - 1` (the end of a span of the body). */
export function docEnd(run: RunInfo, end: number): number {
  return end <= 0 ? run.bodyStart : run.map[end - 1] + 1;
}

/** The stage that contains an instruction line, if any. */
export function stageAt(model: Model, line: number): Stage | null {
  let found: Stage | null = null;
  for (const s of model.stages) if (s.fromInstr.line <= line) found = s;
  return found;
}

/** Every RUN whose body parsed as POSIX shell, in file order, with its stage. */
export type ShellRun = { stage: Stage; instr: Instr; run: RunInfo; script: ShellScript };

/**
 * The index of the first instruction that ends at or after `offset` (`instructions.length` when none does):
 * instructions are in file order, so a binary search (code actions and suppression ask per finding).
 */
export function firstInstructionEndingAt(model: Model, offset: number): number {
  const list = model.instructions;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every RUN whose body mentions `mention` (a cheap text test that spares the shell parse of the others) and
 * parses as POSIX shell, in file order, with its stage.
 */
const shellRunMemo = new WeakMap<Model, Map<string, readonly ShellRun[]>>();

export function shellRuns(model: Model, mention: RegExp): readonly ShellRun[] {
  let byMention = shellRunMemo.get(model);
  if (!byMention) shellRunMemo.set(model, (byMention = new Map()));
  let runs = byMention.get(mention.source);
  if (!runs) byMention.set(mention.source, (runs = findShellRuns(model, mention)));
  return runs;
}

function findShellRuns(model: Model, mention: RegExp): ShellRun[] {
  const out: ShellRun[] = [];
  // Indexed loops: this runs over every instruction once per mention, often before the engine has optimised it.
  for (let s = 0; s < model.stages.length; s++) {
    const stage = model.stages[s];
    for (let k = 0; k < stage.instructions.length; k++) {
      const instr = stage.instructions[k];
      const run = instr.run;
      if (!run || run.form !== 'shell' || !mention.test(run.body)) continue;
      const script = run.script();
      if (script) out.push({ stage, instr, run, script });
    }
  }
  return out;
}
