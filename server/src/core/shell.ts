/**
 * RUN bodies through a real shell parser (tree-sitter-bash on web-tree-sitter). Loading the grammar is
 * asynchronous and done once (`initShell`); parsing afterwards is synchronous and cached by body text.
 * Offsets are UTF-16 indices into the body string, as tree-sitter reports them for JS strings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Parser, Language, type Tree } from 'web-tree-sitter';
import { precompiled, wasm, type WasmObject } from './wasm-handoff';
import { isShortFlagsWith } from './flags';

export interface ShellWord {
  /** The word's value when it is static (quotes removed); null when it holds an expansion. */
  value: string | null;
  raw: string;
  start: number;
  end: number;
}

export interface ShellCommand {
  /** The command's name when static (`apt-get`), else null. */
  name: string | null;
  nameWord: ShellWord | null;
  args: ShellWord[];
  /** Environment assignments written before the name (`DEBIAN_FRONTEND=noninteractive apt-get …`). */
  assignments: string[];
  start: number;
  end: number;
  /** Inside `( … )`, `$( … )` or a pipeline stage other than the last: cannot change the shell's own state. */
  isolated: boolean;
}

export interface ShellScript {
  text: string;
  /** Every simple command, in source order. */
  commands: ShellCommand[];
  /** End offset of the last statement, before any trailing comment or separator. */
  lastStatementEnd: number;
  /** The body ends in `;` or `&`, or with a comment: a plain ` && next` cannot follow it. */
  endsOpen: boolean;
  /** A top-level statement changes shell state that a later command of the same shell would see (cd, export, set, exit…). */
  changesShellState: boolean;
  /** One statement whose top-level operators are all `&&`: `x && <this>` keeps its exit-status meaning. */
  plainAndChain: boolean;
  /** A `set -e` / `set -o errexit` somewhere in the body: a failing command ends the shell. */
  setsErrexit: boolean;
}

const STATE_COMMANDS = new Set([
  'cd', 'pushd', 'popd', 'export', 'unset', 'set', 'shopt', 'umask', 'alias', 'unalias', 'source', '.',
  'trap', 'ulimit', 'declare', 'typeset', 'local', 'readonly', 'eval', 'exec', 'exit', 'return', 'enable', 'hash',
]);

let parser: Parser | null = null;
let loading: Promise<void> | null = null;

function findWasm(file: string, pkg: string): string {
  const candidates = [path.join(__dirname, file), path.join(__dirname, '..', 'dist', file)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  // Unbundled runs (tests of the sources): resolve from node_modules.
  return require.resolve(`${pkg}/${file}`);
}

/** Loads the shell grammar once. Safe to call many times. */
export function initShell(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      const pre = precompiled();
      // Compiled already by the launcher (node/launch.ts) when started through it; otherwise compiled here. The
      // runtime is instantiated here either way, to keep its exports for the tree walk (plainTree).
      const runtimeModule = pre ? pre.runtime : wasm.compile(fs.readFileSync(findWasm('tree-sitter.wasm', 'web-tree-sitter')));
      const [runtime, language] = await Promise.all([runtimeModule, pre ? pre.language : null]);
      let failed: (err: unknown) => void = () => {};
      const instantiateFailed = new Promise<never>((_, reject) => (failed = reject));
      let instance: WasmInstance | null = null;
      await Promise.race([
        Parser.init({
          locateFile: (name: string) => findWasm(name, 'web-tree-sitter'),
          // web-tree-sitter's hook to make the instance itself; it has no way to report a failure, hence the race.
          instantiateWasm: (imports: object, done: (instance: WasmObject, module: WasmObject) => void) =>
            void wasm.instantiate(runtime, imports).then((made) => {
              instance = made as WasmInstance;
              done(made, runtime);
            }, failed),
        }),
        instantiateFailed,
      ]);
      // The bundle's copy of web-tree-sitter takes a compiled module here too (scripts/build.mjs).
      const lang = await Language.load(language ? (language as Uint8Array) : findWasm('tree-sitter-bash.wasm', 'tree-sitter-bash'));
      const p = new Parser();
      p.setLanguage(lang);
      cursorApi = cursorExports(instance);
      parser = p;
    })();
  }
  return loading;
}

export function shellReady(): boolean {
  return parser !== null;
}

/**
 * Parsed bodies by text, least recently used first, bounded by count and by an estimate of their memory: a body
 * costs about 20 bytes per character once parsed (its words are objects), so a few versions of a 200 KB body
 * (one per keystroke inside it) would otherwise fill the count with gigabytes.
 */
const cache = new Map<string, { script: ShellScript | null; bytes: number }>();
const CACHE_MAX = 4000;
const CACHE_MAX_BYTES = 32 * 1024 * 1024;
let cacheBytes = 0;
/** Bodies longer than this are not parsed: no finding that needs them. */
const MAX_BODY = 200_000;

/** The estimated memory of a cached body: its text and the objects of its parse (measured: 18–35 bytes per character). */
function entryBytes(text: string): number {
  return 1024 + 24 * text.length;
}

/** Empties the parse cache (the server, when no document is open any more). */
export function clearShellCache(): void {
  cache.clear();
  cacheBytes = 0;
}

/** How many bodies the parse cache holds and their estimated bytes (for tests). */
export function shellCacheSize(): { entries: number; bytes: number } {
  return { entries: cache.size, bytes: cacheBytes };
}

/** Parses a shell body; null when the parser is not loaded, the body is too large or too deep, or it does not parse cleanly. */
export function parseShell(text: string): ShellScript | null {
  if (!parser || text.length > MAX_BODY) return null;
  const hit = cache.get(text);
  if (hit !== undefined) {
    // Refresh its place so the cache keeps what is in use.
    cache.delete(text);
    cache.set(text, hit);
    return hit.script;
  }
  let result: ShellScript | null = null;
  const tree = parser.parse(text);
  if (tree) {
    try {
      // The conversion below recurses along the tree, and a body of thousands of `&&`-joined commands nests that
      // deep: such a body is left alone, as one that does not parse. (Measured, not caught: whether a deep recursion
      // runs out of stack depends on the engine's state, and the answer must not.)
      const root = tree.rootNode.hasError ? null : plainTree(tree, text);
      if (root) result = toScript(text, root);
    } catch {
      result = null;
    } finally {
      tree.delete();
    }
  }
  const bytes = entryBytes(text);
  while (cache.size > 0 && (cache.size >= CACHE_MAX || cacheBytes + bytes > CACHE_MAX_BYTES)) {
    const [oldest, entry] = cache.entries().next().value as [string, { bytes: number }];
    cache.delete(oldest);
    cacheBytes -= entry.bytes;
  }
  cache.set(text, { script: result, bytes });
  cacheBytes += bytes;
  return result;
}

/**
 * The syntax tree copied into plain objects in one cursor walk: reading a web-tree-sitter node's
 * properties crosses into WebAssembly each time, so the analysis reads these copies instead. Each copy
 * reads three values across (type, start, end); whether a type is named is asked once per type. (Fields
 * are not copied: the one the analysis needs, a command's `name`, always holds a `command_name` node.)
 */
class Node {
  readonly children: Node[] = [];
  readonly namedChildren: Node[] = [];
  constructor(
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {}
  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }
}

/** Deeper trees than this are not converted (the conversion recurses, a few frames per level). */
const MAX_DEPTH = 400;

/** A WebAssembly instance (the runtime's): its exported functions. */
interface WasmInstance {
  exports: Record<string, unknown>;
}

/**
 * The runtime's tree-cursor functions, called without web-tree-sitter's TreeCursor: that class copies the
 * cursor's four words into the runtime's transfer buffer before each call and back after it, and the walk
 * below made about five calls per node. Each function here takes the tree's address and reads the cursor
 * from that buffer; the moves write it back there. So a cursor left there by `tree.walk()` can be moved and
 * read with no copying, as long as nothing else uses the buffer meanwhile (nothing does: the walk is
 * synchronous and calls only these).
 */
interface CursorApi {
  firstChild(tree: number): number;
  nextSibling(tree: number): number;
  parent(tree: number): number;
  typeId(tree: number): number;
  isNamed(tree: number): number;
  start(tree: number): number;
  end(tree: number): number;
  free(tree: number): void;
}

let cursorApi: CursorApi | null = null;

function cursorExports(instance: WasmInstance | null): CursorApi {
  const x = instance ? instance.exports : {};
  const f = (name: string) => {
    const fn = x[`ts_tree_cursor_${name}_wasm`];
    if (typeof fn !== 'function') throw new Error(`the shell parser's runtime has no ts_tree_cursor_${name}_wasm`);
    return fn as (tree: number) => number;
  };
  return {
    firstChild: f('goto_first_child'),
    nextSibling: f('goto_next_sibling'),
    parent: f('goto_parent'),
    typeId: f('current_node_type_id'),
    isNamed: f('current_node_is_named'),
    start: f('start_index'),
    end: f('end_index'),
    free: f('delete'),
  };
}

/** Per node type id of the grammar: whether that type is named (asked across once). */
const namedTypes: (boolean | undefined)[] = [];

/** The copy, or null when the tree nests deeper than MAX_DEPTH. */
function plainTree(tree: Tree, text: string): Node | null {
  const api = cursorApi as CursorApi;
  const t = (tree as unknown as Record<number, number>)[0];
  const types = tree.language.types;
  // A new cursor at the root, left by the runtime in its transfer buffer, where the calls below read and move it.
  tree.walk();
  const make = (): Node => {
    const typeId = api.typeId(t);
    let named = namedTypes[typeId];
    if (named === undefined) named = namedTypes[typeId] = api.isNamed(t) === 1;
    return new Node(text, types[typeId] || 'ERROR', named, api.start(t), api.end(t));
  };
  try {
    const root = make();
    const stack: Node[] = [root];
    if (api.firstChild(t) !== 1) return root;
    for (;;) {
      const n = make();
      const parent = stack[stack.length - 1];
      parent.children.push(n);
      if (n.isNamed) parent.namedChildren.push(n);
      if (api.firstChild(t) === 1) {
        stack.push(n);
        if (stack.length > MAX_DEPTH) return null;
        continue;
      }
      while (api.nextSibling(t) !== 1) {
        if (api.parent(t) !== 1 || stack.length === 1) return root;
        stack.pop();
      }
    }
  } finally {
    api.free(t);
  }
}

/** Nested `[type, isNamed, start, end, ...children]` of the tree `parseShell` copies from `text`, or null (for tests). */
export function copiedShellTree(text: string): unknown[] | null {
  if (!parser) return null;
  const tree = parser.parse(text);
  if (!tree) return null;
  try {
    const root = plainTree(tree, text);
    const nest = (n: Node): unknown[] => [n.type, n.isNamed, n.startIndex, n.endIndex, ...n.children.map(nest)];
    return root && nest(root);
  } finally {
    tree.delete();
  }
}

// The walks below run over every node of every parsed body, often before the engine has optimised them:
// indexed loops, as a for-of loop's iterator allocates on every step until then.

function toScript(text: string, root: Node): ShellScript {
  const commands: ShellCommand[] = [];
  collect(root, false, commands);
  const kids = root.children;
  let lastStmt: Node | null = null;
  for (let i = 0; i < kids.length; i++) if (kids[i].isNamed && kids[i].type !== 'comment') lastStmt = kids[i];
  const last = kids[kids.length - 1];
  const endsOpen = !!last && (last.type === 'comment' || last.type === ';' || last.type === '&' || last.type === ';;');
  const statements = kids.filter((k) => k.isNamed && k.type !== 'comment');
  const plainAndChain = statements.length === 1 && !endsOpen && isAndChain(statements[0]);
  let changesShellState = false;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (k.type === '&') changesShellState = true; // background jobs outlive a `&&` chain differently
    if (k.isNamed && k.type !== 'comment' && statementChangesState(k)) changesShellState = true;
  }
  return {
    text,
    commands,
    lastStatementEnd: lastStmt ? lastStmt.endIndex : 0,
    endsOpen,
    changesShellState,
    plainAndChain,
    setsErrexit: commands.some((c) => c.name === 'set' && c.args.some((a, k) => isShortFlagsWith(a.value ?? '', 'e') || (a.value === '-o' && c.args[k + 1]?.value === 'errexit'))),
  };
}

function isAndChain(n: Node): boolean {
  if (n.type !== 'list') return true;
  for (let i = 0; i < n.children.length; i++) {
    const c = n.children[i];
    if (!c.isNamed && c.type !== '&&') return false;
    if (c.isNamed && !isAndChain(c)) return false;
  }
  return true;
}

/** Whether a top-level statement can leave state behind for whatever the same shell runs next. */
function statementChangesState(n: Node): boolean {
  switch (n.type) {
    case 'subshell':
      return false;
    case 'variable_assignment':
    case 'variable_assignments':
    case 'function_definition':
    case 'declaration_command':
    case 'unset_command':
      return true;
    case 'command': {
      const name = n.children.find((c) => c.type === 'command_name') ?? null;
      const word = name ? staticValue(name) : null;
      return word === null ? true : STATE_COMMANDS.has(word);
    }
    case 'pipeline':
      // Only a pipeline's last stage could run in the current shell (and not in sh); treat it as isolated.
      return false;
    default:
      // Lists, redirected statements, compound statements, loops, conditionals: look inside at this level.
      for (let i = 0; i < n.namedChildren.length; i++) {
        const c = n.namedChildren[i];
        if (c.type !== 'comment' && statementChangesState(c)) return true;
      }
      return false;
  }
}

function collect(n: Node, isolated: boolean, out: ShellCommand[]): void {
  if (n.type === 'command') {
    out.push(toCommand(n, isolated));
    // Command substitutions inside arguments hold commands too.
    for (let i = 0; i < n.namedChildren.length; i++) collectNested(n.namedChildren[i], out);
    return;
  }
  const iso = isolated || n.type === 'subshell' || n.type === 'command_substitution' || n.type === 'process_substitution';
  if (n.type === 'pipeline') {
    const stages = n.namedChildren;
    for (let i = 0; i < stages.length; i++) collect(stages[i], iso || i < stages.length - 1, out);
    return;
  }
  for (let i = 0; i < n.namedChildren.length; i++) collect(n.namedChildren[i], iso, out);
}

function collectNested(n: Node, out: ShellCommand[]): void {
  if (n.type === 'command_substitution' || n.type === 'process_substitution') {
    for (let i = 0; i < n.namedChildren.length; i++) collect(n.namedChildren[i], true, out);
    return;
  }
  for (let i = 0; i < n.namedChildren.length; i++) collectNested(n.namedChildren[i], out);
}

function toCommand(n: Node, isolated: boolean): ShellCommand {
  let nameWord: ShellWord | null = null;
  const args: ShellWord[] = [];
  const assignments: string[] = [];
  for (let i = 0; i < n.namedChildren.length; i++) {
    const c = n.namedChildren[i];
    if (c.type === 'variable_assignment') assignments.push(c.text);
    else if (c.type === 'command_name') nameWord = word(c.namedChildren[0] ?? c);
    else if (c.type.endsWith('redirect') || c.type === 'herestring_redirect') continue;
    else if (c.type !== 'comment') args.push(word(c));
  }
  return {
    name: nameWord ? nameWord.value : null,
    nameWord,
    args,
    assignments,
    start: n.startIndex,
    end: n.endIndex,
    isolated,
  };
}

function word(n: Node): ShellWord {
  return { value: staticValue(n), raw: n.text, start: n.startIndex, end: n.endIndex };
}

/** The literal value of a word-like node, or null when it depends on an expansion. */
function staticValue(n: Node): string | null {
  switch (n.type) {
    case 'command_name':
      return n.namedChildren[0] ? staticValue(n.namedChildren[0]) : null;
    case 'word':
    case 'number':
      return n.text.replace(/\\(.)/gs, '$1');
    case 'raw_string':
      return n.text.slice(1, -1);
    case 'string': {
      let v = '';
      for (const c of n.namedChildren) {
        if (c.type !== 'string_content') return null;
        v += c.text.replace(/\\([$`"\\\n])/g, '$1');
      }
      return v;
    }
    case 'concatenation': {
      let v = '';
      for (const c of n.namedChildren) {
        const s = staticValue(c);
        if (s === null) return null;
        v += s;
      }
      return v;
    }
    default:
      return null;
  }
}
