/**
 * The project config file: `.dockerfilelean.json`, `.dockerfilelean.yaml` or `.dockerfilelean.yml`, with a severity
 * and options per rule and paths to leave out of discovery. Found from a Dockerfile's folder upward; the search
 * stops at the repository root (a folder that holds `.git`) or at the file-system root, so a config file above
 * the repository never applies. The CLI and the server read it here (the core only ever sees Settings); files
 * are cached by path, modification time and size, so an edited config is read again on its next use.
 *
 * A file that does not parse or says something unknown gives one error (file, line, column, what is wrong) and
 * no config at all: the defaults apply, as if the file were not there.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Yaml from 'yaml';
import type { Node as YamlNode, Pair, Scalar } from 'yaml';
import { SEVERITIES, type RuleOptions, type Settings, type SeveritySetting } from '../core/types';
import { RULES, RULE_IDS, getRule } from '../rules/index';
import { optionProblem } from '../rules/options';

/** In the order they are looked for in each folder: the first one found is the config. */
export const CONFIG_NAMES = ['.dockerfilelean.json', '.dockerfilelean.yaml', '.dockerfilelean.yml'] as const;

const MAX_BYTES = 1 << 20;

/** The YAML parser, loaded on first use: most runs meet no config file and need not pay for it. */
let yamlModule: typeof Yaml | null = null;
function yaml(): typeof Yaml {
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
  message: string;
}

export interface LoadedConfig {
  /** Null when the file has an error: the defaults apply. */
  config: ProjectConfig | null;
  error: ConfigError | null;
}

/** `file:line:column: what is wrong`, as one line. */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}; the defaults apply instead`;
}

// ---------------------------------------------------------------------------------------------
// Finding and loading

/** The config file that applies to files in `dir`, or null. */
export function findConfigFile(dir: string): string | null {
  let d = path.resolve(dir);
  for (let depth = 0; depth < 256; depth++) {
    for (const name of CONFIG_NAMES) {
      const f = path.join(d, name);
      if (isFile(f)) return f;
    }
    if (exists(path.join(d, '.git'))) return null;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
  return null;
}

/** The config that applies to a Dockerfile in `dir` (null `loaded` when there is no config file). */
export function configForDir(dir: string): LoadedConfig | null {
  const file = findConfigFile(dir);
  return file ? loadConfig(file) : null;
}

interface Cached {
  mtimeMs: number;
  size: number;
  loaded: LoadedConfig;
}
const cache = new Map<string, Cached>();

/** Reads and checks one config file (cached until its modification time or size changes). */
export function loadConfig(file: string): LoadedConfig {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    cache.delete(abs);
    return { config: null, error: { file, line: 1, column: 1, message: `cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
  const hit = cache.get(abs);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.loaded;
  let loaded: LoadedConfig;
  if (!st.isFile()) loaded = { config: null, error: { file, line: 1, column: 1, message: 'the config is not a file' } };
  else if (st.size > MAX_BYTES) loaded = { config: null, error: { file, line: 1, column: 1, message: `the config file is larger than ${MAX_BYTES} bytes` } };
  else {
    try {
      loaded = parseConfig(fs.readFileSync(abs, 'utf8'), abs, file);
    } catch (err) {
      loaded = { config: null, error: { file, line: 1, column: 1, message: `cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})` } };
    }
  }
  if (cache.size > 200) cache.clear();
  cache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, loaded });
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking

class Problem extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
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
  const fail = (offset: number, message: string): LoadedConfig => {
    const p = lines.linePos(Math.max(0, Math.min(offset, src.length)));
    return { config: null, error: { file: shown, line: p.line, column: p.col, message } };
  };
  if (abs.endsWith('.json')) {
    try {
      JSON.parse(src);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const at = jsonErrorOffset(msg, src);
      // Count lines the same way as for the YAML positions.
      parseDocument(src, { lineCounter: lines });
      return fail(at, `not valid JSON: ${msg.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`);
    }
  }
  const doc = parseDocument(src, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    return fail(e.pos[0], `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const config: ProjectConfig = { file: abs, rules: {}, options: {}, ignore: [] };
  try {
    readTop(doc.contents as YamlNode | null, config);
  } catch (err) {
    if (err instanceof Problem) return fail(err.at, err.message);
    throw err;
  }
  return { config, error: null };
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

function keyOf(pair: Pair): { name: string; at: number } {
  const k = pair.key as YamlNode | null;
  const name = isScalar(k) ? String(k.value) : '';
  return { name, at: start(k) };
}

function readTop(node: YamlNode | null, config: ProjectConfig): void {
  if (node === null || (isScalar(node) && node.value === null)) return; // an empty file: nothing set
  if (!isMap(node)) throw new Problem(start(node), 'expected a mapping with `rules` and/or `ignore`');
  for (const pair of node.items) {
    const { name, at } = keyOf(pair);
    const value = pair.value as YamlNode | null;
    if (name === 'rules') readRules(value, at, config);
    else if (name === 'ignore') readIgnore(value, at, config);
    else throw new Problem(at, `unknown key ${JSON.stringify(name)} (expected \`rules\` or \`ignore\`)`);
  }
}

function readRules(node: YamlNode | null, keyAt: number, config: ProjectConfig): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) throw new Problem(start(node) || keyAt, '`rules` must be a mapping from rule id to a severity or to { severity, options }');
  for (const pair of node.items) {
    const { name: id, at } = keyOf(pair);
    const rule = getRule(id);
    if (!rule) throw new Problem(at, `unknown rule ${JSON.stringify(id)} (rules: ${RULE_IDS.join(', ')})`);
    const value = pair.value as YamlNode | null;
    if (isScalar(value)) {
      config.rules[id] = severity(value, id);
    } else if (isMap(value)) {
      for (const p of value.items) {
        const { name: key, at: kAt } = keyOf(p);
        const v = p.value as YamlNode | null;
        if (key === 'severity') {
          if (!isScalar(v)) throw new Problem(start(v) || kAt, `${id}: severity must be one of ${SEVERITIES.join(', ')}`);
          config.rules[id] = severity(v, id);
        } else if (key === 'options') readOptions(v, kAt, id, config);
        else throw new Problem(kAt, `${id}: unknown key ${JSON.stringify(key)} (expected \`severity\` or \`options\`)`);
      }
    } else {
      throw new Problem(start(value) || at, `${id}: expected a severity (${SEVERITIES.join(', ')}) or a mapping with \`severity\` and/or \`options\``);
    }
  }
}

function severity(node: Scalar, id: string): SeveritySetting {
  const v = node.value;
  // YAML 1.1 habits: `off` may arrive as the boolean false.
  const s = v === false ? 'off' : v;
  if (typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s)) return s as SeveritySetting;
  throw new Problem(start(node), `${id}: unknown severity ${JSON.stringify(v)} (expected one of ${SEVERITIES.join(', ')})`);
}

function readOptions(node: YamlNode | null, keyAt: number, id: string, config: ProjectConfig): void {
  const specs = getRule(id)?.meta.options;
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isMap(node)) throw new Problem(start(node) || keyAt, `${id}: options must be a mapping`);
  const out: Record<string, string | number | boolean> = {};
  for (const pair of node.items) {
    const { name, at } = keyOf(pair);
    // Own names only: `toString`, `constructor` and the like are no options.
    const spec = specs && Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      const known = specs ? Object.keys(specs).join(', ') : '';
      throw new Problem(at, `${id}: unknown option ${JSON.stringify(name)}${known ? ` (options: ${known})` : ' (this rule has no options)'}`);
    }
    const v = pair.value as YamlNode | null;
    const value = isScalar(v) ? v.value : isMap(v) ? {} : isSeq(v) ? [] : null;
    const problem = optionProblem(spec, value);
    if (problem) throw new Problem(start(v) || at, `${id}: option ${name}: ${problem}`);
    out[name] = value as string | number | boolean;
  }
  config.options[id] = out;
}

function readIgnore(node: YamlNode | null, keyAt: number, config: ProjectConfig): void {
  if (node === null || (isScalar(node) && node.value === null)) return;
  if (!isSeq(node)) throw new Problem(start(node) || keyAt, '`ignore` must be a list of paths or globs (gitignore syntax)');
  for (const item of node.items as (YamlNode | null)[]) {
    if (!isScalar(item) || typeof item.value !== 'string') throw new Problem(start(item) || keyAt, '`ignore` entries must be strings');
    config.ignore.push(item.value);
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
  return { enable: over.enable, rules: { ...config.rules, ...over.rules }, ...(Object.keys(options).length ? { options } : {}) };
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
