// The pre-commit hooks (.pre-commit-hooks.yaml) with the real pre-commit: a temporary git repository whose
// .pre-commit-config.yaml names a git copy of this repository as the hook repo (`repo: <path>`, `rev: <commit>`;
// pre-commit clones it, runs `npm install`, `npm pack` — whose prepack builds dist/ — and `npm install -g`).
// A finding fails `git commit`; the fix hook rewrites the file and stops the commit until it is added.
// Needs pre-commit (Debian's package; installed with apt-get when missing and run as root), git, and the npm
// registry (the hook repo's devDependencies are installed to build it). Slow (a minute or more): its own layer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const BAD = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD ["curl", "--version"]\n';
const CLEAN = 'FROM debian:bookworm-slim\nUSER 1000\nCMD ["true"]\n';

let tmp, hookRepo, rev, env;

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 15 * 60e3, ...opts });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}
const which = (name) => (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, name)));

function ensurePreCommit() {
  if (which('pre-commit')) return;
  if (process.getuid?.() === 0 && which('apt-get')) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 10 * 60e3 });
    spawnSync('apt-get', ['install', '-y', 'pre-commit'], { stdio: 'ignore', timeout: 15 * 60e3, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  assert.ok(which('pre-commit'), 'pre-commit is not installed and could not be installed (apt-get install -y pre-commit, as root)');
}

before(() => {
  ensurePreCommit();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-pre-commit-'));
  env = {
    ...process.env,
    PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home'),
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    GIT_CONFIG_GLOBAL: path.join(tmp, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  fs.writeFileSync(env.GIT_CONFIG_GLOBAL, '[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n');
  // The hook repo: this checkout's files as they are on disk (tracked and new, not ignored), committed.
  hookRepo = path.join(tmp, 'hook-repo');
  fs.mkdirSync(hookRepo);
  const files = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }).out.split('\0').filter(Boolean);
  for (const f of files) {
    const src = path.join(ROOT, f);
    if (!fs.existsSync(src) || !fs.statSync(src).isFile()) continue; // deleted in the work tree
    fs.mkdirSync(path.dirname(path.join(hookRepo, f)), { recursive: true });
    fs.copyFileSync(src, path.join(hookRepo, f));
  }
  for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-q', '-m', 'hook repo']]) assert.equal(sh('git', args, { cwd: hookRepo }).code, 0);
  rev = sh('git', ['rev-parse', 'HEAD'], { cwd: hookRepo }).out.trim();
});

after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

/** A new git repository using the hook `id`, with pre-commit's git hook installed. */
function project(name, id, files) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  assert.equal(sh('git', ['init', '-q'], { cwd: dir }).code, 0);
  fs.writeFileSync(path.join(dir, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: ${id}\n`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const inst = sh('pre-commit', ['install'], { cwd: dir });
  assert.equal(inst.code, 0, inst.out);
  assert.equal(sh('git', ['add', '-A'], { cwd: dir }).code, 0);
  return dir;
}

const NAMES = ['Dockerfile', 'Dockerfile.web', 'svc/api.Dockerfile', 'svc/worker.dockerfile', 'Containerfile', 'ops/Containerfile.prod'];

test('the check hook fails a commit with a finding in any Dockerfile name, and passes a clean one', () => {
  const files = Object.fromEntries(NAMES.map((n) => [n, BAD]));
  files['docs/notes.md'] = 'RUN apt-get update\n';
  const dir = project('check', 'dockerfile-lean', files);
  const commit = sh('git', ['commit', '-m', 'add Dockerfiles'], { cwd: dir });
  assert.notEqual(commit.code, 0, `the commit went through:\n${commit.out}`);
  assert.match(commit.out, /dockerfile-lean check\.+Failed/);
  // The lone apt-get update is reported by merge-run, whose merge resolves it (the update is its related finding).
  for (const n of NAMES) assert.match(commit.out, new RegExp(`^${n.replace(/\./g, '\\.')}:2:1 warning merge-run `, 'm'), `${n} was checked`);
  assert.doesNotMatch(commit.out, /notes\.md/);
  assert.equal(sh('git', ['rev-parse', '-q', '--verify', 'HEAD'], { cwd: dir }).code, 1, 'nothing was committed');

  for (const n of NAMES) fs.writeFileSync(path.join(dir, n), CLEAN);
  assert.equal(sh('git', ['add', '-A'], { cwd: dir }).code, 0);
  const again = sh('git', ['commit', '-m', 'clean Dockerfiles'], { cwd: dir });
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /dockerfile-lean check\.+Passed/);
});

test('the fix hook rewrites the file as `dockerfile-lean fix` does, stops the commit, and passes once the fix is added', () => {
  const dir = project('fix', 'dockerfile-lean-fix', { 'Dockerfile.web': BAD });
  const expected = sh(process.execPath, [CLI, 'fix', path.join(dir, 'Dockerfile.web')], { cwd: dir });
  assert.equal(expected.code, 0);
  assert.notEqual(expected.out, BAD);
  const commit = sh('git', ['commit', '-m', 'add'], { cwd: dir });
  assert.notEqual(commit.code, 0, commit.out);
  assert.match(commit.out, /files were modified by this hook/);
  assert.equal(fs.readFileSync(path.join(dir, 'Dockerfile.web'), 'utf8'), expected.out);
  assert.equal(sh('git', ['add', '-A'], { cwd: dir }).code, 0);
  const again = sh('git', ['commit', '-m', 'add, fixed'], { cwd: dir });
  assert.equal(again.code, 0, again.out);
});
