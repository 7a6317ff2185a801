/**
 * Questions every recipe asks of the final stage, answered once: the command the image runs, the working
 * directory of a command inside a RUN, where COPY put files, and the image tag a slim runtime takes.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { parseShell, type ShellCommand } from '../../core/shell';
import { normalPath, rootImage, workdirAt } from '../../core/stage-info';
import { familyHasShell, lookupBaseImage, parseImageRef, repoKey } from '../../knowledge/base-images';
import { KEPT_RECOMMENDS } from '../../knowledge/apt-recommends';
import { BASE_COMMANDS, runtimeTool } from '../../knowledge/runtime-tools';
import { scannedInstall, scannedInstallFixed } from './scanned-packages';

/** Whether the stage's root image (through stage aliases) comes from `repo`: one repository, or a pattern of them. */
export function rootRepoIs(stage: Stage, repo: string | RegExp): boolean {
  const ref = rootImage(stage).ref;
  if (!ref) return false;
  const key = repoKey(ref);
  return typeof repo === 'string' ? key === repo : repo.test(key);
}

/** The stages a stage is built on (`FROM deps`), oldest first, ending with the stage itself. */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) out.unshift(s);
  return out;
}

/** An exec-form array for a shell-form command, when it is one plain command of static words. */
export function execForm(body: string): string[] | null {
  const script = parseShell(body);
  if (!script || script.commands.length !== 1 || !script.plainAndChain) return null;
  const c = script.commands[0];
  if (c.assignments.length || !c.name || c.isolated) return null;
  if (body.slice(c.end).trim() !== '' || body.slice(0, c.start).trim() !== '') return null;
  const words = [c.name, ...c.args.map((a) => a.value)];
  return words.every((w): w is string => w !== null) ? words : null;
}

/** Variables that, set before a command, change which program or interpreter runs (or what it loads). */
const RESOLVING_VARS = /^(PATH|VIRTUAL_ENV|PYTHONHOME|LD_[A-Z_]+|NODE_PATH|GEM_HOME|GEM_PATH|BUNDLE_[A-Z_]+|JAVA_HOME|CLASSPATH)$/;

/**
 * The program a shell-form command runs when it is one plain command whose only extra is static variables set
 * before it (`FLASK_APP=app.py flask run`): its name. Null otherwise, and when one of those variables changes how the
 * program is found or loaded (`PATH=…`, `PYTHONHOME=…`), which a runtime laid out differently would not honour.
 */
export function shellProgram(body: string): string | null {
  const script = parseShell(body);
  if (!script || script.commands.length !== 1 || !script.plainAndChain) return null;
  const c = script.commands[0];
  if (!c.name || c.isolated || c.nameWord?.value == null) return null;
  if (body.slice(c.end).trim() !== '') return null;
  for (const a of c.assignments) {
    const eq = a.indexOf('=');
    if (eq < 1 || RESOLVING_VARS.test(a.slice(0, eq)) || /[$`]/.test(a.slice(eq + 1))) return null;
  }
  return c.name;
}

/** The program the image runs: the first word of mainCommand, or the program of a lone shell-form command (shellProgram). */
export function mainProgram(model: Model, stage: Stage): string | null {
  const words = mainCommand(model, stage);
  if (words) return words[0] ?? null;
  const last = (k: string) => [...stage.instructions].reverse().find((i) => i.keyword === k);
  const entry = last('ENTRYPOINT');
  const one = entry ?? last('CMD');
  if (!one) return null;
  const p = programOf(model, one);
  // A shell-form ENTRYPOINT ignores the CMD (`/bin/sh -c` takes the CMD as $0, …).
  return p.shellForm && p.body !== undefined ? shellProgram(p.body) : null;
}

export interface ProgramForm {
  instr: Instr;
  /** The exec-form words; from the shell form when that could be converted. */
  words: string[] | null;
  shellForm: boolean;
  /** The shell-form text with its line continuations joined (undefined for the exec form). */
  body?: string;
}

/** An instruction's text with its continuation lines joined (the escape character and the line break become a space). */
export function joinContinuations(model: Model, text: string): string {
  return text.replace(new RegExp(`\\${model.escape}[ \\t]*\\r?\\n`, 'g'), ' ');
}

/** The words a CMD, ENTRYPOINT or HEALTHCHECK runs. */
export function programOf(model: Model, instr: Instr): ProgramForm {
  const raw = (instr.node.getRawArgumentsContent() ?? '').trim();
  let body = raw;
  if (instr.keyword === 'HEALTHCHECK') {
    const m = /^(?:--\S+\s+)*CMD\s+([\s\S]*)$/i.exec(raw);
    body = m ? m[1] : '';
  }
  if (body.startsWith('[')) {
    try {
      const arr = JSON.parse(body);
      if (Array.isArray(arr) && arr.every((x) => typeof x === 'string')) return { instr, words: arr, shellForm: false };
    } catch {
      // fall through: treated as shell form
    }
  }
  const joined = instr.run ? instr.run.body : joinContinuations(model, body);
  return { instr, words: execForm(joined), shellForm: true, body: joined };
}

/** What the image runs: the ENTRYPOINT's words followed by the CMD's (the CMD alone when there is no ENTRYPOINT). */
export function mainCommand(model: Model, stage: Stage): string[] | null {
  const last = (k: string) => [...stage.instructions].reverse().find((i) => i.keyword === k);
  const entry = last('ENTRYPOINT');
  const cmd = last('CMD');
  if (!entry && !cmd) return null;
  const e = entry ? programOf(model, entry).words : [];
  const c = cmd ? programOf(model, cmd).words : [];
  if (e === null || c === null) return null;
  return [...e, ...c];
}

/** An absolute path for `p` written relative to `wd`; null when that needs an unknown working directory. */
export function absPath(wd: string | null, p: string): string | null {
  let out: string;
  if (p.startsWith('/')) out = p;
  else if (!wd) return null;
  else out = `${wd.replace(/\/$/, '')}/${p}`;
  return normalPath(out);
}

/** Whether `path` is one of `roots` or lies inside one. */
export function coveredBy(path: string, roots: string[]): boolean {
  return roots.some((r) => r === '/' || path === r || path.startsWith(r.replace(/\/$/, '') + '/'));
}

/** A simple command found in one of the stage's RUNs, with the directory it runs in. */
export interface RunCommand {
  instr: Instr;
  cmd: ShellCommand;
  /** The working directory the command runs in (WORKDIR plus static `cd`s before it in the same RUN); null if unknown. */
  dir: string | null;
}

/** The value of the first of `names` among a command's arguments: `-f x`, `--file x` or `--file=x`. */
export function optionValue(args: string[], names: string[]): string | null {
  for (let k = 0; k < args.length; k++) {
    if (names.includes(args[k])) return args[k + 1] ?? null;
    const eq = names.find((n) => n.startsWith('--') && args[k].startsWith(n + '='));
    if (eq) return args[k].slice(eq.length + 1);
  }
  return null;
}

/** The stage's last RUN: a recipe's build step when everything after it only copies or configures. */
export function lastRun(stage: Stage): Instr | undefined {
  for (let k = stage.instructions.length - 1; k >= 0; k--) if (stage.instructions[k].keyword === 'RUN') return stage.instructions[k];
  return undefined;
}

/** Every simple command of the stage's shell-form RUNs, in order, each with its working directory. */
export function runCommands(model: Model, stage: Stage): RunCommand[] {
  const out: RunCommand[] = [];
  for (const i of stage.instructions) {
    const script = i.run?.script();
    if (!script) continue;
    let dir = workdirAt(model, stage, i);
    for (const cmd of script.commands) {
      out.push({ instr: i, cmd, dir });
      if (cmd.name === 'cd' && !cmd.isolated) {
        const to = cmd.args[0]?.value;
        dir = to && cmd.args.length === 1 && !to.startsWith('-') && !to.includes('~') ? absPath(dir, to) : null;
      }
    }
  }
  return out;
}

/** Where a COPY or ADD puts its files: the destination as an absolute path (a directory when it ends in `/`). */
export interface CopyDest {
  instr: Instr;
  path: string | null;
  sources: string[];
  from: string | null;
}

export function copyDests(model: Model, stage: Stage): CopyDest[] {
  // Once per stage: every recipe and project-file reader asks, and a COPY's arguments are costly to split on a long line.
  let found = copyDestsOf.get(stage);
  if (!found) copyDestsOf.set(stage, (found = findCopyDests(model, stage)));
  return found.slice();
}
const copyDestsOf = new WeakMap<Stage, CopyDest[]>();

function findCopyDests(model: Model, stage: Stage): CopyDest[] {
  const out: CopyDest[] = [];
  for (const i of stage.instructions) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    const node = i.node as unknown as { getArguments(): { getValue(): string }[]; getFlags(): { getName(): string; getValue(): string | null }[] };
    const from = node.getFlags().find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? null;
    let args = node.getArguments().map((a) => a.getValue());
    const raw = (i.node.getRawArgumentsContent() ?? '').replace(/^(\s*--\S+)+\s*/, '').trim();
    if (raw.startsWith('[')) {
      try {
        const arr = JSON.parse(raw);
        if (Array.isArray(arr)) args = arr.map(String);
      } catch {
        args = [];
      }
    }
    args = args.filter((a) => !a.startsWith('--'));
    if (args.length < 2 || args.some((a) => a.includes('$') || a.startsWith('<<'))) {
      out.push({ instr: i, path: null, sources: [], from });
      continue;
    }
    const dest = args[args.length - 1];
    const wd = workdirAt(model, stage, i);
    const p = absPath(wd, dest);
    out.push({ instr: i, path: p, sources: args.slice(0, -1), from });
  }
  return out;
}

/**
 * The tag of the slim variant of an official image's tag: `20` → `20-slim`, `3.11-bookworm` →
 * `3.11-slim-bookworm`, none or `latest` → `slim`. Alpine and slim tags stay as they are.
 */
export function slimTag(tag: string | null, codenameFirst: boolean): string {
  if (!tag || tag === 'latest') return 'slim';
  if (/(^|-)(slim|alpine)/.test(tag)) return tag;
  const m = /^(.*?)-?(bookworm|bullseye|buster|trixie)$/.exec(tag);
  if (m) {
    const v = m[1];
    if (!v) return `slim-${m[2]}`;
    return codenameFirst ? `${v}-slim-${m[2]}` : `${v}-${m[2]}-slim`;
  }
  return `${tag}-slim`;
}

/**
 * The app: the outermost directories the stage copied files into from the build context. A reason instead when a
 * destination is unknown, or is `/` or inside `imageDirs` (then the app cannot be told apart from the image).
 */
export function appDirs(model: Model, stage: Stage, imageDirs: string[] = []): { ok: true; dirs: string[] } | { ok: false; reason: string } {
  const dests = copyDests(model, stage).filter((d) => !d.from);
  if (dests.some((d) => d.path === null)) return { ok: false, reason: 'a COPY or ADD destination depends on a variable or an unknown working directory' };
  if (dests.some((d) => d.path === '/' || coveredBy(d.path!, imageDirs))) {
    return { ok: false, reason: `files are copied into ${imageDirs.length ? 'the image\'s own directories' : '/'}, so the app cannot be told apart from the image` };
  }
  const dirs: string[] = [];
  for (const p of dests.map((d) => d.path!).sort((a, b) => a.length - b.length)) if (!coveredBy(p, dirs)) dirs.push(p);
  if (dirs.length === 0) return { ok: false, reason: nothingCopiedReason(stage) };
  return { ok: true, dirs };
}

/**
 * Why a stage with nothing copied from the build context is not converted: the app a RUN fetches (`git clone`, a
 * download) is named as such, since the conversion only moves what it can see copied.
 */
export function nothingCopiedReason(stage: Stage): string {
  const runs = stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.node.getArgumentsContent() ?? '');
  if (runs.some((r) => /\bgit\s+clone\b/.test(r))) return 'the app is cloned by a RUN (git clone), not copied from the build context: the conversion does not move what a RUN fetches';
  if (runs.some((r) => /\b(curl|wget)\b/.test(r))) return 'nothing is copied from the build context (a RUN downloads what the image runs): the conversion does not move what a RUN fetches';
  return 'nothing is copied into the image: there is no app to move';
}

/** The runtime a conversion writes, as runtimeToolPackages needs it. */
export interface RuntimeBase {
  image: string;
  /** Whether the runtime has /bin/sh (the recipe's word; the base-image table does not know every runtime image). */
  hasShell: boolean;
  /** Whether the program (a name or a path) is in the runtime: an artifact copied there, or the image's own. */
  provides(program: string): boolean;
}

export type ToolPackages = { ok: true; packages: string[]; manager: 'apt' | 'apk' | null } | { ok: false; reason: string };

const SHELL_NAMES = /^(\/bin\/|\/usr\/bin\/)?(sh|bash|dash|ash)$/;

/**
 * The packages the runtime must install for the programs the moved HEALTHCHECK, CMD and ENTRYPOINT call besides
 * the app (`HEALTHCHECK CMD curl -f http://localhost/ || exit 1` → curl), with the runtime's package manager; or
 * why the runtime cannot have them (distroless: no package manager; a program the tables do not know; a command
 * name in a variable). A CMD after an ENTRYPOINT is its arguments, not a command. `rewritten`: the words the runtime
 * runs instead of an instruction's own (a builder's `poetry run` dropped).
 */
export function runtimeToolPackages(model: Model, instrs: Instr[], runtime: RuntimeBase, rewritten: ReadonlyMap<Instr, string[]> = new Map()): ToolPackages {
  const ref = parseImageRef(runtime.image);
  const family = lookupBaseImage(ref).family;
  const manager = family === 'debian' ? 'apt' : family === 'alpine' ? 'apk' : null;
  const hasShell = runtime.hasShell && familyHasShell(family);
  const packages: string[] = [];
  const hasEntry = instrs.some((i) => i.keyword === 'ENTRYPOINT');
  // Only the last of each kind is in force: an earlier CMD is overridden, and never runs.
  const inForce = new Set(['HEALTHCHECK', 'CMD', 'ENTRYPOINT'].map((k) => instrs.filter((i) => i.keyword === k).pop()));
  for (const i of instrs) {
    if (!inForce.has(i)) continue;
    if (i.keyword === 'CMD' && hasEntry) continue;
    if (i.keyword === 'HEALTHCHECK' && /^\s*NONE\s*$/i.test(i.node.getRawArgumentsContent() ?? '')) continue;
    const p: Pick<ProgramForm, 'words' | 'shellForm' | 'body'> = rewritten.has(i) ? { words: rewritten.get(i)!, shellForm: false } : programOf(model, i);
    let script: string | null = null;
    let words: (string | null)[][] = [];
    if (!p.shellForm && p.words) {
      if (SHELL_NAMES.test(p.words[0] ?? '') && p.words[1] === '-c' && p.words[2] !== undefined) script = p.words[2];
      else words = [p.words];
    } else if (p.shellForm && !hasShell && p.words) {
      // One plain command: the planner writes it in exec form.
      words = [p.words];
    } else if (p.shellForm) {
      script = p.body ?? '';
    }
    if (script !== null) {
      if (!hasShell) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} needs a shell, which ${runtime.image} does not have` };
      const parsed = parseShell(script);
      if (!parsed) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} does not parse as a shell command` };
      words = parsed.commands.map((c) => {
        const w = [c.name, ...c.args.map((a) => a.value)];
        return c.name === 'exec' ? w.slice(1) : w;
      });
    }
    for (const w of words) {
      const name = w[0];
      if (name === undefined) continue;
      if (name === null) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs a command named by a variable` };
      if (runtime.provides(name) || (hasShell && BASE_COMMANDS.has(name))) continue;
      const tool = runtimeTool(name);
      if (!tool) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs \`${name}\`, which ${runtime.image} does not have` };
      if (!manager) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs \`${name}\`, and ${runtime.image} has no package manager to install it` };
      const pkg = manager === 'apt' ? tool.debian : tool.alpine;
      if (pkg === undefined) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs \`${name}\`, whose Alpine package is not known here` };
      if (pkg === null) continue;
      if (!packages.includes(pkg)) packages.push(pkg);
      // An https:// check needs the CA certificates, which `--no-install-recommends` leaves out (knowledge/apt-recommends.ts).
      if (manager === 'apt' && KEPT_RECOMMENDS[pkg]?.length && w.some((a) => a?.startsWith('https://'))) {
        for (const r of KEPT_RECOMMENDS[pkg]) if (!packages.includes(r)) packages.push(r);
      }
    }
  }
  return { ok: true, packages, manager: packages.length ? manager : null };
}

/**
 * The runtime setup lines with `packages` installed: added to the recipe's own apt-get or apk line when it has one
 * (one RUN, which merge-run would otherwise ask for), else as one line of their own.
 */
export function withToolPackages(setup: string[], packages: string[], manager: 'apt' | 'apk'): string[] {
  if (!packages.length) return setup;
  const prefix = manager === 'apt' ? 'RUN apt-get update && apt-get install -y --no-install-recommends ' : 'RUN apk add --no-cache ';
  const k = setup.findIndex((l) => l.startsWith(prefix));
  if (k >= 0) {
    const have = new Set(setup[k].slice(prefix.length).split(/\s+/));
    const add = packages.filter((p) => !have.has(p));
    return add.length ? setup.map((l, j) => (j === k ? prefix + add.join(' ') + ' ' + l.slice(prefix.length) : l)) : setup;
  }
  // The install of the packages the builder's library scan listed: the tools join the packages it installs first.
  const s = setup.findIndex((l) => scannedInstallFixed(l, manager) !== null);
  if (s >= 0) {
    const fixed = scannedInstallFixed(setup[s], manager)!;
    return setup.map((l, j) => (j === s ? scannedInstall(manager, [...packages.filter((p) => !fixed.includes(p)), ...fixed]) : l));
  }
  const line = manager === 'apt' ? `${prefix}${packages.join(' ')} && rm -rf /var/lib/apt/lists/*` : `${prefix}${packages.join(' ')}`;
  return [...setup, line];
}
