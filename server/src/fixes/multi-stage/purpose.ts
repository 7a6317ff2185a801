/**
 * Images whose toolchain is the point, where a builder stage would take away what the image is for:
 * development environments (a `.devcontainer/` Dockerfile, a dev-container base image, Laravel Sail's runtime
 * images, Jupyter notebook images, a container kept alive for an editor to attach to) and toolchain images built for others (no command
 * of their own, or one that opens a shell, a REPL or the build tool itself, as the official language images do).
 */
import type { Instr, Model, Stage } from '../../core/model';
import { fileNotShipped, rootImage } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import { GO_LIVE_RELOAD, INTERACTIVE_DEFAULT_IMAGE } from '../../knowledge/toolchains';
import { programOf, runCommands } from './common';

/** Jupyter's images (quay.io/jupyter/*-notebook, jupyter/*-notebook): an environment to work in, compilers included on purpose. */
const NOTEBOOK_IMAGE = /(^|\/)[\w.-]*-notebook$|^(quay\.io\/)?jupyter\//;
/** Dev-container base images (mcr.microsoft.com/devcontainers/*, and the older vscode/devcontainers/*). */
const DEVCONTAINER_IMAGE = /^mcr\.microsoft\.com\/(vscode\/)?devcontainers\//;
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'fish', 'ksh', 'pwsh']);
/** Interactive interpreters, run without a script: a REPL. */
const REPLS = new Set(['node', 'python', 'python2', 'python3', 'pypy', 'pypy3', 'irb', 'ghci', 'iex', 'erl', 'R', 'jshell', 'lua', 'julia', 'swift', 'php', 'perl', 'clojure', 'clj', 'lein', 'sbcl', 'guile', 'racket', 'ocaml', 'scala', 'deno', 'bun']);
/** Build tools: an image whose command is the tool itself is the tool. */
const BUILD_TOOLS = new Set(['gradle', 'mvn', 'cargo', 'rustc', 'go', 'gcc', 'g++', 'clang', 'make', 'cmake', 'dotnet', 'ant', 'sbt', 'bazel', 'stack', 'cabal', 'composer']);
/** Wrappers an official image's command runs through before the real program. */
const WRAPPERS = /^(docker-entrypoint(\.sh)?|entrypoint(\.sh)?|tini|dumb-init|--)$/;

const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** The ENTRYPOINT and CMD in force in the stage: its own, else those of the stages it is built FROM. */
function commandInstrs(stage: Stage): { entry: Instr | null; cmd: Instr | null } {
  let entry: Instr | null = null;
  let cmd: Instr | null = null;
  for (let s: Stage | null = stage, depth = 0; s && depth < 64 && !(entry && cmd); s = s.baseStage, depth++) {
    const own = (k: string) => [...s!.instructions].reverse().find((i) => i.keyword === k) ?? null;
    // An ENTRYPOINT resets the CMD inherited from below it.
    const e = own('ENTRYPOINT');
    const c = own('CMD');
    if (!entry && e) {
      entry = e;
      if (!cmd) cmd = c;
      break;
    }
    cmd ??= c;
  }
  return { entry, cmd };
}

/** Whether the words open an interactive program or the build tool: a shell, a REPL, a keep-alive, `gradle`. */
function interactive(words: string[]): boolean {
  let k = 0;
  while (k < words.length && WRAPPERS.test(base(words[k]))) k++;
  // A versioned name is the same program: `perl5.30.3 -de0` (the perl images' debugger REPL), `python3.12`.
  const [prog, ...args] = words.slice(k).map((w, j) => (j === 0 ? base(w).replace(/(?<=[a-z])[\d.]+$/, '') : w));
  if (!prog) return false;
  const onlyOptions = args.every((a) => a.startsWith('-'));
  if (SHELLS.has(prog) || BUILD_TOOLS.has(prog)) return onlyOptions && !args.includes('-c');
  if (REPLS.has(prog) || REPLS.has(prog + '3')) return onlyOptions || args.some((a) => a === '--repl' || a === 'repl');
  // `sleep infinity`, `tail -f /dev/null`: a container kept running for someone to exec into.
  if (prog === 'sleep') return args[0] === 'infinity';
  if (prog === 'tail') return args.includes('/dev/null');
  // `ENTRYPOINT ["entrypoint"] CMD ["repl"]` or `CMD ["-M", "--repl"]`: the entrypoint's own REPL.
  return prog === 'repl' || words.slice(k).includes('--repl');
}

/** Why the stage's toolchain is what the image is for, or null when it is an application image. */
export function toolchainIsThePoint(model: Model, stage: Stage): string | null {
  if (model.path && /(^|\/)\.devcontainer\//.test(model.path)) return 'a dev-container definition';
  const notShipped = fileNotShipped(model.path);
  if (notShipped) return notShipped;
  const { ref } = rootImage(stage);
  if (ref && DEVCONTAINER_IMAGE.test(repoKey(ref))) return 'a dev-container image';
  if (ref && NOTEBOOK_IMAGE.test(repoKey(ref))) return 'a Jupyter notebook environment';
  if (runCommands(model, stage).some((c) => c.cmd.name === 'useradd' && c.cmd.args.some((a) => a.value === 'sail'))) return 'a Laravel Sail development image';
  const { entry, cmd } = commandInstrs(stage);
  if (!entry && !cmd) {
    // The base's own command runs: a shell or REPL makes this an image to build on or to work in; another base
    // (php:apache, rocker/rstudio, an unknown image) may serve the app with its command.
    if (!ref || !INTERACTIVE_DEFAULT_IMAGE.test(repoKey(ref))) return null;
    if (repoKey(ref) === 'php' && /(^|-)(apache|fpm)/.test(ref.tag ?? '')) return null;
    return 'no command of its own: an image to build on or to work in';
  }
  const words = [...(entry ? programOf(model, entry).words ?? ['?'] : []), ...(cmd ? programOf(model, cmd).words ?? ['?'] : [])];
  if (interactive(words)) return 'its command opens a shell, a REPL or the build tool';
  // A live-reload runner (`air`, `CompileDaemon`) rebuilds the program with the toolchain while the container runs.
  const runner = words.find((w) => !WRAPPERS.test(base(w)));
  return runner && GO_LIVE_RELOAD.has(base(runner)) ? 'its command is a live-reload runner, which rebuilds the program with the toolchain while it runs' : null;
}
