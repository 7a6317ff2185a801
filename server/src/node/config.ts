/**
 * The project config file: `.dockerfilelean.json`, `.dockerfilelean.yaml` or `.dockerfilelean.yml`, with a severity
 * and options per rule and paths to leave out of discovery. Found from a Dockerfile's folder upward; the search
 * stops at the repository root (a folder that holds `.git`), at the language server's workspace folder that
 * holds the document, or at the file-system root, so a config file above the repository or the workspace folder
 * never applies. The CLI and the server read it here (the core only ever sees Settings); files are cached by
 * path, identity, modification time and size, so an edited config is read again on its next use.
 *
 * A config file the search finds is not read (one error, the defaults apply) when
 * - it, or the link that names it, belongs to another user than the one running (root excepted) and its
 *   folder is writable by anyone: a file planted in `/tmp` must not configure `/tmp/project`, which has no
 *   `.git` to stop the search;
 * - it is a symbolic link to a file outside the folder where the search ends (the repository root or the
 *   workspace folder; when neither is above it, the folder holding the link).
 * A file named with `--config` is the user's choice: read wherever it is and whoever owns it. Every read is
 * bounded (node/files.ts): regular files only, at most 1 MB.
 *
 * A file that does not parse or says something unknown gives one error (file, line, column, what is wrong) and
 * no config at all: the defaults apply, as if the file were not there.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Yaml from 'yaml';
import type { Node as YamlNode, Pair, Scalar } from 'yaml';
import { isInside, plantedBy, readBounded, realFolder } from './files';
import { printable } from '../core/printable';
import { SEVERITIES, type RuleOptions, type Settings, type SeveritySetting } from '../core/types';
import { RULES, RULE_IDS, getRule } from '../rules/index';
import { optionProblem } from '../rules/options';

/** In the order they are looked for in each folder: the first one found is the config. */
export const CONFIG_NAMES = ['.dockerfilelean.json', '.dockerfilelean.yaml', '.dockerfilelean.yml'] as const;

const MAX_BYTES = 1 << 20;

/** The YAML parser, loaded on first use: most runs meet no config file and need not pay for it. */
let yamlModule: typeof Yaml | null = null;
export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof Yaml);
}
const isMap = (n: unknown): n is Yaml.YAMLMap => yaml().isMap(n);
const isSeq = (n: unknown): n is Yaml.YAMLSeq => yaml().isSeq(n);
const isScalar = (n: unknown): n is Scalar => yaml().isScalar(n);

export interface ProjectConfig {
  /** Absolute path of the file. */
  file: string;
  /** Per rule id: a severity or 'off'. */
  rules: Record<string, SeveritySetting>;
  /** Per rule id: its options, each valid for the rule. */
  options: Record<string, RuleOptions>;
  /** gitignore-style patterns, relative to the config file's folder, that discovery skips. */
  ignore: string[];
}

export interface ConfigError {
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** Where what is wrong ends (1-based), when known: the key or value it names. */
  endLine?: number;
  endColumn?: number;
  message: string;
}

export interface LoadedConfig {
  /** Null when the file has an error: the defaults apply. */
  config: ProjectConfig | null;
  /** The first error (the one the CLI prints), or null. */
  error: ConfigError | null;
  /** Every error, in file order (`error` is the first); absent or empty when there is none. */
  errors?: ConfigError[];
}

/**
 * `file:line:column: what is wrong`, as one line: the file name and what the message quotes of the file are
 * shown with control characters escaped (it goes to a terminal, a CI log or an editor's log).
 */
export function formatConfigError(e: ConfigError): string {
  return printable(`${e.file}:${e.line}:${e.column}: ${e.message}; the defaults apply instead`);
}

// ---------------------------------------------------------------------------------------------
// Finding and loading

/** Where a search for config (and ignore) files ends, besides a `.git` and the file-system root. */
export interface ConfigSearch {
  /** The workspace folder that holds the document (language server): searched, the folders above it not. */
  stopAt?: string | null;
}

/** Whether the upward search ends at `d` (after looking in it). */
export function searchEndsAt(d: string, search: ConfigSearch): boolean {
  return (!!search.stopAt && path.resolve(search.stopAt) === d) || exists(path.join(d, '.git'));
}

/**
 * From `dir` upward to where the search ends: the first folder's non-null `look`, else `end` of the folder
 * where the search ends (null at the file-system root).
 */
function upward<T>(dir: string, search: ConfigSearch, look: (d: string) => T | null, end: (d: string) => T | null): T | null {
  let d = path.resolve(dir);
  for (let depth = 0; depth < 256; depth++) {
    const hit = look(d);
    if (hit !== null) return hit;
    if (searchEndsAt(d, search)) return end(d);
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
  return null;
}

/** The config file that applies to files in `dir`, or null. */
export function findConfigFile(dir: string, search: ConfigSearch = {}): string | null {
  return upward(dir, search, (d) => CONFIG_NAMES.map((name) => path.join(d, name)).find(isFile) ?? null, () => null);
}

/** The folder where the search from `dir` ends (repository root or workspace folder), or null when none is above. */
export function searchTop(dir: string, search: ConfigSearch = {}): string | null {
  return upward(dir, search, () => null, (d) => d);
}

/** The config that applies to a Dockerfile in `dir` (null `loaded` when there is no config file). */
export function configForDir(dir: string, search: ConfigSearch = {}): LoadedConfig | null {
  const file = findConfigFile(dir, search);
  return file ? loadConfig(file, search) : null;
}

interface Cached {
  /** The `stat` (through links) and `lstat` of the path when it was read. */
  st: fs.Stats;
  lst: fs.Stats;
  loaded: LoadedConfig;
}
/** Per path: the file as read and checked. Per path and search end: a found file that is refused. */
const cache = new Map<string, Cached>();
const refused = new Map<string, Cached>();

const sameStat = (a: fs.Stats, b: fs.Stats): boolean => a.ino === b.ino && a.dev === b.dev && a.mtimeMs === b.mtimeMs && a.size === b.size && a.uid === b.uid;
const fresh = (c: Cached | undefined, st: fs.Stats, lst: fs.Stats): c is Cached => !!c && sameStat(c.st, st) && sameStat(c.lst, lst);

function remember(map: Map<string, Cached>, key: string, entry: Cached): LoadedConfig {
  if (map.size > 200) map.clear();
  map.set(key, entry);
  return entry.loaded;
}

/**
 * Reads and checks one config file (cached until it changes). `found` is given for a file the search found
 * (with where that search ends), and makes the rules of the header apply; without it the file was named.
 */
export function loadConfig(file: string, found?: ConfigSearch): LoadedConfig {
  const abs = path.resolve(file);
  const fail = (message: string): LoadedConfig => ({ config: null, error: { file, line: 1, column: 1, message } });
  let st: fs.Stats;
  let lst: fs.Stats;
  try {
    lst = fs.lstatSync(abs);
    st = lst.isSymbolicLink() ? fs.statSync(abs) : lst;
  } catch (err) {
    cache.delete(abs);
    return fail(`cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let within: string | undefined;
  if (found) {
    const key = `${abs}\0${found.stopAt ?? ''}`;
    const hit = refused.get(key);
    if (fresh(hit, st, lst)) return hit.loaded;
    let why = plantedBy(abs, lst, st);
    if (!why && lst.isSymbolicLink()) {
      const top = searchTop(path.dirname(abs), found) ?? path.dirname(abs);
      within = realFolder(top) ?? top;
      let real = '';
      try {
        real = fs.realpathSync.native(abs);
      } catch {
        // read below reports it
      }
      if (real && !isInside(real, within)) why = `a symbolic link to a file outside ${top}`;
    }
    if (why) return remember(refused, key, { st, lst, loaded: fail(`the config file is ${why}, so it is not read`) });
    refused.delete(key);
  }
  const hit = cache.get(abs);
  if (fresh(hit, st, lst)) return hit.loaded;
  let loaded: LoadedConfig;
  // A found file that is no link is opened as no link; a found link only to where it was checked to lead.
  const r = readBounded(abs, { maxBytes: MAX_BYTES, noFollow: !!found && !lst.isSymbolicLink(), within });
  if (!r.ok) {
    if (r.problem === 'not-file') loaded = fail('the config is not a file');
    else if (r.problem === 'too-large') loaded = fail(`the config file is larger than ${MAX_BYTES} bytes`);
    else loaded = fail(`cannot read the config file (${r.code ?? r.problem})`);
    // Not cached: a file that changed while it was checked and read is looked at again next time.
    if (r.problem === 'outside' || r.problem === 'link') return loaded;
  } else {
    try {
      loaded = parseConfig(r.data.toString('utf8'), abs, file);
    } catch (err) {
      loaded = fail(`cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return remember(cache, abs, { st, lst, loaded });
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking

class Problem extends Error {
  constructor(
    readonly at: number,
    message: string,
    /** Where the offending key or value ends, when known. */
    readonly end?: number,
  ) {
    super(message);
  }
}

/** Every problem of a file, in the order they are found: one per key or value, so each gets its diagnostic. */
type Problems = Problem[];

/** Runs `check`; a Problem it throws is recorded and the caller goes on with the next key. */
function collect(problems: Problems, check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof Problem) problems.push(err);
    else throw err;
  }
}

/** What the YAML parser's errors mean, in words for the person editing the file (by the parser's error code). */
const YAML_WORDS: Partial<Record<string, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'a value that is itself a mapping must start on the next line, indented under its key',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line (is a `:` missing after the key above?)',
  BAD_INDENT: 'this line is not indented like the keys next to it',
  TAB_AS_INDENT: 'YAML indents with spaces, not tabs',
  DUPLICATE_KEY: 'this key is already set above in the same mapping',
  MISSING_CHAR: 'a bracket, brace, quote or `:` is missing',
  UNEXPECTED_TOKEN: 'this text does not fit here (check the indentation and the `:` after each key)',
  BAD_SCALAR_START: 'a value cannot start with this character: put it in quotes',
  BLOCK_IN_FLOW: 'inside [ ] or { }, write the values on one line separated by commas',
  MULTIPLE_DOCS: 'the file holds more than one YAML document (`---`): keep one',
  BAD_DQ_ESCAPE: 'an unknown escape (`\\…`) inside double quotes',
  ALIAS_PROPS: 'an alias (`*name`) cannot have a tag or an anchor',
  BAD_ALIAS: 'an alias (`*name`) names no anchor above it',
};

function yamlWords(e: { code: string; message: string }): string {
  return YAML_WORDS[e.code] ?? e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses and checks config text. `abs` is where the file lives (its folder anchors `ignore`), `shown` how
 * errors name it. JSON files must be strict JSON; both kinds are then read through the YAML parser, whose
 * nodes know their positions, so every error points at its line.
 */
export function parseConfig(text: string, abs: string, shown: string = abs): LoadedConfig {
  const src = text.replace(/^\uFEFF/, '');
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  // Offsets in `src` (the BOM removed) are offsets in `text` less one: positions as the editor shows the file.
  const at = (offset: number, message: string, end?: number): ConfigError => {
    const p = lines.linePos(Math.max(0, Math.min(offset, src.length)));
    const e: ConfigError = { file: shown, line: p.line, column: p.col, message };
    if (end !== undefined && end > offset) {
      const q = lines.linePos(Math.max(0, Math.min(end, src.length)));
      e.endLine = q.line;
      e.endColumn = q.col;
    }
    return e;
  };
  const failAll = (errors: ConfigError[]): LoadedConfig => ({ config: null, error: errors[0], errors });
  const fail = (offset: number, message: string, end?: number): LoadedConfig => failAll([at(offset, message, end)]);
  if (abs.endsWith('.json')) {
    try {
      JSON.parse(src);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const offset = jsonErrorOffset(msg, src);
      // Count lines the same way as for the YAML positions.
      parseDocument(src, { lineCounter: lines });
      return fail(offset, `not valid JSON: ${msg.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`, offset + 1);
    }
  }
  // Repeated keys are found here, in one pass: yaml's own check (`uniqueKeys`) compares every key with each
  // earlier key of its mapping, quadratic in the keys (60,000 keys took about a minute).
  const doc = parseDocument(src, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const repeated = firstRepeatedKey(doc.contents as YamlNode | null);
  if (doc.errors.length || repeated) {
    // Every syntax error, once per place (the parser may report one place under two codes); the first repeated
    // key where yaml's own check would have put it (before the errors it finds after that mapping's key).
    const seen = new Set<number>();
    const errors: ConfigError[] = [];
    let repeatPending = repeated !== null;
    for (const e of doc.errors) {
      if (repeatPending && e.pos[0] > repeated!.after) {
        errors.push(at(repeated!.at, `not valid YAML: ${yamlWords({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique' })}`));
        repeatPending = false;
      }
      if (seen.has(e.pos[0])) continue;
      seen.add(e.pos[0]);
      errors.push(at(e.pos[0], `not valid YAML: ${yamlWords(e)}`, e.pos[1]));
    }
    if (repeatPending) errors.push(at(repeated!.at, `not valid YAML: ${yamlWords({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique' })}`));
    return failAll(errors);
  }
  const config: ProjectConfig = { file: abs, rules: {}, options: {}, ignore: [] };
  const problems: Problems = [];
  collect(problems, () => readTop(doc.contents as YamlNode | null, config, problems));
  if (problems.length > 0) return failAll(problems.map((p) => at(p.at, p.message, p.end)));
  return { config, error: null };
}

/**
 * The first key that repeats an earlier key of the same mapping, the one yaml's own check would report
 * first: where it starts (`at`), and where yaml would have reported it (`after`: a block mapping checks a
 * key before reading its value, a flow mapping after), to order it among the other errors. Keys compare as
 * yaml compares them: scalars by value (`1` and `"1"` differ, NaN never equals NaN), other keys never.
 * Aliases are not followed; an explicit stack, so nesting depth costs no call stack.
 */
function firstRepeatedKey(root: YamlNode | null): { at: number; after: number } | null {
  type Task = { node: unknown } | { key: unknown; seen: Set<unknown>; after: number };
  const todo: Task[] = [{ node: root }];
  while (todo.length) {
    const task = todo.pop()!;
    if ('seen' in task) {
      const k = task.key;
      if (!isScalar(k) || k.value !== k.value) continue;
      if (task.seen.has(k.value)) return { at: start(k), after: task.after };
      task.seen.add(k.value);
      continue;
    }
    const node = task.node;
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (let i = node.items.length - 1; i >= 0; i--) {
        const { key, value } = node.items[i];
        // Pushed in reverse: the key is visited first, then (block) the check and the value, or (flow) the
        // value and the check.
        const keyAt = start(key as YamlNode | null);
        if (node.flow) todo.push({ key, seen, after: Math.max(keyAt, (value as YamlNode | null)?.range?.[1] ?? keyAt) }, { node: value }, { node: key });
        else todo.push({ node: value }, { key, seen, after: keyAt }, { node: key });
      }
    } else if (isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) todo.push({ node: node.items[i] });
  }
  return null;
}

/** Where a JSON.parse error points: "at position N" (Node 20) or "(line L column C)" (later versions). */
function jsonErrorOffset(msg: string, src: string): number {
  const pos = /at position (\d+)/.exec(msg);
  if (pos) return Number(pos[1]);
  const lc = /\(line (\d+) column (\d+)\)/.exec(msg);
  if (lc) {
    let off = 0;
    for (let l = 1; l < Number(lc[1]); l++) off = src.indexOf('\n', off) + 1;
    return off + Number(lc[2]) - 1;
  }
  return src.length;
}

const start = (n: YamlNode | null | undefined): number => n?.range?.[0] ?? 0;
/** Where a node's own text ends (before any comment after it), or undefined. */
const endOf = (n: YamlNode | null | undefined): number | undefined => n?.range?.[1];

function keyOf(pair: Pair): { name: string; at: number; end: number | undefined } {
  const k = pair.key as YamlNode | null;
  const name = isScalar(k) ? String(k.value) : '';
  return { name, at: start(k), end: endOf(k) };
}

/** A Problem at a value, or at its key (`keyAt`..`keyEnd`) when the value has no place of its own. */
function valueProblem(node: YamlNode | null, keyAt: number, keyEnd: number | undefined, message: string): Problem {
  return start(node) ? new Problem(start(node), message, endOf(node)) : new Problem(keyAt, message, keyEnd);
}

function readTop(node: YamlNode | null, config: ProjectConfig, problems: Problems): void {
  if (node === null || (isScalar(node) && node.value === null)) return; // an empty file: nothing set
  if (!isMap(node)) throw new Problem(start(node), 'expected a mapping with `rules` and/or `ignore`', endOf(node));
  for (const pair of node.items) {
    collect(problems, () => {
      const { name, at, end } = keyOf(pair);
      const value = pair.value as YamlNode | null;
      if (name === 'rules') readRules(value, at, end, config, problems);
      else if (name === 'ignore') readIgnore(value, at, end, config, problems);
      else throw new Problem(at, `unknown key ${JSON.stringify(name)} (expected \`rules\` or \`ignore\`)`, end);
    });
  }
}

function readRules(node: YamlNode | null, keyAt: number, keyEnd: number | undefined, config: ProjectConfig, problems: Problems): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) throw valueProblem(node, keyAt, keyEnd, '`rules` must be a mapping from rule id to a severity or to { severity, options }');
  for (const pair of node.items) {
    collect(problems, () => {
      const { name: id, at, end } = keyOf(pair);
      const rule = getRule(id);
      if (!rule) throw new Problem(at, `unknown rule ${JSON.stringify(id)} (rules: ${RULE_IDS.join(', ')})`, end);
      const value = pair.value as YamlNode | null;
      if (isScalar(value)) {
        config.rules[id] = severity(value, id);
      } else if (isMap(value)) {
        for (const p of value.items) {
          collect(problems, () => {
            const { name: key, at: kAt, end: kEnd } = keyOf(p);
            const v = p.value as YamlNode | null;
            if (key === 'severity') {
              if (!isScalar(v)) throw valueProblem(v, kAt, kEnd, `${id}: severity must be one of ${SEVERITIES.join(', ')}`);
              config.rules[id] = severity(v, id);
            } else if (key === 'options') readOptions(v, kAt, kEnd, id, config, problems);
            else throw new Problem(kAt, `${id}: unknown key ${JSON.stringify(key)} (expected \`severity\` or \`options\`)`, kEnd);
          });
        }
      } else {
        throw valueProblem(value, at, end, `${id}: expected a severity (${SEVERITIES.join(', ')}) or a mapping with \`severity\` and/or \`options\``);
      }
    });
  }
}

function severity(node: Scalar, id: string): SeveritySetting {
  const v = node.value;
  // YAML 1.1 habits: `off` may arrive as the boolean false.
  const s = v === false ? 'off' : v;
  if (typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s)) return s as SeveritySetting;
  throw new Problem(start(node), `${id}: unknown severity ${JSON.stringify(v)} (expected one of ${SEVERITIES.join(', ')})`, endOf(node));
}

function readOptions(node: YamlNode | null, keyAt: number, keyEnd: number | undefined, id: string, config: ProjectConfig, problems: Problems): void {
  const specs = getRule(id)?.meta.options;
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) throw valueProblem(node, keyAt, keyEnd, `${id}: options must be a mapping`);
  const out: Record<string, string | number | boolean> = {};
  for (const pair of node.items) {
    collect(problems, () => {
      const { name, at, end } = keyOf(pair);
      // Own names only: `toString`, `constructor` and the like are no options.
      const spec = specs && Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (!spec) {
        const known = specs ? Object.keys(specs).join(', ') : '';
        throw new Problem(at, `${id}: unknown option ${JSON.stringify(name)}${known ? ` (options: ${known})` : ' (this rule has no options)'}`, end);
      }
      const v = pair.value as YamlNode | null;
      const value = isScalar(v) ? v.value : isMap(v) ? {} : isSeq(v) ? [] : null;
      const problem = optionProblem(spec, value);
      if (problem) throw valueProblem(v, at, end, `${id}: option ${name}: ${problem}`);
      out[name] = value as string | number | boolean;
    });
  }
  config.options[id] = out;
}

function readIgnore(node: YamlNode | null, keyAt: number, keyEnd: number | undefined, config: ProjectConfig, problems: Problems): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isSeq(node)) throw valueProblem(node, keyAt, keyEnd, '`ignore` must be a list of paths or globs (gitignore syntax)');
  for (const item of node.items as (YamlNode | null)[]) {
    collect(problems, () => {
      if (!isScalar(item) || typeof item.value !== 'string') throw valueProblem(item, keyAt, keyEnd, '`ignore` entries must be strings');
      config.ignore.push(item.value);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Merging with editor or command-line settings

/**
 * The settings for one Dockerfile: the config file's, under `over`. A rule severity or option that `over`
 * sets explicitly wins; everything `over` leaves unset comes from the file, then from the rule's default.
 * `enable` is `over`'s. (VS Code sends only what the user set: the contributed defaults are "default",
 * which normalizeSettings drops.)
 */
export function mergeSettings(over: Settings, config: ProjectConfig | null): Settings {
  if (!config) return over;
  const options: Record<string, RuleOptions> = {};
  for (const r of RULES) {
    const merged = { ...config.options[r.id], ...over.options?.[r.id] };
    if (Object.keys(merged).length) options[r.id] = merged;
  }
  return {
    enable: over.enable,
    rules: { ...config.rules, ...over.rules },
    ...(Object.keys(options).length ? { options } : {}),
    ...(over.fixAllIncludesConversion ? { fixAllIncludesConversion: true } : {}),
  };
}

export function isFile(f: string): boolean {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}

export function isDir(f: string): boolean {
  try {
    return fs.statSync(f).isDirectory();
  } catch {
    return false;
  }
}

export function exists(f: string): boolean {
  try {
    fs.statSync(f);
    return true;
  } catch {
    return false;
  }
}
