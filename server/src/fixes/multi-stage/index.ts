/**
 * The multi-stage planner: the final stage stays as the builder (renamed), a runtime stage on a slim
 * image follows it with only the artifacts, and the instructions that describe the running image
 * (CMD, ENTRYPOINT, EXPOSE, LABEL, …) move into it. Each ecosystem's knowledge is one recipe.
 *
 * The runtime stage is written in this order: FROM; the builder's ARG declarations its lines use; the
 * builder's runtime ENVs and the recipe's `runtimeEnv`; one apt-get RUN of the recipe's `runtimeAptPackages` and
 * the tools its HEALTHCHECK calls (runtime-tools.ts); the recipe's `runtimeSetup`; WORKDIR; one `COPY --from` per artifact; the moved instructions with their
 * comments. Everything before the builder's FROM (parser directives, ARGs before the first FROM, earlier
 * stages) and everything in the builder (cache mounts included) stays byte for byte.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { abandonable, checkDeadline, OutOfTime } from '../../core/deadline';
import { rootImage, workdirAt } from '../../core/stage-info';
import { isRootUser, lookupBaseImage, parseImageRef, repoKey } from '../../knowledge/base-images';
import { instructionBlock, instructionLines, type OffsetEdit } from '../edits';
import { goRecipe } from './go';
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
import { absPath, copyDests, coveredBy, programOf } from './common';
import { runtimeToolPackages } from './runtime-tools';
import { aptInstallLine } from './system-packages';
import type { Recipe, RecipePlan } from './types';

export const RECIPES: Recipe[] = [goRecipe, nodeRecipe, pythonRecipe, cRecipe, rustRecipe, javaRecipe, dotnetRecipe, rubyRecipe, phpRecipe, rRecipe, rpmInstallrootRecipe];

/** Instructions that describe the running image: they move to the runtime stage. */
const RUNTIME_KEYWORDS = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL', 'VOLUME', 'LABEL']);
const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** `manual`: offered as a quick fix only, with this reason (see RecipeResult). */
export type Conversion = { ok: true; edits: OffsetEdit[]; plan: RecipePlan; manual?: string } | { ok: false; reason: string };

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

function coveredByArtifacts(path: string | null, artifacts: string[]): boolean {
  return path !== null && coveredBy(path, artifacts);
}

/**
 * The conversion of the final stage, or why there is none. Within the run's time budget (core/deadline.ts): past
 * it, the planning (and the project files it reads) is abandoned and the conversion declines with that reason.
 */
export function planConversion(model: Model): Conversion {
  try {
    return abandonable(() => planNow(model));
  } catch (err) {
    if (err instanceof OutOfTime) return { ok: false, reason: `planning the conversion ${err.message}` };
    throw err;
  }
}

function planNow(model: Model): Conversion {
  const stage = model.stages[model.stages.length - 1];
  if (!stage) return { ok: false, reason: 'no FROM' };
  const recipe = recipeFor(model, stage);
  if (!recipe) return { ok: false, reason: 'no conversion recipe for this image yet' };
  checkDeadline();
  const res = recipe.plan(model, stage);
  if (!res.ok) return res;
  const plan = res.plan;
  // Paths go into COPY lines as they are: one with a line break or another control character would end the line.
  // eslint-disable-next-line no-control-regex
  if (plan.artifacts.some((a) => /[\u0000-\u001f\u007f\u2028\u2029]/.test(a))) return { ok: false, reason: 'a path the runtime stage would copy holds a control character' };
  const doc = model.doc;
  const eol = doc.eol;
  const buildIdx = stage.instructions.indexOf(plan.buildStep);

  const moved: Instr[] = [];
  const dests = copyDests(model, stage);
  for (const [k, i] of stage.instructions.entries()) {
    checkDeadline();
    if (RUNTIME_KEYWORDS.has(i.keyword)) moved.push(i);
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
  /** Packages the runtime installs for the tools a HEALTHCHECK calls (curl). */
  const tools: string[] = [];
  const provided = (program: string) => resolvesTo(program, targets, wd) || !!plan.runtimePrograms?.includes(program);
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
      replaced.set(i, execLine(i, words));
    } else if (p.shellForm && !plan.runtimeHasShell) {
      if (!words) return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} needs a shell, which ${plan.runtimeImage} does not have` };
      if (i.keyword !== 'HEALTHCHECK') replaced.set(i, execLine(i, words));
    }
    if (i.keyword === 'HEALTHCHECK' && plan.runtimeAptPackages) {
      const t = runtimeToolPackages(model, i, provided, plan.runtimeImage);
      if (!t.ok) return t;
      for (const p of t.packages) if (!tools.includes(p)) tools.push(p);
    } else if (i === main || i.keyword === 'HEALTHCHECK') {
      const program = words?.[0];
      if (!program || !(resolvesTo(program, targets, wd) || plan.runtimePrograms?.includes(program))) {
        return { ok: false, reason: `the ${i.keyword} on line ${i.line + 1} runs \`${program ?? '?'}\`, not the built ${targets.join(', ')}` };
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

  const alias = stage.alias ?? uniqueAlias(model);
  const edits: OffsetEdit[] = [...plan.builderEdits];
  if (!stage.alias) {
    const kw = stage.fromInstr.node.getKeyword();
    const as = kw === kw.toLowerCase() ? 'as' : 'AS';
    edits.push({ start: stage.fromInstr.end, end: stage.fromInstr.end, text: ` ${as} ${alias}` });
  }
  for (const i of moved) {
    const b = instructionBlock(model, i);
    edits.push({ start: b.commentStart, end: b.end, text: '' });
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
  const aptLine = [...(plan.runtimeAptPackages ?? []), ...tools.filter((t) => !plan.runtimeAptPackages?.includes(t))];
  if (aptLine.length) lines.push(aptInstallLine(aptLine));
  for (const r of plan.runtimeSetup ?? []) lines.push(r);
  if (wd && wd !== '/') lines.push(`WORKDIR ${wd}`);
  if (plan.runtimeRoot) lines.push(`COPY --from=${alias} ${plan.runtimeRoot}/ /`);
  else for (const [k, a] of plan.artifacts.entries()) lines.push(`COPY --from=${alias} ${a} ${targets[k]}`);
  for (const i of moved) {
    checkDeadline();
    if (i.keyword === 'USER') {
      const u = (i.node.getArgumentsContent() ?? '').trim();
      // Users created in the builder do not exist in the runtime; a numeric one works anywhere, and so does one
      // the runtime image itself ships (`node` in node:*-slim).
      const shipped = lookupBaseImage(parseImageRef(plan.runtimeImage)).shipsUser;
      const ships = !!shipped && u.split(':')[0] === shipped.name && (!u.includes(':') || u.split(':')[1] === shipped.group);
      if ((!/^\d+(:\d+)?$/.test(u) && !ships) || isRootUser(u)) continue;
    }
    const b = instructionBlock(model, i);
    const comments = doc.text.slice(b.commentStart, b.start);
    const body = replaced.get(i) ?? instructionLines(model, i);
    lines.push(comments.replace(/\r?\n$/, '') ? comments + body : body);
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
  const text = (atEndNoEol ? eol : '') + eol + lines.join(eol) + (atEndNoEol ? '' : eol);
  edits.push({ start: at, end: at, text });
  return { ok: true, edits, plan, manual: res.manual };
}
