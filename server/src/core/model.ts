/**
 * The model every rule and fix reads: parsed once per document version. Stages, instructions with
 * their offsets, RUN bodies joined across continuations (with a map back to document offsets),
 * resolved base images, and ignore pragmas.
 */
import { DockerfileParser, type Instruction, type From, type Dockerfile, type Run, type Onbuild } from 'dockerfile-ast';
import { Dockerfile as DockerfileClass } from 'dockerfile-ast/lib/dockerfile';
import { DocText } from './document';
import type { AnalysisContext, WorkspaceFiles } from './types';
import { parseShell, type ShellScript } from './shell';
import { parseImageRef, type ImageRef } from '../knowledge/base-images';

// dockerfile-ast hands every comment to its build stage after parsing, recomputing each stage's range
// per comment: quadratic, and 70 % of the parse of a 50,000-line file. The model never reads the
// per-stage comment lists (comments and pragmas are read from the text), so that step is skipped.
(DockerfileClass.prototype as unknown as { organizeComments(): void }).organizeComments = function organizeComments(): void {};

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
  /** Document offset of each body character; `map[body.length]` is the offset just past the body. */
  map: number[];
  /** The body's shell parse; null when it is not POSIX shell form or does not parse. */
  script(): ShellScript | null;
  /** The stage's SHELL runs bodies with errexit (`-e`, `-o errexit`), so a failing command ends the body. */
  shellErrexit: boolean;
}

export interface Instr {
  node: Instruction;
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
  ignores: Set<string>;
}

export interface Stage {
  index: number;
  from: From;
  fromInstr: Instr;
  /** The image as written, with ARGs before the first FROM substituted. */
  imageText: string | null;
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
}

export interface Model {
  doc: DocText;
  ast: Dockerfile;
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
}

const PRAGMA = /^[ \t]*#[ \t]*(hadolint|dockerfile-lean)[ \t]+(global[ \t]+)?ignore[ \t]*=[ \t]*([A-Za-z0-9_,\- \t]+)/;

function pragmaIds(tool: string, list: string): string[] {
  return list
    .split(/[,\s]+/)
    .filter(Boolean)
    // hadolint codes are kept as written (upper-cased); analyze() matches them against each rule's own list.
    .map((id) => (tool === 'hadolint' ? id.toUpperCase() : id));
}

export function buildModel(text: string, context: AnalysisContext = {}): Model {
  const doc = new DocText(text);
  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter();
  const globalIgnores = new Set<string>();
  const globalArgs = new Map<string, string | null>();
  for (const arg of ast.getInitialARGs()) {
    const prop = arg.getProperty();
    if (prop) globalArgs.set(prop.getName(), prop.getValue());
  }

  // Pragmas: a comment line directly above an instruction, or a global one anywhere.
  const lineIgnores = new Map<number, string[]>();
  for (let l = 0; l < doc.lineCount; l++) {
    const lt = doc.text.charCodeAt(doc.lineStarts[l]);
    // Cheap pre-check: only lines that could start with '#'.
    if (lt !== 35 && lt !== 32 && lt !== 9 && lt !== 0xfeff) continue;
    const m = PRAGMA.exec(doc.lineText(l).replace(/^\uFEFF/, ''));
    if (!m) continue;
    const ids = pragmaIds(m[1], m[3]);
    if (m[2]) ids.forEach((id) => globalIgnores.add(id));
    else lineIgnores.set(l, ids);
  }

  const instructions: Instr[] = [];
  const stages: Stage[] = [];
  let current: Stage | null = null;
  let continuationIndent: string | null = null;
  let shellPosix = true;
  let shellErrexit = false;
  let unterminatedHeredoc: number | null = null;

  for (const node of ast.getInstructions()) {
    const r = node.getRange();
    const start = doc.offsetAt(r.start);
    const end = doc.offsetAt(r.end);
    const keyword = node.getKeyword().toUpperCase();
    const ignores = new Set<string>();
    for (let l = r.start.line - 1; l >= 0 && lineIgnores.has(l); l--) lineIgnores.get(l)!.forEach((id) => ignores.add(id));
    const instr: Instr = { node, keyword, start, end, line: r.start.line, endLine: r.end.line, stage: null, ignores };
    if (continuationIndent === null && r.end.line > r.start.line) {
      const ind = doc.indentOf(r.start.line + 1);
      if (ind.length > 0) continuationIndent = ind;
    }
    if (keyword === 'FROM') {
      const from = node as From;
      const imageText = resolveImageText(from, doc, globalArgs);
      const alias = from.getBuildStage();
      current = {
        index: stages.length,
        from,
        fromInstr: instr,
        imageText,
        image: imageText ? parseImageRef(imageText) : null,
        alias: alias ? alias.toLowerCase() : null,
        baseStage: null,
        instructions: [],
        isFinal: false,
        usedByLaterStage: false,
        posixShell: true,
      };
      if (imageText) {
        const base = stages.find((s) => s.alias !== null && s.alias === imageText.toLowerCase());
        if (base) {
          current.baseStage = base;
          base.usedByLaterStage = true;
          current.posixShell = base.posixShell;
        }
      }
      shellPosix = current.posixShell;
      shellErrexit = false;
      stages.push(current);
      instr.stage = current;
    } else if (current) {
      instr.stage = current;
      current.instructions.push(instr);
      if (keyword === 'SHELL') {
        shellPosix = isPosixShell(node);
        shellErrexit = shellPosix && isErrexitShell(node);
        current.posixShell = shellPosix;
      }
      if (keyword === 'RUN') instr.run = runInfo(node as Run, doc, escape, start, end, shellPosix, shellErrexit);
      if (keyword === 'ONBUILD') {
        const trigger = (node as Onbuild).getTriggerInstruction();
        if (trigger && trigger.getKeyword().toUpperCase() === 'RUN') instr.onbuildRun = runInfo(trigger as Run, doc, escape, start, end, shellPosix, shellErrexit);
      }
      if (keyword === 'COPY' || keyword === 'ADD') {
        const fromFlag = (node as Run).getFlags().find((f) => f.getName().toLowerCase() === 'from');
        const v = fromFlag?.getValue()?.toLowerCase();
        if (v) {
          const src = stages.find((s) => s.alias === v || String(s.index) === v);
          if (src && src !== current) src.usedByLaterStage = true;
        }
      }
      if (keyword === 'RUN' && instr.run) {
        for (const f of instr.run.flags) {
          if (f.name !== 'mount' || !f.value) continue;
          const m = /(?:^|,)from=([^,]+)/.exec(f.value);
          const src = m && stages.find((s) => s.alias === m[1].toLowerCase() || String(s.index) === m[1]);
          if (src && src !== current) src.usedByLaterStage = true;
        }
      }
    }
    if (unterminatedHeredoc === null) {
      const heredocs = (node as unknown as { getHeredocs?: () => { getDelimiterRange(): unknown }[] }).getHeredocs?.() ?? [];
      if (heredocs.some((h) => h.getDelimiterRange() === null)) unterminatedHeredoc = start;
    }
    instructions.push(instr);
  }
  if (stages.length > 0) stages[stages.length - 1].isFinal = true;

  return {
    doc,
    ast,
    escape,
    instructions,
    stages,
    globalArgs,
    globalIgnores,
    continuationIndent: continuationIndent ?? '    ',
    unterminatedHeredoc,
    files: context.files ?? null,
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
    return arr.slice(1).some((a, k, all) => (typeof a === 'string' && /^-[a-zA-Z]*e[a-zA-Z]*$/.test(a) && a !== '-c') || (a === '-o' && all[k + 1] === 'errexit'));
  } catch {
    return false;
  }
}

/** Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` from the ARGs declared before the first FROM. */
export function substituteArgs(text: string, args: Map<string, string | null>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, op, word, bare) => {
    const name = braced ?? bare;
    const v = args.get(name);
    const set = v !== undefined && v !== null && v !== '';
    if (op === '-') return set ? (v as string) : word;
    if (op === '+') return set ? word : '';
    return set ? (v as string) : '';
  });
}

function resolveImageText(from: From, doc: DocText, args: Map<string, string | null>): string | null {
  const r = from.getImageRange();
  if (!r) return null;
  const raw = doc.text.slice(doc.offsetAt(r.start), doc.offsetAt(r.end));
  const v = raw.includes('$') ? substituteArgs(raw, args) : raw;
  return v.trim() || null;
}

function runInfo(node: Run, doc: DocText, escape: string, start: number, end: number, posix: boolean, shellErrexit: boolean): RunInfo {
  const flags: RunFlag[] = node.getFlags().map((f) => ({
    name: f.getName().toLowerCase(),
    value: f.getValue(),
    text: doc.text.slice(doc.offsetAt(f.getRange().start), doc.offsetAt(f.getRange().end)),
  }));
  const flagsKey = flags
    .map((f) => `${f.name}=${f.value ?? ''}`)
    .sort()
    .join(' ');
  const args = node.getArguments();
  const heredocs = node.getHeredocs();
  let bodyStart = end;
  if (args.length > 0) bodyStart = doc.offsetAt(args[0].getRange().start);
  let bodyEnd = end;
  // The instruction's range may end in trailing blanks; the body does not.
  while (bodyEnd > bodyStart && /[ \t]/.test(doc.text[bodyEnd - 1])) bodyEnd--;
  const { body, map } = joinContinuations(doc.text, bodyStart, bodyEnd, escape);
  let form: RunInfo['form'] = 'shell';
  if (args.length === 0 || body.trim() === '') form = 'empty';
  else if (heredocs.length > 0) form = 'heredoc';
  else if (body.trimStart().startsWith('[')) {
    try {
      if (Array.isArray(JSON.parse(body))) form = 'exec';
    } catch {
      // A body that starts with '[' but is not JSON is shell form (e.g. `[ -f x ] && …`).
    }
  }
  let parsed: ShellScript | null | undefined;
  return {
    flags,
    flagsKey,
    form,
    bodyStart,
    bodyEnd,
    body,
    map,
    shellErrexit,
    script() {
      if (parsed === undefined) parsed = form === 'shell' && posix ? parseShell(body) : null;
      return parsed;
    },
  };
}

/**
 * Joins an instruction body as the builder does: an escape character followed by blanks and a line
 * break continues the line; inside a continued instruction, comment lines and empty lines are dropped.
 */
export function joinContinuations(text: string, from: number, to: number, escape: string): { body: string; map: number[] } {
  let body = '';
  const map: number[] = [];
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
        continue;
      }
      atLineStart = false;
    }
    const c = text[i];
    if (c === escape) {
      let j = i + 1;
      while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
      if (text[j] === '\n' || text[j] === '\r' || j >= to) {
        if (text[j] === '\r' && text[j + 1] === '\n') j += 2;
        else j++;
        i = j;
        atLineStart = true;
        continue;
      }
    }
    body += c;
    map.push(i);
    i++;
  }
  map.push(to);
  return { body, map };
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
export function* shellRuns(model: Model): Generator<{ stage: Stage; instr: Instr; run: RunInfo; script: ShellScript }> {
  for (const stage of model.stages) {
    for (const instr of stage.instructions) {
      const run = instr.run;
      const script = run?.script();
      if (run && script) yield { stage, instr, run, script };
    }
  }
}
