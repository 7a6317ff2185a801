/**
 * The multi-stage planner: the final stage stays as the builder (renamed), a runtime stage on a slim
 * image follows it with only the artifacts, and the instructions that describe the running image
 * (CMD, ENTRYPOINT, EXPOSE, LABEL, …) move into it. Each ecosystem's knowledge is one recipe.
 *
 * The runtime stage is written in this order: FROM; the builder's ARG declarations its lines use; the
 * builder's runtime ENVs and the recipe's `runtimeEnv`; one apt-get RUN of the recipe's `runtimeAptPackages` and
 * the tools its HEALTHCHECK calls (runtime-tools.ts); the files it copies from the builder (`runtimeFromBuilder`); the recipe's `runtimeSetup`; WORKDIR; one `COPY --from` per artifact; the moved instructions with their
 * comments. Everything before the builder's FROM (parser directives, ARGs before the first FROM, earlier
 * stages) and everything in the builder (cache mounts included) stays byte for byte.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { abandonable, checkDeadline, OutOfTime } from '../../core/deadline';
import { rootImage, workdirAt } from '../../core/stage-info';
import { isRootUser, lookupBaseImage, parseImageRef, repoKey } from '../../knowledge/base-images';
import { imageWorkdir } from '../../knowledge/image-workdirs';
import { buildModel } from '../../core/model';
import { parseShell } from '../../core/shell';
import { applyOffsetEdits, instructionBlock, instructionLines, runBody, type OffsetEdit } from '../../core/edits';
import { goBaseSwap, goRecipe } from './go';
import { nodeRecipe } from './node';
import { pythonRecipe } from './python';
import { cRecipe } from './c';
import { rustRecipe } from './rust';
import { rubyRecipe } from './ruby';
import { phpRecipe } from './php';
import { rRecipe } from './r';
import { rpmInstallrootRecipe } from './rpm-installroot';
import { javaRecipe } from './java';
import { dotnetRecipe } from './dotnet';
import { absPath, copyDests, coveredBy, joinContinuations, programOf, runtimeToolPackages, shellProgram, withToolPackages } from './common';
import { aptInstallLine } from './system-packages';
import type { Recipe, RecipePlan } from './types';

export const RECIPES: Recipe[] = [goRecipe, nodeRecipe, pythonRecipe, cRecipe, rustRecipe, javaRecipe, dotnetRecipe, rubyRecipe, phpRecipe, rRecipe, rpmInstallrootRecipe];

/** Instructions that describe the running image: they move to the runtime stage. */
const RUNTIME_KEYWORDS = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL', 'VOLUME', 'LABEL']);
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** `manual`: offered as a quick fix only, with this reason (see RecipeResult). */
export type Conversion = { ok: true; edits: OffsetEdit[]; plan: RecipePlan; manual?: string } | { ok: false; reason: string; quiet?: true };

export function recipeFor(model: Model, stage: Stage): Recipe | null {
  for (const r of RECIPES) {
    checkDeadline();
    if (r.applies(model, stage)) return r;
  }
  return null;
}

function uniqueAlias(model: Model): string {
  for (const name of ['build', 'builder', 'build-stage']) if (!model.stages.some((s) => s.alias === name)) return name;
  let n = 2;
  while (model.stages.some((s) => s.alias === `build-${n}`)) n++;
  return `build-${n}`;
}

/** Variable names an instruction line refers to (`$NAME`, `${NAME}`, `${NAME:-x}`). */
function varsUsed(line: string): Set<string> {
  const out = new Set<string>();
  for (const m of line.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) out.add(m[1] ?? m[2]);
  return out;
}

/**
 * The runtime image written with the builder FROM's pre-FROM ARG where its value is the runtime's tag (or a
 * whole part of it): `FROM node:${NODE_VERSION}` → `node:${NODE_VERSION}-slim`, so a `--build-arg` moves both
 * stages together. Not when the runtime installs release-specific packages, whose names the ARG would not move,
 * unless the runtime is the builder's own image (`FROM ruby:$RUBY_VERSION-slim` on both sides): there a Ruby or
 * Python version left behind by a `--build-arg` would break the copied gems or venv silently, while a package name
 * the new release lacks fails the build.
 */
function templatedRuntime(model: Model, stage: Stage, plan: RecipePlan): string {
  const own = rootImage(stage).ref;
  const runtime = parseImageRef(plan.runtimeImage);
  const sameImage = !!own && repoKey(own) === repoKey(runtime) && (own.tag ?? 'latest') === (runtime.tag ?? 'latest');
  if ((plan.runtimeSetup?.length || plan.runtimeAptPackages?.length) && !sameImage) return plan.runtimeImage;
  const r = stage.from.getImageRange();
  if (!r) return plan.runtimeImage;
  const raw = model.doc.text.slice(model.doc.offsetAt(r.start), model.doc.offsetAt(r.end));
  let image = plan.runtimeImage;
  for (const name of varsUsed(raw)) {
    const v = model.globalArgs.get(name);
    if (!v || v.includes('$')) continue;
    const at = image.indexOf(v);
    if (at < 0 || image.indexOf(v, at + 1) >= 0) continue;
    const left = image[at - 1];
    const right = image[at + v.length];
    if (left !== ':' || (right !== undefined && right !== '-' && right !== '@')) continue;
    image = `${image.slice(0, at)}\${${name}}${image.slice(at + v.length)}`;
  }
  return image;
}

function resolvesTo(program: string, artifacts: string[], wd: string | null): boolean {
  if (program.includes('/')) {
    const p = absPath(wd, program);
    return p !== null && coveredBy(p, artifacts);
  }
  return artifacts.some((a) => a.slice(a.lastIndexOf('/') + 1) === program && PATH_DIRS.includes(a.slice(0, a.lastIndexOf('/'))));
}

/** The options of a HEALTHCHECK before its CMD (`--interval=30s `), as written. */
function healthcheckOptions(model: Model, i: Instr): string {
  // The flags are not part of dockerfile-ast's arguments: read them from the instruction's text.
  const raw = joinContinuations(model, model.doc.text.slice(i.start, i.end)).replace(/^\s*\S+\s+/, '');
  const m = /^((?:--\S+\s+)*)CMD\s/i.exec(raw);
  return m ? `${m[1].replace(/\s+/g, ' ')}CMD ` : 'CMD ';
}

function coveredByArtifacts(path: string | null, artifacts: string[]): boolean {
  return path !== null && coveredBy(path, artifacts);
}

/**
 * The USER the runtime keeps of the stage's `USER` instruction: a numeric one works anywhere; a name only where the
 * runtime image ships that user (`node` on node:*-slim, `nonroot` on distroless). A user created in the builder does
 * not exist in the runtime: on a runtime that already runs as a non-root user it is left out (the runtime's own user
 * runs the program); on one that runs as root the conversion declines rather than run the program as root.
 */
function runtimeUser(i: Instr, plan: RecipePlan): { user: string | null } | { reason: string } {
  const u = (i.node.getArgumentsContent() ?? '').trim();
  if (!u || isRootUser(u)) return { user: null };
  if (/^\d+(:\d+)?$/.test(u)) return { user: u };
  const [name, group] = u.split(':');
  const ships = lookupBaseImage(parseImageRef(plan.runtimeImage)).shipsUser;
  if (ships && ships.name === name && (group === undefined || group === ships.group)) return { user: u };
  if (u.includes('$')) return { reason: `the USER on line ${i.line + 1} depends on a variable; the runtime stage would not know which user runs the program` };
  if (plan.runtimeNonRoot) return { user: null };
  return { reason: `the stage runs as \`${u}\` (USER on line ${i.line + 1}), a user the ${plan.runtimeImage} runtime does not have; written as a numeric uid it would carry over` };
}

/** How a decline names a shell-form command that is not one plain program: its program and the variables set before it. */
function shellCommandText(model: Model, i: Instr): string {
  const p = programOf(model, i);
  const body = (p.body ?? (i.node.getRawArgumentsContent() ?? '')).trim();
  const first = parseShell(body)?.commands.find((c) => c.name);
  if (first?.name) return `\`${first.name}\`${first.assignments.length ? ` with ${first.assignments.map((a) => `\`${a}\``).join(', ')} set before it` : ''}`;
  // `CMD ['app', 'x']`: not a JSON array (single quotes), so the shell runs `[app,` and the image does not start as meant.
  const notJson = body.startsWith('[') ? ' (not a JSON array: the exec form needs double quotes, so a shell runs it as written)' : '';
  return `the shell command \`${body.length > 60 ? `${body.slice(0, 57)}...` : body}\`${notJson}`;
}

/**
 * The conversion of the final stage, or why there is none. Within the run's time budget (core/deadline.ts): past
 * it, the planning (and the project files it reads) is abandoned and the conversion declines with that reason.
 */
export function planConversion(model: Model): Conversion {
  try {
    return abandonable(() => {
      const first = planNow(model);
      if (first.ok) return first;
      return planRelocated(model) ?? first;
    });
  } catch (err) {
    if (err instanceof OutOfTime) return { ok: false, reason: `planning the conversion ${err.message}` };
    throw err;
  }
}

/** Top-level folders of the file-system hierarchy: absolute paths into them are the image's, not the app's. */
const SYSTEM_DIRS = new Set(['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var']);
const APP_DIR = '/app';

/**
 * A build that runs in `/` (`WORKDIR /`, or no WORKDIR on an image whose working directory is `/`) mixes the app
 * with the system, so no recipe can tell which files are the app. It converts as if the stage had its own folder:
 * `WORKDIR /app` is written after the FROM (or `WORKDIR /` becomes `WORKDIR /app`) and the conversion is planned on
 * that text. Only where the move changes nothing else: every COPY into the working directory names a relative
 * destination, no instruction names an absolute path outside the system folders (which could be a file of the app
 * at `/`), no RUN changes directory to `/`, and the build context (listed) holds no folder named like a system one
 * that `COPY . .` would have laid over the image. On an image whose own working directory is another one
 * (golang: `/go`) that directory is only written down. Null when none of this applies or the plan still fails.
 */
function planRelocated(model: Model): Conversion | null {
  const stage = model.stages[model.stages.length - 1];
  if (!stage || stage.baseStage || !stage.image) return null;
  const doc = model.doc;
  const workdirs = stage.instructions.filter((i) => i.keyword === 'WORKDIR');
  let target: string;
  const pre: OffsetEdit[] = [];
  if (workdirs.length === 0) {
    const own = imageWorkdir(repoKey(stage.image));
    if (own === null) return null;
    target = own === '/' ? APP_DIR : own;
    const at = doc.lineBreakEnd(stage.fromInstr.endLine);
    if (at === doc.text.length && !/[\r\n]$/.test(doc.text)) return null;
    pre.push({ start: at, end: at, text: `${stage.fromInstr.node.getKeyword() === 'from' ? 'workdir' : 'WORKDIR'} ${target}${doc.eol}` });
  } else {
    if (!workdirs.every((w) => (w.node.getArgumentsContent() ?? '').trim() === '/')) return null;
    target = APP_DIR;
    for (const w of workdirs) {
      const r = w.node.getArgumentsRange?.();
      if (!r) return null;
      pre.push({ start: doc.offsetAt(r.start), end: doc.offsetAt(r.end), text: APP_DIR });
    }
  }
  if (target === APP_DIR) {
    // Nothing may depend on the app being at `/`.
    for (const i of stage.instructions) {
      if (i.keyword === 'WORKDIR' || i.keyword === 'FROM') continue;
      const text = doc.text.slice(i.start, i.end).replace(/--from=\S+/g, '');
      for (const m of text.matchAll(/(^|[\s"'=:,[])\/([A-Za-z0-9_.-]*)/g)) {
        if (!SYSTEM_DIRS.has(m[2])) return null;
      }
    }
    const files = model.files;
    if (!files?.list) return null;
    let entries: string[] | null = null;
    try {
      entries = files.list('');
    } catch {
      entries = null;
    }
    if (!entries || entries.some((e) => SYSTEM_DIRS.has(e.replace(/\/$/, '')))) return null;
  }
  const text = applyOffsetEdits(doc.text, pre);
  const moved = buildModel(text, { files: model.files, path: model.path });
  const res = planNow(moved);
  if (!res.ok) return null;
  // The plan's edits are offsets into the moved text: back to the file's own.
  const sorted = [...pre].sort((a, b) => a.start - b.start);
  const back = (p: number): number | null => {
    let delta = 0;
    for (const e of sorted) {
      const newStart = e.start + delta;
      const newEnd = newStart + e.text.length;
      if (p <= newStart) break;
      // Inside the text written there: not a place of the file.
      if (p < newEnd) return null;
      delta += e.text.length - (e.end - e.start);
    }
    return p - delta;
  };
  const edits: OffsetEdit[] = [...pre];
  for (const e of res.edits) {
    const start = back(e.start);
    const end = back(e.end);
    if (start === null || end === null || end < start) return null;
    if (pre.some((x) => start < x.end && end > x.start)) return null;
    edits.push({ start, end, text: e.text });
  }
  return { ok: true, edits, plan: res.plan, manual: res.manual };
}

/**
 * A final stage on a toolchain image that only receives a binary built static in an earlier stage: its base is
 * swapped for the distribution the image is built on (go.ts goBaseSwap), the rest of the stage kept as it is.
 */
function baseSwap(model: Model, stage: Stage): Conversion | null {
  const swap = goBaseSwap(model, stage);
  const r = stage.from.getImageRange();
  if (!swap || !r) return null;
  const start = model.doc.offsetAt(r.start);
  const end = model.doc.offsetAt(r.end);
  if (model.doc.text.slice(start, end).includes('$')) return null;
  const plan: RecipePlan = {
    ecosystem: 'go',
    buildStep: stage.fromInstr,
    artifacts: [swap.binary],
    runtimeImage: swap.image,
    builderEdits: [],
    buildOnlyEnv: /^$/,
    runtimeNonRoot: false,
    runtimeHasShell: true,
  };
  return { ok: true, edits: [{ start, end, text: swap.image }], plan };
}

function planNow(model: Model): Conversion {
  const stage = model.stages[model.stages.length - 1];
  if (!stage) return { ok: false, reason: 'no FROM' };
  const recipe = recipeFor(model, stage);
  if (!recipe) return { ok: false, reason: 'no conversion recipe for this image yet' };
  checkDeadline();
  const res = recipe.plan(model, stage);
  if (!res.ok) return baseSwap(model, stage) ?? res;
  const plan = res.plan;
  // Paths go into COPY lines as they are: one with a line break or another control character would end the line.
  // eslint-disable-next-line no-control-regex
  if (plan.artifacts.some((a) => /[\u0000-\u001f\u007f\u2028\u2029]/.test(a))) return { ok: false, reason: 'a path the runtime stage would copy holds a control character' };
  const doc = model.doc;
  const eol = doc.eol;
  const buildIdx = stage.instructions.indexOf(plan.buildStep);

  const moved: Instr[] = [];
  const dests = copyDests(model, stage);
  // The user the image runs as: the stage's last USER, wherever it is. One after the build step moves (the builder's
  // later steps, such as a prune the recipe adds, keep the user that owns what they touch); one before it stays in
  // the builder, which ran the build as that user, and the runtime repeats it.
  const lastUser = [...stage.instructions].reverse().find((i) => i.keyword === 'USER') ?? null;
  for (const [k, i] of stage.instructions.entries()) {
    checkDeadline();
    // A RUN the recipe moves into the runtime's setup (a global CLI install) leaves the builder like the others.
    if (RUNTIME_KEYWORDS.has(i.keyword) || (k > buildIdx && plan.setupRuns?.includes(i))) moved.push(i);
    else if (k > buildIdx && i.keyword === 'USER') moved.push(i);
    else if (k > buildIdx && (i.keyword === 'COPY' || i.keyword === 'ADD') && coveredByArtifacts(dests.find((d) => d.instr === i)?.path ?? null, plan.artifacts)) {
      // Files copied into a path the runtime copies whole arrive there anyway.
      continue;
    } else if (k > buildIdx && (i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD' || i.keyword === 'ONBUILD')) {
      return { ok: false, reason: `a ${i.keyword} on line ${i.line + 1} comes after the build step; the runtime may need what it makes` };
    }
  }
  const wd = workdirAt(model, stage, null);
  const entry = [...moved].reverse().find((i) => i.keyword === 'ENTRYPOINT');
  const cmd = [...moved].reverse().find((i) => i.keyword === 'CMD');
  const main = entry ?? cmd;
  if (!main && !plan.runtimeKeepsImageCommand) return { ok: false, reason: 'the stage has no CMD or ENTRYPOINT naming the binary to run' };
  const targets = plan.artifacts.map((a) => plan.artifactTargets?.[a] ?? a);
  const replaced = new Map<Instr, string>();
  const rewrittenWords = new Map<Instr, string[]>();
  const execLine = (i: Instr, words: string[]) => `${i.node.getKeyword()} ${JSON.stringify(words).replace(/","/g, '", "')}`;
  for (const i of moved) {
    checkDeadline();
    if (i.keyword !== 'CMD' && i.keyword !== 'ENTRYPOINT' && i.keyword !== 'HEALTHCHECK') continue;
    if (i.keyword === 'HEALTHCHECK' && /^\s*NONE\s*$/i.test(i.node.getRawArgumentsContent() ?? '')) continue;
    const p = programOf(model, i);
    let words = p.words;
    // A wrapper of the builder's (`poetry run`, `uv run`) that the runtime does not have.
    const rewritten = words && i.keyword !== 'HEALTHCHECK' ? plan.runtimeCommand?.(words) ?? null : null;
    if (rewritten) {
      if (rewritten.length === 0) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} only names \`${words!.join(' ')}\`, which the runtime does not have` };
      words = rewritten;
      rewrittenWords.set(i, words);
      replaced.set(i, execLine(i, words));
    } else if (p.shellForm && !plan.runtimeHasShell) {
      if (!words) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} needs a shell, which ${plan.runtimeImage} does not have` };
      if (i.keyword !== 'HEALTHCHECK') replaced.set(i, execLine(i, words));
      else replaced.set(i, `${i.node.getKeyword()} ${healthcheckOptions(model, i)}${JSON.stringify(words).replace(/","/g, '", "')}`);
    }
    if (i === main && !plan.mainVerified) {
      // A lone shell-form command may set variables before its program (`FLASK_APP=app.py flask run`).
      const program = words?.[0] ?? (p.shellForm && p.body !== undefined ? shellProgram(p.body) ?? undefined : undefined);
      if (!program || !(resolvesTo(program, targets, wd) || plan.runtimePrograms?.includes(program))) {
        return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs ${program ? `\`${program}\`` : shellCommandText(model, i)}, not the built ${targets.join(', ')}` };
      }
    }
    const root = plan.runtimeRoot;
    if (root && p.words) {
      // Paths inside the root directory are at / in the runtime.
      const under = (w: string) => w === root || w.startsWith(root + '/');
      if (p.words.some((w) => !under(w) && w.includes(root + '/'))) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} names a path inside ${root} within a word` };
      if (p.words.some(under)) {
        if (i.keyword === 'HEALTHCHECK') return { ok: false, reason: `the HEALTHCHECK on line ${i.line + 1} names paths inside ${root}, which move to /` };
        const words = p.words.map((w) => (under(w) ? w.slice(root.length) || '/' : w));
        replaced.set(i, `${i.node.getKeyword()} ${JSON.stringify(words).replace(/","/g, '", "')}`);
      }
    }
  }

  // The programs the moved HEALTHCHECK, CMD and ENTRYPOINT call besides the app (curl), installed in the runtime.
  const provides = (prog: string) => resolvesTo(prog, targets, wd) || !!plan.runtimePrograms?.includes(prog);
  const tools = runtimeToolPackages(model, moved, { image: plan.runtimeImage, hasShell: plan.runtimeHasShell, provides }, rewrittenWords);
  if (!tools.ok) return tools;
  // apt packages join the recipe's runtimeAptPackages when it has them, else its own apt line in runtimeSetup (or one of their own).
  const aptTools = tools.manager === 'apt' && plan.runtimeAptPackages ? tools.packages : [];
  const setup = tools.manager && !aptTools.length ? withToolPackages(plan.runtimeSetup ?? [], tools.packages, tools.manager) : plan.runtimeSetup ?? [];

  const alias = stage.alias ?? uniqueAlias(model);
  const edits: OffsetEdit[] = [...plan.builderEdits];
  if (!stage.alias) {
    const kw = stage.fromInstr.node.getKeyword();
    const as = kw === kw.toLowerCase() ? 'as' : 'AS';
    edits.push({ start: stage.fromInstr.end, end: stage.fromInstr.end, text: ` ${as} ${alias}` });
  }
  // A moved block after the stage's last kept instruction takes the blank lines above it along: the runtime
  // stage then follows the builder after one blank line, not after the blank lines that separated what moved.
  const kept = stage.instructions.filter((i) => !moved.includes(i));
  const keptEnd = doc.lineBreakEnd((kept[kept.length - 1] ?? stage.fromInstr).endLine);
  const removals: OffsetEdit[] = [];
  for (const i of moved) {
    const b = instructionBlock(model, i);
    let start = b.commentStart;
    if (start >= keptEnd) {
      let line = doc.lineAt(start);
      while (line > 0 && doc.lineStarts[line - 1] >= keptEnd && /^[ \t]*$/.test(doc.lineText(line - 1))) line--;
      start = Math.max(doc.lineStarts[line], removals.length ? removals[removals.length - 1].end : 0);
    }
    removals.push({ start, end: b.end, text: '' });
  }

  // The runtime stage.
  const lines: string[] = [];
  for (const i of stage.instructions) {
    checkDeadline();
    if (i.keyword !== 'ENV') continue;
    const props = (i.node as unknown as { getProperties(): { getName(): string; getRange(): { start: { line: number; character: number }; end: { line: number; character: number } } }[] }).getProperties();
    const keep = props.filter((p) => !plan.buildOnlyEnv.test(p.getName()));
    if (keep.length === props.length) lines.push(instructionLines(model, i));
    else if (keep.length) lines.push(`${i.node.getKeyword()} ${keep.map((p) => doc.text.slice(doc.offsetAt(p.getRange().start), doc.offsetAt(p.getRange().end))).join(' ')}`);
  }
  for (const e of plan.runtimeEnv ?? []) lines.push(e);
  // The recipe's apt packages (a Debian runtime) with the tools' apt packages in one RUN, then its other setup lines,
  // each RUN of several commands in the file's continuation style.
  const aptLine = [...(plan.runtimeAptPackages ?? []), ...aptTools.filter((t) => !plan.runtimeAptPackages?.includes(t))];
  const runs = [...(aptLine.length ? [aptInstallLine(aptLine)] : []), ...setup];
  for (const f of plan.runtimeFromBuilder ?? []) lines.push(`COPY --from=${alias} ${f} ${f}`);
  for (const r of runs) lines.push(r.startsWith('RUN ') ? `RUN ${runBody(model, 'RUN ', r.slice(4).split(' && '))}` : r);
  const withComments = (i: Instr, body: string) => {
    const b = instructionBlock(model, i);
    const comments = doc.text.slice(b.commentStart, b.start);
    return comments.replace(/\r?\n$/, '') ? comments + body : body;
  };
  for (const i of moved) if (plan.setupRuns?.includes(i)) lines.push(withComments(i, instructionLines(model, i)));
  const runtimeWd = plan.runtimeWorkdir === undefined ? wd : plan.runtimeWorkdir;
  if (runtimeWd && runtimeWd !== '/') lines.push(`WORKDIR ${runtimeWd}`);
  if (plan.runtimeRoot) lines.push(`COPY --from=${alias} ${plan.runtimeRoot}/ /`);
  else for (const [k, a] of plan.artifacts.entries()) lines.push(`COPY --from=${alias}${plan.artifactOwners?.[a] ? ` --chown=${plan.artifactOwners[a]}` : ''} ${a} ${targets[k]}`);
  if (lastUser && !moved.includes(lastUser)) {
    const u = runtimeUser(lastUser, plan);
    if ('reason' in u) return { ok: false, reason: u.reason };
    if (u.user) lines.push(`${lastUser.node.getKeyword()} ${u.user}`);
  }
  for (const i of moved) {
    checkDeadline();
    if (plan.setupRuns?.includes(i)) continue;
    if (i.keyword === 'USER') {
      if (i !== lastUser) continue;
      const u = runtimeUser(i, plan);
      if ('reason' in u) return { ok: false, reason: u.reason };
      if (!u.user) continue;
    }
    lines.push(withComments(i, replaced.get(i) ?? instructionLines(model, i)));
  }
  // ARGs the runtime lines use are declared again, as the builder declared them (a pre-FROM ARG is
  // visible inside a stage only where the stage names it; the runtime FROM line sees it anyway).
  const used = new Set(lines.flatMap((l) => [...varsUsed(l)]));
  const args = stage.instructions.filter((i) => {
    if (i.keyword !== 'ARG') return false;
    const props = (i.node as unknown as { getProperties?: () => { getName(): string }[] }).getProperties?.() ?? [];
    return props.some((p) => used.has(p.getName()));
  });
  lines.unshift(`FROM ${templatedRuntime(model, stage, plan)}`, ...args.map((i) => instructionLines(model, i)));
  const last = stage.instructions[stage.instructions.length - 1] ?? stage.fromInstr;
  const at = doc.lineBreakEnd(last.endLine);
  const atEndNoEol = at === doc.text.length && !/[\r\n]$/.test(doc.text);
  const tail = removals.length && removals[removals.length - 1].end === at ? removals.pop()! : null;
  edits.push(...removals);
  if (tail) {
    // The stage's end moves: the runtime stage replaces it, after the line break of the last kept line.
    edits.push({ start: tail.start, end: at, text: eol + lines.join(eol) + (atEndNoEol ? '' : eol) });
  } else {
    edits.push({ start: at, end: at, text: (atEndNoEol ? eol : '') + eol + lines.join(eol) + (atEndNoEol ? '' : eol) });
  }
  return { ok: true, edits, plan, manual: res.manual };
}
