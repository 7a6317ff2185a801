// The launchers (dist/cli.js, dist/server.js) run their bundle with a V8 code cache: the first run
// writes it, later runs read it, and a damaged or unwritable cache changes nothing but speed. V8 checks a
// cache against the source's length only, so the launcher must also make sure a cache is this bundle's and
// comes from a folder no one else can write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'apt-tools', 'Dockerfile');
const scratch = (what) => mkdtempSync(join(tmpdir(), `dfl-${what}-`));

/** A private copy of dist/, so the test owns its cache folder. */
function distCopy() {
  const dir = scratch('launch');
  for (const f of readdirSync(join(ROOT, 'dist'))) if (/\.(js|wasm)$/.test(f)) cpSync(join(ROOT, 'dist', f), join(dir, f));
  return dir;
}
const XDG = scratch('xdg');
after(() => rmSync(XDG, { recursive: true, force: true }));
/** Runs the CLI launcher of `dir`, with a per-user cache folder of the tests' own unless `env` names one. */
const run = (dir, env = {}, opts = {}) =>
  spawnSync(process.execPath, [join(dir, 'cli.js'), 'check', '--format', 'json', EXAMPLE], { encoding: 'utf8', ...opts, env: { ...process.env, XDG_CACHE_HOME: XDG, ...env } });
const direct = (dir) => spawnSync(process.execPath, [join(dir, 'cli.main.js'), 'check', '--format', 'json', EXAMPLE], { encoding: 'utf8' });
const phases = (r) => [...r.stderr.matchAll(/^\[trace\] (\d+\.\d) (.+)$/gm)].map((m) => [Number(m[1]), m[2]]);
const traced = (r) => phases(r).map(([, what]) => what);
/** The name the launcher gives the cache of `bundle` in `dir` (bundle, Node, architecture, size, mtime). */
function cacheName(dir, bundle = 'cli.main.js') {
  const st = statSync(join(dir, bundle));
  return `${bundle}-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8cache`;
}
/** A cache file: a tag, the bundle's length (uint32 LE) and bytes, then V8's data. */
const TAG = Buffer.from('DFLV8C1\n', 'latin1');
function cacheFile(source, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(source.length);
  return Buffer.concat([TAG, len, source, data]);
}
const v8Data = (file) => file.subarray(TAG.length + 4 + file.readUInt32LE(TAG.length));

/**
 * Another script of the same length as `victim`'s CLI bundle and with its modification time, in a dist copy of
 * its own (so its cache gets the victim's cache name): when it runs, it writes `marker` and nothing else.
 */
function sameLengthScript(victim, marker) {
  const evil = distCopy();
  const real = readFileSync(join(victim, 'cli.main.js'), 'latin1');
  let p = `require("fs").writeFileSync(${JSON.stringify(marker)}, "the other script ran as uid " + process.getuid());/*`;
  p += ' '.repeat(real.length - p.length - 2) + '*/';
  writeFileSync(join(evil, 'cli.main.js'), p, 'latin1');
  const when = Math.floor(statSync(join(victim, 'cli.main.js')).mtimeMs / 1000); // whole seconds: set exactly
  for (const d of [victim, evil]) utimesSync(join(d, 'cli.main.js'), when, when);
  assert.equal(cacheName(evil), cacheName(victim));
  return evil;
}

test('the first run writes the cache, the next reads it, and the output is the same', () => {
  const dir = distCopy();
  const plain = direct(dir);
  const first = run(dir, { DOCKERFILE_LEAN_TRACE: '1' });
  assert.equal(first.status, plain.status);
  assert.equal(first.stdout, plain.stdout);
  assert.deepEqual(traced(first), ['launcher', 'bundle compiled, no cache']);
  const cache = join(dir, '.cache');
  const name = cacheName(dir);
  assert.deepEqual(readdirSync(cache), [name], 'cache written, no temp file left');
  assert.equal(statSync(cache).mode & 0o777, 0o700, 'a private folder');
  assert.equal(statSync(join(cache, name)).mode & 0o777, 0o600, 'a private file');
  assert.deepEqual(readFileSync(join(cache, name)).subarray(TAG.length + 4, TAG.length + 4 + 64), readFileSync(join(dir, 'cli.main.js')).subarray(0, 64), "the bundle's bytes are kept with the data");
  const second = run(dir, { DOCKERFILE_LEAN_TRACE: '1' });
  assert.equal(second.stdout, plain.stdout);
  assert.deepEqual(traced(second), ['launcher', 'bundle compiled, cache used']);
  assert.equal(run(dir).stderr, '', 'nothing on stderr without the trace variable');
  rmSync(dir, { recursive: true, force: true });
});

test('DOCKERFILE_LEAN_TRACE: the launcher says when it started and whether the cache was used, rejected or absent', () => {
  const dir = distCopy();
  const first = phases(run(dir, { DOCKERFILE_LEAN_TRACE: '1' }));
  assert.deepEqual(first.map(([, what]) => what), ['launcher', 'bundle compiled, no cache']);
  assert.ok(first[0][0] <= first[1][0], 'in time order');
  assert.deepEqual(traced(run(dir, { DOCKERFILE_LEAN_TRACE: '1' })), ['launcher', 'bundle compiled, cache used']);
  const file = join(dir, '.cache', cacheName(dir));
  writeFileSync(file, 'not a code cache');
  assert.deepEqual(traced(run(dir, { DOCKERFILE_LEAN_TRACE: '1' })), ['launcher', `cache file not used (not made from this bundle): ${file}`, 'bundle compiled, cache rejected']);
  // Data V8 itself rejects (here: made by another Node version's flags would be the usual case; a truncated copy will do).
  run(dir);
  const good = readFileSync(file);
  writeFileSync(file, good.subarray(0, good.length - Math.floor(v8Data(good).length / 2)));
  assert.deepEqual(traced(run(dir, { DOCKERFILE_LEAN_TRACE: '1' })), ['launcher', 'bundle compiled, cache rejected']);
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
  assert.deepEqual(readdirSync(cache), [file]);
  assert.deepEqual(traced(run(dir, { DOCKERFILE_LEAN_TRACE: '1' })), ['launcher', 'bundle compiled, cache used']);
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

test('where dist/.cache cannot be made, the cache goes to a private per-user folder, never to the temp folder', () => {
  const dir = distCopy();
  // A plain file where the folder would go: creating it fails even for root.
  writeFileSync(join(dir, '.cache'), '');
  const tmp = scratch('tmp');
  const xdg = scratch('xdg');
  const env = { TMPDIR: tmp, XDG_CACHE_HOME: join(xdg, 'not-yet') };
  const r = run(dir, { ...env, DOCKERFILE_LEAN_TRACE: '1' });
  assert.ok(r.stdout.startsWith('['));
  assert.deepEqual(traced(r), ['launcher', `cache folder not used (not a directory): ${join(dir, '.cache')}`, 'bundle compiled, no cache']);
  const mine = join(xdg, 'not-yet', 'dockerfile-lean');
  assert.deepEqual(readdirSync(mine), [cacheName(dir)]);
  assert.equal(statSync(mine).mode & 0o777, 0o700);
  assert.equal(statSync(join(xdg, 'not-yet')).mode & 0o777, 0o700, 'a cache home made for it is private too');
  assert.deepEqual(readdirSync(tmp), [], 'nothing in the temp folder');
  assert.equal(traced(run(dir, { ...env, DOCKERFILE_LEAN_TRACE: '1' })).at(-1), 'bundle compiled, cache used');
  // A relative XDG_CACHE_HOME is ignored (it would depend on the working directory); ~/.cache stands in.
  const home = scratch('home');
  const rel = run(dir, { TMPDIR: tmp, HOME: home, XDG_CACHE_HOME: 'relative/cache', DOCKERFILE_LEAN_TRACE: '1' });
  assert.equal(traced(rel).at(-1), 'bundle compiled, no cache');
  assert.deepEqual(readdirSync(join(home, '.cache', 'dockerfile-lean')), [cacheName(dir)]);
  for (const d of [dir, tmp, xdg, home]) rmSync(d, { recursive: true, force: true });
});

test('a cache made from another script of the same length is not used where the launcher looks for one', () => {
  const victim = distCopy();
  const marker = join(scratch('marker'), 'ran');
  const evil = sameLengthScript(victim, marker);
  // The other script's own run writes its cache, under the victim's cache name.
  run(evil);
  assert.ok(existsSync(marker), 'the other script ran');
  rmSync(marker);
  const name = cacheName(victim);
  const made = readFileSync(join(evil, '.cache', name));
  const plain = direct(victim);
  const xdg = scratch('xdg');
  for (const place of [join(victim, '.cache'), join(xdg, 'dockerfile-lean')]) {
    rmSync(join(victim, '.cache'), { recursive: true, force: true });
    rmSync(join(xdg, 'dockerfile-lean'), { recursive: true, force: true });
    if (place.startsWith(xdg)) writeFileSync(join(victim, '.cache'), ''); // the launcher looks in the per-user folder
    mkdirSync(place, { mode: 0o700 });
    writeFileSync(join(place, name), made, { mode: 0o600 });
    const r = run(victim, { XDG_CACHE_HOME: xdg, DOCKERFILE_LEAN_TRACE: '1' });
    assert.equal(r.stdout, plain.stdout, place);
    assert.equal(r.status, plain.status);
    assert.ok(!existsSync(marker), `the other script's code ran from ${place}`);
    assert.ok(traced(r).includes(`cache file not used (not made from this bundle): ${join(place, name)}`), r.stderr);
    assert.equal(traced(r).at(-1), 'bundle compiled, cache rejected');
    // It is replaced by the bundle's own cache, which the next run uses.
    const again = run(victim, { XDG_CACHE_HOME: xdg, DOCKERFILE_LEAN_TRACE: '1' });
    assert.equal(traced(again).at(-1), 'bundle compiled, cache used');
    assert.equal(again.stdout, plain.stdout);
    assert.ok(!existsSync(marker));
  }
  for (const d of [victim, evil, xdg, dirname(marker)]) rmSync(d, { recursive: true, force: true });
});

const asRoot = process.getuid?.() === 0;
const OTHER = 1001; // another local user (needs no account)

test('a cache in a folder or file someone else could have written is refused, even one V8 would run', { skip: !asRoot && 'giving files to another uid needs root' }, () => {
  const victim = distCopy();
  const marker = join(scratch('marker'), 'ran');
  const evil = sameLengthScript(victim, marker);
  run(evil);
  rmSync(marker);
  const name = cacheName(victim);
  // The other script's V8 data behind a copy of the victim's own bundle: only where it lies can give it away.
  const forged = cacheFile(readFileSync(join(victim, 'cli.main.js')), v8Data(readFileSync(join(evil, '.cache', name))));
  const plain = direct(victim);
  const xdg = scratch('xdg');
  const userDir = join(xdg, 'dockerfile-lean');
  const reset = () => {
    for (const d of [join(victim, '.cache'), userDir]) rmSync(d, { recursive: true, force: true });
    chmodSync(xdg, 0o700);
  };
  const plant = (dir, mode = 0o700) => {
    mkdirSync(dir, { mode });
    chmodSync(dir, mode); // past the umask
    writeFileSync(join(dir, name), forged, { mode: 0o600 });
    return join(dir, name);
  };
  const victimRun = () => run(victim, { XDG_CACHE_HOME: xdg, DOCKERFILE_LEAN_TRACE: '1' });

  // What is at stake: in a folder of the victim's, V8 takes the other script's data and runs it.
  reset();
  plant(join(victim, '.cache'));
  const control = victimRun();
  assert.equal(traced(control).at(-1), 'bundle compiled, cache used');
  assert.ok(existsSync(marker), 'the forged cache is one V8 accepts and runs');
  rmSync(marker);

  const elsewhere = scratch('elsewhere');
  const cases = {
    'dist/.cache owned by another uid': () => {
      const f = plant(join(victim, '.cache'));
      chownSync(f, OTHER, OTHER);
      chownSync(dirname(f), OTHER, OTHER);
    },
    'dist/.cache writable by its group': () => plant(join(victim, '.cache'), 0o770),
    'dist/.cache writable by others': () => plant(join(victim, '.cache'), 0o703),
    'dist/.cache a symlink to a folder of ours': () => {
      rmSync(join(elsewhere, 'linked'), { recursive: true, force: true });
      plant(join(elsewhere, 'linked'));
      symlinkSync(join(elsewhere, 'linked'), join(victim, '.cache'));
    },
    'the per-user folder in a parent writable by others': () => {
      writeFileSync(join(victim, '.cache'), '');
      plant(userDir);
      chmodSync(xdg, 0o777);
    },
    'the per-user folder owned by another uid': () => {
      writeFileSync(join(victim, '.cache'), '');
      const f = plant(userDir);
      chownSync(f, OTHER, OTHER);
      chownSync(userDir, OTHER, OTHER);
    },
    'a cache file owned by another uid': () => chownSync(plant(join(victim, '.cache')), OTHER, OTHER),
    'a cache file writable by others': () => chmodSync(plant(join(victim, '.cache')), 0o666),
    'a cache file that is a symlink': () => {
      mkdirSync(join(victim, '.cache'), { mode: 0o700 });
      writeFileSync(join(elsewhere, name), forged, { mode: 0o600 });
      symlinkSync(join(elsewhere, name), join(victim, '.cache', name));
    },
  };
  for (const [what, setUp] of Object.entries(cases)) {
    reset();
    setUp();
    const r = victimRun();
    assert.equal(r.stdout, plain.stdout, what);
    assert.ok(!existsSync(marker), `${what}: the forged cache ran`);
    assert.notEqual(traced(r).at(-1), 'bundle compiled, cache used', what);
  }
  // The refused folders got nothing written into them either.
  reset();
  cases['dist/.cache owned by another uid']();
  victimRun();
  assert.deepEqual(readdirSync(join(victim, '.cache')), [name]);
  assert.deepEqual(readFileSync(join(victim, '.cache', name)), forged);
  assert.deepEqual(readdirSync(userDir), [name], 'written to the per-user folder instead');
  assert.equal(traced(victimRun()).at(-1), 'bundle compiled, cache used');
  assert.ok(!existsSync(marker));
  for (const d of [victim, evil, xdg, elsewhere, dirname(marker)]) rmSync(d, { recursive: true, force: true });
});

test('a read-only install started by one user is not taken over through the shared temp folder by another', { skip: !asRoot && 'switching uids needs root' }, () => {
  const [attacker, user] = [OTHER, 1002];
  const victim = distCopy(); // root's: the user can read it, not write it (a system-wide install)
  chmodSync(victim, 0o755);
  const marker = join(scratch('marker'), 'ran');
  chmodSync(dirname(marker), 0o777);
  const evil = sameLengthScript(victim, marker);
  run(evil);
  rmSync(marker);
  const name = cacheName(victim);
  const forged = cacheFile(readFileSync(join(victim, 'cli.main.js')), v8Data(readFileSync(join(evil, '.cache', name))));
  // The shared temp folder, with the attacker's folders where earlier launchers looked (they took bare V8
  // data) and where a per-uid folder would be.
  const shared = scratch('shared');
  chmodSync(shared, 0o1777);
  for (const d of ['dockerfile-lean-cache', `dockerfile-lean-${user}`, `dockerfile-lean-cache-${user}`]) {
    mkdirSync(join(shared, d), { mode: 0o755 });
    writeFileSync(join(shared, d, name), d === 'dockerfile-lean-cache' ? v8Data(forged) : forged);
    chownSync(join(shared, d, name), attacker, attacker);
    chownSync(join(shared, d), attacker, attacker);
  }
  const home = scratch('home');
  chownSync(home, user, user);
  // The Dockerfile in a folder the user can read (the checkout itself may be private to its owner).
  const readable = scratch('example');
  chmodSync(readable, 0o755);
  const example = join(readable, 'Dockerfile');
  cpSync(EXAMPLE, example);
  const asUser = (env) => spawnSync('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--clear-groups', process.execPath, join(victim, 'cli.js'), 'check', '--format', 'json', example], {
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: shared, HOME: home, XDG_CACHE_HOME: '', DOCKERFILE_LEAN_TRACE: '1', ...env },
  });
  const plain = spawnSync(process.execPath, [join(victim, 'cli.main.js'), 'check', '--format', 'json', example], { encoding: 'utf8' });
  const first = asUser();
  assert.equal(first.stdout, plain.stdout, first.stderr);
  assert.ok(!existsSync(marker), 'the planted cache ran as the user');
  assert.equal(traced(first).at(-1), 'bundle compiled, no cache');
  // The user's cache went to their own folder, private, and serves the next run.
  const mine = join(home, '.cache', 'dockerfile-lean');
  assert.deepEqual(readdirSync(mine), [name]);
  assert.equal(statSync(mine).uid, user);
  assert.equal(statSync(join(mine, name)).mode & 0o777, 0o600);
  assert.equal(traced(asUser()).at(-1), 'bundle compiled, cache used');
  assert.ok(!existsSync(join(victim, '.cache')));
  for (const d of [victim, evil, shared, home, readable, dirname(marker)]) rmSync(d, { recursive: true, force: true });
});

test('writing the cache follows no symlink planted at the temp file or at the cache name', () => {
  const dir = distCopy();
  const xdg = scratch('xdg');
  const outside = scratch('outside');
  const target = join(outside, 'notes.txt');
  writeFileSync(target, 'the user\'s notes\n');
  const name = cacheName(dir);
  const dirs = [join(dir, '.cache'), join(xdg, 'dockerfile-lean')];
  for (const d of dirs) mkdirSync(d, { mode: 0o700 });
  // A preload that knows the name the launcher will pick for its temp file (the random part made constant)
  // and puts a symlink there first, in both places the launcher can write.
  const preload = join(outside, 'plant.cjs');
  writeFileSync(
    preload,
    `Math.random = () => 0.5;\nconst fs = require('fs'), path = require('path');\n` +
      `for (const d of ${JSON.stringify(dirs)}) fs.symlinkSync(${JSON.stringify(target)}, path.join(d, ${JSON.stringify(name)} + '.' + process.pid + '-' + (0.5).toString(36).slice(2) + '.tmp'));\n`,
  );
  const plain = direct(dir);
  const r = run(dir, { XDG_CACHE_HOME: xdg, NODE_OPTIONS: `--require ${preload}` });
  assert.equal(r.stdout, plain.stdout, r.stderr);
  assert.equal(readFileSync(target, 'utf8'), 'the user\'s notes\n', 'written through the symlink');
  for (const d of dirs) {
    const names = readdirSync(d);
    assert.equal(names.length, 1, names.join());
    assert.ok(lstatSync(join(d, names[0])).isSymbolicLink(), 'the planted link is left alone, nothing written beside it');
  }
  // A symlink at the cache name itself: not read, and replaced (not written through) by the new cache.
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  mkdirSync(dirs[0], { mode: 0o700 });
  symlinkSync(target, join(dirs[0], name));
  const second = run(dir, { XDG_CACHE_HOME: xdg, DOCKERFILE_LEAN_TRACE: '1' });
  assert.equal(traced(second).at(-1), 'bundle compiled, no cache');
  assert.equal(readFileSync(target, 'utf8'), 'the user\'s notes\n');
  assert.ok(lstatSync(join(dirs[0], name)).isFile());
  assert.equal(traced(run(dir, { XDG_CACHE_HOME: xdg, DOCKERFILE_LEAN_TRACE: '1' })).at(-1), 'bundle compiled, cache used');
  for (const d of [dir, xdg, outside]) rmSync(d, { recursive: true, force: true });
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

test('every file the bundles load from dist/ is packed into the extension and the npm package (package.json "files")', () => {
  // vsce and npm both pack what "files" names (the repo has no .vscodeignore: vsce refuses both at once).
  assert.ok(!existsSync(join(ROOT, '.vscodeignore')), 'one allow-list: package.json "files"');
  const allowed = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files.map(
    (l) => new RegExp(`^${l.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`),
  );
  const packed = (file) => allowed.some((re) => re.test(file));
  const loaded = new Set(['dist/server.js', 'dist/cli.js', 'dist/extension.js', 'dist/action.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-bash.wasm']);
  for (const bundle of ['server.main.js', 'cli.main.js']) {
    loaded.add(`dist/${bundle}`);
    for (const m of readFileSync(join(ROOT, 'dist', bundle), 'utf8').matchAll(/require\("\.\/([^"]+)"\)/g)) loaded.add(`dist/${m[1]}`);
  }
  assert.ok(loaded.has('dist/vendor-yaml.js'), 'the YAML reader is a file of its own');
  for (const file of loaded) {
    assert.ok(existsSync(join(ROOT, file)), `${file} is built`);
    assert.ok(packed(file), `${file} is not in package.json "files"`);
  }
});
