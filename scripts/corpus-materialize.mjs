// Rebuilds the review corpus (corpus/manifest.tsv) from bare git directories fetched beforehand, one per
// repository, as MIRRORS_DIR/<owner>+<name>/repo (or repo/.git). Nothing is downloaded here.
//
//   node scripts/corpus-materialize.mjs MIRRORS_DIR OUT_DIR [--manifest FILE]
//
// Two manifests are kept: corpus/manifest.tsv (the default: image definitions, Windows images, tool images
// and some applications) and corpus/apps.tsv (application Dockerfiles that build a program in the image:
// Go, Node, Python, Java, .NET, Rust, Ruby, PHP, C/C++), given with --manifest. Each goes into its own OUT_DIR,
// and `npm run corpus -- OUT_DIR` reads the manifest copied there.
//
// For every row (repository, commit, path, kind) it writes OUT_DIR/<owner>+<name>/<path> as the commit has
// it, with the Dockerfile's folder around it (the build context the CLI reads: every text file under 1 MB,
// at most MAX_FOLDER_FILES of them, shallowest first, dependency and VCS folders left out) and the
// repository's top-level text files. It then copies the manifest to OUT_DIR/manifest.tsv, which
// `npm run corpus -- OUT_DIR` reads for each file's kind. Rows whose repository or commit is missing are
// listed and skipped; the exit code is 1 when any was.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const MAX_BYTES = 1 << 20;
const MAX_FOLDER_FILES = 1500;
const SKIP_DIRS = new Set(['.git', 'node_modules', 'vendor', 'bower_components', '__pycache__', '.venv', 'venv', 'target', 'dist', 'build', '.next', '.gradle']);
const BINARY_EXT = /\.(png|jpe?g|gif|webp|ico|icns|bmp|tiff?|svgz|pdf|zip|gz|tgz|bz2|xz|zst|7z|rar|tar|jar|war|ear|class|so|dylib|dll|exe|msi|bin|o|a|lib|obj|pyc|whl|woff2?|ttf|otf|eot|mp[34]|mov|avi|wav|ogg|flac|webm|wasm|db|sqlite3?|deb|rpm|apk|iso|img|dmg|pack|idx|onnx|pt|pth|safetensors|h5|npy|npz|parquet)$/i;

function usage(msg) {
  if (msg) console.error(`corpus-materialize: ${msg}`);
  console.error('usage: node scripts/corpus-materialize.mjs MIRRORS_DIR OUT_DIR [--manifest FILE]');
  process.exit(2);
}

const argv = process.argv.slice(2);
let manifest = path.join(root, 'corpus/manifest.tsv');
const pos = [];
for (let k = 0; k < argv.length; k++) {
  if (argv[k] === '--manifest') manifest = argv[++k] ?? usage('--manifest needs a file');
  else if (argv[k].startsWith('-')) usage(`unknown option ${argv[k]}`);
  else pos.push(argv[k]);
}
if (pos.length !== 2) usage();
const [mirrors, out] = pos.map((p) => path.resolve(p));

/** The manifest's rows: repository, commit, path, kind (a header line and blank lines are skipped). */
function readManifest(file) {
  const rows = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('repository\t') || line.startsWith('#')) continue;
    const [repository, commit, p, kind] = line.split('\t');
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository ?? '') || !/^[0-9a-f]{40}$/.test(commit ?? '') || !p) throw new Error(`bad manifest row: ${line}`);
    rows.push({ repository, commit, path: p, kind: kind || 'unknown' });
  }
  return rows;
}

function gitDir(repository) {
  const base = path.join(mirrors, repository.replace('/', '+'), 'repo');
  if (fs.existsSync(path.join(base, '.git'))) return path.join(base, '.git');
  return fs.existsSync(base) ? base : null;
}

const git = (dir, ...args) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

/** Blobs of a tree (recursive or not) with their sizes: [{ path, size }]. */
function listTree(dir, commit, prefix, recursive) {
  const args = ['ls-tree', '-l', '-z', ...(recursive ? ['-r'] : []), commit, ...(prefix ? ['--', prefix.endsWith('/') ? prefix : `${prefix}/`] : [])];
  const rows = [];
  for (const entry of git(dir, ...args).split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, , size] = entry.slice(0, tab).split(/\s+/);
    if (type === 'blob') rows.push({ path: entry.slice(tab + 1), size: Number(size) });
  }
  return rows;
}

/** Reads many blobs in one `git cat-file --batch`: Map path → Buffer. */
function readBlobs(dir, commit, paths) {
  const found = new Map();
  if (paths.length === 0) return found;
  const res = spawnSync('git', ['--git-dir', dir, 'cat-file', '--batch'], { input: paths.map((p) => `${commit}:${p}\n`).join(''), maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`git cat-file failed in ${dir}`);
  const buf = res.stdout;
  let at = 0;
  for (const p of paths) {
    const nl = buf.indexOf(10, at);
    const header = buf.subarray(at, nl).toString('utf8');
    at = nl + 1;
    if (header.endsWith(' missing')) continue;
    const size = Number(header.split(' ')[2]);
    found.set(p, buf.subarray(at, at + size));
    at += size + 1;
  }
  return found;
}

const keep = (p, size) => size <= MAX_BYTES && !BINARY_EXT.test(p) && !p.split('/').some((part) => SKIP_DIRS.has(part));

const rows = readManifest(manifest);
fs.mkdirSync(out, { recursive: true });
const byRepo = new Map();
for (const r of rows) (byRepo.get(r.repository) ?? byRepo.set(r.repository, []).get(r.repository)).push(r);
let missing = 0;
let written = 0;
const t0 = performance.now();
for (const [repository, list] of byRepo) {
  const dir = gitDir(repository);
  if (!dir) {
    console.error(`missing: ${repository} (no ${repository.replace('/', '+')}/repo under ${mirrors})`);
    missing += list.length;
    continue;
  }
  const into = path.join(out, repository.replace('/', '+'));
  for (const commit of new Set(list.map((r) => r.commit))) {
    try {
      git(dir, 'cat-file', '-e', `${commit}^{commit}`);
    } catch {
      console.error(`missing: ${repository}@${commit}`);
      missing += list.filter((r) => r.commit === commit).length;
      continue;
    }
    const wanted = new Set();
    for (const f of listTree(dir, commit, '', false)) if (keep(f.path, f.size)) wanted.add(f.path);
    for (const r of list.filter((x) => x.commit === commit)) {
      wanted.add(r.path);
      const folder = path.posix.dirname(r.path);
      const files = listTree(dir, commit, folder === '.' ? '' : folder, true).filter((f) => keep(f.path, f.size));
      files.sort((a, b) => a.path.split('/').length - b.path.split('/').length || (a.path < b.path ? -1 : 1));
      for (const f of files.slice(0, MAX_FOLDER_FILES)) wanted.add(f.path);
    }
    const blobs = readBlobs(dir, commit, [...wanted]);
    for (const [p, content] of blobs) {
      // Binary files are left out (the analysis reads text), the Dockerfiles themselves never.
      if (content.subarray(0, 8192).includes(0) && !list.some((r) => r.path === p)) continue;
      const target = path.join(into, ...p.split('/'));
      if (!target.startsWith(into + path.sep)) continue;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
      written++;
    }
    for (const r of list.filter((x) => x.commit === commit)) if (!blobs.has(r.path)) {
      console.error(`missing: ${repository}@${commit}:${r.path}`);
      missing++;
    }
  }
}
fs.copyFileSync(manifest, path.join(out, 'manifest.tsv'));
console.log(`corpus-materialize: ${rows.length - missing} of ${rows.length} Dockerfiles from ${byRepo.size} repositories, ${written} files written to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exit(missing ? 1 : 0);
