/**
 * The command-line tool over the same core: check, fix, convert. Its output and exit codes are a
 * contract others depend on (see README "Command line").
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyze, fixAll } from './core/analyze';
import { initShell } from './core/shell';
import { DEFAULT_SETTINGS, type AnalysisContext, type Finding } from './core/types';
import { folderFiles } from './node/workspace-files';
import { useBaselineWasmCompiler } from './node/wasm-tier';
import { RULE_IDS } from './rules/index';

const VERSION = '0.1.0';
const USAGE = `usage: dockerfile-lean check [--format text|json] [--rule ID]... FILE...
       dockerfile-lean fix [--rule ID]... [--write] FILE
       dockerfile-lean convert FILE`;

class UsageError extends Error {}

interface Args {
  command: string;
  format: 'text' | 'json';
  rules: string[];
  write: boolean;
  files: string[];
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('no command given (check, fix or convert)');
  if (!['check', 'fix', 'convert'].includes(command)) throw new UsageError(`unknown command '${command}' (expected check, fix or convert)`);
  const args: Args = { command, format: 'text', rules: [], write: false, files: [] };
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k];
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = rest[++k];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === '--') {
      args.files.push(...rest.slice(k + 1));
      break;
    } else if ((a === '--format' || a.startsWith('--format=')) && command === 'check') {
      const v = value('--format');
      if (v !== 'text' && v !== 'json') throw new UsageError(`unknown format '${v}' (expected text or json)`);
      args.format = v;
    } else if ((a === '--rule' || a.startsWith('--rule=')) && command !== 'convert') {
      const v = value('--rule');
      if (!RULE_IDS.includes(v)) throw new UsageError(`unknown rule '${v}' (rules: ${RULE_IDS.join(', ')})`);
      args.rules.push(v);
    } else if (a === '--write' && command === 'fix') {
      args.write = true;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option '${a}' for ${command}`);
    } else args.files.push(a);
  }
  if (args.files.length === 0) throw new UsageError(`${command} needs a file`);
  if (command !== 'check' && args.files.length > 1) throw new UsageError(`${command} takes one file`);
  if (command === 'convert') args.rules = ['multi-stage'];
  return args;
}

interface Loaded {
  text: string;
  encoding: 'utf8' | 'latin1';
  binary: boolean;
}

function load(file: string): Loaded {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`no such file: ${file}`);
  }
  if (st.isDirectory()) throw new UsageError(`${file} is a directory`);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const binary = buf.subarray(0, 8192).includes(0);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf), encoding: 'utf8', binary };
  } catch {
    // Not UTF-8 (Latin-1 and the like): one character per byte, so every byte comes back unchanged.
    return { text: buf.toString('latin1'), encoding: 'latin1', binary };
  }
}

const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
const COLOURS: Record<string, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', hint: '\x1b[2m' };
const paint = (sev: string, s: string) => (useColour ? `${COLOURS[sev] ?? ''}${s}\x1b[0m` : s);

/** The folder a Dockerfile sits in is read as its build context; standard input has none. */
function contextOf(file: string): AnalysisContext {
  return file === '-' ? {} : { files: folderFiles(path.dirname(path.resolve(file))) };
}

function check(args: Args): number {
  const out: (Finding & { file: string })[] = [];
  for (const file of args.files) {
    const { text, binary } = load(file);
    if (binary) {
      process.stderr.write(`${file}: binary file, not checked\n`);
      continue;
    }
    for (const f of analyze(text, DEFAULT_SETTINGS, args.rules, contextOf(file)).findings) out.push({ ...f, file });
  }
  if (args.format === 'json') {
    const rows = out.map((f) => ({ file: f.file, rule: f.rule, severity: f.severity, message: f.message, range: f.range, fixable: f.fixable }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  } else {
    for (const f of out) {
      process.stdout.write(`${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${paint(f.severity, f.severity)} ${f.rule} ${f.message}\n`);
    }
  }
  return out.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

function fix(args: Args): number {
  const file = args.files[0];
  const { text, encoding, binary } = load(file);
  const fixed = binary ? text : fixAll(text, DEFAULT_SETTINGS, args.rules, contextOf(file)).text;
  const bytes = Buffer.from(fixed, encoding);
  if (args.write) {
    if (fixed !== text) fs.writeFileSync(file, bytes);
  } else process.stdout.write(bytes);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${USAGE}\n\nrules: ${RULE_IDS.join(', ')}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  useBaselineWasmCompiler();
  await initShell();
  return args.command === 'check' ? check(args) : fix(args);
}

/** Exits once stdout and stderr are flushed: the wasm runtime would otherwise hold the process open. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exit, (err) => {
  if (err instanceof UsageError) {
    process.stderr.write(`dockerfile-lean: ${err.message}\n`);
    exit(2);
  } else {
    process.stderr.write(`dockerfile-lean: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    exit(3);
  }
});
