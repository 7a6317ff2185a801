/**
 * Python: the full image (compilers, headers) installs the dependencies into a virtual environment; the
 * slim image of the same Python version gets the venv and the app, with the venv first on PATH. Same image
 * family on both sides, so the venv's interpreter link (/usr/local/bin/python3.x) resolves the same way.
 *
 * Where the venv is:
 * - pip, `uv pip install`: an existing `python -m venv <dir>` / `uv venv <dir>`, else /opt/venv, created and
 *   activated (VIRTUAL_ENV, PATH) just before the first RUN that installs into it;
 * - poetry: `<project>/.venv` when in-project venvs are configured (`poetry config virtualenvs.in-project true`,
 *   POETRY_VIRTUALENVS_IN_PROJECT, or poetry.toml in the build context); else /opt/venv activated before
 *   `poetry install`, which installs into an externally activated venv (python-poetry.org/docs/managing-environments).
 *   When the same RUN installs poetry itself with pip (`pip install poetry && poetry install`), poetry stays in the
 *   image's Python, out of the app's environment: with `virtualenvs.create false` the dependencies are in the image's
 *   own site-packages, which ship (poetry with them); else the recipe sets POETRY_VIRTUALENVS_IN_PROJECT before that
 *   RUN and `<project>/.venv` ships;
 * - `uv sync`: the project environment, `<project>/.venv` or UV_PROJECT_ENVIRONMENT (docs.astral.sh/uv/concepts/projects/config).
 * `poetry run …` / `uv run …` in CMD/ENTRYPOINT become the command itself: the venv is on PATH and neither tool is in the runtime.
 * A command that runs poetry in another form (`bash -c "poetry run a && poetry run b"`) keeps it when poetry's
 * installer put it in a folder of its own, which the runtime copies; `poetry run` there finds the venv by VIRTUAL_ENV.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, stageVars } from '../../core/stage-info';
import { debianReleaseOfTag } from '../../knowledge/runtime-libraries';
import { beforeQualifier } from '../../knowledge/runtime-libraries';
import { pypiSystemLibraries, type PypiRequirement } from '../../knowledge/pypi-system-libraries';
import { instructionBlock } from '../../core/edits';
import { absPath, copyDests, coveredBy, lastRun, mainCommand, nothingCopiedReason, mainProgram, runCommands, slimTag, type RunCommand, rootRepoIs } from './common';
import { contextDirOf } from './go-runtime-needs';
import { lockedPackages, noBinaryOf, parsePoetryToml, parsePythonVersion, parseRequirement, parseRequirements, pyprojectRequirements, readCopied } from './project-files';
import { aptPackages, otherPackages, runtimePackages } from './system-packages';
import { BASE_COMMANDS } from '../../knowledge/runtime-tools';
import { SCANNED_PACKAGES, runsAsOtherAt, scannable, scannedInstall, scanNote, scanStep } from './scanned-packages';
import type { Recipe, RecipeResult } from './types';

export const VENV = '/opt/venv';

function isPython(name: string | null): boolean {
  return !!name && /^(\/usr(\/local)?\/bin\/)?python3?(\.\d+)?$/.test(name);
}

function words(c: RunCommand): (string | null)[] {
  return c.cmd.args.map((x) => x.value);
}

/**
 * The words with an expansion as their unquoted text (`"poetry==$POETRY_VERSION"` → `poetry==$POETRY_VERSION`): what
 * a package name is matched against when only its version comes from a variable.
 */
function looseWords(c: RunCommand): string[] {
  return c.cmd.args.map((x) => x.value ?? x.raw.replace(/["']/g, ''));
}

/** `pip install …`, `pip3 install …`, `python -m pip install …`: its arguments after `install`, or null. */
function pipInstallArgs(c: RunCommand, loose = false): (string | null)[] | null {
  const a = loose ? looseWords(c) : words(c);
  if (c.cmd.name && /^pip3?(\.\d+)?$/.test(c.cmd.name) && a[0] === 'install') return a.slice(1);
  if (isPython(c.cmd.name) && a[0] === '-m' && a[1] === 'pip' && a[2] === 'install') return a.slice(3);
  return null;
}

/** `uv pip install …`: its arguments after `install`, or null. */
function uvPipInstallArgs(c: RunCommand, loose = false): (string | null)[] | null {
  const a = loose ? looseWords(c) : words(c);
  return c.cmd.name === 'uv' && a[0] === 'pip' && (a[1] === 'install' || a[1] === 'sync') ? a.slice(2) : null;
}

/** Packaging tools, which may stay in the system Python: `pip install poetry`, `pip install --upgrade pip uv`. */
const TOOL_PACKAGE = /^(pip|setuptools|wheel|poetry|poetry-core|poetry-plugin-[a-z-]+|uv|pipx|virtualenv)([=<>!~\[].*)?$/i;

/** Whether a pip install only installs packaging tools (a version from a variable, `poetry==$POETRY_VERSION`, included). */
function isToolInstall(c: RunCommand): boolean {
  const args = pipInstallArgs(c, true) ?? uvPipInstallArgs(c, true) ?? [];
  const operands = args.filter((x) => x === null || !x.startsWith('-'));
  return operands.length > 0 && operands.every((x) => x !== null && TOOL_PACKAGE.test(x)) && !args.some((x) => x === '-r' || x === '-e' || x === '--requirement' || x === '--editable');
}

/** `python -m venv <dir>` / `uv venv <dir>`: the directory (absolute), or null. */
function venvOf(c: RunCommand): string | null {
  const a = words(c);
  let rest: (string | null)[] | null = null;
  if (isPython(c.cmd.name) && a[0] === '-m' && (a[1] === 'venv' || a[1] === 'virtualenv')) rest = a.slice(2);
  else if (c.cmd.name === 'uv' && a[0] === 'venv') rest = a.slice(1);
  if (!rest) return null;
  const d = rest.find((x) => x !== null && !x.startsWith('-'));
  const p = d ? absPath(c.dir, d) : c.cmd.name === 'uv' ? absPath(c.dir, '.venv') : null;
  return p;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

type Mode = 'pip' | 'poetry' | 'uv-sync';

/** A RUN-side decision: where the venv is and whether the recipe creates it (before which RUN). */
interface VenvPlan {
  venv: string;
  /** Where the recipe creates it (`python -m venv` + ENV): before this RUN, or after FROM; null when the build makes it. */
  create: Stage['instructions'][number] | 'after-from' | null;
  /** An ENV line the recipe writes into the builder before this RUN (`ENV POETRY_VIRTUALENVS_IN_PROJECT=true`). */
  envBefore?: { instr: Stage['instructions'][number]; line: string };
}

/** The dependencies go into the image's own Python (poetry with `virtualenvs.create false`): its site-packages ship. */
interface SystemPlan {
  system: true;
}

function inlineOrStage(model: Model, stage: Stage, c: RunCommand, name: string): string | null {
  const a = c.cmd.assignments.find((x) => x.startsWith(`${name}=`));
  if (a) return a.slice(name.length + 1);
  return stageVars(model, stage, c.instr).get(name) ?? null;
}

/** `poetry config virtualenvs.<key> <value>` run before `before`, the ENV, or poetry.toml: the setting, or null. */
function poetrySetting(model: Model, stage: Stage, install: RunCommand, key: 'in-project' | 'create'): boolean | null {
  let v: boolean | null = null;
  const env = inlineOrStage(model, stage, install, key === 'in-project' ? 'POETRY_VIRTUALENVS_IN_PROJECT' : 'POETRY_VIRTUALENVS_CREATE');
  if (env !== null) v = TRUE.test(env) ? true : FALSE.test(env) ? false : null;
  for (const c of runCommands(model, stage)) {
    if (c === install || c.instr.start > install.instr.start) break;
    const a = words(c);
    if (c.cmd.name === 'poetry' && a[0] === 'config' && a.includes(`virtualenvs.${key}`)) {
      const val = a[a.indexOf(`virtualenvs.${key}`) + 1];
      if (val && TRUE.test(val)) v = true;
      else if (val && FALSE.test(val)) v = false;
    }
  }
  if (v !== null) return v;
  // poetry.toml next to pyproject.toml (the project's local configuration).
  const text = install.dir ? readCopied(model, stage, install.dir, 'poetry.toml', install.instr) : null;
  const t = text === null ? null : parsePoetryToml(text);
  return t ? (key === 'in-project' ? t.inProject : t.create) : null;
}

/** `poetry run X …` → `X …`; `uv run [flags] X …` → `X …`; null when the words are not one of those. */
export function dropRunWrapper(w: string[]): string[] | null {
  if (w[0] === 'poetry' && w[1] === 'run') return w.slice(2);
  if (w[0] === 'uv' && w[1] === 'run') {
    let k = 2;
    // Flags without a value only; one with a value (--with, --python) changes what runs.
    while (k < w.length && /^--(no-sync|frozen|locked|no-dev|offline|quiet|no-project|no-editable|compile-bytecode)$|^-q$/.test(w[k])) k++;
    if (k < w.length && w[k].startsWith('-')) return null;
    return w.slice(k);
  }
  return null;
}

export const pythonRecipe: Recipe = {
  ecosystem: 'python',
  applies(_model, stage) {
    return rootRepoIs(stage, 'python');
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    if (ref.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of its slim variant is not known here' };
    const tag = ref.tag ?? '';
    const cmds = runCommands(model, stage);
    if (/(^|-)(windowsservercore|nanoserver)/.test(tag)) return { ok: false, reason: 'the image is a Windows one, which has no slim variant, and whose system packages the recipe does not know' };
    // Alpine: the runtime is the same image; the run-time packages of what pip built against apk's libraries are
    // not in the tables (the PyPI one is Debian's), so the builder finds them (scanned-packages.ts).
    const alpine = /(^|-)alpine/.test(tag);
    const apk = alpine ? otherPackages(model, stage, 'apk') : null;
    if (apk?.problem) return { ok: false, reason: apk.problem };
    // Already slim (`python:3.12-slim` + build-essential): the builder is the same image with its build packages,
    // the runtime the same image with only their run-time libraries.
    const slimBase = /(^|-)slim/.test(tag);
    const other = cmds.find((c) => ['pipenv', 'pdm', 'conda', 'mamba', 'hatch'].includes(c.cmd.name ?? ''));
    if (other) return { ok: false, reason: `dependencies are installed by ${other.cmd.name}; where it puts them is its own configuration` };
    if (cmds.some((c) => c.cmd.name === 'uv' && words(c)[0] === 'python')) return { ok: false, reason: '`uv python` installs an interpreter of its own, which the slim image would not have' };

    const poetryInstalls = cmds.filter((c) => c.cmd.name === 'poetry' && ['install', 'sync'].includes(words(c)[0] ?? ''));
    const uvSyncs = cmds.filter((c) => c.cmd.name === 'uv' && words(c)[0] === 'sync');
    const pipInstalls = cmds.filter((c) => {
      const a = pipInstallArgs(c) ?? uvPipInstallArgs(c);
      return a !== null && !isToolInstall(c);
    });
    const modes = [poetryInstalls.length && 'poetry', uvSyncs.length && 'uv-sync'].filter(Boolean) as Mode[];
    if (modes.length > 1) return { ok: false, reason: 'both poetry and `uv sync` install dependencies; which environment the app runs in is not clear' };
    const mode: Mode = modes[0] ?? 'pip';

    for (const c of cmds) {
      const args = pipInstallArgs(c) ?? uvPipInstallArgs(c);
      if (!args || isToolInstall(c)) continue;
      const bad = args.find((x) => x === '--user' || x === '--target' || x === '-t' || x === '--prefix' || x === '--root' || x === '--system' || (x ?? '').startsWith('--target=') || (x ?? '').startsWith('--prefix='));
      if (bad) return { ok: false, reason: `\`${c.cmd.name === 'uv' ? 'uv pip' : 'pip'} install ${bad}\` puts packages outside the environment the recipe copies` };
      if (c.cmd.name === 'uv' && inlineOrStage(model, stage, c, 'UV_SYSTEM_PYTHON')) return { ok: false, reason: 'UV_SYSTEM_PYTHON makes `uv pip install` install into the system Python, outside the environment the recipe copies' };
      if (c.cmd.name && /^pip/.test(c.cmd.name) && c.cmd.nameWord && c.cmd.nameWord.value?.includes('/')) {
        return { ok: false, reason: 'pip is called by an absolute path, which a virtual environment on PATH would not change' };
      }
    }

    let vp: VenvPlan | SystemPlan | { reason: string };
    if (mode === 'uv-sync') vp = uvSyncVenv(model, stage, uvSyncs, ref.tag);
    else if (mode === 'poetry') vp = poetryVenv(model, stage, poetryInstalls, pipInstalls);
    else {
      const existing = cmds.map(venvOf).find((v) => v !== null) ?? null;
      const first = pipInstalls[0];
      vp = existing ? { venv: existing, create: null } : { venv: VENV, create: first ? first.instr : stage.instructions.find((i) => i.keyword === 'RUN') ?? 'after-from' };
    }
    if ('reason' in vp) return { ok: false, reason: vp.reason };

    // The app: every place the stage copied files into (from the build context).
    const dests = copyDests(model, stage).filter((d) => !d.from);
    if (dests.some((d) => d.path === null)) return { ok: false, reason: 'a COPY or ADD destination depends on a variable or an unknown working directory' };
    if (dests.some((d) => d.path === '/')) return { ok: false, reason: 'files are copied into /, so the app cannot be told apart from the image' };
    const paths = dests.map((d) => d.path!).sort((a, b) => a.length - b.length);
    const app: string[] = [];
    for (const p of paths) if (!coveredBy(p, app)) app.push(p);
    if (app.length === 0) return { ok: false, reason: nothingCopiedReason(stage) };

    // System packages: the run-time libraries of the `-dev` packages installed (libpq-dev → libpq5), and on the full
    // image those of the PyPI packages that link the image's own libraries (psycopg2 → libpq-dev → libpq5).
    const apt = apk ?? aptPackages(model, stage);
    // The image's own Python headers (Debian's python3-dev is for Debian's python3, not the image's).
    apt.dev = apt.dev.filter((p) => !/^(lib)?python3?[\d.]*-dev$/.test(beforeQualifier(p)));
    if (!slimBase && !alpine) {
      const sys = pypiSystemLibraries(...installedRequirements(model, stage, mode === 'pip' ? pipInstalls : mode === 'poetry' ? poetryInstalls : uvSyncs, mode));
      for (const d of sys.dev) if (!apt.dev.some((x) => beforeQualifier(x) === d)) apt.dev.push(d);
    }
    const pkgs = alpine ? { ok: true as const, packages: apt.runtime } : runtimePackages(apt, debianReleaseOfTag(ref.tag), `python:${tag || 'latest'}`, 'name the release in the tag (e.g. -bookworm)', true);
    if (!pkgs.ok) return pkgs;

    // The build step: the last RUN (everything after it must be copies into the app).
    const buildStep = lastRun(stage) ?? dests[dests.length - 1].instr;

    const main = mainCommand(model, stage);
    const w = main ? dropRunWrapper(main) ?? main : null;
    const prog = w?.[0] ?? mainProgram(model, stage);
    const runtimePrograms = ['python', 'python3'];
    // A bare command name (gunicorn, uvicorn) comes from the venv, which is first on PATH.
    if (prog && !prog.includes('/') && (pipInstalls.length || mode !== 'pip')) runtimePrograms.push(prog);
    // poetry itself, where the CMD runs it in a way the runtime command cannot drop (`bash -c "poetry run …"`).
    const carried = poetryCarried(model, stage, cmds, 'system' in vp);
    if (carried && 'reason' in carried) return { ok: false, reason: carried.reason };
    if (carried) runtimePrograms.push('poetry');
    const extra = carried ? carried.paths : [];

    if ('system' in vp) {
      // The image's own site-packages (poetry's packages among them) and the console script the CMD runs, at the
      // same paths in the slim image of the same Python version.
      // On Alpine the run-time packages come from the builder's library scan, planned for a venv only.
      if (alpine) return { ok: false, reason: `poetry installs into the image's own Python (virtualenvs.create false), and on ${`python:${tag}`} the run-time packages of what it builds are found by a scan planned for a venv only` };
      const minor = /^(\d+\.\d+)(?:[.-]|$)/.exec(tag)?.[1];
      if (!minor) return { ok: false, reason: `poetry installs into the image's own Python (virtualenvs.create false), whose site-packages folder is named by the Python version, which python:${tag || 'latest'} does not write` };
      // A shell or a base command is the slim image's own; anything else bare is a console script pip wrote there.
      const scripts = prog && !prog.includes('/') && !['python', 'python3', `python${minor}`].includes(prog) && !BASE_COMMANDS.has(prog) && !/^(ba|da)?sh$/.test(prog) ? [`/usr/local/bin/${prog}`] : [];
      return {
        ok: true,
        plan: {
          ecosystem: 'python',
          buildStep,
          artifacts: [`/usr/local/lib/python${minor}/site-packages`, ...scripts, ...extra, ...app].filter((a, k, all) => all.indexOf(a) === k && !all.some((b) => b !== a && coveredBy(a, [b]))),
          runtimeImage: slimBase ? `python:${tag}` : `python:${slimTag(ref.tag, true)}`,
          runtimeAptPackages: pkgs.packages,
          builderEdits: [],
          buildOnlyEnv: /^(PIP_\w*|POETRY_\w*|UV_\w*|PIPENV_\w*)$/,
          runtimeNonRoot: false,
          runtimeHasShell: true,
          runtimePrograms,
          runtimeCommand: dropRunWrapper,
        },
      };
    }
    const venv = vp.venv;

    const builderEdits = [];
    const envLine = `ENV VIRTUAL_ENV=${venv} PATH="${venv}/bin:$PATH"`;
    const eol = model.doc.eol;
    if (vp.create && vp.create !== 'after-from') {
      const at = instructionBlock(model, vp.create).commentStart;
      builderEdits.push({ start: at, end: at, text: `RUN python -m venv ${venv}${eol}${envLine}${eol}` });
    } else if (vp.create === 'after-from') {
      const at = model.doc.lineEndOffset(stage.fromInstr.endLine);
      builderEdits.push({ start: at, end: at, text: `${eol}RUN python -m venv ${venv}${eol}${envLine}` });
    }
    if (vp.envBefore) {
      const at = instructionBlock(model, vp.envBefore.instr).commentStart;
      builderEdits.push({ start: at, end: at, text: `${vp.envBefore.line}${eol}` });
    }
    const envSetsVenv = stage.instructions.some((i) => i.keyword === 'ENV' && (i.node.getRawArgumentsContent() ?? '').includes(`${venv}/bin`));
    const artifacts = [venv, ...extra, ...app].filter((a, k, all) => all.indexOf(a) === k && !all.some((b) => b !== a && coveredBy(a, [b])));
    if (alpine && !scannable(artifacts)) return { ok: false, reason: 'a path the runtime copies is not a plain path the scan of its run-time libraries can name' };
    if (alpine && runsAsOtherAt(stage, buildStep)) return { ok: false, reason: 'the dependencies are installed as a user other than root, and the scan of their run-time libraries installs scanelf with apk, as root' };
    if (alpine) builderEdits.push({ start: buildStep.end, end: buildStep.end, text: scanStep(model, 'apk', artifacts) });
    const image = `python:${tag}`;
    const scanned = alpine
      ? {
          runtimeSetup: [scannedInstall('apk', pkgs.packages)],
          runtimeFromBuilder: [SCANNED_PACKAGES],
          note: scanNote('apk', `the run-time packages of what pip builds on ${image} are not in the tables here`, /alpine3\.\d+/.test(tag) ? null : image),
        }
      : { runtimeAptPackages: pkgs.packages };
    return {
      ok: true,
      plan: {
        ecosystem: 'python',
        buildStep,
        // The venv and the app directories, none inside another (an in-project .venv comes with its project).
        artifacts,
        runtimeImage: slimBase || alpine ? image : `python:${slimTag(ref.tag, true)}`,
        ...scanned,
        builderEdits,
        buildOnlyEnv: /^(PIP_\w*|POETRY_\w*|UV_\w*|PIPENV_\w*)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms,
        // poetry run in the runtime finds the environment through VIRTUAL_ENV, which the recipe's line sets.
        runtimeEnv: !vp.create && envSetsVenv && !carried ? [] : [envLine],
        runtimeCommand: mode === 'pip' ? undefined : dropRunWrapper,
      },
    };
  },
};

function poetryVenv(model: Model, stage: Stage, installs: RunCommand[], pipInstalls: RunCommand[]): VenvPlan | SystemPlan | { reason: string } {
  const first = installs[0];
  if (pipInstalls.length) return { reason: 'both pip and poetry install dependencies; which environment holds them is not clear' };
  const dirs = new Set(installs.map((c) => c.dir));
  if (dirs.has(null) || dirs.size > 1) return { reason: '`poetry install` runs in an unknown or in several directories' };
  if (installs.some((c) => words(c).some((a) => a === '-C' || a === '--directory' || (a ?? '').startsWith('--directory=') || a === '-P' || a === '--project'))) {
    return { reason: '`poetry install --directory/--project` names another project directory; convert without it' };
  }
  if (poetrySetting(model, stage, first, 'in-project') === true) {
    if (inlineOrStage(model, stage, first, 'VIRTUAL_ENV')) return { reason: 'VIRTUAL_ENV is set, so poetry uses that environment, not the in-project one' };
    return { venv: `${first.dir!.replace(/\/$/, '')}/.venv`, create: null };
  }
  // The same RUN installing poetry with pip would put it into a venv the recipe activated before it, beside the
  // app's packages (whose versions may be poetry's own dependencies'): the recipe leaves pip and poetry on the
  // image's Python and takes the environment poetry itself is told to use.
  const selfInstall = runCommands(model, stage).find((c) => c.instr === first.instr && (pipInstallArgs(c, true) ?? []).some((a) => a !== null && /^poetry([=<>!~].*)?$/.test(a)));
  if (!selfInstall) return { venv: VENV, create: first.instr };
  if (inlineOrStage(model, stage, first, 'VIRTUAL_ENV')) return { reason: 'VIRTUAL_ENV is set, and poetry is installed with pip in the same RUN as the dependencies; which environment holds which is not clear' };
  // `virtualenvs.create false`: the image's own Python holds the dependencies (and poetry).
  if (poetrySetting(model, stage, first, 'create') === false) return { system: true };
  if (poetrySetting(model, stage, first, 'in-project') === false) {
    return { reason: 'poetry is installed with pip in the same RUN as the dependencies and virtualenvs.in-project is off, so they go into a venv named by a hash under the builder\'s cache directory' };
  }
  // Poetry's default is a venv under its cache directory, named by a hash of the project path: the recipe asks for
  // the in-project one instead (`<project>/.venv`, python-poetry.org/docs/configuration#virtualenvsin-project),
  // unless the build context could bring a .venv of its own into the project folder.
  const dir = first.dir!.replace(/\/$/, '') || '/';
  const venvDir = `${dir === '/' ? '' : dir}/.venv`;
  const ctx = contextDirOf(model, stage, dir);
  let entries: string[] | null = null;
  try {
    entries = ctx ? model.files?.list?.(ctx.dir) ?? null : null;
  } catch {
    entries = null;
  }
  if (!ctx || !entries) return { reason: 'poetry is installed with pip in the same RUN as the dependencies; its environment would go into the project\'s .venv, and whether the build context brings a .venv of its own there is not known' };
  if (entries.some((e) => e.replace(/\/$/, '') === '.venv') && (ctx.only === null || ctx.only.some((o) => o === '.venv' || o.startsWith('.venv/') || /[*?[]/.test(o)))) {
    return { reason: 'poetry is installed with pip in the same RUN as the dependencies; its environment would go into the project\'s .venv, which the build context already has' };
  }
  return { venv: venvDir, create: null, envBefore: { instr: first.instr, line: 'ENV POETRY_VIRTUALENVS_IN_PROJECT=true' } };
}

/**
 * Where the official installer (`curl -sSL https://install.python-poetry.org | python3 -`) put poetry, when the CMD or
 * ENTRYPOINT runs it in a form the runtime command cannot drop (`bash -c "poetry run … && poetry run …"`): its own
 * venv under POETRY_HOME (default `~/.local/share/pypoetry`, the script in `~/.local/bin`; install.python-poetry.org's
 * script, checked 2026-12), which the runtime copies to the same paths. `poetry run` there finds the environment the
 * runtime activates (VIRTUAL_ENV; python-poetry.org/docs/managing-environments). Null when the command needs no
 * poetry; a reason when it does and the runtime cannot have it.
 */
function poetryCarried(model: Model, stage: Stage, cmds: RunCommand[], system: boolean): { paths: string[] } | { reason: string } | null {
  const runs = stage.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT').some((i) => {
    const text = i.node.getRawArgumentsContent() ?? '';
    const words = /^\s*\[/.test(text) ? mainCommand(model, stage) : null;
    // A command the runtime command rewrites (`poetry run X …` as its words) needs no poetry.
    return /(^|[^A-Za-z0-9_.-])poetry([^A-Za-z0-9_.-]|$)/.test(text) && !(words && dropRunWrapper(words));
  });
  if (!runs) return null;
  if (system) return { reason: 'the CMD runs poetry, and poetry run in the runtime would not know the environment is the image\'s own Python (virtualenvs.create false is build-only here)' };
  const installer = cmds.find((c) => isPython(c.cmd.name) && (c.instr.run?.body ?? '').includes('install.python-poetry.org'));
  if (!installer) return null;
  if (stage.instructions.some((i) => i.keyword === 'USER' && i.start < installer.instr.start)) return { reason: 'poetry is installed by its installer under a USER\'s home, which is not known here' };
  const home = inlineOrStage(model, stage, installer, 'POETRY_HOME');
  if (home !== null) {
    if (!home.startsWith('/') || home.includes('$')) return { reason: `POETRY_HOME=${home} is not a plain absolute path` };
    return { paths: [absPath('/', home)!] };
  }
  if (inlineOrStage(model, stage, installer, 'XDG_DATA_HOME') !== null) return { reason: 'XDG_DATA_HOME moves where the installer puts poetry' };
  return { paths: ['/root/.local/share/pypoetry', '/root/.local/bin/poetry'] };
}

function uvSyncVenv(model: Model, stage: Stage, syncs: RunCommand[], tag: string | null): VenvPlan | { reason: string } {
  const first = syncs[0];
  if (!first.dir || syncs.some((c) => c.dir !== first.dir)) return { reason: '`uv sync` runs in an unknown or in several directories' };
  const bad = syncs.flatMap((c) => words(c)).find((a) => a !== null && /^(--project|--directory|--active|--python|-p)(=|$)/.test(a));
  if (bad) return { reason: `\`uv sync ${bad}\` chooses another project or interpreter; convert without it` };
  if (inlineOrStage(model, stage, first, 'UV_PYTHON')) return { reason: 'UV_PYTHON may choose an interpreter the slim image does not have' };
  // A .python-version that pins another version than the image's makes uv fetch its own interpreter.
  const pinText = readCopied(model, stage, first.dir, '.python-version', first.instr);
  if (pinText !== null) {
    const pin = parsePythonVersion(pinText);
    const imageVersion = /^(\d+\.\d+)/.exec(tag ?? '')?.[1] ?? null;
    if (!pin || !imageVersion || (pin + '.').slice(0, imageVersion.length + 1) !== imageVersion + '.') {
      return { reason: `.python-version asks for Python ${pin ?? '?'}, which is not the image's ${imageVersion ?? 'unnamed'} version; uv would use an interpreter of its own` };
    }
  }
  const envDir = inlineOrStage(model, stage, first, 'UV_PROJECT_ENVIRONMENT');
  if (envDir !== null && envDir.includes('$')) return { reason: 'UV_PROJECT_ENVIRONMENT depends on a variable' };
  const venv = absPath(first.dir, envDir ?? '.venv');
  if (!venv || venv === '/') return { reason: 'the project environment of `uv sync` is not known' };
  return { venv, create: null };
}

/** Options of `pip install` / `uv pip install` that take the next word as their value (not a requirement). */
const PIP_VALUE_OPTIONS = new Set(['-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--only-binary', '--no-binary', '-t', '--target', '--prefix', '--root', '--python', '-p', '--src', '--trusted-host', '--platform', '--python-version', '--implementation', '--abi', '--progress-bar', '--config-settings', '-C', '--upgrade-strategy', '--report', '--cache-dir']);

/** A file of the image (an absolute path) as the build context has it when `before` runs; null when unknown. */
function imageFile(model: Model, stage: Stage, path: string | null, before: RunCommand['instr']): string | null {
  if (!path) return null;
  const k = path.lastIndexOf('/');
  return readCopied(model, stage, path.slice(0, k) || '/', path.slice(k + 1), before);
}

/**
 * The distributions the stage installs, as far as the build context shows them: the operands of `pip install`,
 * the requirements files it names (and their `-r` includes), the pyproject.toml of a project it installs
 * (`pip install .`), poetry.lock or uv.lock (else pyproject.toml) of the project `poetry install` / `uv sync`
 * installs; and the distributions pip is told to build from source (`--no-binary`, PIP_NO_BINARY). Files the
 * context does not have add nothing.
 */
function installedRequirements(model: Model, stage: Stage, installs: RunCommand[], mode: Mode): [PypiRequirement[], Set<string>] {
  const reqs: PypiRequirement[] = [];
  const noBinary = new Set<string>();
  const seen = new Set<string>();
  const at = (c: RunCommand, p: string | null | undefined) => (p ? absPath(c.dir, p) : null);
  const requirementsFile = (path: string | null, c: RunCommand, depth: number) => {
    if (!path || seen.has(path) || depth > 4) return;
    seen.add(path);
    const text = imageFile(model, stage, path, c.instr);
    if (text === null) return;
    const r = parseRequirements(text);
    reqs.push(...r.reqs);
    for (const n of r.noBinary) noBinary.add(n);
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    for (const inc of r.includes) requirementsFile(absPath(dir, inc), c, depth + 1);
  };
  const project = (dir: string | null, c: RunCommand, locks: string[]) => {
    if (!dir) return;
    for (const lock of locks) {
      const text = readCopied(model, stage, dir, lock, c.instr);
      const pkgs = text === null ? null : lockedPackages(text);
      if (pkgs) {
        reqs.push(...pkgs);
        return;
      }
    }
    const text = readCopied(model, stage, dir, 'pyproject.toml', c.instr);
    const deps = text === null ? null : pyprojectRequirements(text);
    if (deps) reqs.push(...deps);
  };
  for (const c of installs) {
    const env = inlineOrStage(model, stage, c, 'PIP_NO_BINARY');
    if (env) for (const n of noBinaryOf(['--no-binary', env])) noBinary.add(n);
    if (mode === 'poetry') project(c.dir, c, ['poetry.lock']);
    else if (mode === 'uv-sync') project(c.dir, c, ['uv.lock']);
    else {
      const args = pipInstallArgs(c) ?? uvPipInstallArgs(c) ?? [];
      for (const n of noBinaryOf(args)) noBinary.add(n);
      const sync = c.cmd.name === 'uv' && words(c)[1] === 'sync';
      for (let k = 0; k < args.length; k++) {
        const a = args[k];
        if (a === null) continue;
        if (a === '-r' || a === '--requirement') requirementsFile(at(c, args[++k]), c, 0);
        else if (a.startsWith('--requirement=')) requirementsFile(at(c, a.slice('--requirement='.length)), c, 0);
        else if (a === '-e' || a === '--editable') project(at(c, args[++k]), c, []);
        else if (PIP_VALUE_OPTIONS.has(a)) k++;
        else if (a.startsWith('-')) continue;
        else if (sync) requirementsFile(at(c, a), c, 0);
        else if (/^(\.|\/)/.test(a) && !/\.(whl|tar\.gz|zip)$/.test(a)) project(at(c, a), c, []);
        else if (!a.includes('://')) {
          const r = parseRequirement(a);
          if (r) reqs.push(r);
        }
      }
    }
  }
  return [reqs, noBinary];
}
