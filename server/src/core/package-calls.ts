/**
 * Shared questions about package-manager calls in RUN bodies, read from the shell parse: which manager a
 * command runs with which subcommand, which options and packages it passes, whether a RUN mounts a cache
 * over a directory, whether a stage sets an environment variable, whether later stages inherit a stage whole.
 */
import { docEnd, instrProperties, type Instr, type Model, type RunInfo, type Stage } from './model';
import type { ShellCommand, ShellScript, ShellWord } from './shell';
import type { OffsetEdit } from './edits';

export interface PackageCall {
  cmd: ShellCommand;
  /** The manager as called, without a leading path (`apt-get`, `pip3`, `python3 -m pip` → `pip`). */
  manager: string;
  sub: string;
  /** Index in `cmd.args` of the subcommand word. */
  subIndex: number;
}

/** The names npm accepts for `install` (its aliases and the abbreviations it expands), per `npm help install`. */
export const NPM_INSTALL = new Set(['install', 'i', 'add', 'isntall', 'in', 'ins', 'inst', 'insta', 'instal']);
/** The names npm accepts for `ci`. */
export const NPM_CI = new Set(['ci', 'clean-install', 'install-clean', 'ic', 'isntall-clean']);

export interface ManagerSpec {
  /** Matches the command name (its last path component). */
  names: RegExp;
  /** Global options placed before the subcommand that take the next word as their value. */
  optsWithValue?: ReadonlySet<string>;
  /** Also recognise `python -m <module>` / `python3 -m <module>` (pip). */
  pythonModule?: string;
}

/** A command's name without its folder (`/usr/bin/apt-get` → `apt-get`). */
export function baseName(name: string): string {
  const k = name.lastIndexOf('/');
  return k < 0 ? name : name.slice(k + 1);
}

const memo = new WeakMap<ShellScript, Map<ManagerSpec, readonly PackageCall[]>>();

/**
 * Every call of a package manager in a script, with its subcommand, in source order. Found once per
 * script and manager (scripts are shared across document versions while their text is unchanged).
 */
export function packageCalls(script: ShellScript, spec: ManagerSpec): readonly PackageCall[] {
  let bySpec = memo.get(script);
  if (!bySpec) memo.set(script, (bySpec = new Map()));
  let calls = bySpec.get(spec);
  if (!calls) bySpec.set(spec, (calls = findCalls(script, spec)));
  return calls;
}

function findCalls(script: ShellScript, spec: ManagerSpec): PackageCall[] {
  const out: PackageCall[] = [];
  for (const cmd of script.commands) {
    if (cmd.name === null) continue;
    const name = baseName(cmd.name);
    let from = 0;
    let manager = name;
    if (spec.names.test(name)) {
      // the command itself
    } else if (spec.pythonModule && /^python[0-9.]*$/.test(name)) {
      const m = cmd.args.findIndex((a) => a.value === '-m');
      if (m < 0 || cmd.args[m + 1]?.value !== spec.pythonModule) continue;
      if (cmd.args.slice(0, m).some((a) => !(a.value ?? '').startsWith('-'))) continue;
      from = m + 2;
      manager = spec.pythonModule;
    } else continue;
    for (let k = from; k < cmd.args.length; k++) {
      const v = cmd.args[k].value;
      if (v === null) break;
      if (spec.optsWithValue?.has(v)) {
        k++;
        continue;
      }
      if (v.startsWith('-')) continue;
      out.push({ cmd, manager, sub: v, subIndex: k });
      break;
    }
  }
  return out;
}

/** Whether any argument of the command equals one of the given words, or starts with one given as `--x=`. */
export function hasOption(cmd: ShellCommand, ...options: string[]): boolean {
  return cmd.args.some((a) => a.value !== null && options.some((o) => (o.endsWith('=') ? a.value!.startsWith(o) : a.value === o)));
}

/** The words after the subcommand that are neither options nor option values: the packages, in order. */
export function operands(call: PackageCall, optsWithValue: ReadonlySet<string> = new Set()): ShellWord[] {
  const out: ShellWord[] = [];
  const args = call.cmd.args;
  for (let k = call.subIndex + 1; k < args.length; k++) {
    const v = args[k].value;
    if (v !== null && v.startsWith('-')) {
      if (optsWithValue.has(v)) k++;
      continue;
    }
    out.push(args[k]);
  }
  return out;
}

/** Whether the RUN mounts a cache or tmpfs on a target the pattern matches (`--mount=type=cache,target=…`). */
export function cacheMounted(i: Instr, target: RegExp | { test(target: string): boolean }): boolean {
  const run = i.run;
  if (!run) return false;
  return run.flags.some((f) => {
    if (f.name !== 'mount' || f.value === null || !/(^|,)type=(cache|tmpfs)(,|$)/.test(f.value)) return false;
    const m = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value);
    return !!m && target.test(m[1].replace(/^["']|["']$/g, ''));
  });
}

/** Whether an ENV of the stage (or a stage it builds on) before the instruction sets the variable non-empty. */
export function envSet(stage: Stage, name: string, before: Instr | null): boolean {
  // Once per stage and name, not once per RUN: a long stage of RUNs must not rescan its ENVs for each one.
  if (firstEnvSetting(stage, name) < (before && before.stage === stage ? before.start : Infinity)) return true;
  for (let s = stage.baseStage, depth = 1; s && depth < 64; s = s.baseStage, depth++) if (firstEnvSetting(s, name) !== Infinity) return true;
  return false;
}

const envSettings = new WeakMap<Stage, Map<string, number>>();

/** The offset of the stage's first ENV that sets `name` to something non-empty; Infinity when none does. */
function firstEnvSetting(stage: Stage, name: string): number {
  let byName = envSettings.get(stage);
  if (!byName) envSettings.set(stage, (byName = new Map()));
  let at = byName.get(name);
  if (at === undefined) {
    const i = stage.instructions.find((x) => {
      // The variable's name in the text first: most ENVs set something else, and reading properties builds a tree.
      if (x.keyword !== 'ENV' || !x.text().includes(name)) return false;
      const props = instrProperties(x);
      return props.some((p) => p.getName() === name && (p.getValue() ?? '') !== '');
    });
    at = i ? i.start : Infinity;
    byName.set(name, at);
  }
  return at;
}

/** Whether a command is run with `NAME=value` written before it. */
export function assignedBefore(cmd: ShellCommand, name: string): boolean {
  return cmd.assignments.some((a) => a.startsWith(`${name}=`) && a.length > name.length + 1);
}


/**
 * Inserts words right after a call's subcommand (`apk add` → `apk add --no-cache`); with `skipOptions`, after
 * the options that follow it instead, before the first operand (the set names options that take a value).
 */
export function insertAfterSubcommand(run: RunInfo, call: PackageCall, words: string[], skipOptions?: ReadonlySet<string>): OffsetEdit {
  const args = call.cmd.args;
  let last = call.subIndex;
  if (skipOptions) {
    for (let k = last + 1; k < args.length && (args[k].value ?? '').startsWith('-'); k++) {
      last = skipOptions.has(args[k].value!) && k + 1 < args.length ? ++k : k;
    }
  }
  const at = docEnd(run, args[last].end);
  return { start: at, end: at, text: ' ' + words.join(' ') };
}

/** Replaces one word of a RUN body. */
export function replaceWord(run: RunInfo, word: ShellWord, text: string): OffsetEdit {
  return { start: run.map[word.start], end: docEnd(run, word.end), text };
}

/**
 * Removes a word together with the blanks and continuations before it, back to the end of the previous word.
 * Null when comment lines stand in between (they would go too).
 */
export function removeWordAfter(model: Model, run: RunInfo, prev: ShellWord, word: ShellWord): OffsetEdit | null {
  const start = docEnd(run, prev.end);
  const end = docEnd(run, word.end);
  if (model.doc.text.slice(start, end).includes('#')) return null;
  return { start, end, text: '' };
}
