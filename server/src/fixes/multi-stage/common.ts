/**
 * Questions every recipe asks of the final stage, answered once: the command the image runs, the working
 * directory of a command inside a RUN, where COPY put files, and the image tag a slim runtime takes.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { parseShell, type ShellCommand } from '../../core/shell';
import { rootImage, workdirAt } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';

/** Whether the stage's root image (through stage aliases) comes from `repo`: one repository, or a pattern of them. */
export function rootRepoIs(stage: Stage, repo: string | RegExp): boolean {
  const ref = rootImage(stage).ref;
  if (!ref) return false;
  const key = repoKey(ref);
  return typeof repo === 'string' ? key === repo : repo.test(key);
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

export interface ProgramForm {
  instr: Instr;
  /** The exec-form words; from the shell form when that could be converted. */
  words: string[] | null;
  shellForm: boolean;
  /** The shell-form text with its line continuations joined (undefined for the exec form). */
  body?: string;
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
  const joined = instr.run ? instr.run.body : body.replace(new RegExp(`\\${model.escape}[ \\t]*\\r?\\n`, 'g'), ' ');
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
  // Normalise `.` and `..` segments and trailing slashes.
  const parts: string[] = [];
  for (const seg of out.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
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
  if (dirs.length === 0) return { ok: false, reason: 'nothing is copied into the image: there is no app to move' };
  return { ok: true, dirs };
}
