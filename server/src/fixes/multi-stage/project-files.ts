/**
 * What the recipes read from the project's own files in the build context: go.mod, Cargo.toml,
 * package.json, .yarnrc.yml, poetry.toml, .python-version. Each reader takes the file's text and returns
 * the few facts a recipe needs, or null when the text is malformed or says nothing usable: a recipe then
 * declines rather than guesses. None of them throws.
 */
import { parse as parseToml } from 'smol-toml';
import type { Model, Stage } from '../../core/model';
import { checkDeadline } from '../../core/deadline';
import { copyDests, coveredBy } from './common';
import { normalizePypiName, type PypiRequirement } from '../../knowledge/pypi-system-libraries';

function tomlTable(text: string): Record<string, unknown> | null {
  try {
    const t = parseToml(text);
    return t && typeof t === 'object' ? (t as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/**
 * Where a directory of the image comes from in the build context: the path relative to the context root
 * ('' for the root) when a `COPY . <dest>` (or `./`) from the context before `before` put it there; null
 * when no such copy covers it.
 */
export function contextPathOf(model: Model, stage: Stage, imageDir: string, before: Stage['instructions'][number] | null): string | null {
  let found: string | null = null;
  for (const d of copyDests(model, stage)) {
    if (before && d.instr.start >= before.start) break;
    if (d.from || !d.path || d.sources.length !== 1 || !/^\.\/?$/.test(d.sources[0])) continue;
    if (!coveredBy(imageDir, [d.path])) continue;
    found = imageDir === d.path ? '' : imageDir.slice(d.path === '/' ? 1 : d.path.length + 1);
  }
  return found;
}

/** A file of the build context relative to a context directory ('' = the root); null without files or the file. */
export function readContext(model: Model, dir: string, file: string): string | null {
  if (!model.files) return null;
  checkDeadline();
  const rel = dir ? `${dir.replace(/\/$/, '')}/${file}` : file;
  try {
    return model.files.read(rel);
  } catch {
    return null;
  }
}

/**
 * The text of `file` as the image has it in `imageDir` when the build reaches `before`, read from the build
 * context: through the last COPY/ADD from the context that put it there, either by name
 * (`COPY package.json yarn.lock ./`, `COPY go.mod /src/go.mod`) or with the whole context (`COPY . .`).
 * null when no such copy is seen, without workspace files, or when the context has no such file.
 */
export function readCopied(model: Model, stage: Stage, imageDir: string, file: string, before: Stage['instructions'][number] | null): string | null {
  const dests = copyDests(model, stage).filter((d) => !d.from && d.path && (!before || d.instr.start < before.start));
  for (const d of dests.reverse()) {
    if (d.sources.length === 1 && /^\.\/?$/.test(d.sources[0])) {
      if (!coveredBy(imageDir, [d.path!])) continue;
      return readContext(model, imageDir === d.path ? '' : imageDir.slice(d.path === '/' ? 1 : d.path!.length + 1), file);
    }
    // One directory of the context copied whole (`COPY requirements/ requirements/`): its contents land in the destination.
    const src = d.sources.length === 1 ? trimTrailing(d.sources[0].replace(/^\.\//, ''), '/') : '';
    // A path segment at a time would cost an array as long as the path for every file looked up (a 1 MB source of slashes).
    if (src && src.length <= 4096 && !/[*?[]/.test(src) && !src.startsWith('/') && !`/${src}/`.includes('/../') && src.slice(src.lastIndexOf('/') + 1) !== file && coveredBy(imageDir, [d.path!])) {
      const rel = imageDir === d.path ? '' : imageDir.slice(d.path === '/' ? 1 : d.path!.length + 1);
      const text = readContext(model, rel ? `${src}/${rel}` : src, file);
      if (text !== null) return text;
    }
    const named = d.sources.find((s) => !/[*?[]/.test(s) && s.replace(/\/$/, '').split('/').pop() === file);
    if (!named) continue;
    const into = d.path === `${imageDir.replace(/\/$/, '')}/${file}` || (d.path === imageDir && (d.sources.length > 1 || /\/\s*$|\s\.\s*$/.test(model.doc.text.slice(d.instr.start, d.instr.end))));
    if (into) return readContext(model, '', named.replace(/^\.\//, ''));
  }
  return null;
}

/** `s` without the copies of `ch` at its end (a loop: `/x+$/` backtracks quadratically on a long run of x not at the end). */
function trimTrailing(s: string, ch: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === ch) end--;
  return s.slice(0, end);
}

// --- go.mod -------------------------------------------------------------------------------------

export interface GoMod {
  module: string;
  /** Module paths of the `require` directives (single-line and blocks). */
  requires: string[];
}

/** The module path and the required modules of a go.mod (https://go.dev/ref/mod#go-mod-file). */
export function parseGoMod(text: string): GoMod | null {
  // Comments run to the end of the line; quoted module paths are allowed.
  const lines = text.split(/\r?\n/).map((l) => {
    const c = l.indexOf('//');
    return (c < 0 ? l : l.slice(0, c)).trim();
  });
  let module: string | null = null;
  const requires: string[] = [];
  let inRequire = false;
  const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');
  for (const l of lines) {
    if (!l) continue;
    if (inRequire) {
      if (l === ')') inRequire = false;
      else requires.push(unquote(l.split(/\s+/)[0]));
      continue;
    }
    const m = /^module\s+(\S+)$/.exec(l);
    if (m) {
      if (module !== null) return null;
      module = unquote(m[1]);
      continue;
    }
    if (/^require\s*\($/.test(l)) inRequire = true;
    else {
      const r = /^require\s+(\S+)\s+\S+/.exec(l);
      if (r) requires.push(unquote(r[1]));
    }
  }
  if (!module || inRequire || !/^[A-Za-z0-9._~\/-]+$/.test(module)) return null;
  return { module, requires };
}

/**
 * The file name `go build` gives the binary of the package with this import path: its last element, or
 * the one before when the last is a major-version suffix (`example.com/app/v2` → `app`). This is the
 * rule of cmd/go's DefaultExecName (go.dev/cmd/go, "go build": "the output file is named after the
 * last non-major-version component of the package import path").
 */
export function goExecName(importPath: string): string | null {
  const parts = importPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return null;
  let name = parts[parts.length - 1];
  if (parts.length >= 2 && /^v[2-9]\d*$|^v[1-9]\d+$/.test(name)) name = parts[parts.length - 2];
  return /^[A-Za-z0-9._~-]+$/.test(name) && name !== '..' ? name : null;
}

// --- Cargo.toml ---------------------------------------------------------------------------------

export interface CargoManifest {
  packageName: string | null;
  /** Names of the `[[bin]]` targets. */
  bins: string[];
}

/** The package name and binary targets of a Cargo.toml (doc.rust-lang.org/cargo/reference/cargo-targets.html). */
export function parseCargoToml(text: string): CargoManifest | null {
  const t = tomlTable(text);
  if (!t) return null;
  const pkg = isRecord(t.package) ? t.package : null;
  const packageName = pkg && typeof pkg.name === 'string' ? pkg.name : null;
  const bins: string[] = [];
  if (t.bin !== undefined) {
    if (!Array.isArray(t.bin)) return null;
    for (const b of t.bin) {
      if (!isRecord(b)) return null;
      if (typeof b.name === 'string') bins.push(b.name);
    }
  }
  if (!packageName && bins.length === 0) return null;
  return { packageName, bins };
}

/**
 * The names of the binaries `cargo build`/`cargo install` make for a manifest: the `[[bin]]` names and the
 * package name (the default binary of src/main.rs, unless `autobins = false` turns that off).
 */
export function cargoBinaryNames(m: CargoManifest, text: string): string[] {
  const t = tomlTable(text);
  const autobins = !(t && isRecord(t.package) && t.package.autobins === false);
  const names = [...m.bins];
  if (m.packageName && autobins && !names.includes(m.packageName)) names.push(m.packageName);
  return names;
}

// --- package.json -------------------------------------------------------------------------------

export interface PackageJson {
  scripts: Record<string, string>;
  main: string | null;
  /** The `packageManager` field (`yarn@4.1.0`, `pnpm@9.0.0`). */
  packageManager: string | null;
  /** The names under `devDependencies`. */
  devDependencies: string[];
  /** The names under `dependencies`. */
  dependencies: string[];
}

export function parsePackageJson(text: string): PackageJson | null {
  let j: unknown;
  try {
    j = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (!isRecord(j)) return null;
  const scripts: Record<string, string> = {};
  if (j.scripts !== undefined) {
    if (!isRecord(j.scripts)) return null;
    for (const [k, v] of Object.entries(j.scripts)) if (typeof v === 'string') scripts[k] = v;
  }
  return {
    scripts,
    main: typeof j.main === 'string' ? j.main : null,
    packageManager: typeof j.packageManager === 'string' ? j.packageManager : null,
    devDependencies: isRecord(j.devDependencies) ? Object.keys(j.devDependencies) : [],
    dependencies: isRecord(j.dependencies) ? Object.keys(j.dependencies) : [],
  };
}

// --- .yarnrc.yml ---------------------------------------------------------------------------------

export interface YarnRc {
  /** `nodeLinker` (`pnp` when not set, Yarn's default). */
  nodeLinker: string;
  /** `yarnPath`, when set (`.yarn/releases/yarn-4.1.0.cjs`). */
  yarnPath: string | null;
  /** Whether the workspace-tools plugin (which adds `yarn workspaces focus` to Yarn 2 and 3) is listed. */
  workspaceTools: boolean;
}

/** A YAML line without its comment: from the first `#` after a blank, the blanks before it included. */
function withoutYamlComment(line: string): string {
  for (let k = line.indexOf('#'); k >= 0; k = line.indexOf('#', k + 1)) {
    if (k === 0 || !/\s/.test(line[k - 1])) continue;
    let start = k - 1;
    while (start > 0 && /\s/.test(line[start - 1])) start--;
    return line.slice(0, start);
  }
  return line;
}

/**
 * The top-level settings of a .yarnrc.yml the Node recipe needs. Only top-level `key: value` lines are
 * read (the settings named here are scalars at the top level, yarnpkg.com/configuration/yarnrc); a line
 * that is not YAML-like makes the file unreadable (null).
 */
export function parseYarnRc(text: string): YarnRc | null {
  const top = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = withoutYamlComment(raw);
    if (/^\s*(#.*)?$/.test(line) || /^\s/.test(line) || /^-\s/.test(line)) continue;
    const m = /^([A-Za-z][\w-]*)\s*:(.*)$/.exec(line);
    if (!m) return null;
    const v = m[2].trim();
    top.set(m[1], v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]) ? v.slice(1, -1) : v);
  }
  const linker = top.get('nodeLinker');
  return {
    nodeLinker: linker ? linker : 'pnp',
    yarnPath: top.get('yarnPath') || null,
    workspaceTools: /plugin-workspace-tools/.test(text),
  };
}

/** The major version of a package manager from `packageManager` (`yarn@4.1.0+sha…`) or a release file name. */
export function majorVersionOf(spec: string | null, tool: string): number | null {
  if (!spec) return null;
  const m = new RegExp(`(?:^|[/@-])${tool}[@-](\\d+)\\.`).exec(spec);
  return m ? Number(m[1]) : null;
}

// --- Python ---------------------------------------------------------------------------------------

export interface PoetryToml {
  inProject: boolean | null;
  create: boolean | null;
}

/** `[virtualenvs] in-project` / `create` of a poetry.toml (python-poetry.org/docs/configuration). */
export function parsePoetryToml(text: string): PoetryToml | null {
  const t = tomlTable(text);
  if (!t) return null;
  const v = isRecord(t.virtualenvs) ? t.virtualenvs : {};
  const flag = (x: unknown) => (typeof x === 'boolean' ? x : null);
  return { inProject: flag(v['in-project']), create: flag(v.create) };
}

/** The version a .python-version file pins (its first non-comment line), or null. */
export function parsePythonVersion(text: string): string | null {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  return line && /^\d+(\.\d+){0,2}$/.test(line) ? line : null;
}

/** One requirement line of PEP 508 (`name[extra,…] (spec) ; marker`): its normalised name and extras, or null. */
export function parseRequirement(spec: string): PypiRequirement | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?/.exec(spec);
  if (!m) return null;
  const extras = (m[2] ?? '').split(',').map((x) => normalizePypiName(x.trim())).filter(Boolean);
  return { name: trimTrailing(normalizePypiName(m[1]), '-'), extras };
}

export interface Requirements {
  reqs: PypiRequirement[];
  /** Files `-r` / `-c` name, as written (relative to the file's directory). */
  includes: string[];
  /** Distributions `--no-binary` names (normalised; `:all:` for every one). */
  noBinary: string[];
}

/** The values of `--no-binary` (`--no-binary x,y`, `--no-binary=x`) among `words`, normalised. */
export function noBinaryOf(words: (string | null)[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const v = w === '--no-binary' ? words[k + 1] : w?.startsWith('--no-binary=') ? w.slice('--no-binary='.length) : undefined;
    if (v) for (const n of v.split(',')) if (n.trim()) out.push(n.trim() === ':all:' ? ':all:' : normalizePypiName(n.trim()));
  }
  return out;
}

/** A requirements-file line without its comment (a `#` at the start or after a blank), trimmed. */
export function requirementText(raw: string): string {
  const hash = raw.search(/(^|\s)#/);
  return (hash < 0 ? raw : raw.slice(0, hash)).trim();
}

/**
 * A requirements file (pip.pypa.io/en/stable/reference/requirements-file-format): one requirement per line,
 * `#` comments, `\` continuations, `-r`/`-c` includes, `--no-binary`; URLs, paths and editables name no
 * distribution and are skipped.
 */
export function parseRequirements(text: string): Requirements {
  const out: Requirements = { reqs: [], includes: [], noBinary: [] };
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = requirementText(raw);
    if (!line) continue;
    if (line.startsWith('-')) {
      const words = line.split(/\s+|=/);
      if (['-r', '--requirement', '-c', '--constraint'].includes(words[0]) && words[1]) {
        if (words[0] === '-r' || words[0] === '--requirement') out.includes.push(words[1]);
      }
      out.noBinary.push(...noBinaryOf(line.split(/\s+/)));
      continue;
    }
    if (/^[a-z+]+:\/\//i.test(line) || line.startsWith('.') || line.startsWith('/')) continue;
    const r = parseRequirement(line.includes(' @ ') ? line.slice(0, line.indexOf(' @ ')) : line);
    if (r) out.reqs.push(r);
  }
  return out;
}

/**
 * The dependencies of a pyproject.toml: PEP 621 `[project] dependencies` and optional dependencies, and Poetry's
 * `[tool.poetry.dependencies]` and groups (python-poetry.org/docs/pyproject). null when the file does not parse.
 */
export function pyprojectRequirements(text: string): PypiRequirement[] | null {
  const t = tomlTable(text);
  if (!t) return null;
  const out: PypiRequirement[] = [];
  const add = (spec: unknown) => {
    const r = typeof spec === 'string' ? parseRequirement(spec) : null;
    if (r) out.push(r);
  };
  const project = isRecord(t.project) ? t.project : {};
  if (Array.isArray(project.dependencies)) project.dependencies.forEach(add);
  if (isRecord(project['optional-dependencies'])) for (const v of Object.values(project['optional-dependencies'])) if (Array.isArray(v)) v.forEach(add);
  const tool = isRecord(t.tool) ? t.tool : {};
  const poetry = isRecord(tool.poetry) ? tool.poetry : {};
  const tables: unknown[] = [poetry.dependencies, poetry['dev-dependencies']];
  if (isRecord(poetry.group)) for (const g of Object.values(poetry.group)) if (isRecord(g)) tables.push(g.dependencies);
  for (const deps of tables) {
    if (!isRecord(deps)) continue;
    for (const [name, v] of Object.entries(deps)) {
      if (name.toLowerCase() === 'python') continue;
      const extras = isRecord(v) && Array.isArray(v.extras) ? v.extras.filter((x): x is string => typeof x === 'string').map(normalizePypiName) : [];
      out.push({ name: normalizePypiName(name), extras });
    }
  }
  return out;
}

/**
 * The PyPI packages pip fetches to install a local project directory (`pip install .`, `pip install /src`): the
 * dependencies it declares and its build backend (pip builds it in an isolated environment with the packages of
 * `[build-system] requires`, and with setuptools and wheel for a project without a pyproject.toml; pip.pypa.io
 * "Build System Interface"). Extras are not counted: a bare path installs none. null when the dependencies cannot be
 * read with certainty: dynamic dependencies, a setup.py that computes its `install_requires`, a setup.cfg that lists
 * them, a project the context does not show.
 */
export function localProjectRequirements(read: (file: string) => string | null): string[] | null {
  const pyproject = read('pyproject.toml');
  let build = ['setuptools', 'wheel'];
  if (pyproject !== null) {
    const t = tomlTable(pyproject);
    if (!t) return null;
    const bs = isRecord(t['build-system']) ? t['build-system'] : null;
    if (bs) {
      if (!Array.isArray(bs.requires)) return null;
      const names = bs.requires.map((r) => (typeof r === 'string' ? parseRequirement(r)?.name : null));
      if (names.some((n) => !n)) return null;
      build = names as string[];
    }
    const project = isRecord(t.project) ? t.project : null;
    if (project) {
      if (Array.isArray(project.dynamic) && project.dynamic.includes('dependencies')) return null;
      if (project.dependencies === undefined) return build;
      if (!Array.isArray(project.dependencies)) return null;
      const deps = project.dependencies.map((r) => (typeof r === 'string' ? parseRequirement(r)?.name : null));
      return deps.some((n) => !n) ? null : [...build, ...(deps as string[])];
    }
    const tool = isRecord(t.tool) ? t.tool : {};
    if (isRecord(tool.poetry)) {
      const deps = isRecord(tool.poetry.dependencies) ? Object.keys(tool.poetry.dependencies).filter((n) => n.toLowerCase() !== 'python') : [];
      return [...build, ...deps.map(normalizePypiName)];
    }
  }
  // A setup.py project: its install_requires only when written out as a list of string literals.
  const setup = read('setup.py');
  if (setup === null) return null;
  const cfg = read('setup.cfg');
  if (cfg !== null && /install_requires/.test(cfg)) return null;
  if (!setup.includes('install_requires')) return build;
  if (setup.split('install_requires').length !== 2) return null;
  // Read by position, not by a pattern: a `\s*` before a `[^\]]*` backtracks quadratically on a long unclosed list.
  const at = skipSpaces(setup, setup.indexOf('install_requires') + 'install_requires'.length);
  if (setup[at] !== '=') return null;
  let list = listAt(setup, skipSpaces(setup, at + 1));
  // `install_requires=requirements` after one `requirements = [...]` that nothing else touches.
  const value = skipSpaces(setup, at + 1);
  const named = /^[A-Za-z_]\w*/.exec(setup.slice(value, value + 200))?.[0];
  if (list === null && named && /^\s*[,)]/.test(setup.slice(value + named.length, value + named.length + 200))) {
    const uses = setup.split(/\b/).filter((w) => w === named).length;
    const line = setup.indexOf(`\n${named}`) + 1;
    const eq = line > 0 ? skipSpaces(setup, line + named.length) : -1;
    if (uses === 2 && eq > 0 && setup[eq] === '=') list = listAt(setup, skipSpaces(setup, eq + 1));
  }
  if (list === null) return null;
  const deps: string[] = [];
  for (const item of list.split(',')) {
    const v = item.trim();
    if (!v) continue;
    const lit = /^(['"])([^'"]*)\1$/.exec(v);
    const name = lit ? parseRequirement(lit[2])?.name : null;
    if (!name) return null;
    deps.push(name);
  }
  return [...build, ...deps];
}

/** A mount compose gives a service: a host path (bind) or a named volume, at a path in the container. */
export interface ComposeMount {
  kind: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

/** The compose file names `docker compose` looks for in a project folder (compose-spec.io, "Compose file"). */
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/**
 * The mounts a compose file gives the services that build this Dockerfile from the compose file's own folder
 * (`build: .`, or `context: .` with `dockerfile:` naming it), in the short syntax (`- ./uploads:/app/uploads`,
 * `- media:/srv/media:ro`) and the long one (`type:`, `source:`, `target:`, `read_only:`). Read by indentation, as
 * written: anchors, merges and interpolation are not followed (a mount written through them is not seen).
 */
export function composeMounts(text: string, dockerfileName: string, contextDir = '', env: string | null = null): ComposeMount[] {
  const vars = dotEnv(env);
  // Comments go (a `#` after a blank, or a line's first word); read by position, no pattern that backtracks.
  const lines = text.split(/\r?\n/).map((l) => {
    if (l.trimStart().startsWith('#')) return '';
    const h = l.search(/[ \t]#/);
    return h < 0 ? l : l.slice(0, h);
  });
  const indent = (l: string) => l.length - l.trimStart().length;
  const start = lines.findIndex((l) => /^services:\s*$/.test(l));
  if (start < 0) return [];
  const out: ComposeMount[] = [];
  let k = start + 1;
  while (k < lines.length) {
    const l = lines[k];
    if (!l.trim()) {
      k++;
      continue;
    }
    if (indent(l) === 0) break;
    const svcIndent = indent(l);
    // One service's block: the lines indented deeper than its name.
    let end = k + 1;
    while (end < lines.length && (!lines[end].trim() || indent(lines[end]) > svcIndent)) end++;
    const block = lines.slice(k + 1, end);
    if (buildsHere(block, dockerfileName, contextDir, vars)) out.push(...blockMounts(block));
    k = end;
  }
  return out;
}

/** `key: value` (a plain word as the key), or null. */
function keyValue(t: string): { key: string; value: string } | null {
  const c = t.indexOf(':');
  if (c <= 0 || !/^[\w.-]+$/.test(t.slice(0, c))) return null;
  return { key: t.slice(0, c), value: t.slice(c + 1).trim() };
}

function unquote(v: string): string {
  const t = v.trim();
  return /^(['"]).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/** The variables of a `.env` file (`NAME=value`, quotes and `export ` dropped, comments skipped). */
function dotEnv(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text?.split(/\r?\n/) ?? []) {
    const line = raw.trim().replace(/^export\s+/, '');
    const eq = line.indexOf('=');
    if (line.startsWith('#') || eq <= 0 || !/^[A-Za-z_]\w*$/.test(line.slice(0, eq))) continue;
    out.set(line.slice(0, eq), unquote(line.slice(eq + 1)));
  }
  return out;
}

/** `${NAME}`, `${NAME:-default}` and `$NAME` replaced from the `.env` variables; one that is not there stays as written (and matches nothing). Scanned by position. */
function interpolate(v: string, vars: Map<string, string>): string {
  if (!v.includes('$')) return v;
  let out = '';
  let k = 0;
  while (k < v.length) {
    const d = v.indexOf('$', k);
    if (d < 0) break;
    out += v.slice(k, d);
    if (v[d + 1] === '{') {
      const close = v.indexOf('}', d);
      if (close < 0) return out + v.slice(d);
      const inner = v.slice(d + 2, close);
      const sep = inner.search(/:?-/);
      const name = sep < 0 ? inner : inner.slice(0, sep);
      const dflt = sep < 0 ? undefined : inner.slice(inner.indexOf('-', sep) + 1);
      out += vars.get(name) ?? dflt ?? v.slice(d, close + 1);
      k = close + 1;
    } else {
      const name = /^[A-Za-z_]\w*/.exec(v.slice(d + 1, d + 257))?.[0] ?? '';
      out += name ? vars.get(name) ?? `$${name}` : '$';
      k = d + 1 + name.length;
    }
  }
  return out + v.slice(k);
}

/** A relative folder as compose resolves it: `./backend/` → `backend`, `.` → ''. */
function relFolder(p: string): string {
  return p
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .join('/');
}

/** Whether a service block builds the Dockerfile named, in `contextDir` below the compose file's folder. */
function buildsHere(block: string[], dockerfileName: string, contextDir: string, vars: Map<string, string>): boolean {
  const k = block.findIndex((l) => /^\s*build:/.test(l));
  if (k < 0) return false;
  const inline = block[k].slice(block[k].indexOf(':') + 1).trim();
  // The Dockerfile compose builds is `dockerfile` (default `Dockerfile`) inside the context: the same file as this one
  // when both paths, from the compose file's folder, are equal.
  const here = relFolder(`${contextDir}/${dockerfileName}`);
  if (inline) return relFolder(`${interpolate(unquote(inline), vars)}/Dockerfile`) === here;
  const own = block[k].length - block[k].trimStart().length;
  let context: string | null = null;
  let dockerfile = 'Dockerfile';
  for (let j = k + 1; j < block.length && (!block[j].trim() || block[j].length - block[j].trimStart().length > own); j++) {
    const f = keyValue(block[j].trim());
    if (f?.key === 'context') context = interpolate(unquote(f.value), vars);
    else if (f?.key === 'dockerfile') dockerfile = interpolate(unquote(f.value), vars);
  }
  return relFolder(`${context ?? '.'}/${dockerfile}`) === here;
}

/** The `volumes:` entries of one service block. */
function blockMounts(block: string[]): ComposeMount[] {
  const k = block.findIndex((l) => /^\s*volumes:\s*$/.test(l));
  if (k < 0) return [];
  const own = block[k].length - block[k].trimStart().length;
  const out: ComposeMount[] = [];
  let long: Partial<ComposeMount> | null = null;
  const flush = () => {
    if (long?.target && long.source !== undefined) out.push({ kind: long.kind ?? 'volume', source: long.source, target: long.target, readOnly: !!long.readOnly });
    long = null;
  };
  for (let j = k + 1; j < block.length; j++) {
    const l = block[j];
    if (!l.trim()) continue;
    if (l.length - l.trimStart().length <= own) break;
    const t = l.trim();
    const item = t.startsWith('-');
    const body = item ? t.slice(1).trim() : t;
    if (item) flush();
    const field = keyValue(body);
    if (field && ['type', 'source', 'target', 'read_only'].includes(field.key)) {
      long ??= {};
      const v = unquote(field.value);
      if (field.key === 'type') long.kind = v === 'bind' ? 'bind' : 'volume';
      else if (field.key === 'source') long.source = v;
      else if (field.key === 'target') long.target = v;
      else long.readOnly = v === 'true';
      continue;
    }
    if (!item) continue;
    const parts = unquote(body).split(':');
    if (parts.length < 2 || !parts[1].startsWith('/')) continue;
    const source = parts[0];
    out.push({ kind: /^[./~$]/.test(source) ? 'bind' : 'volume', source, target: parts[1], readOnly: parts.slice(2).some((p) => p.split(',').includes('ro')) });
  }
  flush();
  return out;
}

/** The index of the first character at or after `i` that is not a space or tab. */
function skipSpaces(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/** The text inside a `[ … ]` that opens at `i`, or null when no list opens there or it never closes. */
function listAt(text: string, i: number): string | null {
  if (text[i] !== '[') return null;
  const close = text.indexOf(']', i);
  return close < 0 ? null : text.slice(i + 1, close);
}

/** The packages of a poetry.lock or uv.lock (`[[package]] name = "…"`), which include every transitive one; null when it does not parse. */
export function lockedPackages(text: string): PypiRequirement[] | null {
  const t = tomlTable(text);
  if (!t || !Array.isArray(t.package)) return null;
  const out: PypiRequirement[] = [];
  for (const p of t.package) if (isRecord(p) && typeof p.name === 'string') out.push({ name: normalizePypiName(p.name), extras: [] });
  return out;
}
