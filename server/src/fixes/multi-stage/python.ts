/**
 * Python: the full image (compilers, headers) installs the dependencies into a virtual environment in
 * /opt/venv; the slim image of the same Python version gets the venv and the app, with the venv first
 * on PATH. Same image family on both sides, so the venv's interpreter link resolves the same way.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { BUILD_PACKAGE } from '../../knowledge/toolchains';
import { instructionBlock } from '../edits';
import { copyDests, coveredBy, mainCommand, runCommands, slimTag, type RunCommand } from './common';
import type { Recipe, RecipeResult } from './types';

export const VENV = '/opt/venv';

function isPython(name: string | null): boolean {
  return !!name && /^(\/usr(\/local)?\/bin\/)?python3?(\.\d+)?$/.test(name);
}

/** `pip install …`, `pip3 install …`, `python -m pip install …`: its arguments after `install`, or null. */
function pipInstallArgs(c: RunCommand): (string | null)[] | null {
  const a = c.cmd.args.map((x) => x.value);
  if (c.cmd.name && /^pip3?(\.\d+)?$/.test(c.cmd.name) && a[0] === 'install') return a.slice(1);
  if (isPython(c.cmd.name) && a[0] === '-m' && a[1] === 'pip' && a[2] === 'install') return a.slice(3);
  return null;
}

/** `python -m venv <dir>`: the directory, or null. */
function venvOf(c: RunCommand): string | null {
  const a = c.cmd.args.map((x) => x.value);
  if (isPython(c.cmd.name) && a[0] === '-m' && a[1] === 'venv') {
    const d = a.slice(2).find((x) => x !== null && !x.startsWith('-'));
    return d && d.startsWith('/') ? d.replace(/\/$/, '') : null;
  }
  return null;
}

const PACKAGE_MANAGERS = new Set(['apt-get', 'apt', 'apk', 'dnf', 'yum', 'microdnf']);

export const pythonRecipe: Recipe = {
  ecosystem: 'python',
  applies(_model, stage) {
    const ref = rootImage(stage).ref;
    return !!ref && repoKey(ref) === 'python';
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    if (ref.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of its slim variant is not known here' };
    if (/(^|-)(slim|alpine)/.test(ref.tag ?? '')) return { ok: false, reason: 'the image is already a slim Python; the build packages installed into it have no runtime counterpart known here' };
    const cmds = runCommands(model, stage);
    // System packages other than compilers may be needed at run time (libpq-dev → libpq5): which, the Dockerfile does not say.
    for (const c of cmds) {
      if (!c.cmd.name || !PACKAGE_MANAGERS.has(c.cmd.name)) continue;
      const a = c.cmd.args.map((x) => x.value);
      if (!a.some((x) => x === 'install' || x === 'add')) continue;
      const pkgs = a.filter((x): x is string => x !== null && !x.startsWith('-') && !['install', 'add', 'update', 'upgrade'].includes(x) && !x.includes('='));
      const runtimeLike = pkgs.filter((p) => (!BUILD_PACKAGE.test(p) || /-(dev|devel)$/.test(p)) && !/^(lib)?python3?[\d.]*-dev$/.test(p));
      if (runtimeLike.length) {
        return { ok: false, reason: `the stage installs system packages (${runtimeLike.join(', ')}) whose run-time libraries the slim image would need; which ones is not known here` };
      }
    }
    for (const c of cmds) {
      const args = pipInstallArgs(c);
      if (!args) continue;
      const bad = args.find((x) => x === '--user' || x === '--target' || x === '-t' || x === '--prefix' || x === '--root' || (x ?? '').startsWith('--target=') || (x ?? '').startsWith('--prefix='));
      if (bad) return { ok: false, reason: `\`pip install ${bad}\` puts packages outside the environment the recipe copies` };
      if (c.cmd.name && /^pip/.test(c.cmd.name) && c.cmd.nameWord && c.cmd.nameWord.value?.includes('/')) {
        return { ok: false, reason: 'pip is called by an absolute path, which a virtual environment on PATH would not change' };
      }
    }
    if (cmds.some((c) => ['poetry', 'uv', 'pipenv', 'pdm', 'conda'].includes(c.cmd.name ?? ''))) {
      return { ok: false, reason: 'dependencies are installed by a tool other than pip; where it puts them is its own configuration' };
    }
    const existingVenv = cmds.map(venvOf).find((v) => v !== null) ?? null;
    const venv = existingVenv ?? VENV;

    // The app: every place the stage copied files into (from the build context).
    const dests = copyDests(model, stage).filter((d) => !d.from);
    if (dests.some((d) => d.path === null)) return { ok: false, reason: 'a COPY or ADD destination depends on a variable or an unknown working directory' };
    if (dests.some((d) => d.path === '/')) return { ok: false, reason: 'files are copied into /, so the app cannot be told apart from the image' };
    const paths = dests.map((d) => d.path!).sort((a, b) => a.length - b.length);
    const app: string[] = [];
    for (const p of paths) if (!coveredBy(p, app)) app.push(p);
    if (app.length === 0) return { ok: false, reason: 'nothing is copied into the image: there is no app to move' };

    // The build step: the last RUN (everything after it must be copies into the app).
    const runs = stage.instructions.filter((i) => i.keyword === 'RUN');
    const lastCopy = dests[dests.length - 1].instr;
    const buildStep = runs.length ? runs[runs.length - 1] : lastCopy;

    const words = mainCommand(model, stage);
    const prog = words?.[0] ?? null;
    const runtimePrograms = ['python', 'python3'];
    // A bare command name (gunicorn, uvicorn) comes from the venv, which is first on PATH.
    if (prog && !prog.includes('/') && cmds.some((c) => pipInstallArgs(c))) runtimePrograms.push(prog);

    const builderEdits = [];
    const envLine = `ENV VIRTUAL_ENV=${venv} PATH="${venv}/bin:$PATH"`;
    const eol = model.doc.eol;
    if (!existingVenv) {
      const firstRun = runs[0];
      if (firstRun) {
        const at = instructionBlock(model, firstRun).commentStart;
        builderEdits.push({ start: at, end: at, text: `RUN python -m venv ${venv}${eol}${envLine}${eol}` });
      } else {
        const at = model.doc.lineEndOffset(stage.fromInstr.endLine);
        builderEdits.push({ start: at, end: at, text: `${eol}RUN python -m venv ${venv}${eol}${envLine}` });
      }
    }
    const envSetsVenv = stage.instructions.some((i) => i.keyword === 'ENV' && (i.node.getRawArgumentsContent() ?? '').includes(`${venv}/bin`));
    return {
      ok: true,
      plan: {
        ecosystem: 'python',
        buildStep,
        artifacts: [venv, ...app.filter((a) => !coveredBy(a, [venv]))].filter((a, k, all) => all.indexOf(a) === k),
        runtimeImage: `python:${slimTag(ref.tag, true)}`,
        builderEdits,
        buildOnlyEnv: /^(PIP_\w*|POETRY_\w*|UV_\w*|PIPENV_\w*)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms,
        runtimeEnv: existingVenv && envSetsVenv ? [] : [envLine],
      },
    };
  },
};
