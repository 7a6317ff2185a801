// The GitHub Action (action.yml → dist/action.js) run the way the runner runs a node20 action: every input as
// INPUT_<NAME> (upper-cased, spaces as underscores; action.yml's defaults for inputs the workflow leaves out),
// the workspace as the working directory and GITHUB_WORKSPACE, and the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files the runner reads afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSarifValid } from './sarif.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const YAML = createRequire(import.meta.url)('yaml');
const ACTION = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
const CLI = path.join(ROOT, 'dist/cli.js');

let tmp, workspace, n = 0;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-action-'));
  workspace = path.join(tmp, 'workspace');
  // A folder name with the characters annotation properties must escape (`,` and `:`).
  fs.mkdirSync(path.join(workspace, 'svc,a:b'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'svc,a:b/Dockerfile'), 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD ["curl", "--version"]\n');
  fs.writeFileSync(path.join(workspace, 'app.Dockerfile'), 'FROM debian:bookworm-slim\nUSER 1000\nCMD ["true"]\n');
  fs.writeFileSync(path.join(workspace, 'lean.yaml'), 'rules:\n  apt-hygiene: off\n  merge-run: off\n');
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs dist/action.js as the runner would, with `inputs` (by their action.yml names) over the defaults. */
function runAction(inputs = {}, actionDir = ROOT) {
  const step = path.join(tmp, `step${++n}`);
  fs.mkdirSync(step);
  const env = { ...process.env, GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: path.join(step, 'output'), GITHUB_STEP_SUMMARY: path.join(step, 'summary'), RUNNER_TEMP: step };
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) delete env[k];
  for (const [name, spec] of Object.entries(ACTION.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  fs.writeFileSync(env.GITHUB_OUTPUT, '');
  fs.writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  const r = spawnSync(process.execPath, [path.join(actionDir, ACTION.runs.main)], { cwd: workspace, env, encoding: 'utf8' });
  return { ...r, outputs: readFileCommand(fs.readFileSync(env.GITHUB_OUTPUT, 'utf8')), summary: fs.readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8') };
}

/** The runner's reading of a GITHUB_OUTPUT file: `name=value` lines, or `name<<DELIMITER` … `DELIMITER`. */
function readFileCommand(text) {
  const out = {};
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], k + 1);
      assert.ok(end > k, `no closing delimiter for ${heredoc[1]}`);
      out[heredoc[1]] = lines.slice(k + 1, end).join('\n');
      k = end;
    } else {
      const eq = line.indexOf('=');
      assert.ok(eq > 0, `not a file command line: ${line}`);
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

test('action.yml follows the metadata conventions: node20, a main in dist/, the inputs and the SARIF output', () => {
  assert.equal(ACTION.runs.using, 'node20');
  assert.equal(ACTION.runs.main, 'dist/action.js');
  assert.ok(fs.existsSync(path.join(ROOT, ACTION.runs.main)), 'built by npm run build');
  assert.deepEqual(Object.keys(ACTION.inputs), ['paths', 'format', 'severity-threshold', 'config', 'sarif-file']);
  for (const spec of Object.values(ACTION.inputs)) assert.equal(typeof spec.description, 'string');
  assert.ok(ACTION.outputs['sarif-file'].description);
  assert.ok(ACTION.name && ACTION.description);
});

test('findings become annotations (escaped like the CLI github format), a valid SARIF file and the sarif-file output; a warning fails the step', () => {
  const r = runAction();
  assert.equal(r.status, 1, r.stderr);
  const cli = spawnSync(process.execPath, [CLI, 'check', '--format', 'github', '.'], { cwd: workspace, encoding: 'utf8' });
  assert.equal(r.stdout, cli.stdout, 'the same annotation lines as the CLI');
  // The lone apt-get update on line 2 is reported inside the merge of lines 2-3 that resolves it.
  assert.match(r.stdout, /^::warning file=svc%2Ca%3Ab\/Dockerfile,line=2,endLine=3,title=dockerfile-lean merge-run::Merge these 2 RUN instructions: apt-get update on line 2/m);

  const sarifFile = r.outputs['sarif-file'];
  assert.equal(sarifFile, path.join(workspace, 'dockerfile-lean.sarif'));
  const log = JSON.parse(fs.readFileSync(sarifFile, 'utf8'));
  assertSarifValid(log);
  const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::')).length;
  assert.equal(log.runs[0].results.length, annotations, 'one SARIF result per annotation');

  assert.match(r.summary, /^### Dockerfile Lean$/m);
  const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning')).length;
  assert.ok(warnings > 0);
  assert.match(r.summary, new RegExp(`^\\| warning \\| ${warnings} \\|$`, 'm'));
  assert.match(r.summary, /the step fails/);
});

test('severity-threshold error lets warnings pass; paths, config and sarif-file inputs are honoured', () => {
  const r = runAction({ 'severity-threshold': 'error', paths: 'svc,a:b\napp.Dockerfile', config: 'lean.yaml', 'sarif-file': 'reports/lean.sarif' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /apt-hygiene|merge-run/, 'the config turned these off');
  assert.match(r.stdout, /^::warning file=svc%2Ca%3Ab\/Dockerfile,.*non-root-user/m);
  assert.equal(r.outputs['sarif-file'], path.join(workspace, 'reports/lean.sarif'));
  assertSarifValid(JSON.parse(fs.readFileSync(r.outputs['sarif-file'], 'utf8')));
  assert.match(r.summary, /Nothing at or above `error`/);
});

test('a clean workspace passes; a bad input is a usage error (exit 2) with the CLI message', () => {
  const clean = runAction({ paths: 'app.Dockerfile' });
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(clean.stdout, '');
  assert.match(clean.summary, /No findings\./);
  assert.deepEqual(JSON.parse(fs.readFileSync(clean.outputs['sarif-file'], 'utf8')).runs[0].results, []);

  const bad = runAction({ 'severity-threshold': 'fatal' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown severity 'fatal'/);
});

test('a release tag (scripts/release-action.mjs) carries the built dist/ the action runs, with nothing built or installed where it is used', () => {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
  const git = (args, cwd) => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const repo = path.join(tmp, 'release-repo');
  git(['clone', '-q', ROOT, repo], tmp);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(repo, 'node_modules'));
  const version = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version;
  const rel = spawnSync(process.execPath, ['scripts/release-action.mjs', `v${version}`], { cwd: repo, encoding: 'utf8', env });
  assert.equal(rel.status, 0, rel.stderr);
  assert.equal(git(['ls-tree', '--name-only', 'HEAD', 'dist/'], repo), '', 'the branch has no dist/');
  const tagged = git(['ls-tree', '--name-only', `v${version}`, 'dist/'], repo).split('\n');
  for (const f of ['dist/action.js', 'dist/cli.js', 'dist/cli.main.js', 'dist/tree-sitter-bash.wasm']) assert.ok(tagged.includes(f), `${f} is in the tag`);
  assert.ok(!tagged.some((f) => f.endsWith('.map')), 'no source maps');
  // What the runner does with `uses: owner/repo@TAG`: a copy of the tag's tree, then node on runs.main.
  const used = path.join(tmp, 'used-action');
  git(['clone', '-q', '--depth', '1', '--branch', `v${version}`, `file://${repo}`, used], tmp);
  assert.ok(!fs.existsSync(path.join(used, 'node_modules')));
  const r = runAction({}, used);
  assert.equal(r.status, 1, r.stderr);
  const cli = spawnSync(process.execPath, [CLI, 'check', '--format', 'github', '.'], { cwd: workspace, encoding: 'utf8' });
  assert.equal(r.stdout, cli.stdout);
  assertSarifValid(JSON.parse(fs.readFileSync(r.outputs['sarif-file'], 'utf8')));
});
