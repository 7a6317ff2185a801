// The launchers (dist/cli.js, dist/server.js) run their bundle with a V8 code cache: the first run
// writes it, later runs read it, and a damaged or unwritable cache changes nothing but speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'apt-tools', 'Dockerfile');

/** A private copy of dist/, so the test owns its cache folder. */
function distCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'dfl-launch-'));
  for (const f of readdirSync(join(ROOT, 'dist'))) if (/\.(js|wasm)$/.test(f)) cpSync(join(ROOT, 'dist', f), join(dir, f));
  return dir;
}
const run = (dir, env = {}) => spawnSync(process.execPath, [join(dir, 'cli.js'), 'check', '--format', 'json', EXAMPLE], { encoding: 'utf8', env: { ...process.env, ...env } });

test('the first run writes the cache, the next reads it, and the output is the same', () => {
  const dir = distCopy();
  const direct = spawnSync(process.execPath, [join(dir, 'cli.main.js'), 'check', '--format', 'json', EXAMPLE], { encoding: 'utf8' });
  const first = run(dir);
  assert.equal(first.status, direct.status);
  assert.equal(first.stdout, direct.stdout);
  assert.equal(first.stderr, '');
  const cache = join(dir, '.cache');
  assert.ok(existsSync(cache) && readdirSync(cache).some((f) => f.startsWith('cli.main.js-') && f.endsWith('.v8cache')), 'cache written');
  const second = run(dir);
  assert.equal(second.stdout, direct.stdout);
  assert.equal(second.stderr, '');
  rmSync(dir, { recursive: true, force: true });
});

test('DOCKERFILE_LEAN_TRACE: the launcher says when it started and whether the cache was used, rejected or absent', () => {
  const dir = distCopy();
  const phases = (r) => [...r.stderr.matchAll(/^\[trace\] (\d+\.\d) (.+)$/gm)].map((m) => [Number(m[1]), m[2]]);
  const first = phases(run(dir, { DOCKERFILE_LEAN_TRACE: '1' }));
  assert.deepEqual(first.map(([, what]) => what), ['launcher', 'bundle compiled, no cache']);
  assert.ok(first[0][0] <= first[1][0], 'in time order');
  assert.deepEqual(phases(run(dir, { DOCKERFILE_LEAN_TRACE: '1' })).map(([, what]) => what), ['launcher', 'bundle compiled, cache used']);
  const cache = join(dir, '.cache');
  writeFileSync(join(cache, readdirSync(cache)[0]), 'not a code cache');
  assert.deepEqual(phases(run(dir, { DOCKERFILE_LEAN_TRACE: '1' })).map(([, what]) => what), ['launcher', 'bundle compiled, cache rejected']);
  assert.equal(run(dir).stderr, '', 'nothing on stderr without the variable');
  rmSync(dir, { recursive: true, force: true });
});

test('a damaged cache is rejected and rewritten, not trusted', () => {
  const dir = distCopy();
  run(dir);
  const cache = join(dir, '.cache');
  const [file] = readdirSync(cache);
  writeFileSync(join(cache, file), 'not a code cache');
  const r = run(dir);
  assert.equal(r.stderr, '');
  assert.ok(r.stdout.startsWith('['));
  assert.ok(readdirSync(cache).length === 1);
  rmSync(dir, { recursive: true, force: true });
});

test("a new build's cache replaces the caches of earlier builds for the same Node, and leaves other Nodes' alone", () => {
  const dir = distCopy();
  const cache = join(dir, '.cache');
  run(dir);
  const [mine] = readdirSync(cache);
  const parts = mine.split('-'); // bundle, Node version, arch, size, mtime
  const earlierBuild = [...parts.slice(0, 3), '1', '2.v8cache'].join('-');
  const otherNode = [parts[0], 'v1.0.0', ...parts.slice(2)].join('-');
  const otherBundle = ['server.main.js', ...parts.slice(1, 3), '1', '2.v8cache'].join('-');
  for (const f of [earlierBuild, otherNode, otherBundle]) writeFileSync(join(cache, f), 'x');
  rmSync(join(cache, mine)); // the next run writes a cache again
  assert.equal(run(dir).stderr, '');
  assert.deepEqual(readdirSync(cache).sort(), [mine, otherNode, otherBundle].sort());
  rmSync(dir, { recursive: true, force: true });
});

test('where dist/.cache cannot be made, the cache goes to the temp folder', () => {
  const dir = distCopy();
  // A plain file where the folder would go: creating it fails even for root.
  writeFileSync(join(dir, '.cache'), '');
  const tmp = mkdtempSync(join(tmpdir(), 'dfl-tmp-'));
  const r = run(dir, { TMPDIR: tmp });
  assert.equal(r.stderr, '');
  assert.ok(r.stdout.startsWith('['));
  assert.ok(readdirSync(join(tmp, 'dockerfile-lean-cache')).some((f) => f.endsWith('.v8cache')));
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

test('the grammar the launcher compiles early gives the same findings as the bundle loading it itself', () => {
  const dir = distCopy();
  for (const file of [EXAMPLE, join(ROOT, 'examples', 'go-service', 'Dockerfile'), join(ROOT, 'bench', 'corpus', 'gen-1000.Dockerfile')].filter(existsSync)) {
    const direct = spawnSync(process.execPath, [join(dir, 'cli.main.js'), 'check', '--format', 'json', file], { encoding: 'utf8' });
    const launched = spawnSync(process.execPath, [join(dir, 'cli.js'), 'check', '--format', 'json', file], { encoding: 'utf8' });
    assert.equal(launched.stdout, direct.stdout, file);
    assert.equal(launched.status, direct.status);
    assert.ok(JSON.parse(launched.stdout).some((f) => f.rule === 'merge-run' || f.rule === 'apt-hygiene' || f.rule === 'multi-stage'), 'shell rules ran');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a damaged grammar file: the CLI stops with a message, the server logs it and keeps serving', async () => {
  const dir = distCopy();
  writeFileSync(join(dir, 'tree-sitter-bash.wasm'), 'not WebAssembly');
  const r = spawnSync(process.execPath, [join(dir, 'cli.js'), 'check', EXAMPLE], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 3, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  assert.match(r.stderr, /^dockerfile-lean: internal error: /);
  const { withServer } = await import('../lsp/client.mjs');
  await withServer({ server: join(dir, 'server.js') }, async (c) => {
    const { diagnostics } = await c.open('FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n');
    assert.deepEqual([...new Set(diagnostics.map((d) => d.code))], ['non-root-user']);
    assert.ok(c.logs.some((l) => l.includes('shell grammar failed to load')), c.logs.join('\n'));
  });
  rmSync(dir, { recursive: true, force: true });
});

test('every file the bundles load from dist/ is packed into the extension (.vscodeignore)', () => {
  const allowed = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) => new RegExp(`^${l.slice(1).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));
  const packed = (file) => allowed.some((re) => re.test(file));
  const loaded = new Set(['dist/server.js', 'dist/cli.js', 'dist/extension.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-bash.wasm']);
  for (const bundle of ['server.main.js', 'cli.main.js']) {
    loaded.add(`dist/${bundle}`);
    for (const m of readFileSync(join(ROOT, 'dist', bundle), 'utf8').matchAll(/require\("\.\/([^"]+)"\)/g)) loaded.add(`dist/${m[1]}`);
  }
  assert.ok(loaded.has('dist/vendor-yaml.js'), 'the YAML reader is a file of its own');
  for (const file of loaded) {
    assert.ok(existsSync(join(ROOT, file)), `${file} is built`);
    assert.ok(packed(file), `${file} is not in .vscodeignore's allow-list`);
  }
});
