/** non-root-user: the image's final stage runs its process as root. */
import { instrProperties, isPosixShell, type Instr, type Model, type Stage } from '../core/model';
import { PASS_ON, SHELLS, appFramework, baseInfo, buildsArtifactsOnly, chainInstrs, commandWords, copiesOut, fileNotShipped, lastUserInstr, rootImage, stageChain, startOf, startWords, unwrappedShell, userValue, workdirAt } from '../core/stage-info';
import type { ShellCommand } from '../core/shell';
import type { Fix, Finding, RuleOptions } from '../core/types';
import { familyHasShell, isRootUser, repoKey, type BaseImageInfo, type Family } from '../knowledge/base-images';
import { imageWorkdir } from '../knowledge/image-workdirs';
import { appendCommandEdit, runBody, toTextEdits, type OffsetEdit } from '../core/edits';
import { contextFileFor } from '../fixes/multi-stage/context-files';
import { COMPOSE_FILES, composeMounts, parsePackageJson, type ComposeMount, type PackageJson } from '../fixes/multi-stage/project-files';
import { copyDests } from '../fixes/multi-stage/common';
import { bare, packagesKept } from '../fixes/multi-stage/build-packages';
import { capitalised, fitted, message as joinMessage, shortImage } from '../core/message';
import type { Rule } from './types';
import { withoutTrailingSlashes } from '../core/flags';
import { baseName } from '../core/package-calls';

/** The user the fix creates when the image has none: the `name` and `uid` options, these by default. */
const CREATED_UID = 10001;
const CREATED_NAME = 'app';

interface NewUser {
  name: string;
  uid: number;
}

function newUser(options: RuleOptions | Record<string, unknown> | undefined): NewUser {
  const name = options?.name;
  const uid = options?.uid;
  return { name: typeof name === 'string' ? name : CREATED_NAME, uid: typeof uid === 'number' ? uid : CREATED_UID };
}

interface UserPlan {
  /** The USER value to set. */
  user: string;
  /** `--chown=` value for app files. */
  owner: string;
  /** A RUN body to run before switching: create the user when the image lacks one, give it the WORKDIR. */
  create: string | null;
  why: string;
  /** Set when no safe fix exists: why not. */
  declined?: string;
  /** Copies before this instruction keep their owner (the user does not exist yet when they run). */
  ownerFrom?: Instr;
  /** The user is the rule's own choice (`app`, 10001), not one the file or a known image names. */
  guessed?: boolean;
}

function finalStage(model: Model): Stage | null {
  return model.stages.length ? model.stages[model.stages.length - 1] : null;
}

const REPLS = /^(python[23]?(\.\d+)?|ipython|node|irb|ghci|jshell|iex|erl|R|julia|swift|lua|scala|clojure|clj|bun|deno|php|perl[\d.]*|pypy[23]?|mvn|gradle|lein|sbt|ant)$/;

/** Whether words start a shell or a language's REPL (no script to run): what an image meant to be built FROM runs. */
function isShellOrRepl(words: string[]): boolean {
  if (!words.length) return false;
  if (words.some((a) => a === 'repl' || a === '--repl')) return true;
  const name = baseName(words[0]);
  const rest = words.slice(1);
  if (SHELLS.test(name)) return rest.every((a) => /^-(l|i|-login|NoLogo)$/i.test(a));
  if (!REPLS.test(name) && name !== 'rebar3') return false;
  const joined = rest.join(' ');
  if (rest.some((a) => a === 'repl' || a === '--repl') || (name === 'rebar3' && joined === 'shell')) return true;
  return rest.length === 0 || (name === 'php' && joined === '-a') || (name.startsWith('perl') && joined === '-de0') || (name === 'deno' && joined === 'repl');
}

/**
 * Whether the final stage defines an image to build FROM rather than an app: it starts a shell or a REPL (its
 * own CMD, or the OS / language image's when the file sets none). A USER there breaks every downstream RUN.
 */
/** A Dockerfile named as the base of a project's other images. */
const BASE_FILE = /^(([\w.-]+[-_.])?base\.(dockerfile|containerfile)|(Dockerfile|Containerfile)[-_.]base([-_.][\w.-]+)?)$/i;

function definesBaseImage(stage: Stage, info: BaseImageInfo | null, path: string | null): boolean {
  const { entrypoint, cmd } = startOf(stage);
  // Nothing to start: an OS / language image's shell, a data-only image FROM scratch (an OLM bundle, assets), or a
  // file named as a base (`base.Dockerfile`, `debian-base.dockerfile`, `Dockerfile.base`) for the project's own images.
  if (!entrypoint && !cmd) return !!info?.startsShell || info?.family === 'scratch' || BASE_FILE.test(path?.split('/').pop() ?? '');
  const cmdWords = cmd ? commandWords(cmd) : null;
  if (entrypoint) {
    const words = commandWords(entrypoint);
    if (!words || !words.length) return false;
    // An entrypoint of its own that starts a REPL (`entrypoint` + CMD `--repl`).
    if (!PASS_ON.test(baseName(words[0])) && !/(^|[-_])entrypoint(\.sh)?$/.test(baseName(words[0]))) return [...words, ...(cmdWords ?? [])].some((w) => w === 'repl' || w === '--repl');
    if (words.slice(1).some((w) => w !== '--' && !w.startsWith('-'))) return false;
    // An entrypoint script that passes on its arguments, with none: it starts nothing (a JRE image's cacert hook).
    if (!cmdWords) return true;
  }
  return !!cmdWords && isShellOrRepl(cmdWords);
}

/**
 * Whether the file packages a versioned release of software from elsewhere (an `ARG`/`ENV` `*_VERSION`) and no
 * stage takes anything from the build context (no COPY/ADD of a local file or a heredoc): the official-image shape
 * of a runtime, server or CLI image, built FROM by others or run with the user its users choose (`docker run
 * --user`, `runAsUser`), not an app of its own.
 */
function packagesRelease(model: Model): boolean {
  const versioned = model.instructions.some((i) => (i.keyword === 'ARG' || i.keyword === 'ENV') && /(^|\s)[A-Z][A-Z0-9_]*_VERSION([=\s]|$)/.test(i.node.getArgumentsContent() ?? ''));
  if (!versioned) return false;
  for (const i of model.instructions) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    if (/--from=/i.test(model.doc.text.slice(i.start, i.end))) continue;
    const words = (commandWords(i) ?? []).filter((w) => !w.startsWith('--'));
    const sources = words.slice(0, -1);
    if (!sources.length || sources.some((w) => !/^https?:\/\//.test(w))) return false;
  }
  return true;
}

/**
 * Commands that start as root and step down to another user, hand the choice to a supervisor that does, or are
 * daemons that must start as root (dockerd, sshd, systemd, cron) and give each job its own user.
 */
const STEPS_DOWN_NAMES = new Set([
  'gosu', 'su-exec', 'setpriv', 'runuser', 's6-setuidgid', 'setuidgid', 'chpst', 'supervisord', 's6-svscan', 'dockerd',
  'dockerd-entrypoint.sh', 'containerd', 'sshd', 'systemd', 'cron', 'crond', 'apache2-foreground', 'httpd-foreground',
  'apachectl', 'apache2ctl',
  // Daemons whose manuals have them start as root (to bind a low port or open their spool) and switch to their own
  // user themselves (exim's exim_user, postfix's mail_owner, dovecot's login users, squid's cache_effective_user,
  // named -u, dnsmasq --user, vsftpd/proftpd per session, slapd -u, smbd per session, chronyd -u, rsyslogd's
  // $PrivDropToUser, openvpn --user; checked 2026-12-02 against each program's man page).
  'exim', 'exim4', 'postfix', 'dovecot', 'squid', 'named', 'dnsmasq', 'vsftpd', 'proftpd', 'slapd', 'smbd', 'chronyd',
  'rsyslogd', 'openvpn', 'xinetd', 'inetd',
]);

/**
 * Whether a command line or script steps down (see above): one of those commands by name or path
 * (`/usr/sbin/sshd`), `/init` (s6-overlay), `chroot --userspec`, `capsh … --user=`, `exec su`, `su … -c`,
 * `sudo … -u`. Read word by word (a pattern with repeated option groups backtracks on long lines).
 */
function stepsDown(text: string): boolean {
  const words = text.match(/[^\s"'[\];&|()]+|[;&|\n]/g) ?? [];
  let cmd: string | null = null;
  let prev: string | null = null;
  // For su / sudo: still reading the options after the name, looking for -c / -u.
  let optionsOf: string | null = null;
  for (const w of words) {
    if (w === ';' || w === '&' || w === '|' || w === '\n') {
      cmd = prev = optionsOf = null;
      continue;
    }
    const base = baseName(w);
    if (STEPS_DOWN_NAMES.has(base) || /^php-fpm[\d.]*$/.test(base) || w === '/init') return true;
    if (optionsOf !== null) {
      if ((optionsOf === 'su' && (w === '-c' || w === '--command' || w.startsWith('--command='))) || (optionsOf === 'sudo' && w === '-u')) return true;
      // su takes its -c after the user as well (`su app -c '…'`); sudo's -u comes before the command.
      if (!w.startsWith('-') && optionsOf === 'sudo') optionsOf = null;
    }
    if (prev === 'chroot' && w.startsWith('--userspec')) return true;
    if (cmd === 'capsh' && w.startsWith('--user=')) return true;
    if (prev === 'exec' && w === 'su') return true;
    if (w === 'su' || w === 'sudo') optionsOf = w;
    if (cmd === null || cmd === 'exec') cmd = base;
    prev = w;
  }
  return false;
}
/** In an entrypoint script: it also adjusts users itself (useradd / usermod at start, to match a mounted volume's owner). */
const ADJUSTS_USERS = /(^|[\s;&|(])(useradd|usermod|adduser|groupmod|addgroup)\s/m;

/** The script files a CMD / ENTRYPOINT runs: words that name a path (`/entrypoint.sh`, `./start.sh`, `bin/run`). */
function scriptPaths(model: Model, stage: Stage, i: Instr): string[] {
  const words = commandWords(i) ?? [];
  const wd = workdirAt(model, stage, i);
  const out: string[] = [];
  for (const w of words.slice(0, 4)) {
    if (w.startsWith('-') || w.includes('$') || !/^[\w./@+-]+$/.test(w)) continue;
    if (!w.includes('/') && !/\.(sh|bash)$/.test(w)) continue;
    if (w.startsWith('/')) out.push(w);
    else {
      if (wd) out.push(`${wd.replace(/\/$/, '')}/${w.replace(/^\.\//, '')}`);
      // A bare name is looked up on PATH.
      if (!w.includes('/')) for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin']) out.push(`${dir}/${w}`);
    }
  }
  return out;
}

/**
 * Why the container's start drops privileges itself (so a USER would stop it, as `gosu` then fails with
 * "operation not permitted"), or null: the start command steps down, the file installs gosu / su-exec, or the
 * entrypoint script it copies from the build context steps down or adjusts users.
 */
function dropsPrivileges(model: Model, stage: Stage, info: BaseImageInfo | null): string | null {
  const { entrypoint, cmd } = startOf(stage);
  if (info?.stepsDown && !entrypoint) return info.stepsDown;
  if (info?.startsAsRoot && keepsImageStart(stage)) return info.startsAsRoot;
  for (const i of [entrypoint, cmd]) {
    if (i && stepsDown(i.node.getArgumentsContent() ?? '')) return `its ${i.keyword} starts as root and switches user itself`;
  }
  const instrs = chainInstrs(stage);
  if (instrs.some((i) => i.keyword === 'RUN' && /(^|[\s/])(gosu|su-exec)(\s|$|[;&|'"])/m.test(i.run?.body ?? ''))) {
    return 'the file installs gosu / su-exec, which its start command uses to switch user';
  }
  for (const found of startScripts(model, stage)) {
    if (stepsDown(found.text)) return `its start script ${found.rel} switches user itself`;
    if (ADJUSTS_USERS.test(found.text)) return `its start script ${found.rel} creates or changes users at start, as root`;
  }
  return null;
}

const startScriptsOf = new WeakMap<Stage, { rel: string; text: string }[]>();

/** The start scripts (ENTRYPOINT, then CMD) the build context shows, each read once per analysis. */
function startScripts(model: Model, stage: Stage): { rel: string; text: string }[] {
  if (!model.files) return [];
  let out = startScriptsOf.get(stage);
  if (out) return out;
  out = [];
  const { entrypoint, cmd } = startOf(stage);
  for (const i of [entrypoint, cmd]) {
    if (!i) continue;
    for (const file of scriptPaths(model, stage, i)) {
      for (const s of stageChain(stage)) {
        const found = contextFileFor(model, s, file);
        if (found) out.push({ rel: found.rel, text: found.text });
      }
    }
  }
  startScriptsOf.set(stage, out);
  return out;
}

/** Whether the file is a dev container's: its image, a `dev-envs` stage (Docker Dev Environments), or a devcontainer.json next to it. */
function devContainer(model: Model, stage: Stage, info: BaseImageInfo | null): boolean {
  if (info?.userSetByTooling || /^(dev-?envs?|devcontainer)$/i.test(stage.alias ?? '')) return true;
  const files = model.files;
  if (!files) return false;
  try {
    return files.read('devcontainer.json') !== null || files.read('.devcontainer.json') !== null;
  } catch {
    return false;
  }
}

/**
 * Whether the final stage runs Windows: a Windows base image, or, on an image the table does not know, a cmd /
 * PowerShell SHELL, a drive-letter WORKDIR or destination, or a start command that is an .exe.
 */
function windowsStage(stage: Stage, info: BaseImageInfo | null): boolean {
  if (info?.family === 'windows') return true;
  // A known Linux image stays Linux whatever SHELL a step uses.
  if (info?.known) return false;
  return chainInstrs(stage).some((i) => {
    const words = commandWords(i);
    if (!words?.length) return false;
    if (i.keyword === 'SHELL') return /^(cmd|powershell)(\.exe)?$/i.test(baseName(words[0].replace(/\\/g, '/')));
    // Drive-letter paths, and programs named .exe.
    if (i.keyword === 'WORKDIR' || i.keyword === 'COPY' || i.keyword === 'ADD') return /^[A-Za-z]:[\\/]/.test(words[words.length - 1]);
    if (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') return /\.exe$/i.test(words[0]);
    return false;
  });
}

/** Installers that put the tool under root's home unless told otherwise, with the variable that moves it. */
/** `pip install … --user` within one command (up to the next `;`, `&` or `|`), read chunk by chunk. */
const PIP_USER_INSTALL = {
  test(text: string): boolean {
    for (const chunk of text.split(/[;&|]/)) {
      const m = /\bpip3?\s+install\s/.exec(chunk);
      if (m && /(^|\s)--user(\s|$)/.test(chunk.slice(m.index + m[0].length - 1))) return true;
    }
    return false;
  },
};

const ROOT_HOME_INSTALLERS: [{ test(text: string): boolean }, string, string][] = [
  [/sh\.rustup\.rs|rustup-init/, 'CARGO_HOME', 'rustup (~/.cargo)'],
  [/nvm-sh\/nvm|\/nvm\/[^/\s]+\/install\.sh/, 'NVM_DIR', 'nvm (~/.nvm)'],
  [/install\.python-poetry\.org/, 'POETRY_HOME', 'Poetry (~/.local)'],
  [/bun\.sh\/install/, 'BUN_INSTALL', 'Bun (~/.bun)'],
  [/get\.sdkman\.io/, 'SDKMAN_DIR', 'SDKMAN! (~/.sdkman)'],
  [/pyenv\.run|pyenv-installer/, 'PYENV_ROOT', 'pyenv (~/.pyenv)'],
  [PIP_USER_INSTALL, 'PYTHONUSERBASE', 'pip --user (~/.local)'],
  [/\bplaywright\s+install(?=\s|$)/, 'PLAYWRIGHT_BROWSERS_PATH', "Playwright's browsers (~/.cache/ms-playwright)"],
  [/\bcypress\s+install\b/, 'CYPRESS_CACHE_FOLDER', "Cypress's binary (~/.cache/Cypress)"],
];

/** What the image runs from root's home (/root is 0700: no other user reaches it), or null. */
function toolsUnderRoot(model: Model, stage: Stage): string | null {
  const set = new Set<string>();
  for (const i of chainInstrs(stage)) {
    if (i.keyword === 'ENV') {
      const props = instrProperties(i);
      for (const p of props) {
        const v = p.getValue() ?? '';
        set.add(p.getName());
        if (/(^|[:=\s"'])(\/root|~|\$\{?HOME\}?)(\/|:|$)/.test(v) && !(p.getName() === 'HOME' && v !== '/root')) {
          return `ENV ${p.getName()} points into root's home (${v.length > 60 ? v.slice(0, 57) + '...' : v}), which another user cannot read`;
        }
      }
    } else if (i.keyword === 'RUN') {
      const body = i.run?.body ?? '';
      for (const [re, variable, what] of ROOT_HOME_INSTALLERS) {
        if (re.test(body) && !set.has(variable)) return `${what} is installed under root's home, which another user cannot read`;
      }
    }
  }
  return null;
}

/** The value the last ENV of the stage or a stage below it gives `name`, or null. */
function envValue(stage: Stage, name: string): string | null {
  let value: string | null = null;
  for (const i of chainInstrs(stage)) {
    if (i.keyword !== 'ENV') continue;
    const props = instrProperties(i);
    for (const p of props) if (p.getName() === name) value = p.getValue() ?? '';
  }
  return value;
}

/** `poetry run`, `pipenv run`, `uv run` in a start command (exec or shell form). */
const RUNS = {
  poetry: /(^|[\s"'[,;&|/])poetry["',\s]+run(?=["',\s\]]|$)/,
  pipenv: /(^|[\s"'[,;&|/])pipenv["',\s]+run(?=["',\s\]]|$)/,
  uv: /(^|[\s"'[,;&|/])uv["',\s]+run(?=["',\s\]]|$)/,
};
/**
 * The start command's build-then-run, or null: `cargo run`, `dotnet run` / `watch`, `mvn … spring-boot:run` (or
 * `exec:java`, `quarkus:dev`), `gradle … bootRun` (or `run`). Read word by word.
 */
function buildsAtStart(start: string): string | null {
  const words = start.split(/[\s"'[\],;&|()]+/).filter(Boolean);
  for (let k = 0; k < words.length; k++) {
    const tool = baseName(words[k]);
    const next = words[k + 1];
    if (tool === 'cargo' && next === 'run') return 'cargo run';
    // The Nest CLI compiles into dist/ (made by root at build time) before it starts the app.
    if (tool === 'nest' && next === 'start') return 'nest start';
    if (tool === 'dotnet' && (next === 'run' || next === 'watch')) return `dotnet ${next}`;
    const goal = words.slice(k + 1).find((w) => (/^mvnw?$/.test(tool) ? /^(spring-boot:run|exec:java|quarkus:dev)$/.test(w) : /^gradlew?$/.test(tool) && /^(bootRun|run)$/.test(w)));
    if (goal) return `${tool} ${goal}`;
  }
  return null;
}
const YES = /^(1|true|yes|on)$/i;
const NO = /^(0|false|no|off)$/i;
const outsideRoot = (v: string | null) => v !== null && v !== '' && !/^(\/root|~|\$\{?HOME\}?)(\/|$)/.test(v);

/**
 * Why the start command's project runner cannot run as another user, or null: `poetry run` and `pipenv run` find the
 * environment their install made under root's home (their default), which another user cannot read; `uv run`
 * syncs the project's environment at start and writes the `.venv` root made.
 */
function runnerNeedsRoot(stage: Stage): string | null {
  const { entrypoint, cmd } = startOf(stage);
  const start = [entrypoint, cmd].map((i) => i?.node.getArgumentsContent() ?? '').join(' ');
  const runs = chainInstrs(stage)
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.run?.body ?? '')
    .join('\n');
  const runsTool = (tool: keyof typeof RUNS) => RUNS[tool].test(start);
  if (runsTool('poetry')) {
    const inProject = YES.test(envValue(stage, 'POETRY_VIRTUALENVS_IN_PROJECT') ?? '') || /poetry\s+config\s+(--local\s+)?virtualenvs\.in-project\s+true/.test(runs);
    const noEnv = NO.test(envValue(stage, 'POETRY_VIRTUALENVS_CREATE') ?? '') || /poetry\s+config\s+(--local\s+)?virtualenvs\.create\s+false/.test(runs);
    const elsewhere = outsideRoot(envValue(stage, 'POETRY_VIRTUALENVS_PATH')) || outsideRoot(envValue(stage, 'POETRY_CACHE_DIR'));
    if (!inProject && !noEnv && !elsewhere) {
      return "its start command runs `poetry run`, which uses the environment `poetry install` made under root's home (~/.cache/pypoetry/virtualenvs); another user cannot read it. Set POETRY_VIRTUALENVS_IN_PROJECT=true before the install (the environment is then the project's .venv), then switch user";
    }
  }
  if (runsTool('pipenv')) {
    const inProject = YES.test(envValue(stage, 'PIPENV_VENV_IN_PROJECT') ?? '') || /pipenv\s+(install|sync)\b[^\n;&|]*\s--system\b/.test(runs);
    if (!inProject && !outsideRoot(envValue(stage, 'WORKON_HOME'))) {
      return "its start command runs `pipenv run`, which uses the environment pipenv made under root's home (~/.local/share/virtualenvs); another user cannot read it. Set PIPENV_VENV_IN_PROJECT=1 before the install, then switch user";
    }
  }
  const builds = buildsAtStart(start);
  if (builds) {
    return `its start command builds the program at start (\`${builds}\`), into the build folders (target/, obj/, build/) root made when the image was built; build it in the image and start the result, then switch user`;
  }
  if (runsTool('uv') && !/--no-sync\b/.test(start) && !YES.test(envValue(stage, 'UV_NO_SYNC') ?? '')) {
    return "its start command runs `uv run`, which syncs the project's environment at start and writes the .venv that root made; start the program from .venv/bin (or with `uv run --no-sync`), then switch user";
  }
  return null;
}

/**
 * Why the program listens on a port below 1024, or null: its start command binds one (`--bind 0.0.0.0:80`,
 * `--port 80`, `-p 443`), an ENV sets one (`PORT=80`, `ASPNETCORE_URLS=http://+:80`), or it is an ASP.NET image before
 * 8.0, whose default is port 80 (.NET 8 moved it to 8080). Another user binds such a port only where the engine
 * lowers the privileged-port limit (Docker Engine 20.10 and later does; Podman and most Kubernetes runtimes do not).
 */
function lowPort(model: Model, stage: Stage): string | null {
  const why = (port: number, where: string) =>
    `${where} port ${port}, below 1024, which a user other than root can bind only where the container engine allows it (Docker Engine 20.10 and later; not Podman or most Kubernetes runtimes): move it to a port above 1023, then switch user`;
  const words = startWords(stage);
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const bound = /^(?:--bind=|--host=|-b=?|--listen=|--urls=)?(?:[a-z]+:\/\/)?(?:[\w.*+\[\]-]*):(\d{1,5})\/?$/.exec(w) ?? (/^--(?:port|http-port)=(\d{1,5})$/.exec(w));
    const next = /^(-p|--port|--http-port)$/.test(w) ? /^(\d{1,5})$/.exec(words[k + 1] ?? '') : null;
    const port = Number((bound ?? next)?.[1] ?? NaN);
    if (port > 0 && port < 1024) return why(port, 'its start command listens on');
  }
  for (const name of ['PORT', 'ASPNETCORE_URLS', 'ASPNETCORE_HTTP_PORTS', 'HTTP_PORTS']) {
    const v = envValue(stage, name);
    const m = v === null ? null : /(?:^|[:;,=\s])(\d{1,5})\/?(?:$|[;,\s])/.exec(v);
    const port = Number(m?.[1] ?? NaN);
    if (port > 0 && port < 1024) return why(port, `ENV ${name} sets`);
  }
  const { ref } = rootImage(stage);
  if (ref && /^mcr\.microsoft\.com\/dotnet\/(core\/)?aspnet$/.test(repoKey(ref)) && /^[1-7]\./.test(ref.tag ?? '') && envValue(stage, 'ASPNETCORE_URLS') === null && envValue(stage, 'ASPNETCORE_HTTP_PORTS') === null) {
    return why(80, `the ASP.NET ${ref.tag} image listens by default (ASPNETCORE_URLS=http://+:80) on`);
  }
  return null;
}

const NGINX_STARTED =
  'nginx starts its master process as root (it writes its pid file and temp directories under /var and listens on port 80) and runs the workers as its `user`; with a USER it stops at start. Move `pid` and the `*_temp_path` directives under /tmp, listen on a port above 1023 and give the user the log directory before a USER, or build FROM nginxinc/nginx-unprivileged';

/** Whether the stage's start command runs nginx (or OpenResty) itself. */
function startsNginx(stage: Stage): boolean {
  const { entrypoint, cmd } = startOf(stage);
  const e = entrypoint ? commandWords(entrypoint) : null;
  const words = e && e.length && !PASS_ON.test(baseName(e[0])) ? e : cmd ? commandWords(cmd) : null;
  return !!words?.length && /^(nginx|openresty)$/.test(baseName(words[0]));
}

/** `tail -f /dev/null`, `sleep infinity`: a start that only keeps the container up for commands run into it. */
function keepsAliveOnly(words: string[]): boolean {
  const w = unwrappedShell(words);
  const name = w.length ? baseName(w[0]) : '';
  if (name === 'tail') return w.includes('/dev/null') && w.some((a) => /^-[a-zA-Z]*[fF]/.test(a));
  if (name === 'sleep') return w.length === 2 && /^(infinity|inf|\d{5,}[smhd]?)$/.test(w[1]);
  return false;
}

/** Packages that put the Docker engine or its client in the image (Debian/Ubuntu, Fedora/RHEL, Alpine names). */
const DOCKER_PACKAGES = new Set(['docker-ce', 'docker-ce-cli', 'docker.io', 'docker-cli', 'moby-engine', 'moby-cli', 'docker', 'docker-engine', 'podman-docker']);

/** The OS packages the stage chain's RUNs install and leave in the image, by name (versions left out). */
function osPackages(model: Model, stage: Stage): Set<string> {
  return new Set(stageChain(stage).flatMap((s) => packagesKept(model, s).map(bare)));
}

/**
 * Why the image's job needs root, or null: it drives the Docker engine (it installs the engine or its client, or
 * talks to a docker.sock, which is root's or the docker group's), or it only keeps the container alive for commands
 * run into it with `docker exec`, whose user is not known here.
 */
function jobNeedsRoot(model: Model, stage: Stage): string | null {
  if (keepsAliveOnly(startWords(stage))) return 'the container only stays up (its start command waits forever) for commands run into it with exec, and which user those need is not known here';
  if (copiesOut(startWords(stage))) return 'its start command copies files (cp, rsync, mv) into a folder a volume or the host mounts, and exits: who owns that mount, and so which user may write it, is not known here';
  const pkgs = osPackages(model, stage);
  const docker = [...pkgs].find((p) => DOCKER_PACKAGES.has(p));
  if (docker) return `it installs ${docker} to drive the Docker engine, whose socket belongs to root (or the docker group of the host)`;
  if (chainInstrs(stage).some((i) => model.doc.text.slice(i.start, i.end).includes('docker.sock'))) return 'it talks to the Docker engine through docker.sock, which belongs to root (or the docker group of the host)';
  return null;
}

/**
 * A server the file installs as an OS package and starts itself (`/opt/<product>/bin/<server>`, `/usr/sbin/<daemon>`),
 * or null. Such a server writes its data under /var (its data folder is root's, or the package's own user's); a new
 * user cannot create it, so the fix is the package's user plus that folder's ownership, which only its docs name.
 */
function packagedServer(model: Model, stage: Stage): string | null {
  const words = startWords(stage);
  const prog = words[0];
  if (!prog || isShellOrRepl(words) || REPLS.test(baseName(prog)) || SHELLS.test(baseName(prog))) return null;
  // A relative path is the app's own program, next to its files.
  if (!prog.startsWith('/') && prog.includes('/')) return null;
  const name = baseName(prog);
  const serverLike = /^\/opt\/[^/]+\//.test(prog) || /\/sbin\//.test(prog) || /^[a-z][\w.-]*(d|server|servr)$/.test(name);
  if (!serverLike) return null;
  // The file's own binary (copied in, or built here) is the app's: the usual fix applies. A tree copied over `/`
  // (an installed product's files, unpacked in the context) is not.
  let overRoot = false;
  for (const d of stageChain(stage).flatMap((s) => copyDests(model, s))) {
    const dest = d.path;
    if (dest === '/') {
      overRoot = true;
      continue;
    }
    if (dest && (prog.startsWith('/') ? within(prog, dest) || dest.endsWith('/' + name) : baseName(dest) === name || dest.endsWith('/bin/') || dest.endsWith('/bin'))) return null;
  }
  if (!overRoot && osPackages(model, stage).size === 0) return null;
  return `it starts ${name}, a server a package the file installs put there; a new user cannot create the data folder it writes (under /var, root's or the package's own user's): switch to that package's user after giving it its data folder`;
}

/** Files that are a build's product, not a program a container runs (`docker build --output` exports them). */
const ARTIFACT_FILE = /\.(apk|aab|ipa|zip|tar|tgz|tar\.gz|whl|deb|rpm|msi|exe|dmg|vsix|nupkg)$/i;

/**
 * A `scratch` image that only carries artifacts (an `.apk`, a `.whl`, a `.deb`) and names one as its start
 * command: built for `docker build --output`, never run, so no user to give it.
 */
function exportsFilesOnly(stage: Stage, info: BaseImageInfo | null): boolean {
  if (info?.family !== 'scratch' || stage.baseStage) return false;
  const words = startWords(stage);
  if (!words.length || !ARTIFACT_FILE.test(words[0])) return false;
  return stage.instructions.every((i) => ['COPY', 'ADD', 'ENTRYPOINT', 'CMD', 'LABEL', 'ARG', 'ENV', 'WORKDIR'].includes(i.keyword));
}

/** A file the build context puts into the final WORKDIR (through any stage of its chain), or null. */
function workdirFile(model: Model, stage: Stage, name: string): { rel: string; text: string } | null {
  const wd = workdirAt(model, stage, null);
  if (!wd) return null;
  for (const s of stageChain(stage)) {
    const found = contextFileFor(model, s, `${wd.replace(/\/$/, '')}/${name}`);
    if (found) return found;
  }
  return null;
}

/** The package.json the file puts into the final WORKDIR, read with the recipes' reader; null when not in view or malformed. */
function workdirPackageJson(model: Model, stage: Stage): PackageJson | null {
  const pkg = workdirFile(model, stage, 'package.json');
  return pkg ? parsePackageJson(pkg.text) : null;
}

/** Build scripts that write only into their own output folder (dist/, build/, .next/), never a server.js beside package.json. */
const BUNDLER_BUILD = /^(vite build|react-scripts build|craco build|ng build|vue-cli-service build|next build|nuxt build|gatsby build)(\s|$)/;

/**
 * Why the image's start command cannot run as the file stands, or null: an exec-form command whose program name has
 * blanks in it (`CMD ["cargo build --release"]` execs a file of that name), or `npm start` / `npm run X` over a
 * package.json the file copies in that has no such script (and, for `start`, no server.js for npm's fallback, nor a
 * build that could write one). Which user such an image needs is not a question worth asking.
 */
function startCannotRun(model: Model, stage: Stage): boolean {
  const words = startWords(stage);
  if (!words.length) return false;
  const { entrypoint, cmd } = startOf(stage);
  const first = entrypoint ?? cmd;
  if (first && (first.node.getArgumentsContent() ?? '').trim().startsWith('[') && /\s/.test(words[0].trim()) && !words[0].trim().startsWith('/')) return true;
  const tool = baseName(words[0]);
  if (!/^(npm|pnpm)$/.test(tool) || words.length !== (words[1] === 'run' ? 3 : 2)) return false;
  const script = words[1] === 'run' ? words[2] : words[1];
  if (words[1] !== 'run' && script !== 'start') return false;
  const pkg = workdirPackageJson(model, stage);
  if (!pkg) return false;
  const { scripts } = pkg;
  if (Object.prototype.hasOwnProperty.call(scripts, script)) return false;
  if (script !== 'start') return true;
  if (workdirFile(model, stage, 'server.js')) return false;
  // A build step might write the server.js npm falls back to, unless it is a bundler with its own output folder.
  const build = typeof scripts.build === 'string' ? scripts.build : null;
  const builds = chainInstrs(stage).some((i) => i.keyword === 'RUN' && /\b(build|tsc|babel|esbuild|webpack|rollup|swc)\b/.test(i.run?.body ?? ''));
  return !builds || (build !== null && BUNDLER_BUILD.test(build.trim()));
}

const DEV_SERVER = /(^|[\s;&|(])(react-scripts start|craco start|vite(?![\w-])(?!\s+(build|preview))|next dev|ng serve|nuxt(i)?( dev)?(\s|$)|vue-cli-service serve|webpack-dev-server|webpack serve|gatsby develop)/;
const NODE_INSTALL = /(^|[\s;&|(])(npm\s+(install|i|ci)|yarn(\s+install)?|pnpm\s+(install|i))(\s|$|[;&|])/;

/**
 * A development server started over a node_modules installed as root, or null. Dev servers write their caches into
 * node_modules (`node_modules/.cache`: webpack, babel-loader, eslint); under a new USER they fail with EACCES.
 * The start script is read from the package.json the file copies into WORKDIR; when it is not readable, null.
 */
function devServerOverRootInstall(model: Model, stage: Stage): string | null {
  const words = startWords(stage);
  if (!words.length) return null;
  let run = words.join(' ');
  const tool = baseName(words[0]);
  if (/^(npm|yarn|pnpm)$/.test(tool)) {
    const script = words[1] === 'run' || words[1] === 'run-script' ? words[2] : words[1];
    if (!script) return null;
    const body = workdirPackageJson(model, stage)?.scripts[script];
    if (body === undefined) return null;
    run = body;
  }
  const dev = DEV_SERVER.exec(run);
  if (!dev) return null;
  const installed = stage.instructions.some((i) => i.keyword === 'RUN' && NODE_INSTALL.test(i.run?.body ?? ''));
  if (!installed) return null;
  return `it starts a development server (${dev[2].trim()}), which writes its cache into node_modules, and node_modules is installed as root: under a new USER it stops with EACCES; switch user before the install and copy the files with --chown`;
}

/** Why the stage's VOLUME directories cannot be given to the user, or null. */
function volumeProblem(stage: Stage, plan: UserPlan): string | null {
  const { dirs, last } = volumeDirs(stage);
  if (!dirs.length || !last) return null;
  if (!familyHasShell(baseInfo(stage)?.family ?? 'unknown')) return `the image declares VOLUME ${dirs.join(' ')}, which a new volume gives root's ownership, and it has no shell to chown it; chown it in a builder stage and COPY it with --chown`;
  if (!plan.create) return null;
  // Changes to a volume's directory after its VOLUME line are dropped by the classic builder: the chown must come first.
  const anchor = anchorOf(stage);
  if (last.stage !== stage || last.start < anchor.start) return `VOLUME ${dirs.join(' ')} is declared before the last build step, and the classic builder drops a chown of it made after its VOLUME line; move the VOLUME to the end`;
  return null;
}

/**
 * Why the program would run where another user cannot write, or null: the whole build context copied into `/` and no
 * WORKDIR (the file sets none, and the image's own is `/`: node, python, ruby…), so the program runs in `/` beside its
 * files. A bot or server that writes a download, a log or an upload next to itself then fails under a new USER.
 */
function appInRoot(model: Model, stage: Stage): string | null {
  const ownWorkdir = (before: Instr | null): string | null => {
    const wd = workdirAt(model, stage, before);
    if (wd !== null) return wd;
    const ref = rootImage(stage).ref;
    return ref ? imageWorkdir(repoKey(ref)) : null;
  };
  if (ownWorkdir(null) !== '/') return null;
  for (const d of copyDests(model, stage)) {
    if (d.from) continue;
    const words = (d.instr.node.getArgumentsContent() ?? '').trim().split(/\s+/).filter((w) => !w.startsWith('--'));
    const dest = words[words.length - 1];
    const whole = words.slice(0, -1).some((w) => w === '.' || w === './');
    if (whole && (dest === '/' || ((dest === '.' || dest === './') && ownWorkdir(d.instr) === '/'))) {
      return `line ${d.instr.line + 1} copies the build context into / and the program runs there (no WORKDIR): another user cannot write beside its files; copy them into a folder of their own (WORKDIR /app before the COPY), then switch user`;
    }
  }
  return null;
}

const composeMountsOf = new WeakMap<Model, (ComposeMount & { file: string })[]>();

/** The mounts a compose file beside the Dockerfile (in the build context) gives the services it builds this file for. */
function composeMountsFor(model: Model): (ComposeMount & { file: string })[] {
  let out = composeMountsOf.get(model);
  if (out) return out;
  out = [];
  const name = (model.path ?? 'Dockerfile').split('/').pop() || 'Dockerfile';
  const files = model.files;
  let found: { name: string; text: string; dir: string; env?: string | null }[] = [];
  try {
    // The project's compose files where the adapter can look above the context; else the context's own.
    found = files?.composeFiles ? files.composeFiles() : COMPOSE_FILES.flatMap((f) => {
      const text = files?.read(f) ?? null;
      return text === null ? [] : [{ name: f, text, dir: '' }];
    });
  } catch {
    found = [];
  }
  for (const c of found) {
    const file = c.dir ? `${c.dir.split('/').map(() => '..').join('/')}/${c.name}` : c.name;
    out.push(...composeMounts(c.text, name, c.dir, c.env ?? null).map((m) => ({ ...m, file })));
  }
  composeMountsOf.set(model, out);
  return out;
}

/**
 * Why a compose mount stops the program under a new user, or null: a host folder mounted writable (it keeps the host's
 * owner, which the image cannot change), or the engine's socket (only root or the socket's group may use it).
 * Read-only mounts and single files (`./nginx.conf`) are left alone.
 */
function composeBindMount(model: Model, stage: Stage): string | null {
  // Only a host folder mounted where the program is seen to work can be where it writes: its WORKDIR (unknown counts as
  // any, a folder in it or above it), its VOLUMEs, the absolute paths its ENV gives (`DB_PATH=/data/app.db`), and where
  // a compose file mounts a named volume for it. One at a path the image never uses says nothing of the program.
  const wd = workdirAt(model, stage, null);
  const used = [
    ...volumeDirs(stage).dirs,
    ...chainInstrs(stage)
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => instrProperties(i).map((p) => p.getValue()))
      .filter((v): v is string => typeof v === 'string' && v.startsWith('/') && v.length > 1 && !v.includes(':')),
    ...composeMountsFor(model).filter((m) => m.kind === 'volume').map((m) => m.target),
  ].map((p) => withoutTrailingSlashes(p) || '/');
  const concerns = (target: string) => {
    const t = withoutTrailingSlashes(target) || '/';
    if (wd === null || (wd !== '/' && (within(t, wd) || (t !== '/' && within(wd, t))))) return true;
    return used.some((u) => within(u, t) || within(t, u));
  };
  for (const m of composeMountsFor(model)) {
    if (m.kind !== 'bind') continue;
    if (/(^|\/)docker\.sock$/.test(m.source)) return `${m.file} mounts the engine's socket (${m.source}), which only root or the socket's group may use`;
    if (m.readOnly || !concerns(m.target)) continue;
    const last = withoutTrailingSlashes(m.source).split('/').pop() ?? '';
    if (/^[^.].*\.[A-Za-z0-9]{1,8}$/.test(last)) continue;
    return `${m.file} mounts the host folder ${m.source} at ${m.target}: it keeps the host's owner, which the image cannot change, so a new user may not be able to write it; set the service's \`user:\` to that folder's owner instead`;
  }
  return null;
}

/** One word of a documented run command that mounts at `/root` or a folder in it: the mount's target, or null. */
function rootHomeTarget(prev: string, word: string): string | null {
  const w = word.replace(/^--volume=|^-v=/, '');
  const bind = (prev === '-v' || prev === '--volume' || w !== word) && /^["']?[^\s:"']+:(\/root(?:\/[\w.-]+)?)(?:["':]|$)/.exec(w);
  if (bind) return bind[1];
  const target = /(?:^|,)(?:target|destination|dst)=(\/root(?:\/[\w.-]+)?)(?:[,"']|$)/.exec(word);
  return target ? target[1] : null;
}

/** The first mount at root's home in a text's run commands, read word by word (lines that mention `/root` only). */
function documentedRootHomeMount(text: string): string | null {
  for (const line of text.split('\n')) {
    if (!line.includes('/root')) continue;
    const words = line.trim().split(/\s+/);
    for (let k = 0; k < words.length; k++) {
      const t = rootHomeTarget(words[k - 1] ?? '', words[k]);
      if (t) return t;
    }
  }
  return null;
}

/**
 * Why the program's state is under root's home, so a new user (whose home is elsewhere) would lose it, or null: a
 * compose file mounts a volume there for this service, or the project's README (or its docs' docker page) runs the
 * image with a volume at `/root` or a folder in it (`docker run -v ollama:/root/.ollama …`).
 */
function stateUnderRootHome(model: Model): string | null {
  const m = composeMountsFor(model).find((x) => x.target === '/root' || x.target.startsWith('/root/'));
  if (m) return `${m.file} mounts ${m.source} at ${m.target}: the program keeps its state under root's home, and a new user's home is elsewhere, so that volume would go unused; point the program's data folder elsewhere (its setting or ENV) and mount it there, then switch user`;
  for (const doc of ['README.md', 'docs/docker.md', 'docs/docker.mdx']) {
    // Read without a deadline check (readContext's): this rule's reads are not the planner's to give up.
    let text: string | null = null;
    try {
      text = model.files?.read(doc) ?? null;
    } catch {
      text = null;
    }
    const hit = text ? documentedRootHomeMount(text) : null;
    if (hit) return `${doc} runs the image with a volume at ${hit}: the program keeps its state under root's home, and a new user's home is elsewhere, so that volume would go unused; point the program's data folder elsewhere (its setting or ENV) and mount it there, then switch user`;
  }
  return null;
}

/** Named volumes a compose file mounts for this Dockerfile's service, at plain paths: made in the image and given to the user. */
function composeVolumeDirs(model: Model): string[] {
  return [...new Set(composeMountsFor(model).filter((m) => m.kind === 'volume' && !m.readOnly && m.target !== '/' && PLAIN_PATH.test(m.target)).map((m) => withoutTrailingSlashes(m.target)))];
}

/** Programs that send ICMP (echo requests, traceroutes): a raw socket, or an ICMP socket the engine may not allow. */
const ICMP_TOOLS = /(^|[\s;&|(`])(ping6?|fping|traceroute6?|tracepath|arping|mtr)\s/m;

/**
 * Why the image's program cannot be trusted to work under a new user: it runs ping or another ICMP tool (its start
 * command, or the start script the build context shows). As root it has CAP_NET_RAW; another user has an ICMP
 * socket only where the engine lets every group open one (Docker 20.10 and later set net.ipv4.ping_group_range so,
 * Podman's default allows group 0 alone).
 */
function sendsIcmp(model: Model, stage: Stage): string | null {
  const words = unwrappedShell(startWords(stage));
  if (words.length && ICMP_TOOLS.test(`${baseName(words[0])} `)) return `its start command runs ${baseName(words[0])}, which needs a raw or ICMP socket: another user gets one only where the engine allows every group ICMP sockets (Docker 20.10+, not Podman's default); add the user with that in mind`;
  for (const found of startScripts(model, stage)) {
    const m = ICMP_TOOLS.exec(found.text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n'));
    if (m) return `its start script ${found.rel} runs ${m[2]}, which needs a raw or ICMP socket: another user gets one only where the engine allows every group ICMP sockets (Docker 20.10+, not Podman's default); add the user with that in mind`;
  }
  return null;
}

/** A RUN that unpacks an archive into the final WORKDIR (a server's own tree: logs/, work/, temp/ under it), or null. */
function unpackedIntoWorkdir(model: Model, stage: Stage): string | null {
  const wd = workdirAt(model, stage, null);
  if (!wd) return null;
  const root = wd === '/' ? '' : wd.replace(/\/$/, '');
  for (const i of stage.instructions) {
    if (i.keyword !== 'RUN' || !/\b(tar|unzip)\b/.test(i.run?.body ?? '')) continue;
    const script = i.run?.script();
    // After a `cd` the unpacking happens elsewhere unless -C says where.
    const cwd = script?.commands.some((c) => c.name === 'cd') ? null : workdirAt(model, stage, i);
    for (const c of script?.commands ?? []) {
      const args = c.args.map((a) => a.value ?? '');
      const extract = (c.name === 'tar' && args.some((a) => /^-?[a-zA-Z]*x/.test(a) || a === '--extract')) || c.name === 'unzip';
      if (!extract) continue;
      const k = args.findIndex((a) => a === '-C' || a === '--directory' || a === '-d');
      const dest = k >= 0 ? args[k + 1] : args.find((a) => a.startsWith('--directory='))?.slice(12) ?? cwd;
      if (dest && (dest.replace(/\/$/, '') === root || (dest === '.' && cwd === wd))) return `line ${i.line + 1} unpacks an archive into ${wd}`;
    }
  }
  return null;
}

/** Owners the file gives files to (`chown USER[:GROUP]`, `COPY --chown=`): each one exists in the image. */
function chownedOwners(model: Model, stage: Stage): { user: string; owner: string; instr: Instr }[] {
  const out: { user: string; owner: string; instr: Instr }[] = [];
  const add = (owner: string, instr: Instr): void => {
    const user = owner.split(':')[0];
    if (owner.includes('$') || !/^[\w.-]+(:[\w.-]+)?$/.test(owner) || isRootUser(user)) return;
    out.push({ user, owner, instr });
  };
  for (const i of chainInstrs(stage)) {
    if (i.keyword === 'COPY' || i.keyword === 'ADD') {
      const m = /--chown=(\S+)/.exec(model.doc.text.slice(i.start, i.end));
      if (m) add(m[1].replace(/^["']|["']$/g, ''), i);
    } else if (i.keyword === 'RUN' && /\bchown\b/.test(i.run?.body ?? '')) {
      for (const c of i.run?.script()?.commands ?? []) {
        if (c.name !== 'chown') continue;
        const spec = c.args.map((a) => a.value ?? '').find((a) => !a.startsWith('-'));
        if (spec) add(spec, i);
      }
    }
  }
  return out;
}

/** The user a stage's process runs as, following `FROM stage` chains; null when unknown (unresolved variable). */
export function effectiveUser(model: Model, stage: Stage): { user: string | null; instr: Instr | null } {
  let s: Stage | null = stage;
  for (let d = 0; s && d < 64; d++, s = s.baseStage) {
    const u = lastUserInstr(s);
    if (u) return { user: userValue(model, u), instr: u };
  }
  const info = baseInfo(stage);
  return { user: info ? info.runsAs : 'root', instr: null };
}

/** Users the Dockerfile itself creates in a stage chain (useradd / adduser), with the RUN that creates each. */
function createdUsers(stage: Stage): { name: string; instr: Instr }[] {
  const found: { name: string; instr: Instr }[] = [];
  const chain: Stage[] = [];
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) chain.unshift(s);
  for (const s of chain) {
    for (const i of s.instructions) {
      const script = i.run && /useradd|adduser/.test(i.run.body) ? i.run.script() : null;
      if (!script) continue;
      for (const c of script.commands) {
        if (c.name !== 'useradd' && c.name !== 'adduser') continue;
        const last = c.args[c.args.length - 1]?.value;
        if (last && !last.startsWith('-')) found.push({ name: last, instr: i });
      }
    }
  }
  return found;
}

/** Non-root users named by earlier USER instructions of the stage. */
function usedUsers(model: Model, stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'USER')
    .map((i) => userValue(model, i))
    .filter((u): u is string => !!u && !isRootUser(u));
}

/** The family's own commands to create the user (uid and gid alike, with a home: tools and caches write $HOME), or null. */
function createCommand(family: Family, groups: string[], as: NewUser): string | null {
  const n = as.name;
  const id = as.uid;
  switch (family) {
    case 'debian':
    case 'rhel': {
      const extra = groups.length ? ` --groups ${groups.join(',')}` : '';
      return `groupadd --system --gid ${id} ${n} && useradd --system --uid ${id} --gid ${n}${extra} --no-log-init --create-home --home-dir /home/${n} ${n}`;
    }
    case 'alpine':
      // busybox: `addgroup USER GROUP` adds an existing user to an existing group.
      return `addgroup -S -g ${id} ${n} && adduser -S -D -h /home/${n} -u ${id} -G ${n} ${n}${groups.map((g) => ` && addgroup ${n} ${g}`).join('')}`;
    default:
      return null;
  }
}

/**
 * What the user must own, as shell commands (run as root): the WORKDIR itself (not recursively; builders keep
 * an existing directory root-owned on COPY --chown), and the directories a known framework writes at run time.
 */
function ownershipCommands(model: Model, stage: Stage, owner: string): string[] {
  const wd = workdirAt(model, stage, null);
  // Only a path the shell takes as one plain word: no blanks, quotes, expansions or redirections to escape.
  if (!wd || wd === '/' || !/^[A-Za-z0-9_./@%+=:,-]+$/.test(wd)) return volumeCommands(stage, owner);
  // A RUN that ran the app's own code there as root (a migration, a seed) left files the app writes again.
  const out = [`chown ${writesWorkdir(model, stage, wd) ? '-R ' : ''}${owner} ${wd}`, ...volumeCommands(stage, owner)];
  const fw = appFramework(stage);
  const made = out[0].startsWith('chown -R') ? [] : madeDirs(model, stage);
  if (fw) {
    const dirs = fw.writable.map((d) => `${wd.replace(/\/$/, '')}/${d}`);
    out.push(`mkdir -p ${dirs.join(' ')}`, `chown -R ${owner} ${[...dirs, ...made.filter((d) => !dirs.includes(d))].join(' ')}`);
  } else if (made.length) out.push(`chown -R ${owner} ${made.join(' ')}`);
  // Django's upload and static folders (`MEDIA_ROOT = '/media/'`, `BASE_DIR / "media"`), a root-owned folder of the
  // base or none, where the app writes at run time, and the named volumes a compose file mounts for this service: a
  // new volume is created owned as the image's folder is (by root when the image has none), so they are made here.
  const roots = [...new Set([...djangoRoots(model, stage, wd), ...composeVolumeDirs(model)])].filter((d) => d !== wd);
  if (roots.length) out.push(`mkdir -p ${roots.join(' ')}`, `chown -R ${owner} ${roots.join(' ')}`);
  return out;
}

/**
 * The absolute MEDIA_ROOT and STATIC_ROOT a Django project's settings give as plain strings, read from the settings
 * module manage.py names (`DJANGO_SETTINGS_MODULE`, `backend.settings` → backend/settings.py or its package), in the
 * build context copied to the WORKDIR. Paths built from BASE_DIR are the project's and stay under it.
 */
function djangoRoots(model: Model, stage: Stage, wd: string): string[] {
  // Only for an image that starts Python or a Python web server: other images' contexts are not read for it.
  if (!startWords(stage).some((w) => /^(python[\d.]*|gunicorn|uwsgi|daphne|uvicorn|hypercorn|manage\.py)$/.test(baseName(w)))) return [];
  const base = wd.replace(/\/$/, '');
  const chain = stageChain(stage);
  const read = (rel: string) => {
    for (const s of chain) {
      const f = contextFileFor(model, s, `${base}/${rel}`);
      if (f) return f.text;
    }
    return null;
  };
  const manage = read('manage.py');
  const mod = manage ? /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/.exec(manage)?.[1] : undefined;
  if (!mod) return [];
  const path = mod.replace(/\./g, '/');
  const module = read(`${path}.py`);
  const file = module !== null ? `${path}.py` : `${path}/__init__.py`;
  const settings = module ?? read(file);
  if (!settings) return [];
  const project = projectRoot(settings, `${base}/${file}`);
  const out: string[] = [];
  for (const line of settings.split('\n')) {
    if (!/^(MEDIA_ROOT|STATIC_ROOT)\s*=/.test(line)) continue;
    const value = line.slice(line.indexOf('=') + 1).trim();
    const abs = /^['"](\/[A-Za-z0-9_./@%+=:,-]*)['"]$/.exec(value)?.[1];
    // `BASE_DIR / "media"`, `os.path.join(BASE_DIR, 'media')`: under the project's root, as BASE_DIR says it is.
    const rel = /^BASE_DIR\s*\/\s*['"]([\w.-]+)['"]$/.exec(value)?.[1] ?? /^os\.path\.join\(\s*BASE_DIR\s*,\s*['"]([\w.-]+)['"]\s*\)$/.exec(value)?.[1];
    const dir = abs ? withoutTrailingSlashes(abs) : rel && project && rel !== '.' && rel !== '..' ? `${project}/${rel}` : null;
    if (dir && dir !== '/' && PLAIN_PATH.test(dir) && !out.includes(dir)) out.push(dir);
  }
  return out;
}

/**
 * The folder a Django settings file's `BASE_DIR` names, from the file's path in the image: `Path(__file__).resolve()`
 * and one folder up per `.parent`, or `os.path.abspath(__file__)` and one up per `os.path.dirname(`; null for any other
 * way of writing it.
 */
function projectRoot(settings: string, file: string): string | null {
  const line = settings.split('\n').find((l) => /^BASE_DIR\s*=/.test(l));
  if (!line) return null;
  const v = line.slice(line.indexOf('=') + 1).trim();
  let ups: number;
  if (/^Path\(__file__\)\.resolve\(\)(\.parent)+$/.test(v)) ups = v.split('.parent').length - 1;
  else if (/^(os\.path\.dirname\()+os\.path\.abspath\(__file__\)\)+$/.test(v)) ups = v.split('os.path.dirname(').length - 1;
  else return null;
  let dir = file;
  for (let k = 0; k < ups; k++) dir = dir.slice(0, Math.max(dir.lastIndexOf('/'), 0));
  return dir.startsWith('/') && dir.length > 1 ? dir : null;
}

const PLAIN_PATH = /^[A-Za-z0-9_./@%+=:,-]+$/;

/**
 * Directories the file makes (`mkdir`) under a WORKDIR it sets: they stay root's 0755, and the app that writes
 * there (a database file, uploads) fails at start under another user. Not those the file already chowns.
 */
function madeDirs(model: Model, stage: Stage): string[] {
  const instrs = chainInstrs(stage);
  const workdirs = new Set<string>();
  for (const i of instrs) if (i.keyword === 'WORKDIR') {
    const wd = workdirAfter(model, i);
    if (wd && wd !== '/') workdirs.add(wd.replace(/\/$/, ''));
  }
  if (!workdirs.size) return [];
  const made: string[] = [];
  const chowned: string[] = [];
  for (const i of instrs) {
    if (i.keyword !== 'RUN' || !/\b(mkdir|chown)\b/.test(i.run?.body ?? '')) continue;
    const script = i.run?.script();
    if (!script) continue;
    const cwd = script.commands.some((c) => c.name === 'cd') ? null : workdirAt(model, i.stage!, i);
    for (const c of script.commands) {
      if (c.name !== 'mkdir' && c.name !== 'chown') continue;
      const args = c.args.map((a) => a.value ?? '');
      const paths: string[] = [];
      for (let k = 0; k < args.length; k++) {
        const a = args[k];
        if (a === '-m' || a === '--mode') k++;
        else if (!a.startsWith('-')) paths.push(a);
      }
      if (c.name === 'chown') paths.shift();
      for (const p of paths) {
        if (!PLAIN_PATH.test(p)) continue;
        const abs = p.startsWith('/') ? p : cwd && cwd !== '/' ? `${cwd.replace(/\/$/, '')}/${p.replace(/^\.\//, '')}` : null;
        if (!abs) continue;
        const norm = withoutTrailingSlashes(abs);
        (c.name === 'mkdir' ? made : chowned).push(norm);
      }
    }
  }
  const under = (d: string, root: string): boolean => d === root || d.startsWith(root + '/');
  return [...new Set(made)].filter((d) => [...workdirs].some((w) => d.startsWith(w + '/')) && !chowned.some((c) => under(d, c)) && !/\/\.\.?(\/|$)/.test(d));
}

/** Whether a path is the directory or under it. */
const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.replace(/\/$/, '') + '/');

/** Whether a command runs the app's own code or writes data (not a package install, a build or a file operation). */
function runsAppCode(c: ShellCommand): boolean {
  return c.name !== null && runsAppWords(c.name, c.args.map((x) => x.value ?? ''));
}

function runsAppWords(cmd: string, a: string[]): boolean {
  const name = baseName(cmd);
  if (/^python[\d.]*$/.test(name)) return !(a[0] === '-m' && /^(pip|compileall|venv|ensurepip)$/.test(a[1] ?? '')) && !(/manage\.py$/.test(a[0] ?? '') && /^(collectstatic|compilemessages)$/.test(a[1] ?? ''));
  if (/^(rails|rake|php|node|sqlite3|touch|flask|alembic|bundle|deno|bun)$/.test(name)) {
    if (name === 'bundle') return a[0] === 'exec' && a.length > 1 && runsAppWords(a[1], a.slice(2));
    if (name === 'php') return a[0] === 'artisan' && !/^(config|route|view|event):cache$|^optimize$/.test(a[1] ?? '');
    return !(name === 'rails' || name === 'rake') || !a.includes('assets:precompile');
  }
  // A script of the project's own (`./seed.sh`, `bin/setup`).
  return cmd.includes('/') && !/(^|\/)(gradlew|mvnw|configure)$/.test(cmd);
}

/** Whether a RUN ran app code in the WORKDIR after files were copied there (it may have written files the app writes again). */
function writesWorkdir(model: Model, stage: Stage, wd: string): boolean {
  let copied = false;
  for (const i of stage.instructions) {
    if (i.keyword === 'COPY' || i.keyword === 'ADD') copied = true;
    if (!copied || i.keyword !== 'RUN') continue;
    const cwd = workdirAt(model, stage, i);
    if (!cwd || !within(cwd, wd)) continue;
    const script = i.run?.script();
    if (!script || script.commands.some((c) => c.name === 'cd')) continue;
    if (script.commands.some(runsAppCode)) return true;
  }
  return false;
}

/** Whether nothing in the file puts anything into the final WORKDIR: it is where the user's files are mounted at run time. */
function mountedWorkdir(model: Model, stage: Stage): string | null {
  const wd = workdirAt(model, stage, null);
  const { entrypoint, cmd } = startOf(stage);
  if (!wd || wd === '/' || (!entrypoint && !cmd)) return null;
  for (const i of chainInstrs(stage)) {
    const at = workdirAt(model, i.stage!, i);
    if (i.keyword === 'COPY' || i.keyword === 'ADD') {
      const args = commandWords(i) ?? [];
      const dest = args.filter((w) => !w.startsWith('--')).pop() ?? '';
      const abs = dest.startsWith('/') ? dest : at ? `${at.replace(/\/$/, '')}/${dest}` : dest;
      // Into the WORKDIR, or into a folder above it from a folder of the context (`COPY . /`; a single file such as
      // `COPY tool /` puts nothing into the WORKDIR).
      const sources = args.filter((w) => !w.startsWith('--')).slice(0, -1);
      const folders = sources.some((w) => w === '.' || w === './' || w.endsWith('/'));
      if (within(abs.replace(/\/\.?$/, '') || '/', wd) || (folders && within(wd, withoutTrailingSlashes(abs) || '/'))) return null;
    } else if (i.keyword === 'RUN' && at && within(at, wd)) return null;
    else if (i.keyword === 'RUN' && (i.run?.body ?? '').includes(wd)) return null;
    else if (i.keyword === 'VOLUME') return null;
  }
  return wd;
}

/** Plain absolute paths the stage chain declares as VOLUME: a new volume takes the image directory's owner. */
function volumeDirs(stage: Stage): { dirs: string[]; last: Instr | null } {
  const dirs: string[] = [];
  let last: Instr | null = null;
  for (const i of chainInstrs(stage)) {
    if (i.keyword !== 'VOLUME') continue;
    last = i;
    const words = commandWords(i) ?? [];
    for (const w of words) if (w.startsWith('/') && w !== '/' && PLAIN_PATH.test(w)) dirs.push(withoutTrailingSlashes(w));
  }
  return { dirs: [...new Set(dirs)], last };
}

/** Commands that give the user the VOLUME directories (made first: a volume's mount point may not exist yet). */
function volumeCommands(stage: Stage, owner: string): string[] {
  const { dirs } = volumeDirs(stage);
  return dirs.length ? [`mkdir -p ${dirs.join(' ')}`, `chown -R ${owner} ${dirs.join(' ')}`] : [];
}

/** The working directory a WORKDIR instruction sets. */
function workdirAfter(model: Model, i: Instr): string | null {
  const stage = i.stage!;
  const k = stage.instructions.indexOf(i);
  const next = stage.instructions[k + 1];
  if (next) return workdirAt(model, stage, next);
  return workdirAt(model, stage, null);
}

function joinCommands(cmds: (string | null)[]): string | null {
  const c = cmds.filter((x): x is string => !!x);
  return c.length ? c.join(' && ') : null;
}

/** Whether the stage keeps the image's own start command (no CMD/ENTRYPOINT of its own, or one that runs /init). */
function keepsImageStart(stage: Stage): boolean {
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) {
    const starts = s.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
    if (starts.length) return starts.some((i) => /(^|[\s"'\[])\/init\b/.test(i.node.getArgumentsContent() ?? ''));
  }
  return true;
}

function planUser(model: Model, stage: Stage, as: NewUser): UserPlan {
  const info = baseInfo(stage);
  const family = info?.family ?? 'unknown';
  const shell = familyHasShell(family);
  const used = usedUsers(model, stage);
  if (used.length) return { user: used[used.length - 1], owner: used[used.length - 1], create: null, why: `the file already uses user \`${used[used.length - 1]}\`` };
  const chowned = chownedOwners(model, stage);
  // Own directories made for the app: only where a shell can run chown.
  const dirs = (owner: string): string | null => {
    const made = shell ? madeDirs(model, stage) : [];
    return joinCommands([made.length ? `chown -R ${owner} ${made.join(' ')}` : null, ...(shell ? volumeCommands(stage, owner) : [])]);
  };
  const created = createdUsers(stage);
  if (created.length) {
    const { name: u, instr } = created[created.length - 1];
    // The group the file gives its files to (`chown app:root` + `g+w`, the arbitrary-uid pattern) is kept.
    const own = chowned.filter((c) => c.user === u && c.owner.includes(':')).pop();
    const owner = own ? own.owner : `${u}:${u}`;
    return { user: u, owner, create: dirs(owner), why: `the file already creates user \`${u}\``, ownerFrom: instr };
  }
  if (chowned.length) {
    const { user: u, owner } = chowned[chowned.length - 1];
    return { user: u, owner, create: dirs(owner), why: `the file already gives its files to \`${owner}\`` };
  }
  if (info && !isRootUser(info.runsAs)) {
    // The image runs as its own user; the file switched to root for some steps and did not switch back.
    const s = info.shipsUser;
    const owner = s ? `${s.name}:${s.group}` : info.runsAs;
    return { user: s ? s.name : info.runsAs, owner, create: dirs(owner), why: `the image runs as \`${s ? s.name : info.runsAs}\` by default` };
  }
  if (info?.shipsUser) {
    const s = info.shipsUser;
    // Without a shell the user is set by number: no RUN can give it a directory, and runAsNonRoot can verify it.
    if (!shell) return { user: `${s.uid}:${s.gid}`, owner: `${s.uid}:${s.gid}`, create: null, why: `the image ships user \`${s.name}\` (${s.uid})` };
    const owner = `${s.name}:${s.group}`;
    return { user: s.name, owner, create: joinCommands(ownershipCommands(model, stage, owner)), why: `the image ships user \`${s.name}\`` };
  }
  if (family === 'scratch' || family === 'distroless') return { user: '65532:65532', owner: '65532:65532', create: null, why: 'the image has no shell to create a user; a numeric user (65532) needs none' };
  const groups = info?.userGroups ?? [];
  const create = createCommand(family, groups, as);
  if (create) {
    const inGroups = groups.length ? `, in group ${groups.join(', ')}` : '';
    return {
      user: as.name,
      owner: `${as.uid}:${as.uid}`,
      create: joinCommands([create, ...ownershipCommands(model, stage, `${as.name}:${as.name}`)]),
      why: `a system user \`${as.name}\` (uid ${as.uid}${inGroups}) can be created`,
      guessed: true,
    };
  }
  const numeric = `${as.uid}:${as.uid}`;
  if (family === 'rhel-minimal') {
    // ubi-minimal has no useradd (shadow-utils); a numeric user needs no /etc/passwd entry, and chown is there.
    return { user: numeric, owner: numeric, create: joinCommands(ownershipCommands(model, stage, numeric)), why: `the image has no useradd; a numeric user (${as.uid}) needs no entry in /etc/passwd`, guessed: true };
  }
  if (family === 'rhel-micro') return { user: numeric, owner: numeric, create: null, why: `the image has no shell to create a user; a numeric user (${as.uid}) needs none`, guessed: true };
  return { user: numeric, owner: numeric, create: null, why: `a numeric user (${as.uid}) needs no entry in /etc/passwd`, guessed: true };
}

const NEEDS_ROOT = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR', 'USER', 'ONBUILD']);

/** Where the user block goes: after the stage's last instruction that may need root. */
function anchorOf(stage: Stage): Instr {
  let anchor: Instr = stage.fromInstr;
  for (const i of stage.instructions) if (NEEDS_ROOT.has(i.keyword)) anchor = i;
  return anchor;
}

/** Whether a RUN placed right after `instr` runs in a POSIX shell: the last SHELL up to there decides, else the stage it builds on. */
function posixShellAfter(stage: Stage, instr: Instr): boolean {
  let shell: Instr | null = null;
  for (const i of stage.instructions) {
    if (i.start > instr.start) break;
    if (i.keyword === 'SHELL') shell = i;
  }
  return shell ? isPosixShell(shell.node) : (stage.baseStage?.posixShell ?? true);
}

/** The plan, declined when its user-creation RUN would run under a SHELL that is not a POSIX shell. */
function planFor(model: Model, stage: Stage, as: NewUser): UserPlan {
  const plan = planUser(model, stage, as);
  if (plan.create && !plan.declined && !posixShellAfter(stage, anchorOf(stage))) {
    return { ...plan, declined: 'the SHELL in effect where the user would be created is not a POSIX shell, so the commands that create it would not run' };
  }
  return plan;
}

/** COPY/ADD into the working directory the file sets (relative or absolute paths under it) that lack an owner. */
function appCopies(model: Model, stage: Stage, after: Instr | undefined): Instr[] {
  const out: Instr[] = [];
  for (const i of stage.instructions) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    if (after && after.stage === stage && i.start < after.start) continue;
    const flags = (i.node as unknown as { getFlags(): { getName(): string }[] }).getFlags();
    if (flags.some((f) => f.getName().toLowerCase() === 'chown')) continue;
    const args = i.node.getArguments();
    if (args.length < 2) continue;
    let dest = args[args.length - 1].getValue();
    if (dest.endsWith(']')) {
      try {
        const arr = JSON.parse((i.node.getArgumentsContent() ?? '').trim());
        dest = Array.isArray(arr) ? String(arr[arr.length - 1]) : dest;
      } catch {
        continue;
      }
    }
    const wd = workdirAt(model, stage, i);
    // Only app files: copies into a WORKDIR the file sets (not into `/`, not before any WORKDIR).
    if (wd === null || wd === '/') continue;
    const underWorkdir = !dest.startsWith('/') || dest === wd || dest.startsWith(wd.replace(/\/$/, '') + '/');
    if (underWorkdir) out.push(i);
  }
  return out;
}

/**
 * The stage's last shell RUN before `anchor` that can take the user's commands instead of a RUN of their own: only
 * commands whose place does not matter once the WORKDIR exists (creating the user, a non-recursive chown of the
 * WORKDIR, which later copies into it keep), and only a RUN that runs in that WORKDIR. A recursive chown or a mkdir
 * must follow what it owns: those stay after the anchor.
 */
function earlierRun(model: Model, stage: Stage, anchor: Instr, commands: string[]): Instr | null {
  if (commands.some((c) => /^(mkdir|chown -R)\b/.test(c))) return null;
  const wd = workdirAt(model, stage, null);
  let run: Instr | null = null;
  for (const i of stage.instructions) {
    if (i.start >= anchor.start) break;
    if (i.keyword === 'RUN' && i.run?.form === 'shell') run = i;
  }
  if (!run || (wd !== null && workdirAt(model, stage, run) !== wd)) return null;
  // A chown of the WORKDIR needs it made: by a WORKDIR before the RUN.
  if (wd !== null && commands.some((c) => c.startsWith('chown ')) && !stage.instructions.some((i) => i.keyword === 'WORKDIR' && i.start < run!.start)) return null;
  return run;
}

function fixEdits(model: Model, stage: Stage, plan: UserPlan, rootUser: Instr | null): OffsetEdit[] {
  const doc = model.doc;
  const edits: OffsetEdit[] = [];
  const rootAfter = rootUser ? stage.instructions.some((i) => i.start > rootUser.start && NEEDS_ROOT.has(i.keyword)) : false;
  if (rootUser && plan.create === null && !rootAfter) {
    // Switch the last `USER root` to the user the file already has or the image ships (nothing after it needs root).
    const r = rootUser.node.getArgumentsRange();
    if (r) edits.push({ start: doc.offsetAt(r.start), end: doc.offsetAt(r.end), text: plan.user });
  } else {
    const anchor = anchorOf(stage);
    const at = doc.lineBreakEnd(anchor.endLine);
    const atEnd = at === doc.text.length && !/[\r\n]$/.test(doc.text);
    const eol = doc.eol;
    const indent = doc.indentOf(stage.fromInstr.line);
    let text = atEnd ? eol : '';
    // Right after a RUN, the step joins that RUN: one layer, and no new pair of RUNs to merge.
    // One command per line once they make a long line, as a person would write them.
    const commands = plan.create ? plan.create.split(' && ') : [];
    const host = anchor.keyword === 'RUN' ? anchor : plan.create ? earlierRun(model, stage, anchor, commands) : null;
    const joined = plan.create && host && host.run?.form === 'shell' ? appendCommandEdit(model, host, commands) : null;
    if (joined) edits.push(joined);
    else if (plan.create) text += `${indent}RUN ${runBody(model, `${indent}RUN `, commands)}${eol}`;
    text += `${indent}USER ${plan.user}`;
    text += atEnd ? '' : eol;
    edits.push({ start: at, end: at, text });
  }
  for (const c of appCopies(model, stage, plan.ownerFrom)) {
    const at = c.start + c.node.getKeyword().length;
    edits.push({ start: at, end: at, text: ` --chown=${plan.owner}` });
  }
  return edits;
}

/** A known image's message: the detail repeats what the first sentence had to leave out (the whole image name), then why that user. */
function knownMessage(summary: string, runsRoot: string, why: string): string {
  return summary.startsWith(runsRoot.slice(0, -1)) ? joinMessage(summary, why) : joinMessage(summary, runsRoot, why);
}

/** The image of a stage's chain as written in its FROM, variables unresolved. */
function imageAsWritten(model: Model, stage: Stage): string {
  let s: Stage = stage;
  for (let d = 0; s.baseStage && d < 64; d++) s = s.baseStage;
  const r = s.from.getImageRange();
  return r ? model.doc.text.slice(model.doc.offsetAt(r.start), model.doc.offsetAt(r.end)) : 'the base image';
}

export const nonRootUser: Rule<'non-root-user'> = {
  id: 'non-root-user',
  meta: {
    title: 'Run the final image as a non-root user',
    rationale:
      'A process that runs as root inside the container is root on the host too when it escapes. The image that runs should switch to an unprivileged user after the steps that need root.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3002'],
    options: {
      name: {
        type: 'string',
        default: CREATED_NAME,
        // The portable subset of user names (shadow-utils' default NAME_REGEX, busybox adduser).
        pattern: /^[a-z_][a-z0-9_-]{0,31}$/,
        refuse: { root: 'the point is a user other than root' },
        description: 'name of the user the fix creates when the image has no user of its own',
      },
      uid: {
        type: 'integer',
        default: CREATED_UID,
        // Above 65535 an id falls outside the subordinate id range rootless engines map by default.
        min: 1,
        max: 65535,
        description: 'uid and gid of the user the fix creates, and of the numeric user it sets where no user can be created',
      },
    },
  },
  check(model, options) {
    const stage = finalStage(model);
    if (!stage) return [];
    const { user, instr } = effectiveUser(model, stage);
    if (user === null || !isRootUser(user)) return [];
    const info = baseInfo(stage);
    // Where a USER has nothing to fix, or breaks the image: stay quiet.
    if (windowsStage(stage, info) || devContainer(model, stage, info) || definesBaseImage(stage, info, model.path) || buildsArtifactsOnly(stage) || fileNotShipped(model.path) || dropsPrivileges(model, stage, info)) return [];
    // An image whose start command cannot run as written: which user it needs is moot.
    if (startCannotRun(model, stage) || exportsFilesOnly(stage, info)) return [];
    // A file that switched a non-root image to root and never back is reported whatever it packages.
    if ((!info || isRootUser(info.runsAs)) && packagesRelease(model)) return [];
    const root = rootImage(stage);
    const img = root.text ?? `${imageAsWritten(model, stage)} (a variable without a value)`;
    const target = instr && instr.stage === stage ? instr : stage.fromInstr;
    const known = info?.known ?? false;
    const runsRoot = instr ? "The container's process runs as root." : `${img} runs as root and the final stage sets no USER.`;
    const cannot = info?.cannotSwitch ?? (startsNginx(stage) ? NGINX_STARTED : null);
    // FROM nginx with no content or config of its own: a variant of the image (added modules) for others to build on.
    if (info?.cannotSwitch && !chainInstrs(stage).some((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) return [];
    const lead = instr ? `The final stage ends as USER ${user}` : null;
    // Root by the image's design: information with the reason, no warning and no fix.
    const needsRoot = jobNeedsRoot(model, stage);
    if (needsRoot) {
      const summary = lead ? `${lead}, which may be by design here.` : fitted(`${shortImage(img)} runs as root, which may be by design here.`, 'The base image runs as root, which may be by design here.');
      return [{ start: target.start, end: target.end, message: joinMessage(summary, runsRoot, `${capitalised(needsRoot)}.`), fixable: false, reason: needsRoot, severityCap: 'info' }];
    }
    if (cannot) {
      const summary = lead ? `${lead}, and a plain USER is not the fix here.` : fitted(`${shortImage(img)} runs as root; a plain USER is not the fix here.`, 'The base image runs as root; a plain USER is not the fix here.');
      return [{ start: target.start, end: target.end, message: joinMessage(summary, runsRoot), fixable: false, reason: cannot }];
    }
    const server = packagedServer(model, stage);
    if (server) {
      const summary = lead ? `${lead}, and a new user is not the fix here.` : fitted(`${shortImage(img)} runs as root; a new user is not the fix here.`, 'The base image runs as root; a new user is not the fix here.');
      return [{ start: target.start, end: target.end, message: joinMessage(summary, runsRoot), fixable: false, reason: server }];
    }
    const as = newUser(options);
    const plan = planFor(model, stage, as);
    const underRoot = toolsUnderRoot(model, stage);
    const unpacked = plan.create && !plan.declined ? unpackedIntoWorkdir(model, stage) : null;
    const volume = plan.declined ? null : volumeProblem(stage, plan);
    // A user of the rule's own choice (`app`, or 65532 on an image with no shell) owns nothing a host mounts there.
    const mounted = plan.declined || !(plan.guessed || (plan.create === null && plan.user === '65532:65532')) ? null : mountedWorkdir(model, stage);
    const devServer = plan.declined ? null : devServerOverRootInstall(model, stage) ?? runnerNeedsRoot(stage) ?? lowPort(model, stage) ?? sendsIcmp(model, stage) ?? appInRoot(model, stage) ?? composeBindMount(model, stage) ?? stateUnderRootHome(model);
    const finalPlan =
      underRoot && !plan.declined
        ? { ...plan, declined: `${underRoot}; install it outside /root (or give the user its own copy) before switching user` }
        : unpacked
          ? { ...plan, declined: `${unpacked}; which of its directories the program writes at run time is not known, and a USER without them stops it` }
          : volume
            ? { ...plan, declined: volume }
            : mounted
              ? { ...plan, declined: `nothing in the file puts anything into WORKDIR ${mounted}: it is where files are mounted at run time, and a fixed uid may not be able to write them there; run the tool with --user "$(id -u):$(id -g)" instead` }
              : devServer
                ? { ...plan, declined: devServer }
                : plan;
    // On an image the table does not know, its own user is not known: a guessed user is a quick fix to confirm, never applied by fix-all.
    const manual = !known && !!plan.guessed;
    // The first sentence names the user the fix switches to (none when the fix declines); the detail says why that user.
    const to = finalPlan.declined ? 'a non-root user' : `\`${plan.user}\``;
    const short = shortImage(img);
    // The user the fix would make or use, said only where the fix is offered (after a decline it reads like an offer taken back).
    const why = finalPlan.declined ? '' : `${capitalised(plan.why)}.`;
    const message = instr
      ? joinMessage(fitted(`The final stage ends as USER ${user}: switch back to ${to} after the steps that need root.`, `The final stage ends as USER ${user}: switch back to ${to}.`), runsRoot, why)
      : known
        ? knownMessage(fitted(`${img} runs as root and the final stage sets no USER: switch to ${to}.`, `${short} runs as root and the final stage sets no USER: switch to ${to}.`, `${short} runs as root: switch to ${to}.`, `The base image runs as root: switch to ${to}.`), runsRoot, why)
        : manual
          ? joinMessage(fitted(`${short} is not a known base image: if it runs as root, switch to ${to}.`, `The base image is not known here: if it runs as root, switch to ${to}.`), `${img} is not a known base image, so the user it runs as is not known here, and the final stage sets no USER.${finalPlan.declined ? '' : ` If it runs as root, ${plan.why}.`}`)
          : joinMessage(fitted(`${short} is not a known base image, taken to run as root: switch to ${to}.`, `The base image is not known here, taken to run as root: switch to ${to}.`), `${img} is not a known base image, so it is taken to run as root, and the final stage sets no USER.`, why);
    // On an image whose own user is not known, whether there is a problem at all is not known either: information.
    if (finalPlan.declined) return [{ start: target.start, end: target.end, message, fixable: false, reason: finalPlan.declined, ...(manual ? { severityCap: 'info' as const } : {}) }];
    // The fix reads the user to create from the finding, so it builds what the message announced.
    const data = { user: plan.user, name: as.name, uid: as.uid };
    if (manual) {
      const reason = `which user ${img} runs as is not known here, so the user \`${plan.user}\` is a guess: offered as a quick fix in the editor, never applied by fix-all or \`fix\``;
      // Whether there is a problem at all is not known: information, not a warning.
      return [{ start: target.start, end: target.end, message, fixable: false, reason, data: { ...data, quickFixOnly: true }, severityCap: 'info' }];
    }
    return [{ start: target.start, end: target.end, message, fixable: true, data }];
  },
  fixes(model, finding: Finding): Fix[] {
    const stage = finalStage(model);
    if (!stage) return [];
    const { user, instr } = effectiveUser(model, stage);
    if (user === null || !isRootUser(user)) return [];
    const plan = planFor(model, stage, newUser(finding.data));
    if (plan.declined) return [];
    const rootUser = instr && instr.stage === stage ? instr : null;
    const edits = fixEdits(model, stage, plan, rootUser);
    if (finding.data?.quickFixOnly === true) {
      return [{ title: `Run as non-root user \`${plan.user}\` (if ${imageAsWritten(model, stage)} runs as root)`, edits: toTextEdits(model.doc, edits), preferred: false, manual: true }];
    }
    return [{ title: `Run as non-root user \`${plan.user}\``, edits: toTextEdits(model.doc, edits), preferred: true }];
  },
};
