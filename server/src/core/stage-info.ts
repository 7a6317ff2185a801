/** Shared questions about stages: the image a stage finally rests on, its last USER, its working directory. */
import type { Instr, Model, Stage } from './model';
import { instrProperties, substituteArgs } from './model';
import { baseName } from './package-calls';
import { lookupBaseImage, type BaseImageInfo, type ImageRef } from '../knowledge/base-images';
import { APP_FRAMEWORKS, type AppFramework } from '../knowledge/app-frameworks';

const shippedSets = new WeakMap<Model, Set<Stage>>();

/**
 * Whether a stage's files reach an image that is run: a stage nothing else uses (the last one, or a `--target`
 * leaf such as `full` or `light`), or one a shipped stage is built `FROM`. A stage that other stages only copy
 * from (`COPY --from`, `RUN --mount=from=`), or that only builder stages are built on, is a builder: what its
 * layers weigh never ships, so advice about layer size is moot there. `FROM base-${TARGETARCH}` names one of the
 * earlier stages whose name fits around the variable (`base-amd64`, `base-arm64`): each of those is used, and
 * ships when that stage does. A leaf named as a development or test target (`dev`, `test`, `debug`…) is not
 * shipped when the file has another leaf that is: its image is for the developer's machine or a CI step, and the
 * file's own production target is where size counts.
 */
export function ships(model: Model, stage: Stage): boolean {
  let shipped = shippedSets.get(model);
  if (!shipped) {
    shipped = new Set();
    const named = stagesNamedThroughVariables(model);
    const leaves = model.stages.filter((s) => !s.usedByLaterStage && !named.used.has(s));
    const productionLeaf = leaves.some((s) => !developmentTarget(s) && !shipsNothingRun(s));
    // A file for development, tests or a build environment ships nothing that runs in production.
    if (fileNotShipped(model.path) || ciAgentImage(model)) {
      shippedSets.set(model, shipped);
      return false;
    }
    // A stage is built on by later stages only: walking back, each stage's children are settled before it.
    for (let k = model.stages.length - 1; k >= 0; k--) {
      const s = model.stages[k];
      if (!s.usedByLaterStage && !named.used.has(s) && !(productionLeaf && developmentTarget(s)) && !shipsNothingRun(s)) shipped.add(s);
      if (!shipped.has(s)) continue;
      if (s.baseStage) shipped.add(s.baseStage);
      for (const c of named.bases.get(s) ?? []) shipped.add(c);
    }
    shippedSets.set(model, shipped);
  }
  return shipped.has(stage);
}

/**
 * Why the Dockerfile's own path says its image is not one that ships, or null: a file for development or tests
 * (`Dockerfile.dev`, `test.Dockerfile`, `Dockerfile-e2e`, `Dockerfile.test-runner`; a file under a `test/`, `tests/`, `e2e/`, `playwright/`,
 * `cypress/` folder at most three levels up), or a build environment (`Dockerfile.builder`, `builder-go.dockerfile`).
 * Debug variants (`Dockerfile.debug`) are left out: they are often published and run. Only the last folders count,
 * so a checkout kept under a folder named `tests` is not taken for a test image.
 */
export function fileNotShipped(path: string | null | undefined): string | null {
  if (!path) return null;
  const parts = path.split('/');
  const name = parts[parts.length - 1];
  if (
    /^(Dockerfile|Containerfile)[.-](dev|devel|develop|development|local|test|tests|testing|e2e|ci)$/i.test(name) ||
    /^(dev|devel|development|local|test|tests|e2e|ci)\.(dockerfile|containerfile)$/i.test(name) ||
    /\.(dev|test|e2e)\.(dockerfile|containerfile)$/i.test(name) ||
    // A test image with a qualifier: `Dockerfile.test-runner`, `test-radius.dockerfile`, `Dockerfile.e2e.chrome`.
    /^(Dockerfile|Containerfile)[.-](test|tests|testing|e2e)[-_.][\w.-]+$/i.test(name) ||
    /^(test|tests|e2e)[-_][\w.-]+\.(dockerfile|containerfile)$/i.test(name)
  ) {
    return 'a development or test image (its file name)';
  }
  if (/^(Dockerfile|Containerfile)[.-](build|builder)([-.][\w.-]+)?$/i.test(name) || /^(build|builder)([-.][\w.-]+)?\.(dockerfile|containerfile)$/i.test(name)) {
    return 'a build environment (its file name)';
  }
  if (parts.slice(-4, -1).some((d) => /^(test|tests|testing|e2e|integration-tests|__tests__|testdata|playwright|cypress)$/i.test(d))) {
    return 'a test image (its folder)';
  }
  return null;
}

/**
 * A stage named for building (`build`, `builder`, `compile`, `codegen`, `protogen`…) that nothing is built on and that
 * has no CMD or ENTRYPOINT, its own or from the stages under it: an image built for its files (`docker build
 * --output`, `docker cp`, a code generator's output), never run as a container.
 */
export function buildsArtifactsOnly(stage: Stage): boolean {
  if (stage.usedByLaterStage || !/^(build|builder|build-env|compile|compiler|gen|generate|generator|codegen|protogen|genproto|artifacts?)$/i.test(stage.alias ?? '')) return false;
  for (let s: Stage | null = stage, depth = 0; s && depth < 64; s = s.baseStage, depth++) {
    if (s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')) return false;
  }
  return true;
}

/** A leaf whose image is built for its files or run once by hand, never as a service: see each test. */
function shipsNothingRun(s: Stage): boolean {
  return buildsArtifactsOnly(s) || triesByHand(s) || (startTextMentions(s, COPY_COMMANDS) && copiesOut(startWords(s)));
}

const COPY_COMMANDS = /\b(cp|rsync|mv)\b/;

/** Whether the text of a CMD or ENTRYPOINT of the stage (its own or inherited) matches: a cheap test before parsing them. */
function startTextMentions(stage: Stage, re: RegExp): boolean {
  for (let s: Stage | null = stage, depth = 0; s && depth < 64; s = s.baseStage, depth++) {
    if (s.instructions.some((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && re.test(i.text()))) return true;
  }
  return false;
}

/**
 * Whether the file is the image a Jenkins pipeline runs its steps in (`agent { dockerfile true }`, or `dockerfile {
 * filename 'ci.Dockerfile' }` naming it) and it starts nothing of its own: a build environment, like
 * `Dockerfile.builder`. Read from the Jenkinsfile beside it, in the build context.
 */
function ciAgentImage(model: Model): boolean {
  if (!model.files || model.stages.some((s) => s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'))) return false;
  let text: string | null = null;
  try {
    text = model.files.read('Jenkinsfile');
  } catch {
    text = null;
  }
  if (!text) return false;
  const name = (model.path ?? 'Dockerfile').split('/').pop() ?? 'Dockerfile';
  if (/\bdockerfile\s+true\b/.test(text)) return name === 'Dockerfile';
  // The block after `dockerfile {`, up to its closing brace, names the file (read by position: no backtracking).
  const at = text.search(/\bdockerfile\s*\{/);
  if (at < 0) return false;
  const end = text.indexOf('}', at);
  const named = /\bfilename\s+['"]([\w.-]+)['"]/.exec(text.slice(at, end < 0 ? undefined : end));
  return !!named && named[1] === name;
}

/**
 * A leaf that copies the whole build context into its working directory and starts nothing but a shell
 * (`COPY . .`, `RUN make`, `CMD sh`): a project built into a container to try by hand, not an image that runs a
 * service or that others build on (an image for others does not carry its build context). Its layers' size is not
 * what anyone ships.
 */
function triesByHand(stage: Stage): boolean {
  // The stage's own CMD first, from its text: most leaves start something else, and their syntax trees stay unbuilt.
  let cmd: Instr | null = null;
  for (const i of stage.instructions) if (i.keyword === 'CMD') cmd = i;
  if (!cmd || !BARE_SHELL.test(cmd.text().replace(/^CMD\s+/i, '').trim())) return false;
  let copiesContext = false;
  for (let s: Stage | null = stage, depth = 0; s && depth < 64; s = s.baseStage, depth++) {
    for (const i of s.instructions) {
      if (i.keyword === 'ENTRYPOINT') return false;
      if ((i.keyword === 'COPY' || i.keyword === 'ADD') && s === stage) {
        const words = (i.node.getArgumentsContent() ?? '').trim().split(/\s+/);
        if (!words.some((w) => w.startsWith('--from')) && words.filter((w) => !w.startsWith('--')).slice(0, -1).some((w) => w === '.' || w === './')) copiesContext = true;
      }
    }
  }
  return copiesContext;
}

/** A CMD that starts an interactive shell and nothing else: `sh`, `["/bin/bash"]`. */
const BARE_SHELL = /^(\[\s*"(\/usr)?(\/bin\/)?(sh|bash|ash|zsh)"\s*\]|((\/usr)?\/bin\/)?(sh|bash|ash|zsh))$/;

/** A stage named as a target for development or tests: `dev`, `development`, `debug`, `test`, `tests`, `e2e`, `lint`… (also `-dev` / `_test` suffixes). */
function developmentTarget(s: Stage): boolean {
  return /(^|[-_.])(dev|devel|develop|development|debug|test|tests|testing|e2e|lint|ci)$/i.test(s.alias ?? '');
}

/**
 * For each stage built `FROM` a name with a variable left in it (`base-${TARGETARCH}`), the earlier stages whose
 * names fit around the variable. Skipped (nothing found) when the file has so many such stages that the
 * comparison would be quadratic in a huge file.
 */
function stagesNamedThroughVariables(model: Model): { used: Set<Stage>; bases: Map<Stage, Stage[]> } {
  const used = new Set<Stage>();
  const bases = new Map<Stage, Stage[]>();
  const withVariable = model.stages.filter((s) => !s.baseStage && s.rawImageText?.includes('$'));
  if (withVariable.length === 0 || withVariable.length * model.stages.length > 1_000_000) return { used, bases };
  for (const s of withVariable) {
    const text = s.rawImageText!.toLowerCase();
    const prefix = text.slice(0, text.indexOf('$'));
    const close = text.lastIndexOf('}');
    const suffix = close > text.indexOf('$') ? text.slice(close + 1) : '';
    if (prefix === '' && suffix === '') continue;
    const fits = model.stages.filter(
      (c) => c.index < s.index && c.alias !== null && c.alias.length > prefix.length + suffix.length && c.alias.startsWith(prefix) && c.alias.endsWith(suffix),
    );
    if (fits.length === 0) continue;
    bases.set(s, fits);
    for (const c of fits) used.add(c);
  }
  return { used, bases };
}

/** The image at the bottom of a chain of `FROM stage` references, or null (unresolved / cyclic). */
export function rootImage(stage: Stage): { ref: ImageRef | null; text: string | null } {
  let s: Stage = stage;
  for (let depth = 0; s.baseStage && depth < 64; depth++) s = s.baseStage;
  return { ref: s.image, text: s.imageText };
}

export function baseInfo(stage: Stage): BaseImageInfo | null {
  const { ref } = rootImage(stage);
  return ref ? lookupBaseImage(ref) : null;
}

export function lastUserInstr(stage: Stage): Instr | null {
  for (let k = stage.instructions.length - 1; k >= 0; k--) if (stage.instructions[k].keyword === 'USER') return stage.instructions[k];
  return null;
}

/** Variables visible in a stage at an instruction: global ARG defaults, then the stage's ARG and ENV values before it. */
export function stageVars(model: Model, stage: Stage, before: Instr | null): Map<string, string | null> {
  const vars = new Map(model.globalArgs);
  for (const i of stage.instructions) {
    if (i === before) break;
    if (i.keyword === 'ARG' || i.keyword === 'ENV') {
      const props = instrProperties(i);
      for (const p of props) {
        const v = p.getValue();
        if (i.keyword === 'ARG' && v === null && vars.has(p.getName())) continue;
        vars.set(p.getName(), v === null ? null : substituteArgs(v, vars));
      }
    }
  }
  return vars;
}

/** A USER instruction's value with variables substituted; null when it still depends on something unknown. */
export function userValue(model: Model, instr: Instr): string | null {
  const raw = (instr.node.getArgumentsContent() ?? '').trim();
  // A USER with no name is half-typed: not root, not anything yet.
  if (raw === '') return null;
  if (!raw.includes('$')) return raw;
  const v = substituteArgs(raw, stageVars(model, instr.stage!, instr)).trim();
  return v.includes('$') || v === '' ? null : v;
}

const workdirs = new WeakMap<Stage, { before: Map<Instr, string | null>; end: string | null }>();

/** The working directory in effect just before `before` (or at the stage's end), when it is known. */
export function workdirAt(model: Model, stage: Stage, before: Instr | null): string | null {
  // Worked out once per stage: rules ask for every RUN, and a scan per question was quadratic in a long stage.
  let memo = workdirs.get(stage);
  if (!memo) {
    memo = stageWorkdirs(model, stage);
    workdirs.set(stage, memo);
  }
  return before && memo.before.has(before) ? memo.before.get(before)! : memo.end;
}

/** The working directory before each instruction of a stage and the stages it builds on, and at its end. */
function stageWorkdirs(model: Model, stage: Stage): { before: Map<Instr, string | null>; end: string | null } {
  const before = new Map<Instr, string | null>();
  let wd: string | null = null;
  let s: Stage | null = stage;
  // Start from the base stage's final working directory.
  const chain: Stage[] = [];
  for (let d = 0; s && d < 64; d++, s = s.baseStage) chain.unshift(s);
  for (const st of chain) {
    for (const i of st.instructions) {
      if (!before.has(i)) before.set(i, wd);
      if (i.keyword !== 'WORKDIR') continue;
      // `WORKDIR "/app"` is /app: the builder takes the quotes off.
      const raw = (i.node.getArgumentsContent() ?? '').trim();
      const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0];
      const arg = quoted ? raw.slice(1, -1) : raw;
      const v = arg.includes('$') ? substituteArgs(arg, stageVars(model, st, i)) : arg;
      if (!v || v.includes('$')) {
        wd = null;
        continue;
      }
      wd = normalPath(v.startsWith('/') ? v : `${wd ?? ''}/${v}`);
    }
  }
  return { before, end: wd };
}

/**
 * An absolute path as the builder resolves it: `.` and `..` segments, repeated and trailing slashes go
 * (`WORKDIR /usr/src/app/` is /usr/src/app), so paths joined to it never read `/usr/src/app//target`.
 */
export function normalPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

/** The application framework a stage (with the stages it builds on) runs, judged by its instructions' text. */
export function appFramework(stage: Stage): AppFramework | null {
  const texts: string[] = [];
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) {
    for (const i of s.instructions) if (['CMD', 'ENTRYPOINT', 'RUN', 'ENV'].includes(i.keyword)) texts.push(i.node.getArgumentsContent() ?? '');
  }
  const all = texts.join('\n');
  return APP_FRAMEWORKS.find((f) => f.detect.test(all)) ?? null;
}

// --- How a stage starts --------------------------------------------------------------------------

/** Shells a start command may run its program through (`sh -c "…"`). */
export const SHELLS = /^(sh|bash|ash|dash|zsh|ksh|fish|cmd|pwsh|powershell)(\.exe)?$/i;
/** Entrypoints that pass their arguments on: the program is the CMD (official images' docker-entrypoint.sh, init shims). */
export const PASS_ON = /^(docker-([\w-]+-)?entrypoint(\.sh)?|tini|tini-static|dumb-init|catatonit)$/;

/** A stage and the stages it is built FROM, the first base first. */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) out.unshift(s);
  return out;
}

/** The instructions of a stage chain, in build order. */
export function chainInstrs(stage: Stage): Instr[] {
  return stageChain(stage).flatMap((s) => s.instructions);
}

/** The last ENTRYPOINT and CMD the file sets for a stage (its own or inherited from a stage it is built FROM). */
export function startOf(stage: Stage): { entrypoint: Instr | null; cmd: Instr | null } {
  let entrypoint: Instr | null = null;
  let cmd: Instr | null = null;
  for (const i of chainInstrs(stage)) {
    if (i.keyword === 'ENTRYPOINT') {
      entrypoint = i;
      // A new ENTRYPOINT resets the CMD inherited before it.
      cmd = null;
    } else if (i.keyword === 'CMD') cmd = i;
  }
  return { entrypoint, cmd };
}

/** The words of a CMD / ENTRYPOINT (exec form as written, shell form split on blanks); null when unreadable. */
export function commandWords(i: Instr): string[] | null {
  const raw = (i.node.getArgumentsContent() ?? '').trim();
  if (raw.startsWith('[')) {
    try {
      const arr = JSON.parse(raw);
      return Array.isArray(arr) && arr.every((x) => typeof x === 'string') ? arr : null;
    } catch {
      return null;
    }
  }
  return raw.split(/\s+/).filter(Boolean).map((w) => w.replace(/^["']|["']$/g, ''));
}

/** The words of the program the stage starts: the ENTRYPOINT's and its CMD arguments, init shims left out. */
export function startWords(stage: Stage): string[] {
  const { entrypoint, cmd } = startOf(stage);
  const e = entrypoint ? commandWords(entrypoint) ?? [] : [];
  // An exec-form ENTRYPOINT takes the CMD as its arguments; a shell-form one ignores it.
  const execForm = !entrypoint || (entrypoint.node.getArgumentsContent() ?? '').trim().startsWith('[');
  const c = cmd && execForm ? commandWords(cmd) ?? [] : [];
  const words = [...e, ...c];
  // Init shims in the CMD (`/sbin/tini -- node app.js`) pass on too.
  while (words.length && PASS_ON.test(baseName(words[0]))) {
    words.shift();
    while (words[0]?.startsWith('-')) if (words.shift() === '--') break;
  }
  return words;
}

/** The words of the command a start runs, through one `sh -c "…"` (split on blanks). */
export function unwrappedShell(words: string[]): string[] {
  return words[0] && SHELLS.test(baseName(words[0])) && words[1] === '-c' ? (words[2] ?? '').split(/\s+/) : words;
}

/** `cp -r build /out`, `sh -c "rsync -a dist/ /srv/static"`: a job that copies the image's files out into a mount. */
export function copiesOut(words: string[]): boolean {
  const w = unwrappedShell(words);
  return w.length > 0 && /^(cp|rsync|mv)$/.test(baseName(w[0]));
}
