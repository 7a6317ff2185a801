/**
 * What a Go program does at run time that a binary-only runtime would not have, read from its sources in the
 * build context: files it opens by path (data files, templates, a SQLite database, `.env`), whether it writes
 * there, and the programs it runs (`exec.Command`). `//go:embed` files are compiled in and need nothing.
 *
 * The sources are the `.go` files (tests, `vendor/` and `testdata/` left out) under the context folder the
 * module was copied from. The reading is lexical: comments dropped, string literals taken as they are; a call
 * whose path or program is not a literal is reported as such (`path: null`), so the recipe can carry more or
 * decline. Bounded: at most MAX_FILES sources and MAX_DIRS folders; past either the sources count as unread.
 */
import { checkDeadline } from '../../core/deadline';
import { withoutTrailingSlashes } from '../../core/flags';
import { lastAtOrBefore } from '../../core/document';
import type { WorkspaceFiles } from '../../core/types';

export interface FileUse {
  /** The literal path (relative to the working directory, or absolute); null when it is computed at run time. */
  path: string | null;
  write: boolean;
  /** `os.Open` in `main.go` line 12, for the reasons. */
  where: string;
  /** A `sql.Open` whose driver is named at run time. */
  sqlDriverUnknown?: boolean;
}

export interface ExecUse {
  /** The program's literal name or path; null when it is computed at run time. */
  program: string | null;
  /** For `sh -c "<script>"` with a literal script: the script. */
  script?: string;
  where: string;
}

export interface GoSources {
  /** How many `.go` files were read. */
  files: number;
  uses: FileUse[];
  execs: ExecUse[];
  /** Every string literal of the sources (their values), for paths held in constants. */
  literals: Set<string>;
}

const MAX_FILES = 400;
const MAX_DIRS = 200;
const SKIP_DIRS = new Set(['vendor/', 'testdata/', 'node_modules/', '.git/']);

/**
 * The sources of the Go module copied from `contextDir` ('' = the context root), or null when they cannot be
 * read: no listing, no `.go` file, or more than the bounds allow.
 */
export function readGoSources(files: WorkspaceFiles, contextDir: string): GoSources | null {
  if (!files.list) return null;
  const out: GoSources = { files: 0, uses: [], execs: [], literals: new Set() };
  const queue = [withoutTrailingSlashes(contextDir)];
  let dirs = 0;
  while (queue.length) {
    checkDeadline();
    const dir = queue.shift()!;
    if (++dirs > MAX_DIRS) return null;
    const entries = files.list(dir);
    if (!entries) {
      if (dir === withoutTrailingSlashes(contextDir)) return null;
      continue;
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e}` : e;
      if (e.endsWith('/')) {
        if (!SKIP_DIRS.has(e) && !e.startsWith('.') && !e.startsWith('_')) queue.push(rel.slice(0, -1));
        continue;
      }
      if (!e.endsWith('.go') || e.endsWith('_test.go')) continue;
      if (++out.files > MAX_FILES) return null;
      const text = files.read(rel);
      if (text === null) return null;
      const one = scanCached(text, rel);
      out.uses.push(...one.uses);
      out.execs.push(...one.execs);
      for (const l of one.literals) out.literals.add(l);
    }
  }
  // A driver named at run time opens a file only if a SQLite driver is linked in (an import path names it).
  if (![...out.literals].some((x) => /sqlite/i.test(x))) out.uses = out.uses.filter((u) => !u.sqlDriverUnknown);
  return out.files ? out : null;
}

/**
 * One file's reading, kept by path and text: the analysis reruns on every edit of the Dockerfile while the sources
 * stay the same. Bounded by count and characters; past either it starts again.
 */
const scans = new Map<string, GoSources>();
let scannedChars = 0;
const MAX_SCANS = 1000;
const MAX_SCANNED_CHARS = 16 << 20;

function scanCached(text: string, rel: string): GoSources {
  const key = `${rel}\0${text}`;
  const hit = scans.get(key);
  if (hit) return hit;
  const one: GoSources = { files: 1, uses: [], execs: [], literals: new Set() };
  scanGo(text, rel, one);
  if (scans.size >= MAX_SCANS || scannedChars + key.length > MAX_SCANNED_CHARS) {
    scans.clear();
    scannedChars = 0;
  }
  scans.set(key, one);
  scannedChars += key.length;
  return one;
}

/** The code with comments removed and each string literal replaced by `"#N"`, N its index in `strings`. */
function lex(text: string): { code: string; strings: string[]; lines: number[] } {
  const strings: string[] = [];
  let code = '';
  // The line of each character of `code` is found through the offsets where source lines start.
  const lines: number[] = [];
  let k = 0;
  let from = 0;
  const n = text.length;
  const flush = (to: number) => {
    code += text.slice(from, to);
  };
  while (k < n) {
    const c = text[k];
    if (c === '/' && text[k + 1] === '/') {
      flush(k);
      const end = text.indexOf('\n', k);
      k = end < 0 ? n : end;
      from = k;
    } else if (c === '/' && text[k + 1] === '*') {
      flush(k);
      const end = text.indexOf('*/', k + 2);
      const stop = end < 0 ? n : end + 2;
      // Line breaks inside the comment stay, so line numbers hold.
      code += text.slice(k, stop).replace(/[^\n]/g, ' ');
      k = stop;
      from = k;
    } else if (c === '"' || c === '`') {
      flush(k);
      let j = k + 1;
      let value = '';
      if (c === '`') {
        const end = text.indexOf('`', j);
        j = end < 0 ? n : end;
        value = text.slice(k + 1, j);
      } else {
        while (j < n && text[j] !== '"' && text[j] !== '\n') {
          if (text[j] === '\\' && j + 1 < n) {
            const e = text[j + 1];
            value += e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' || e === '"' || e === "'" ? e : `\\${e}`;
            j += 2;
          } else value += text[j++];
        }
      }
      strings.push(value);
      // Line breaks inside a raw string stay, so line numbers hold.
      code += `"#${strings.length - 1}"` + value.replace(/[^\n]/g, '');
      k = j + 1;
      from = k;
    } else if (c === "'") {
      // A rune literal: skipped whole ('"' must not open a string).
      let j = k + 1;
      while (j < n && text[j] !== "'" && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      k = j + 1;
    } else k++;
  }
  flush(n);
  let at = 0;
  for (;;) {
    lines.push(at);
    const nl = code.indexOf('\n', at);
    if (nl < 0) break;
    at = nl + 1;
  }
  return { code, strings, lines };
}

/** Calls whose first argument is a path the program reads. */
const READS = /\b(?:os\.(?:Open|ReadFile|Stat|Lstat|ReadDir|DirFS)|ioutil\.(?:ReadFile|ReadDir)|filepath\.(?:Glob|Walk|WalkDir)|http\.Dir|godotenv\.(?:Load|Read|Overload)|toml\.DecodeFile|ini\.Load|excelize\.OpenFile|\.Parse(?:Files|Glob)|\.LoadHTML(?:Glob|Files)|\.Add(?:Config|Remote)Path|\.SetConfigFile)\s*\(/g;
/** Calls whose first argument is a path the program writes (or creates, removes, renames). */
const WRITES = /\b(?:os\.(?:Create|WriteFile|Mkdir|MkdirAll|Remove|RemoveAll|Rename|Chmod|CreateTemp|MkdirTemp)|ioutil\.(?:WriteFile|TempFile|TempDir)|(?:bolt|bbolt|buntdb|leveldb)\.(?:Open|OpenFile)|sqlite\.Open)\s*\(/g;
/** os.OpenFile: a write when its flags say so. */
const OPEN_FILE = /\bos\.OpenFile\s*\(/g;
/** database/sql (and sqlx) opens: the second argument is a file when the driver is SQLite. */
const SQL_OPEN = /\b(?:sql|sqlx)\.(?:Open|Connect)\s*\(/g;
/** Web frameworks' static routes (`r.Static("/assets", "./assets")`, gin's StaticFile): the second argument. */
const STATIC = /\.(?:Static|StaticFile)\s*\(/g;
/** `http.ServeFile(w, r, "index.html")`: the third argument. */
const SERVE_FILE = /\bhttp\.ServeFile\s*\(/g;
/** Programs run: the first argument (exec.CommandContext: the second). */
const EXEC = /\bexec\.(Command|CommandContext|LookPath)\s*\(|\bsyscall\.Exec\s*\(/g;

/** The arguments of the call whose `(` ends at `open`: top-level commas split them; null past 4,000 characters. */
function callArgs(code: string, open: number): string[] | null {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let k = open; k < code.length && k < open + 4000; k++) {
    const c = code[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(code.slice(start, k).trim());
        return args.length === 1 && args[0] === '' ? [] : args;
      }
    } else if (c === ',' && depth === 1) {
      args.push(code.slice(start, k).trim());
      start = k + 1;
    }
  }
  return null;
}

function scanGo(text: string, rel: string, out: GoSources): void {
  const { code, strings, lines } = lex(text);
  for (const s of strings) out.literals.add(s);
  const literal = (arg: string | undefined): string | null => {
    const m = arg === undefined ? null : /^"#(\d+)"$/.exec(arg);
    return m ? strings[Number(m[1])] : null;
  };
  const lineOf = (at: number): number => lastAtOrBefore(lines, at) + 1;
  const where = (m: RegExpExecArray) => `\`${m[0].slice(0, -1).trimEnd().replace(/^\./, '')}\` in ${rel} line ${lineOf(m.index)}`;
  const each = (re: RegExp, f: (m: RegExpExecArray, args: string[] | null) => void) => {
    re.lastIndex = 0;
    for (let m = re.exec(code); m; m = re.exec(code)) {
      checkDeadline();
      f(m, callArgs(code, m.index + m[0].length - 1));
    }
  };
  const use = (m: RegExpExecArray, arg: string | undefined, write: boolean) => out.uses.push({ path: literal(arg), write, where: where(m) });
  each(READS, (m, a) => {
    // godotenv.Load() without arguments reads `.env`.
    if (a && a.length === 0 && /godotenv/.test(m[0])) out.uses.push({ path: '.env', write: false, where: where(m) });
    else if (a && a.length > 0) for (const x of /\.(ParseFiles|LoadHTMLFiles)|godotenv/.test(m[0]) ? a : [a[0]]) use(m, x, false);
    else use(m, undefined, false);
  });
  each(WRITES, (m, a) => use(m, a?.[0], true));
  each(OPEN_FILE, (m, a) => use(m, a?.[0], !a || !a[1] || /O_(WRONLY|RDWR|CREATE|APPEND|TRUNC)/.test(a[1]) || !/O_RDONLY/.test(a[1])));
  each(SQL_OPEN, (m, a) => {
    const driver = literal(a?.[0]);
    if (driver !== null && !/sqlite/i.test(driver)) return;
    // A DSN `file:tracker.db?cache=shared`: the path before the options.
    const dsn = literal(a?.[1]);
    out.uses.push({ path: dsn === null ? null : dsn.replace(/^file:/, '').split('?')[0], write: true, where: where(m), sqlDriverUnknown: driver === null });
  });
  each(STATIC, (m, a) => {
    if (a && a.length >= 2) use(m, a[1], false);
  });
  each(SERVE_FILE, (m, a) => use(m, a?.[2], false));
  each(EXEC, (m, a) => {
    const arg = m[1] === 'CommandContext' ? a?.[1] : a?.[0];
    const program = literal(arg);
    const e: ExecUse = { program, where: where(m) };
    // `sh -c "<script>"`: the programs are in the script.
    if (program && /^(\/(usr\/)?bin\/)?(sh|bash)$/.test(program) && a) {
      const rest = a.slice(m[1] === 'CommandContext' ? 2 : 1);
      const c = rest.findIndex((x) => literal(x) === '-c');
      if (c >= 0) {
        const script = literal(rest[c + 1]);
        e.script = script ?? undefined;
        if (script === null) e.program = null;
      }
    }
    out.execs.push(e);
  });
}
