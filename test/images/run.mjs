#!/usr/bin/env node
// Proof by building: for every example under examples/, run the project's own CLI fix on its
// Dockerfile, build the before and the after image for real (buildah, no registry: every FROM
// resolves to a local stand-in from bases.sh via from-map.json), run both, and compare.
//
//   node test/images/run.mjs [--only go-service,apt-tools] [--no-cache] [--cli dist/cli.js]
//                            [--skip-bases] [--no-install] [--list]
//
// Needs root, buildah, podman, runc, debootstrap, busybox-static (installed with apt-get when
// missing, unless --no-install), and the Debian mirror the host's apt uses. Prints a table,
// writes test/images/results/latest.json (+ the after-Dockerfiles and build logs), and ends
// with "N passed, N failed"; exit status 1 when any pair fails, 2 when it cannot run at all.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const RESULTS = path.join(HERE, 'results');
const CACHE = path.join(HERE, '.cache');
const BB_IN = '/.probe/busybox';
const PROBE_FILE = '.dockerfile-lean-write-probe';
// An HTTP/1.0 GET over loopback from inside the container: sh -c HTTP_GET sh PATH PORT. nc runs a shell on the
// connection (-e) that writes the request and reads the answer until the server closes: piping the request into nc
// half-closed the connection at the end of the request, and a Node server then dropped an answer it gave after an
// asynchronous step (a file read). The answer goes to stderr, joined to stdout.
const HTTP_GET = `${BB_IN} nc -w 5 127.0.0.1 "$2" -e ${BB_IN} sh -c 'printf "GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" "$0"; exec ${BB_IN} cat >&2' "$1" 2>&1`;
const t0 = Date.now();

// ---------------------------------------------------------------------------------------------
// small helpers

const log = (msg) => process.stderr.write(`[images] ${msg}\n`);
const secs = (ms) => Math.round(ms / 100) / 10;
const mb = (bytes) => (bytes == null ? '-' : `${(bytes / 1e6).toFixed(1)} MB`);
const tail = (text, n = 12) => text.trim().split('\n').slice(-n).join('\n');

/** Runs a command; never throws. `log` = file receiving stdout+stderr. */
function run(cmd, args, { timeout = 15 * 60e3, logFile, env, input, cwd } = {}) {
  const opts = { encoding: 'utf8', timeout, maxBuffer: 256 << 20, env: env ?? process.env, input, cwd };
  let fd;
  if (logFile) {
    fd = fs.openSync(logFile, 'w');
    fs.writeSync(fd, `$ ${cmd} ${args.join(' ')}\n`);
    opts.stdio = ['ignore', fd, fd];
  }
  const r = spawnSync(cmd, args, opts);
  if (fd !== undefined) fs.closeSync(fd);
  const out = logFile ? fs.readFileSync(logFile, 'utf8') : `${r.stdout ?? ''}`;
  const err = logFile ? '' : `${r.stderr ?? ''}`;
  const timedOut = r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM';
  return { code: r.status ?? (timedOut ? 124 : 127), out, err, timedOut, error: r.error };
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir || '.', name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {}
  }
  return null;
}

/** True when an ELF file has no program interpreter (statically linked). */
function isStaticElf(file) {
  try {
    const b = fs.readFileSync(file);
    if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false; // ELF64 only
    const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
    for (let k = 0; k < phnum; k++) if (b.readUInt32LE(phoff + k * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// arguments

function parseArgs(argv) {
  const a = { only: null, noCache: false, cli: path.join(ROOT, 'dist/cli.js'), skipBases: false, install: true, list: false };
  for (let k = 0; k < argv.length; k++) {
    const x = argv[k];
    const val = () => (x.includes('=') ? x.slice(x.indexOf('=') + 1) : argv[++k]);
    if (x === '--only' || x.startsWith('--only=')) a.only = (val() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    else if (x === '--cli' || x.startsWith('--cli=')) a.cli = path.resolve(val());
    else if (x === '--no-cache') a.noCache = true;
    else if (x === '--skip-bases') a.skipBases = true;
    else if (x === '--no-install') a.install = false;
    else if (x === '--list') a.list = true;
    else if (x === '-h' || x === '--help') {
      process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1).filter((l, k, a) => a.slice(0, k + 1).every((x) => x.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else {
      process.stderr.write(`run.mjs: unknown argument '${x}' (see --help)\n`);
      process.exit(2);
    }
  }
  return a;
}

/** Cannot run at all: say what is missing, print the summary line, exit 2. */
function fatal(msg, total = 0) {
  process.stderr.write(`\nimage tests cannot run: ${msg}\n`);
  process.stdout.write(`0 passed, ${total} failed\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// preflight: root, tools (installed with apt-get when possible), the CLI

const TOOLS = { buildah: 'buildah', podman: 'podman', runc: 'runc', debootstrap: 'debootstrap', busybox: 'busybox-static' };

function preflight(args, total) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fatal(`needs root (running as uid ${process.getuid()}): buildah/podman build rootful images, debootstrap makes the bases. Run as root (e.g. sudo node test/images/run.mjs).`, total);
  }
  const missing = () =>
    Object.entries(TOOLS).filter(([bin]) => {
      const p = which(bin);
      return !p || (bin === 'busybox' && !isStaticElf(fs.realpathSync(p)));
    });
  let miss = missing();
  if (miss.length && args.install && which('apt-get')) {
    const pkgs = miss.map(([, pkg]) => pkg);
    log(`installing ${pkgs.join(' ')} with apt-get`);
    const upd = run('apt-get', ['update'], { timeout: 10 * 60e3 });
    const inst = run('apt-get', ['install', '-y', ...pkgs], {
      timeout: 20 * 60e3,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (inst.code !== 0) log(`apt-get install failed (exit ${inst.code}):\n${tail(upd.err + inst.out + inst.err, 8)}`);
    miss = missing();
  }
  if (miss.length) {
    const pkgs = miss.map(([, pkg]) => pkg);
    fatal(
      `missing ${miss.map(([bin, pkg]) => (bin === 'busybox' && which('busybox') ? 'a statically linked busybox (package busybox-static)' : `${bin} (package ${pkg})`)).join(', ')}` +
        `${args.install ? (which('apt-get') ? ' and apt-get could not install them' : ' and there is no apt-get to install them') : ' (--no-install given)'}.` +
        ` Install with: apt-get install -y ${pkgs.join(' ')}`,
      total,
    );
  }
  if (!which('npm')) fatal('npm not found: the node bases copy the host node + npm into the image', total);
  if (!fs.existsSync(args.cli)) fatal(`the CLI ${path.relative(ROOT, args.cli) || args.cli} does not exist: run \`npm run build\` first`, total);
}

// ---------------------------------------------------------------------------------------------
// Dockerfile reading: the image references a file needs (FROM, COPY --from)

function logicalLines(text) {
  const out = [];
  let cur = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw) && cur === '') continue;
    if (/^\s*#/.test(raw)) continue; // comment lines inside a continuation are dropped
    if (/\\\s*$/.test(raw)) {
      cur += raw.replace(/\\\s*$/, ' ');
      continue;
    }
    cur += raw;
    if (cur.trim()) out.push(cur.trim());
    cur = '';
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function substitute(s, vars) {
  return s.replace(/\$\{(\w+)(?::?[-+]([^}]*))?\}|\$(\w+)/g, (m, a, def, b) => vars.get(a ?? b) ?? def ?? '');
}

/** { stages: [{ image, name }], copyFrom: [ref], unresolved: bool } */
function imageRefs(text) {
  const vars = new Map();
  const stages = [];
  const copyFrom = [];
  let seenFrom = false;
  for (const line of logicalLines(text)) {
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const kw = m[1].toUpperCase();
    const rest = m[2];
    if (kw === 'ARG' && !seenFrom) {
      for (const tok of rest.split(/\s+/)) {
        const eq = tok.indexOf('=');
        if (eq > 0) vars.set(tok.slice(0, eq), tok.slice(eq + 1).replace(/^["']|["']$/g, ''));
      }
    } else if (kw === 'FROM') {
      seenFrom = true;
      const toks = rest.split(/\s+/).filter((t) => !t.startsWith('--'));
      const image = substitute(toks[0] ?? '', vars);
      const name = toks.length >= 3 && toks[1].toLowerCase() === 'as' ? toks[2].toLowerCase() : null;
      stages.push({ image, name });
    } else if (kw === 'COPY' || kw === 'ADD') {
      const f = /(?:^|\s)--from=(\S+)/.exec(rest);
      if (f) copyFrom.push(substitute(f[1], vars));
    }
  }
  return { stages, copyFrom };
}

/** Fully qualified image name (docker.io/library/… for Docker Hub short names), tag defaulted to latest. */
function qualify(ref) {
  let name = ref.trim();
  const at = name.indexOf('@');
  const digest = at >= 0 ? name.slice(at) : '';
  if (at >= 0) name = name.slice(0, at);
  let tag = '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  const parts = name.split('/');
  if (!(parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost'))) {
    parts.unshift('docker.io');
    if (parts.length === 2) parts.splice(1, 0, 'library');
  }
  return `${parts.join('/').toLowerCase()}:${tag || 'latest'}${digest}`;
}

/** The external images a Dockerfile needs (not stage names, not scratch). */
function externalImages(text) {
  const { stages, copyFrom } = imageRefs(text);
  const names = new Set();
  const out = [];
  stages.forEach((s, k) => {
    if (!names.has(s.image.toLowerCase()) && s.image.toLowerCase() !== 'scratch') out.push(s.image);
    if (s.name) names.add(s.name);
    names.add(String(k));
  });
  for (const c of copyFrom) if (!names.has(c.toLowerCase()) && !/^\d+$/.test(c)) out.push(c);
  return [...new Set(out)];
}

/** The final stage: its FROM image and its instructions ({ kw, rest }). */
function finalStage(text) {
  const lines = logicalLines(text).map((l) => {
    const m = /^(\w+)\s*(.*)$/.exec(l);
    return m ? { kw: m[1].toUpperCase(), rest: m[2] } : { kw: '', rest: l };
  });
  let k = lines.length - 1;
  while (k >= 0 && lines[k].kw !== 'FROM') k--;
  const from = k >= 0 ? lines[k].rest.split(/\s+/).filter((t) => !t.startsWith('--'))[0] : null;
  const stageNames = lines.filter((l) => l.kw === 'FROM').map((l) => l.rest.split(/\s+/).filter((t) => !t.startsWith('--'))[2]?.toLowerCase()).filter(Boolean);
  return { from, fromIsStage: !!from && stageNames.includes(from.toLowerCase()), instrs: lines.slice(k + 1) };
}

/** COPY/ADD destination (last argument; JSON form too). */
function copyDest(rest) {
  const body = rest.replace(/(^|\s)--\S+/g, ' ').trim();
  if (body.startsWith('[')) {
    try {
      const arr = JSON.parse(body);
      return String(arr[arr.length - 1]);
    } catch {}
  }
  const toks = body.split(/\s+/);
  return toks[toks.length - 1];
}

const normDir = (p) => path.posix.normalize(p).replace(/(.)\/+$/, '$1');

/**
 * Docker/BuildKit keep the ownership of directories that already exist when COPY --chown copies into
 * them (moby/buildkit#790: "existing files and directories ownership should not be modified"); buildah
 * chowns them. So `WORKDIR /app` (creates /app as root) + `COPY --chown=u . .` leaves /app root-owned
 * under Docker though it is owned by u here. Returns the explanation when the after file relies on that.
 */
function dockerWorkdirCaveat(text, workdir, baseHasWorkdirOwned) {
  if (!workdir || workdir === '/' || baseHasWorkdirOwned) return null;
  const st = finalStage(text);
  let wd = '/';
  let createdByWorkdir = false;
  let chownCopy = null;
  let user = 'root';
  for (const ins of st.instrs) {
    if (ins.kw === 'USER') user = ins.rest.trim();
    else if (ins.kw === 'WORKDIR') {
      wd = normDir(path.posix.resolve(wd, ins.rest.trim().replace(/^["']|["']$/g, '')));
      if (wd === workdir && !createdByWorkdir) {
        // BuildKit creates a missing WORKDIR owned by the current USER (testWorkdirUser): fine when non-root.
        if (!/^(root|0)(:|$)/.test(user)) return null;
        createdByWorkdir = true;
      }
    } else if (ins.kw === 'COPY' || ins.kw === 'ADD') {
      const dest = normDir(path.posix.resolve(wd, copyDest(ins.rest)));
      if (dest === workdir) {
        if (!createdByWorkdir) return null; // COPY creates the directory: Docker applies --chown to it
        if (/(^|\s)--chown=/.test(ins.rest)) chownCopy = chownCopy ?? `${ins.kw} ${ins.rest}`;
      }
    } else if (ins.kw === 'RUN' && /\b(chown|chmod|mkdir|install|useradd|adduser)\b/.test(ins.rest)) {
      return null; // a RUN may set the ownership; trust what the build produced
    }
  }
  if (createdByWorkdir && chownCopy) {
    return `${workdir} is created by WORKDIR (root-owned) and only \`${chownCopy}\` copies into it: buildah chowns the existing directory, Docker/BuildKit keep an existing directory's owner (moby/buildkit#790; BuildKit's dockerfile_test.go stage copy_from_chowned), so under Docker the app could not create files in ${workdir}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// the FROM map and the bases

function loadMap() {
  const raw = JSON.parse(fs.readFileSync(path.join(HERE, 'from-map.json'), 'utf8')).map;
  const map = new Map(); // qualified public name -> local image
  for (const [pub, local] of Object.entries(raw)) map.set(qualify(pub), local);
  return map;
}

/** bases.sh's ONLY key for a local image. */
function baseKey(local) {
  const m = /^localhost\/([^:]+)/.exec(local);
  if (!m) return null;
  return { golang: 'golang', gcc: 'gcc', python: 'python', node: 'node', maven: 'java', 'eclipse-temurin': 'java', 'distroless-static': 'distroless' }[m[1]] ?? null;
}

function imageExists(ref) {
  return run('podman', ['image', 'exists', ref]).code === 0;
}

/** Gives every mapped local image its public name, so Dockerfiles build unchanged with --pull=never. */
function applyTags(map) {
  let n = 0;
  const ids = new Map();
  for (const [pub, local] of map) {
    if (pub.includes('@')) continue;
    if (!ids.has(local)) {
      const r = run('podman', ['image', 'inspect', '--format', '{{.Id}}', local]);
      ids.set(local, r.code === 0 ? r.out.trim() : null);
    }
    const id = ids.get(local);
    if (!id) continue;
    const cur = run('podman', ['image', 'inspect', '--format', '{{.Id}}', pub]);
    if (cur.code === 0 && cur.out.trim() === id) continue;
    const r = run('podman', ['tag', local, pub]);
    if (r.code !== 0) log(`could not tag ${local} as ${pub}: ${r.err.trim()}`);
    else n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// image inspection and running

function inspect(img) {
  const r = run('podman', ['image', 'inspect', img]);
  if (r.code !== 0) return null;
  const j = JSON.parse(r.out)[0];
  return {
    id: j.Id.slice(0, 12),
    size: j.Size,
    layers: j.RootFS?.Layers?.length ?? null,
    user: j.Config?.User ?? '',
    workdir: j.Config?.WorkingDir ?? '',
    entrypoint: j.Config?.Entrypoint ?? null,
    cmd: j.Config?.Cmd ?? null,
  };
}

/** Resolves a path inside a mounted root filesystem, following symlinks within that root. */
function globIn(root, pattern) {
  const segs = pattern.split('/').filter(Boolean);
  const found = [];
  const resolveDir = (p, depth = 0) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return null;
    if (st.isSymbolicLink() && depth < 20) {
      const target = fs.readlinkSync(p);
      let next = target.startsWith('/') ? path.join(root, target) : path.join(path.dirname(p), target);
      if (next !== root && !next.startsWith(root + '/')) next = path.join(root, path.relative(root, next).replace(/^(\.\.\/?)+/, '')); // `..` stops at /
      return resolveDir(next, depth + 1);
    }
    return st.isDirectory() ? p : null;
  };
  const walk = (dir, k, shown) => {
    const seg = segs[k];
    let names;
    if (/[*?[]/.test(seg)) {
      const re = new RegExp('^' + seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      try {
        names = fs.readdirSync(dir).filter((n) => re.test(n));
      } catch {
        names = [];
      }
    } else names = fs.lstatSync(path.join(dir, seg), { throwIfNoEntry: false }) ? [seg] : [];
    for (const n of names) {
      const p = path.join(dir, n);
      if (k === segs.length - 1) found.push(`${shown}/${n}`);
      else {
        const d = resolveDir(p);
        if (d) walk(d, k + 1, `${shown}/${n}`);
      }
    }
  };
  if (segs.length) walk(root, 0, '');
  return found;
}

/** Which of `patterns` exist in the image: { pattern: [matches] }. */
function pathsIn(img, patterns) {
  if (!patterns.length) return {};
  const m = run('podman', ['image', 'mount', img]);
  if (m.code !== 0) throw new Error(`podman image mount ${img}: ${m.err.trim()}`);
  const root = m.out.trim();
  try {
    return Object.fromEntries(patterns.map((p) => [p, globIn(root, p)]));
  } finally {
    run('podman', ['image', 'unmount', img]);
  }
}

/** uid:gid and mode of a directory inside an image, or null when it does not exist. */
function statIn(img, dir) {
  const m = run('podman', ['image', 'mount', img]);
  if (m.code !== 0) return null;
  try {
    const st = fs.statSync(path.join(m.out.trim(), dir), { throwIfNoEntry: false });
    return st ? { owner: `${st.uid}:${st.gid}`, uid: st.uid, mode: (st.mode & 0o7777).toString(8) } : null;
  } finally {
    run('podman', ['image', 'unmount', img]);
  }
}

function podmanRunArgs(bb) {
  return ['--pull=never', '--network', 'none', '-v', `${bb}:${BB_IN}:ro`];
}

/** Runs an image as its own USER and checks it works. Returns { ok, output, uid, writable, detail }. */
function exercise(img, spec, bb, logDir, side) {
  const res = { ok: false, output: '', uid: null, writable: null, detail: '' };
  const runSpec = spec.run;
  const expect = new RegExp(runSpec.expect, 'm');
  if (runSpec.mode === 'command') {
    const r = run('podman', ['run', '--rm', ...podmanRunArgs(bb), img], { timeout: 120e3 });
    res.output = (r.out + r.err).trim();
    fs.writeFileSync(path.join(logDir, `${side}.run.log`), res.output + '\n');
    res.ok = r.code === 0 && expect.test(r.out);
    if (!res.ok) res.detail = r.code !== 0 ? `exit ${r.code}${r.timedOut ? ' (timeout)' : ''}: ${tail(res.output, 4)}` : `output ${JSON.stringify(tail(res.output, 2))} does not match /${runSpec.expect}/`;
    const u = run('podman', ['run', '--rm', ...podmanRunArgs(bb), '--entrypoint', BB_IN, img, 'id', '-u'], { timeout: 60e3 });
    res.uid = u.code === 0 && /^\d+$/.test(u.out.trim()) ? Number(u.out.trim()) : null;
    if (res.uid === null) res.detail += ` (uid probe failed: ${tail(u.out + u.err, 2)})`;
    if (spec.writesWorkdir) {
      const w = run('podman', ['run', '--rm', ...podmanRunArgs(bb), '--entrypoint', BB_IN, img, 'sh', '-c', `touch ${PROBE_FILE} && rm ${PROBE_FILE}`], { timeout: 60e3 });
      res.writable = w.code === 0;
      if (!res.writable) res.writeError = tail(w.out + w.err, 2);
    }
    return res;
  }
  // http: start detached, ask from inside the container (busybox wget over loopback), then probe.
  const name = `dfl-images-${path.basename(logDir)}-${side}-${process.pid}`;
  run('podman', ['rm', '-f', name]);
  const s = run('podman', ['run', '-d', '--name', name, ...podmanRunArgs(bb), img], { timeout: 120e3 });
  if (s.code !== 0) {
    res.detail = `podman run failed (exit ${s.code}): ${tail(s.out + s.err, 4)}`;
    return res;
  }
  try {
    const url = `http://127.0.0.1:${runSpec.port}${runSpec.path}`;
    const deadline = Date.now() + (runSpec.timeoutSec ?? 40) * 1000;
    let last = '';
    while (Date.now() < deadline) {
      const st = run('podman', ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
      if (!st.out.startsWith('true')) {
        last = `the container exited (code ${st.out.trim().split(' ')[1] ?? '?'}) before answering`;
        break;
      }
      // busybox nc, not wget: Debian's static busybox wget segfaults (static glibc resolver).
      const g = run('podman', ['exec', name, BB_IN, 'sh', '-c', HTTP_GET, 'sh', runSpec.path, String(runSpec.port)], { timeout: 20e3 });
      const sep = g.out.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(g.out)?.[1];
      if (g.code === 0 && status) {
        res.output = (sep >= 0 ? g.out.slice(sep + 4) : '').trim();
        res.ok = status === '200' && expect.test(res.output);
        if (!res.ok) last = `GET ${runSpec.path} answered ${status} ${JSON.stringify(res.output.slice(0, 200))}, expected 200 /${runSpec.expect}/`;
        // The other paths the app must answer (`also`: [{path, expect}]), once it is up.
        for (const more of res.ok ? runSpec.also ?? [] : []) {
          const m = run('podman', ['exec', name, BB_IN, 'sh', '-c', HTTP_GET, 'sh', more.path, String(runSpec.port)], { timeout: 20e3 });
          const mSep = m.out.indexOf('\r\n\r\n');
          const mStatus = /^HTTP\/1\.[01] (\d{3})/.exec(m.out)?.[1];
          const body = (mSep >= 0 ? m.out.slice(mSep + 4) : '').trim();
          if (m.code === 0 && mStatus === '200' && new RegExp(more.expect, 'm').test(body)) continue;
          res.ok = false;
          last = m.code === 0 && mStatus ? `GET ${more.path} answered ${mStatus} ${JSON.stringify(body.slice(0, 200))}, expected 200 /${more.expect}/` : `GET ${more.path} failed (exit ${m.code}): ${tail(m.out + m.err, 1)}`;
          break;
        }
        break;
      }
      last = `GET ${url} failed (exit ${g.code}): ${tail(g.out + g.err, 1)}`;
      spawnSync('sleep', ['0.5']);
    }
    if (!res.ok) res.detail = last || 'no answer before the timeout';
    const st = run('podman', ['inspect', '--format', '{{.State.Running}}', name]);
    if (st.out.startsWith('true')) {
      // The uid of the app itself (PID 1), as the kernel sees it.
      const u = run('podman', ['exec', name, BB_IN, 'awk', '/^Uid:/{print $3}', '/proc/1/status']);
      res.uid = u.code === 0 && /^\d+$/.test(u.out.trim()) ? Number(u.out.trim()) : null;
      if (spec.writesWorkdir) {
        const w = run('podman', ['exec', name, BB_IN, 'sh', '-c', `touch ${PROBE_FILE} && rm ${PROBE_FILE}`]);
        res.writable = w.code === 0;
        if (!res.writable) res.writeError = tail(w.out + w.err, 2);
      }
    }
    if (res.uid === null) {
      // The app died or could not be asked: fall back to the uid its image config gives a process.
      const u = run('podman', ['run', '--rm', ...podmanRunArgs(bb), '--entrypoint', BB_IN, img, 'id', '-u'], { timeout: 60e3 });
      res.uid = u.code === 0 && /^\d+$/.test(u.out.trim()) ? Number(u.out.trim()) : null;
    }
  } finally {
    const l = run('podman', ['logs', name]);
    fs.writeFileSync(path.join(logDir, `${side}.run.log`), l.out + l.err);
    if (!res.ok) res.detail += `; container log: ${JSON.stringify(tail(l.out + l.err, 3))}`;
    run('podman', ['rm', '-f', '-t', '2', name]);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// one example

function fixWithCli(args, name) {
  const rel = path.join('examples', name, 'Dockerfile');
  const r = run(process.execPath, [args.cli, 'fix', rel], { timeout: 120e3, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.code, text: r.out, stderr: r.err.trim(), command: `node ${path.relative(ROOT, args.cli)} fix ${rel}` };
}

function evaluate(args, name, spec, fixed, map, bb, npmVolumes) {
  const dir = path.join(EXAMPLES, name);
  const logDir = path.join(RESULTS, name);
  fs.mkdirSync(logDir, { recursive: true });
  const before = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const r = { name, what: spec.what, verdict: 'FAIL', reasons: [], notes: [], cli: { command: fixed.command, exit: fixed.code, stderr: fixed.stderr }, before: {}, after: {} };
  const fail = (msg) => r.reasons.push(msg);

  // --- the fix itself
  let after = null;
  if (fixed.code !== 0) fail(`CLI fix exited ${fixed.code}${fixed.stderr ? `: ${tail(fixed.stderr, 3)}` : ''}`);
  else if (!fixed.text.trim()) fail('CLI fix printed nothing');
  else {
    after = fixed.text;
    fs.writeFileSync(path.join(logDir, 'after.Dockerfile'), after);
    r.afterDockerfile = after;
    if (after === before) fail('the fix changed nothing');
    const stages = imageRefs(after).stages;
    r.after.stages = stages.length;
    if (spec.multiStage && stages.length < 2) {
      fail(`not converted to multi-stage: the fix left ${stages.length} stage(s), the final image is still FROM ${stages.at(-1)?.image ?? '?'} (toolchain ships)`);
    }
  }
  r.before.stages = imageRefs(before).stages.length;

  // --- build
  const sides = { before, after };
  for (const side of ['before', 'after']) {
    const text = sides[side];
    if (text == null) continue;
    const unmapped = externalImages(text).filter((ref) => !map.has(qualify(ref)));
    if (unmapped.length) {
      fail(`${side}: unmapped base image ${unmapped.join(', ')} (no registry here: add a local stand-in to test/images/from-map.json + bases.sh)`);
      sides[side] = null;
      continue;
    }
    const file = side === 'before' ? path.join(dir, 'Dockerfile') : path.join(logDir, 'after.Dockerfile');
    const img = `localhost/dockerfile-lean-test/${name}:${side}`;
    const vols = spec.npm ? npmVolumes : [];
    log(`${name}: building ${side}`);
    const s = Date.now();
    const b = run('buildah', ['bud', '--layers', '--pull=never', ...(args.noCache ? ['--no-cache'] : []), ...vols, '-f', file, '-t', img, dir], {
      logFile: path.join(logDir, `${side}.build.log`),
      timeout: 20 * 60e3,
    });
    r[side].buildSeconds = secs(Date.now() - s);
    if (b.code !== 0) {
      r[side].buildError = tail(b.out, 15);
      fail(`${side === 'before' ? '[example/harness] ' : ''}${side} build failed (exit ${b.code}${b.timedOut ? ', timeout' : ''}):\n${tail(b.out, 10).replace(/^/gm, '      ')}`);
      sides[side] = null;
      continue;
    }
    Object.assign(r[side], { image: img }, inspect(img));
  }

  // --- run
  for (const side of ['before', 'after']) {
    if (!sides[side]) continue;
    log(`${name}: running ${side}`);
    const x = exercise(r[side].image, spec, bb, logDir, side);
    Object.assign(r[side], { works: x.ok, output: x.output.slice(0, 500), uid: x.uid, writable: x.writable });
    const who = side === 'before' ? '[example/harness] before' : 'after';
    if (!x.ok) fail(`${who} does not work: ${x.detail}`);
    if (spec.writesWorkdir && x.writable === false) {
      fail(`${who}: the running user (uid ${x.uid ?? '?'}) cannot write to its WORKDIR ${r[side].workdir || '/'} (${x.writeError || 'touch failed'})`);
    }
  }
  if (spec.writesWorkdir && sides.after && r.after.writable && r.after.workdir) {
    const wd = normDir(r.after.workdir);
    r.after.workdirStat = statIn(r.after.image, wd);
    const st = finalStage(sides.after);
    let baseOwned = false;
    if (st.fromIsStage) baseOwned = true; // not judged through stage chains
    else {
      const local = map.get(qualify(st.from ?? ''));
      const b = local ? statIn(local, wd) : null;
      baseOwned = !!b && b.uid !== 0;
    }
    const caveat = dockerWorkdirCaveat(sides.after, wd, baseOwned);
    if (caveat) fail(`after: WORKDIR writable only with buildah's COPY semantics — ${caveat}`);
  }
  if (sides.after) {
    if (r.after.uid == null) fail('after: could not measure the uid it runs as');
    else if (r.after.uid === 0) fail(`after runs as root (uid 0; image USER ${JSON.stringify(r.after.user)})`);
  }

  // --- toolchain gone (and the check meaningful: present before)
  if (spec.absent?.length && sides.after) {
    try {
      const inAfter = pathsIn(r.after.image, spec.absent);
      const inBefore = sides.before ? pathsIn(r.before.image, spec.absent) : {};
      r.after.present = Object.fromEntries(Object.entries(inAfter).filter(([, v]) => v.length));
      for (const p of spec.absent) {
        if (inAfter[p].length) fail(`after still contains ${p} (${inAfter[p].slice(0, 3).join(', ')})`);
        if (sides.before && !inBefore[p].length) fail(`[harness] check ${p} is vacuous: the before image does not contain it either`);
      }
    } catch (e) {
      fail(`could not inspect the image files: ${e.message}`);
    }
  }

  // --- size
  if (r.before.size && r.after.size) {
    const pct = (100 * (r.before.size - r.after.size)) / r.before.size;
    r.savingPct = Math.round(pct * 10) / 10;
    if (spec.size?.minSavingPct != null && pct < spec.size.minSavingPct) {
      const how = pct < 0 ? 'larger' : pct === 0 ? 'not smaller' : 'not small enough';
      fail(`after is ${how}: ${mb(r.before.size)} -> ${mb(r.after.size)} (${r.savingPct} % saved, ${r.after.size - r.before.size >= 0 ? '+' : ''}${r.after.size - r.before.size} bytes; expected >= ${spec.size.minSavingPct} % saved)`);
    }
    if (spec.size?.maxGrowthPct != null && -pct > spec.size.maxGrowthPct) {
      fail(`after grew: ${mb(r.before.size)} -> ${mb(r.after.size)} (${-r.savingPct} % larger, allowed ${spec.size.maxGrowthPct} %)`);
    }
  }
  r.verdict = r.reasons.length ? 'FAIL' : 'PASS';
  return r;
}

// ---------------------------------------------------------------------------------------------
// the tool's own image: built from the repository, run as the CLI

function evaluateTool(args, name, spec, map, npmVolumes) {
  const { dockerfile, context, sample, maxMB } = spec.tool;
  const file = path.join(ROOT, dockerfile);
  const logDir = path.join(RESULTS, name);
  fs.mkdirSync(logDir, { recursive: true });
  const text = fs.readFileSync(file, 'utf8');
  const r = { name, what: spec.what, verdict: 'FAIL', reasons: [], notes: [], before: {}, after: {} };
  const fail = (msg) => r.reasons.push(msg);
  const cliRun = (cliArgs, opts = {}) => run(process.execPath, [args.cli, ...cliArgs], { timeout: 120e3, env: { ...process.env, NO_COLOR: '1' }, ...opts });

  // The project's own check finds nothing in it.
  const own = cliRun(['check', dockerfile], { cwd: ROOT });
  if (own.code !== 0 || own.out.trim()) fail(`\`node dist/cli.js check ${dockerfile}\` exited ${own.code}: ${tail(own.out + own.err, 6)}`);
  r.after.stages = imageRefs(text).stages.length;
  if (r.after.stages < 2) fail(`${dockerfile} is not multi-stage (${r.after.stages} stage)`);
  const unmapped = externalImages(text).filter((ref) => !map.has(qualify(ref)));
  if (unmapped.length) {
    fail(`unmapped base image ${unmapped.join(', ')} (add a local stand-in to test/images/from-map.json + bases.sh)`);
    return r;
  }

  const img = `localhost/dockerfile-lean-test/${name}:latest`;
  log(`${name}: building ${dockerfile} (context ${context})`);
  const s = Date.now();
  const b = run('buildah', ['bud', '--layers', '--pull=never', ...(args.noCache ? ['--no-cache'] : []), ...npmVolumes, '-f', file, '-t', img, path.join(ROOT, context)], {
    logFile: path.join(logDir, 'build.log'),
    timeout: 20 * 60e3,
  });
  r.after.buildSeconds = secs(Date.now() - s);
  if (b.code !== 0) {
    fail(`build failed (exit ${b.code}${b.timedOut ? ', timeout' : ''}):\n${tail(b.out, 10).replace(/^/gm, '      ')}`);
    return r;
  }
  Object.assign(r.after, { image: img }, inspect(img));
  if (maxMB != null && r.after.size > maxMB * 1e6) fail(`the image is ${mb(r.after.size)}, more than ${maxMB} MB`);

  // `run --rm -i IMAGE check - < FILE`: the same findings and exit code as the CLI here.
  const podman = (more, input) => run('podman', ['run', '--rm', '--pull=never', '--network', 'none', ...more], { timeout: 120e3, input });
  const sampleText = fs.readFileSync(path.join(ROOT, sample), 'utf8');
  const want = cliRun(['check', '-'], { input: sampleText });
  const got = podman(['-i', img, 'check', '-'], sampleText);
  fs.writeFileSync(path.join(logDir, 'run.log'), got.out + got.err);
  r.after.output = got.out.slice(0, 500);
  r.after.works = got.code === 1 && got.out === want.out && want.code === 1 && got.out.trim() !== '';
  if (!r.after.works) fail(`\`run --rm -i ${img} check - < ${sample}\` exited ${got.code} (CLI here: ${want.code}); output:\n${tail(got.out + got.err, 8).replace(/^/gm, '      ')}`);
  const traced = podman(['-i', '-e', 'DOCKERFILE_LEAN_TRACE=1', img, 'check', '-'], sampleText);
  if (!/bundle compiled, cache used/.test(traced.err)) fail(`the image's CLI starts without its code cache:\n${tail(traced.err, 6).replace(/^/gm, '      ')}`);
  const clean = podman(['-i', img, 'check', '-'], text);
  if (clean.code !== 0 || clean.out.trim()) fail(`the image checking its own Dockerfile on stdin exited ${clean.code}: ${tail(clean.out + clean.err, 4)}`);
  // A mounted project, read by the image's user from its WORKDIR.
  const mounted = podman(['-v', `${path.join(ROOT, path.dirname(sample))}:/work:ro`, img, 'check', '--format', 'json', '.']);
  const rows = (() => {
    try {
      return JSON.parse(mounted.out);
    } catch {
      return null;
    }
  })();
  if (mounted.code !== 1 || !Array.isArray(rows) || !rows.length || !rows.every((x) => x.file === 'Dockerfile')) fail(`check of a project mounted at /work exited ${mounted.code}: ${tail(mounted.out + mounted.err, 4)}`);
  const u = podman(['--entrypoint', 'id', img, '-u']);
  r.after.uid = u.code === 0 && /^\d+$/.test(u.out.trim()) ? Number(u.out.trim()) : null;
  if (r.after.uid == null) fail(`could not measure the uid it runs as: ${tail(u.out + u.err, 2)}`);
  else if (r.after.uid === 0) fail(`runs as root (image USER ${JSON.stringify(r.after.user)})`);
  r.verdict = r.reasons.length ? 'FAIL' : 'PASS';
  return r;
}

// ---------------------------------------------------------------------------------------------
// output

function table(results) {
  const rows = [['example', 'before', 'after', 'saving', 'layers', 'after USER', 'uid', 'build s', 'verdict']];
  for (const r of results) {
    const b = r.before, a = r.after;
    rows.push([
      r.name,
      mb(b.size),
      mb(a.size),
      r.savingPct == null ? '-' : `${r.savingPct.toFixed(1)} %`,
      `${b.layers ?? '-'} -> ${a.layers ?? '-'}`,
      a.size == null ? '-' : a.user || '(root)',
      `${b.uid ?? '-'} -> ${a.uid ?? '-'}`,
      `${b.buildSeconds ?? '-'} / ${a.buildSeconds ?? '-'}`,
      r.verdict,
    ]);
  }
  const w = rows[0].map((_, k) => Math.max(...rows.map((row) => String(row[k]).length)));
  const line = (row) => row.map((c, k) => (k === 0 || k === 5 || k === 8 ? String(c).padEnd(w[k]) : String(c).padStart(w[k]))).join('  ');
  return [line(rows[0]), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// main

const args = parseArgs(process.argv.slice(2));
const allCases = JSON.parse(fs.readFileSync(path.join(HERE, 'cases.json'), 'utf8')).cases;
if (args.list) {
  for (const [n, c] of Object.entries(allCases)) process.stdout.write(`${n.padEnd(14)} ${c.what}\n`);
  process.exit(0);
}
const names = args.only ?? Object.keys(allCases);
const unknown = names.filter((n) => !allCases[n]);
if (unknown.length) fatal(`unknown example(s) ${unknown.join(', ')} (known: ${Object.keys(allCases).join(', ')})`, names.length);
const dockerfileOf = (n) => (allCases[n].tool ? path.join(ROOT, allCases[n].tool.dockerfile) : path.join(EXAMPLES, n, 'Dockerfile'));
for (const n of names) if (!fs.existsSync(dockerfileOf(n))) fatal(`${path.relative(ROOT, dockerfileOf(n))} is missing`, names.length);

// root's tools (debootstrap) live in sbin directories that a sudo/CI PATH may lack
for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!(process.env.PATH ?? '').split(':').includes(d)) process.env.PATH += `:${d}`;
preflight(args, names.length);
process.env.CONTAINERS_CONF ||= path.join(HERE, 'containers.conf');
process.env.BUILDAH_ISOLATION ||= 'chroot';
fs.mkdirSync(RESULTS, { recursive: true });
fs.mkdirSync(CACHE, { recursive: true });

// 1. the fixes (fast, and they decide which bases are needed)
const fixes = {};
for (const n of names) if (!allCases[n].tool) fixes[n] = fixWithCli(args, n);

// 2. bases for every image the before and after files name
const map = loadMap();
const needed = new Set();
for (const n of names) {
  const texts = [fs.readFileSync(dockerfileOf(n), 'utf8')];
  if (fixes[n]?.code === 0) texts.push(fixes[n].text);
  for (const t of texts) for (const ref of externalImages(t)) {
    const k = baseKey(map.get(qualify(ref)) ?? '');
    if (k) needed.add(k);
  }
}
let basesSeconds = 0;
if (!args.skipBases) {
  const only = [...needed].join(' ') || 'debian';
  log(`bases: ${only} (+ debian, buildpack-deps)`);
  const s = Date.now();
  const b = spawnSync('bash', [path.join(HERE, 'bases.sh')], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ONLY: only, CACHE_DIR: CACHE } });
  basesSeconds = secs(Date.now() - s);
  if (b.status !== 0) fatal(`bases.sh failed (exit ${b.status}); see the log above and test/images/.cache/`, names.length);
}
const tagged = applyTags(map);
if (tagged) log(`tagged ${tagged} public image name(s) onto local bases`);

// 3. the pairs
const bb = fs.realpathSync(which('busybox'));
const CA = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((p) => fs.existsSync(p));
const npmrc = path.join(CACHE, 'npmrc');
fs.writeFileSync(npmrc, `${CA ? `cafile=${CA}\n` : ''}fund=false\naudit=false\nupdate-notifier=false\n`);
const npmVolumes = [...(CA ? ['-v', `${CA}:${CA}:ro`] : []), '-v', `${npmrc}:/usr/local/etc/npmrc:ro`];

const results = [];
for (const n of names) {
  const s = Date.now();
  let r;
  try {
    r = allCases[n].tool ? evaluateTool(args, n, allCases[n], map, npmVolumes) : evaluate(args, n, allCases[n], fixes[n], map, bb, npmVolumes);
  } catch (e) {
    r = { name: n, what: allCases[n].what, verdict: 'FAIL', reasons: [`harness error: ${e.stack ?? e}`], before: {}, after: {} };
  }
  r.seconds = secs(Date.now() - s);
  log(`${n}: ${r.verdict} (${r.seconds} s)`);
  results.push(r);
}

// 4. report
const passed = results.filter((r) => r.verdict === 'PASS').length;
const failed = results.length - passed;
const totalSeconds = secs(Date.now() - t0);
process.stdout.write(`\nDockerfile Lean — proof by building (${new Date().toISOString()}, bases ${basesSeconds} s, total ${totalSeconds} s)\n\n`);
process.stdout.write(table(results) + '\n');
for (const r of results) {
  if (!r.reasons.length) continue;
  process.stdout.write(`\n${r.name}: FAIL\n${r.reasons.map((x) => `  - ${x}`).join('\n')}\n`);
  if (r.afterDockerfile) process.stdout.write(`  after-Dockerfile (test/images/results/${r.name}/after.Dockerfile):\n${r.afterDockerfile.replace(/\n$/, '').replace(/^/gm, '    | ')}\n`);
}
const report = {
  date: new Date().toISOString(),
  host: { node: process.version, buildah: run('buildah', ['--version']).out.trim(), podman: run('podman', ['--version']).out.trim() },
  options: { only: args.only, noCache: args.noCache, cli: path.relative(ROOT, args.cli) },
  basesSeconds,
  totalSeconds,
  passed,
  failed,
  results,
};
const json = JSON.stringify(report, null, 2) + '\n';
fs.writeFileSync(path.join(RESULTS, 'latest.json'), json);
fs.writeFileSync(path.join(RESULTS, `run-${report.date.replace(/[:.]/g, '-')}.json`), json);
process.stdout.write(`\nresults: ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
