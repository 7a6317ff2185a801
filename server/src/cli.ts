/**
 * The command-line tool over the same core: check, fix, convert. Its output and exit codes are a
 * contract others depend on (see README "Command line").
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyze, fixAll, fixesFor } from './analysis/analyze';
import { initShell } from './core/shell';
import { plainText } from './core/plain-text';
import { buildModel } from './core/model';
import { type AnalysisContext, type Settings, type Severity } from './core/types';
import { STDERR, STDOUT, isTerminal, write } from './cli/output';
import { sarifLog, githubAnnotation, repoPath, shownFile, shownText, textLines, unifiedDiff, type Reported } from './cli/formats';
import { configForDir, formatConfigError, isDir, loadConfig, mergeSettings, type LoadedConfig } from './node/config';
import { discoverDir, expandGlob, globBase, looksLikeGlob, type DiscoverOptions } from './node/discover';
import { folderFiles } from './node/workspace-files';
import { isInside, readBounded, readFd, realFolder, replaceFile, WriteRefused, type ReadState } from './node/files';
import { useBaselineWasmCompiler } from './node/wasm-tier';
import { RULE_IDS } from './rules/index';
import { Deadline } from './core/deadline';
import { installTestHook } from './lsp/test-hook';
import { compareTexts } from './analysis/compare-inputs';
import { compareBuilds, DEFAULT_LIMITS, DEFAULT_SMOKE } from './node/compare';
import { reportText } from './node/compare-format';
import { ENGINE_NAMES, findEngine, type EngineName } from './node/engine';

const VERSION = '0.1.0';
/** package.json's repository, for the issue text of a fixed file that does not build. */
const REPOSITORY = 'https://github.com/dockerfile-lean/dockerfile-lean';
const USAGE = `usage: dockerfile-lean check [options] PATH...
       dockerfile-lean fix [options] [--write | --diff] PATH...
       dockerfile-lean convert [--config FILE] FILE
       dockerfile-lean compare [options] FILE`;

const HELP = `${USAGE}

PATH is a Dockerfile, a directory (searched recursively for Dockerfile, Dockerfile.*, *.Dockerfile,
*.dockerfile and Containerfile*; templates such as Dockerfile.j2 are left out), a glob in quotes ('services/**/Dockerfile*'), or - for standard input.

check:
  --format text|json|sarif|github  output (default text); sarif is SARIF 2.1.0, github prints workflow annotations
  --severity-threshold LEVEL       error, warning, info or hint: the lowest severity that makes the exit code 1
                                   (default warning)
fix:
  --write                          write the fixed files (any number of files and directories): each is written
                                   to a new file next to it, renamed over it only if it has not changed since it
                                   was read (mode and owner kept; other hard links keep the old text); a link is
                                   written through only to a file inside the folder given (or the named file's)
  --diff                           print a unified diff of each file instead of the fixed text
  without either, fix prints the one fixed file; convert is fix --rule multi-stage
  fix applies the fixes of warnings and errors (hints and infos too for a rule whose severity the config sets)
check and fix:
  --rule ID                        only this rule (repeatable)
  --disable ID[,ID...]             turn these rules off (repeatable)
  --config FILE                    use this config file instead of the nearest .dockerfilelean.json / .yaml / .yml
  --no-ignore                      also search what .gitignore, .dockerfileleanignore, the config's ignore list and
                                   node_modules would skip (.git is always skipped)
  --help, --version

compare (builds images: only when run, with the container engine on PATH):
  builds FILE as it is and as fix leaves it (every fix, or --rule), from its build context, and reports image
  size, layers, the user and uid each image runs as, whether the toolchain the conversion meant to drop is gone,
  and a smoke start (the image's CMD for a few seconds, no network). Images are tagged
  localhost/dockerfile-lean-compare/… and removed afterwards. No build argument or secret is added.
  --context DIR                    the build context (default: the Dockerfile's folder)
  --engine docker|podman|buildah   the engine (default: the first on PATH; docker only when its daemon answers)
  --engine-arg ARG                 an extra argument for both builds, as given (repeatable): --engine-arg=--pull=never
  --format text|json               output (default text)
  --keep                           keep both images (their tags are printed)
  --timeout SECONDS                each build's time limit (default 1200)
  --min-free-disk MB               do not start, and stop, a build below this much free space on the engine's
                                   storage (default 2048; 0 = no check)
  --smoke-seconds N                how long each image is started for (default 5)
  --smoke-command 'WORDS'          start with these words instead of the image's CMD (split at spaces)
  --allow-network                  give the smoke start the engine's default network instead of none
  --smoke-url URL                  also GET this URL (http://localhost:PORT/PATH, PORT the container's), with
                                   --allow-network; not with buildah
  --rule, --disable, --config      as for fix
  compare exit codes: 0 both built and the fixed image did no worse (or nothing to change), 1 the fixed Dockerfile
  failed to build or did worse (a failed smoke start where the current one passed, a toolchain path still
  there), 2 usage error, no engine, the current Dockerfile does not build, or the disk limit stopped it,
  3 internal error, 130 interrupted (the builds are ended and the images removed)

Dockerfiles larger than 16 MiB are skipped with a message.

exit codes: 0 nothing at or above the threshold, 1 a finding at or above it (fix: a file was left unfixed or
            unwritten, each said on stderr while the others are still fixed), 2 usage error, 3 internal error

examples:
  dockerfile-lean check .
  dockerfile-lean check --format sarif . > dockerfile-lean.sarif
  dockerfile-lean check --format github --severity-threshold error 'services/**/Dockerfile*'
  dockerfile-lean check --disable merge-run,apt-hygiene --config ci/dockerfilelean.yaml Dockerfile
  cat Dockerfile | dockerfile-lean check --format json -
  dockerfile-lean fix --diff .
  dockerfile-lean fix --write --rule non-root-user services/
  dockerfile-lean convert Dockerfile > Dockerfile.multi-stage
  dockerfile-lean compare --rule multi-stage Dockerfile
  dockerfile-lean compare --format json --engine podman --context . docker/app.Dockerfile`;

class UsageError extends Error {}

type Format = 'text' | 'json' | 'sarif' | 'github';
type Command = 'check' | 'fix' | 'convert' | 'compare';
const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github'];
const LEVELS: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

interface Args {
  command: Command;
  format: Format;
  compare: CompareArgs;
  rules: string[];
  disable: string[];
  threshold: Severity;
  config: string | null;
  useIgnores: boolean;
  write: boolean;
  diff: boolean;
  inputs: string[];
}

interface CompareArgs {
  context: string | null;
  engine: EngineName | 'auto';
  engineArgs: string[];
  keep: boolean;
  timeout: number;
  minFreeDisk: number;
  smokeSeconds: number;
  smokeCommand: string[] | undefined;
  network: boolean;
  smokeUrl: { port: number; path: string } | undefined;
}

/** Which options each command takes (anything else is a usage error). */
const ALLOWED: Record<Command, readonly string[]> = {
  check: ['--format', '--rule', '--disable', '--severity-threshold', '--config', '--no-ignore'],
  fix: ['--rule', '--disable', '--config', '--no-ignore', '--write', '--diff'],
  convert: ['--config'],
  compare: ['--format', '--rule', '--disable', '--config', '--context', '--engine', '--engine-arg', '--keep', '--timeout', '--min-free-disk', '--smoke-seconds', '--smoke-command', '--allow-network', '--smoke-url'],
};
const TAKES_VALUE = new Set(['--format', '--rule', '--disable', '--severity-threshold', '--config', '--context', '--engine', '--engine-arg', '--timeout', '--min-free-disk', '--smoke-seconds', '--smoke-command', '--smoke-url']);

function count(v: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag} needs a whole number from ${min} to ${max}, not '${v}'`);
  return Number(v);
}

function ruleId(v: string, flag: string): string {
  if (!RULE_IDS.includes(v)) throw new UsageError(`unknown rule '${v}' for ${flag} (rules: ${RULE_IDS.join(', ')})`);
  return v;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('no command given (check, fix, convert or compare)');
  if (command !== 'check' && command !== 'fix' && command !== 'convert' && command !== 'compare') throw new UsageError(`unknown command '${command}' (expected check, fix, convert or compare)`);
  const compare: CompareArgs = { context: null, engine: 'auto', engineArgs: [], keep: false, timeout: DEFAULT_LIMITS.buildTimeoutSeconds, minFreeDisk: DEFAULT_LIMITS.minFreeDiskMB, smokeSeconds: DEFAULT_SMOKE.seconds, smokeCommand: undefined, network: false, smokeUrl: undefined };
  const args: Args = { command, format: 'text', compare, rules: [], disable: [], threshold: 'warning', config: null, useIgnores: true, write: false, diff: false, inputs: [] };
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k];
    if (a === '--') {
      args.inputs.push(...rest.slice(k + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.inputs.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (!ALLOWED[command].includes(name) || (eq >= 0 && !TAKES_VALUE.has(name))) throw new UsageError(`unknown option '${a}' for ${command}`);
    let value = '';
    if (TAKES_VALUE.has(name)) {
      if (eq >= 0) value = a.slice(eq + 1);
      else {
        const v = rest[++k];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        value = v;
      }
    }
    switch (name) {
      case '--format':
        if (command === 'compare' && value !== 'text' && value !== 'json') throw new UsageError(`unknown format '${value}' for compare (expected text, json)`);
        if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`unknown format '${value}' (expected ${FORMATS.join(', ')})`);
        args.format = value as Format;
        break;
      case '--rule':
        args.rules.push(ruleId(value, '--rule'));
        break;
      case '--disable':
        for (const id of value.split(',').map((s) => s.trim())) {
          if (!id) throw new UsageError(`--disable needs rule ids (rules: ${RULE_IDS.join(', ')})`);
          args.disable.push(ruleId(id, '--disable'));
        }
        break;
      case '--severity-threshold':
        if (!(LEVELS as readonly string[]).includes(value)) throw new UsageError(`unknown severity '${value}' for --severity-threshold (expected ${LEVELS.join(', ')})`);
        args.threshold = value as Severity;
        break;
      case '--config':
        if (!value) throw new UsageError('--config needs a file');
        args.config = value;
        break;
      case '--no-ignore':
        args.useIgnores = false;
        break;
      case '--write':
        args.write = true;
        break;
      case '--diff':
        args.diff = true;
        break;
      case '--context':
        if (!value) throw new UsageError('--context needs a folder');
        compare.context = value;
        break;
      case '--engine':
        if (!(ENGINE_NAMES as readonly string[]).includes(value)) throw new UsageError(`unknown engine '${value}' (expected ${ENGINE_NAMES.join(', ')})`);
        compare.engine = value as EngineName;
        break;
      case '--engine-arg':
        compare.engineArgs.push(value);
        break;
      case '--keep':
        compare.keep = true;
        break;
      case '--timeout':
        compare.timeout = count(value, name, 1, 86400);
        break;
      case '--min-free-disk':
        compare.minFreeDisk = count(value, name, 0, 10_000_000);
        break;
      case '--smoke-seconds':
        compare.smokeSeconds = count(value, name, 1, 600);
        break;
      case '--smoke-command': {
        const words = value.split(/\s+/).filter(Boolean);
        if (!words.length) throw new UsageError('--smoke-command needs the words to run');
        compare.smokeCommand = words;
        break;
      }
      case '--allow-network':
        compare.network = true;
        break;
      case '--smoke-url': {
        let u: URL;
        try {
          u = new URL(value);
        } catch {
          throw new UsageError(`--smoke-url needs a URL such as http://localhost:8080/healthz, not '${value}'`);
        }
        if (u.protocol !== 'http:' || !u.port) throw new UsageError(`--smoke-url needs http://localhost:PORT/PATH with the container's port, not '${value}'`);
        compare.smokeUrl = { port: Number(u.port), path: `${u.pathname}${u.search}` };
        break;
      }
    }
  }
  if (args.inputs.length === 0) throw new UsageError(`${command} needs a file`);
  if (command === 'convert' && args.inputs.length > 1) throw new UsageError('convert takes one file');
  if (command === 'compare') {
    if (args.inputs.length > 1 || args.inputs[0] === '-') throw new UsageError('compare takes one Dockerfile on disk (its folder is the build context)');
    if (compare.smokeUrl && !compare.network) throw new UsageError('--smoke-url needs --allow-network: the smoke start has no network otherwise');
  }
  if (command === 'convert') args.rules = ['multi-stage'];
  if (args.inputs.filter((i) => i === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  if (args.write && args.inputs.includes('-')) throw new UsageError('--write cannot write to standard input (-)');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Targets

/** Whether this run may take many files: check always, fix with --write or --diff. */
const many = (args: Args): boolean => args.command === 'check' || (args.command === 'fix' && (args.write || args.diff));

/**
 * The files the arguments name, in argument order, each directory's or glob's files sorted, without repeats;
 * for each, the tree it was given in (the directory, the glob's base, or the named file's folder), which
 * `fix --write` does not write outside of, and whether it was named itself.
 */
interface Target {
  tree: string;
  named: boolean;
}

function targets(args: Args): Map<string, Target> {
  const opts: DiscoverOptions = { useIgnores: args.useIgnores, configFile: args.config };
  const out = new Map<string, Target>();
  const seen = new Set<string>();
  const add = (f: string, tree: string, named: boolean) => {
    const key = f === '-' ? '-' : path.resolve(f);
    if (seen.has(key)) return;
    seen.add(key);
    out.set(f, { tree, named });
  };
  const skipped = args.useIgnores ? ' (ignored paths were skipped; --no-ignore searches them too)' : '';
  for (const input of args.inputs) {
    if (input === '-') {
      add(input, '', true);
      continue;
    }
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(input);
    } catch {
      st = null;
    }
    if (st?.isDirectory()) {
      if (!many(args)) throw new UsageError(`${input} is a directory (${args.command === 'fix' ? 'use --write or --diff to fix every Dockerfile in it' : 'name a Dockerfile'})`);
      const found = discoverDir(input, opts);
      if (found.length === 0) throw new UsageError(`no Dockerfiles found in ${input}${skipped}`);
      for (const f of found) add(f, input, false);
    } else if (st) {
      add(input, path.dirname(input), true);
    } else if (looksLikeGlob(input)) {
      const found = expandGlob(input, opts);
      if (found.length === 0) throw new UsageError(`no files match ${input}${skipped}`);
      const base = globBase(input);
      for (const f of found) add(f, base, false);
    } else throw new UsageError(`no such file: ${input}`);
  }
  if (!many(args) && out.size > 1) throw new UsageError(`${args.command} prints one fixed file; name one, or use --write or --diff for several`);
  return out;
}

/** The largest Dockerfile read: far above any real one, and no more than an editor hands the server. */
const MAX_DOCKERFILE_BYTES = 16 << 20;
const TOO_LARGE = `larger than 16 MiB (${MAX_DOCKERFILE_BYTES} bytes)`;

interface Loaded {
  text: string;
  encoding: 'utf8' | 'latin1';
  binary: boolean;
  /** What the file was when read (null for standard input and pipes): fix --write checks it before replacing. */
  state: ReadState | null;
}

/**
 * A Dockerfile's text, read once and bounded; null (after a message on stderr ending in `not <verb>`) when it
 * is too large. A pipe or device is read only when named on the command line (`<(git show HEAD:Dockerfile)`).
 */
function load(file: string, named: boolean, verb: string): Loaded | null {
  let buf: Buffer;
  let state: ReadState | null = null;
  if (file === '-') {
    let data: Buffer | null;
    try {
      data = readFd(0, MAX_DOCKERFILE_BYTES);
    } catch (err) {
      throw new UsageError(`cannot read standard input: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (data === null) {
      write(STDERR, `standard input: ${TOO_LARGE}, not ${verb}\n`);
      return null;
    }
    buf = data;
  } else {
    const r = readBounded(file, { maxBytes: MAX_DOCKERFILE_BYTES, streams: named });
    if (!r.ok) {
      if (r.problem === 'too-large') {
        write(STDERR, `${shownFile(file)}: ${TOO_LARGE}, not ${verb}\n`);
        return null;
      }
      if (r.problem === 'missing') throw new UsageError(`no such file: ${file}`);
      if (r.problem === 'not-file') throw new UsageError(isDir(file) ? `${file} is a directory` : `${file} is not a regular file`);
      throw new UsageError(`cannot read ${file}: ${r.code ?? 'error'}`);
    }
    buf = r.data;
    if (r.stat.isFile()) state = { stat: r.stat, data: r.data };
  }
  const binary = buf.subarray(0, 8192).includes(0);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf), encoding: 'utf8', binary, state };
  } catch {
    // Not UTF-8 (Latin-1 and the like): one character per byte, so every byte comes back unchanged.
    return { text: buf.toString('latin1'), encoding: 'latin1', binary, state };
  }
}

/**
 * Writes a fixed file (fix --write); the reason when it was not written. A symbolic link is written through
 * (its target replaced, the link kept) only when the target is inside the tree the file was given in; a
 * file changed since it was read, read-only or not writable is left as it is.
 */
function writeFixed(file: string, data: Buffer, loaded: Loaded, target: Target): string | null {
  if (!loaded.state) return 'not a regular file';
  let real: string;
  try {
    real = fs.realpathSync.native(file);
  } catch {
    return 'gone since it was read';
  }
  const tree = realFolder(target.tree || '.');
  if (tree === null || !isInside(real, tree)) return `a symbolic link to a file outside ${target.tree || '.'}`;
  try {
    replaceFile(real, data, loaded.state);
    return null;
  } catch (err) {
    if (err instanceof WriteRefused) return err.message;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Settings per file

const reportedConfigErrors = new Set<string>();

/** The config for a file (the one given with --config, else the nearest), its error reported once on stderr. */
function configFor(file: string, args: Args): LoadedConfig | null {
  const loaded = args.config ? loadConfig(args.config) : configForDir(file === '-' ? process.cwd() : path.dirname(path.resolve(file)));
  if (loaded?.error) {
    const line = formatConfigError(loaded.error);
    if (!reportedConfigErrors.has(line)) {
      reportedConfigErrors.add(line);
      write(STDERR, `dockerfile-lean: ${shownText(line)}\n`);
    }
  }
  return loaded;
}

/** The config file's settings under the command line's: --disable turns rules off, --rule turns them back on. */
function settingsFor(file: string, args: Args): Settings {
  const over: Settings = { enable: true, rules: Object.fromEntries(args.disable.map((id) => [id, 'off' as const])) };
  const merged = mergeSettings(over, configFor(file, args)?.config ?? null);
  for (const id of args.rules) if (merged.rules[id] === 'off' && !args.disable.includes(id)) delete merged.rules[id];
  return merged;
}

/**
 * The time budget of each file's analysis or fix (core/deadline.ts): past it, the multi-stage conversion is not
 * planned and the other findings and fixes stand. The slowest plan of the fixtures and examples took 140 ms (a
 * cold process); one run of the CLI can afford more than an editor's keystroke, and its output should not
 * change with the machine's load.
 */
const BUDGET_MS = 5000;

function budget(): AnalysisContext {
  return { deadline: new Deadline(BUDGET_MS) };
}

/** The folder a Dockerfile sits in is read as its build context; standard input has none. With a fresh budget. */
function contextOf(file: string): AnalysisContext {
  if (file === '-') return budget();
  const full = path.resolve(file);
  return { files: folderFiles(path.dirname(full)), path: full.split(path.sep).join('/'), ...budget() };
}

// ---------------------------------------------------------------------------------------------
// Commands

const COLOURS: Record<string, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', hint: '\x1b[2m' };

async function check(args: Args, files: Map<string, Target>, shell: Promise<void>): Promise<number> {
  const out: Reported[] = [];
  for (const [file, target] of files) {
    const loaded = load(file, target.named, 'checked');
    if (!loaded) continue;
    const { text, binary } = loaded;
    if (binary) {
      write(STDERR, `${shownFile(file)}: binary file, not checked\n`);
      continue;
    }
    // The parse and the settings need no shell grammar: on a cold start they run while it loads.
    const model = buildModel(text, contextOf(file));
    const settings = settingsFor(file, args);
    await shell;
    const { findings } = analyze(model, settings, args.rules, budget());
    for (const finding of findings) {
      let fix = null;
      if (args.format === 'sarif' && finding.fixable) {
        const fixes = fixesFor(model, finding, budget());
        fix = fixes.find((x) => x.preferred) ?? fixes[0] ?? null;
      }
      out.push({ file, finding, fix });
    }
  }
  const cwd = process.cwd();
  if (args.format === 'json') {
    // Why a finding has no automatic fix, under the name SARIF's properties give it (the text format's "No automatic fix:").
    const rows = out.map(({ file, finding: f }) => ({ file, rule: f.rule, severity: f.severity, message: f.message, range: f.range, fixable: f.fixable, ...(!f.fixable && f.reason ? { notFixableBecause: f.reason } : {}), ...(f.related?.length ? { related: f.related } : {}) }));
    write(STDOUT, JSON.stringify(rows, null, 2) + '\n');
  } else if (args.format === 'sarif') {
    write(STDOUT, JSON.stringify(sarifLog(out, VERSION, cwd), null, 2) + '\n');
  } else if (args.format === 'github') {
    write(STDOUT, out.map(({ file, finding }) => githubAnnotation(repoPath(file, cwd), finding) + '\n').join(''));
  } else {
    const colour = out.length > 0 && !process.env.NO_COLOR && isTerminal(STDOUT);
    const paint = (sev: string) => (colour ? `${COLOURS[sev] ?? ''}${sev}\x1b[0m` : sev);
    // File names and messages quote file text: shown escaped (cli/formats.ts), the first sentence on the finding's line and
    // the detail indented below it; code spans as quotes.
    write(STDOUT, out.map(({ file, finding: f }) => textLines(file, f, paint(f.severity))).join(''));
  }
  return out.some(({ finding }) => RANK[finding.severity] >= RANK[args.threshold]) ? 1 : 0;
}

function fix(args: Args, files: Map<string, Target>): number {
  const cwd = process.cwd();
  let unfixed = 0;
  for (const [file, target] of files) {
    const loaded = load(file, target.named, 'fixed');
    if (!loaded) {
      unfixed++;
      continue;
    }
    const { text, encoding, binary } = loaded;
    const fixed = binary ? text : fixAll(text, settingsFor(file, args), args.rules, contextOf(file)).text;
    if (args.diff) {
      const patch = unifiedDiff(repoPath(file, cwd), text, fixed);
      if (patch) write(STDOUT, Buffer.from(patch, encoding));
    }
    if (args.write) {
      const why = fixed !== text ? writeFixed(file, Buffer.from(fixed, encoding), loaded, target) : null;
      if (why) {
        write(STDERR, `${shownFile(file)}: ${shownText(why)}, not written\n`);
        unfixed++;
      }
    } else if (!args.diff) write(STDOUT, Buffer.from(fixed, encoding));
  }
  return unfixed ? 1 : 0;
}

/** What `compare` builds: the file, its fixed text, and where the engine reads the build context. */
async function compare(args: Args, file: string): Promise<number> {
  const c = args.compare;
  const loaded = load(file, true, 'compared');
  if (!loaded) return 2;
  if (loaded.binary) throw new UsageError(`${file} is a binary file`);
  const context = path.resolve(c.context ?? path.dirname(path.resolve(file)));
  if (!isDir(context)) throw new UsageError(`the build context ${c.context ?? context} is not a folder`);
  const settings = settingsFor(file, args);
  const only = args.rules.length ? args.rules : undefined;
  const texts = compareTexts(loaded.text, settings, only, () => contextOf(file));
  if (texts.after === loaded.text) {
    // Nothing is built for nothing: no engine is asked.
    const { findings } = analyze(loaded.text, settings, only, contextOf(file));
    const blocked = findings.find((f) => !f.fixable && f.reason);
    const why = plainText(blocked ? `Nothing to compare: ${blocked.reason}.` : 'Nothing to compare: the fixes change nothing in this Dockerfile.');
    write(STDOUT, args.format === 'json' ? JSON.stringify({ version: 1, dockerfile: shownFile(file), verdict: 'nothing-to-compare', reasons: [why] }, null, 2) + '\n' : `${shownText(why)}\n`);
    return 0;
  }
  const found = await findEngine(c.engine);
  if (!found.engine) throw new UsageError(found.problem ?? 'no container engine');
  const ac = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    ac.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = isTerminal(STDERR) ? (m: string) => write(STDERR, `${shownText(m)}\n`) : undefined;
  const report = await compareBuilds(
    { dockerfile: shownFile(file), before: loaded.text, after: texts.after, rules: texts.rules, perRule: texts.perRule, toolchainPaths: texts.toolchainPaths, ecosystem: texts.ecosystem, context },
    {
      engine: found.engine,
      buildArgs: c.engineArgs,
      limits: { buildTimeoutSeconds: c.timeout, minFreeDiskMB: c.minFreeDisk },
      smoke: { seconds: c.smokeSeconds, network: c.network, command: c.smokeCommand, port: c.smokeUrl?.port, urlPath: c.smokeUrl?.path },
      keep: c.keep,
      signal: ac.signal,
      onProgress: progress,
      tool: { version: VERSION, repository: REPOSITORY },
    },
  );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  write(STDOUT, args.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : reportText(report));
  if (interrupted) return 130;
  return report.verdict === 'ok' || report.verdict === 'nothing-to-compare' ? 0 : report.verdict === 'worse' ? 1 : 2;
}

async function main(argv: string[]): Promise<number> {
  const before = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (argv[0] === '-v' || before.includes('--version')) {
    write(STDOUT, `${VERSION}\n`);
    return 0;
  }
  if (argv[0] === 'help' || before.includes('--help') || before.includes('-h')) {
    write(STDOUT, `${HELP}\n\nrules: ${RULE_IDS.join(', ')}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  installTestHook(process.env);
  if (args.config && !fs.existsSync(args.config)) throw new UsageError(`no such config file: ${args.config}`);
  const files = targets(args);
  useBaselineWasmCompiler();
  const shell = initShell();
  if (args.command === 'check') return check(args, files, shell);
  await shell;
  if (args.command === 'compare') return compare(args, [...files.keys()][0]);
  return fix(args, files);
}

// Every write has completed when it returns (cli/output.ts), so the process exits at once: the wasm runtime
// would otherwise hold it open.
const exit = (code: number): never => process.exit(code);
main(process.argv.slice(2)).then(exit, (err) => {
  if (err instanceof UsageError) {
    // Usage errors name files and options as given: shown escaped, like every line on stderr.
    write(STDERR, `dockerfile-lean: ${shownText(err.message)}\n`);
    exit(2);
  } else {
    write(STDERR, `dockerfile-lean: internal error: ${shownText(err instanceof Error ? err.message : String(err))}\n`);
    exit(3);
  }
});
