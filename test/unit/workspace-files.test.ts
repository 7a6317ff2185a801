/** The adapters' reader of the files next to a Dockerfile: inside the folder only, cached until the file changes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cachedFiles, folderFiles } from '../../server/src/node/workspace-files';

describe('folderFiles', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-files-'));
  const dir = path.join(root, 'app');
  fs.mkdirSync(path.join(dir, 'cmd', 'api'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/api\n');
  fs.writeFileSync(path.join(dir, 'cmd', 'api', 'main.go'), 'package main\n');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'outside\n');
  const files = folderFiles(dir);

  it('reads files by relative POSIX path', () => {
    assert.equal(files.read('go.mod'), 'module example.com/api\n');
    assert.equal(files.read('cmd/api/main.go'), 'package main\n');
    assert.equal(files.read('./go.mod'), 'module example.com/api\n');
  });
  it('returns null for missing files and folders', () => {
    assert.equal(files.read('package.json'), null);
    assert.equal(files.read('cmd'), null);
    assert.equal(files.read(''), null);
  });
  it('never leaves the folder', () => {
    assert.equal(files.read('../secret.txt'), null);
    assert.equal(files.read('cmd/../../secret.txt'), null);
    assert.equal(files.read(path.join(root, 'secret.txt')), null);
    assert.equal(files.read('/etc/hostname'), null);
  });
  it('lists a folder: names, folders with a trailing slash, sorted; never outside the root', () => {
    assert.deepEqual(files.list!(''), ['cmd/', 'go.mod']);
    assert.deepEqual(files.list!('cmd'), ['api/']);
    assert.deepEqual(files.list!('cmd/api/'), ['main.go']);
    assert.equal(files.list!('nothing'), null);
    assert.equal(files.list!('go.mod'), null);
    assert.equal(files.list!('..'), null);
    assert.equal(files.list!('cmd/../..'), null);
    assert.equal(files.list!('/etc'), null);
    fs.symlinkSync(root, path.join(dir, 'up'));
    try {
      assert.equal(files.list!('up'), null, 'a link to a folder outside the root is not listed');
    } finally {
      fs.unlinkSync(path.join(dir, 'up'));
    }
  });
  it('sees an entry added to a listed folder', () => {
    assert.deepEqual(files.list!('cmd/api'), ['main.go']);
    fs.writeFileSync(path.join(dir, 'cmd', 'api', 'routes.go'), 'package main\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'cmd', 'api'), later, later);
    assert.deepEqual(files.list!('cmd/api'), ['main.go', 'routes.go']);
    fs.unlinkSync(path.join(dir, 'cmd', 'api', 'routes.go'));
  });
  it('sees a changed file', () => {
    const f = path.join(dir, 'go.mod');
    fs.writeFileSync(f, 'module example.com/other/longer\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(f, later, later);
    assert.equal(files.read('go.mod'), 'module example.com/other/longer\n');
  });
  it('skips files over 1 MB', () => {
    fs.writeFileSync(path.join(dir, 'big.json'), 'x'.repeat((1 << 20) + 1));
    assert.equal(files.read('big.json'), null);
  });

  it('keeps the cache bounded: about 32 MB of text, however many large project files are read', () => {
    const big = path.join(root, 'big');
    fs.mkdirSync(big, { recursive: true });
    const text = 'x'.repeat(1000 * 1000);
    for (let k = 0; k < 60; k++) fs.writeFileSync(path.join(big, `f${k}.json`), text);
    const reader = folderFiles(big);
    for (let k = 0; k < 60; k++) {
      assert.equal(reader.read(`f${k}.json`)?.length, text.length);
      assert.ok(cachedFiles().chars <= 32 << 20, `after ${k + 1} files: ${cachedFiles().chars} characters cached`);
    }
    // Still served from the cache while it is unchanged.
    assert.equal(reader.read('f59.json')?.length, text.length);
  });
});

describe('folderFiles: compose files around the build context', () => {
  it('finds them in the folder and above it up to the repository root, with the path down and the .env beside', () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-compose-'));
    const repo = path.join(top, 'repo');
    fs.mkdirSync(path.join(repo, '.git'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'services', 'api'), { recursive: true });
    fs.writeFileSync(path.join(top, 'compose.yaml'), 'services: {}\n');
    fs.writeFileSync(path.join(repo, 'docker-compose.yml'), 'services:\n  api:\n    build: ./services/api\n');
    fs.writeFileSync(path.join(repo, '.env'), 'TAG=1\n');
    fs.writeFileSync(path.join(repo, 'services', 'api', 'compose.yaml'), 'services: {}\n');
    fs.writeFileSync(path.join(repo, 'docker-compose.tailscale.yml'), 'services: {}\n');
    fs.writeFileSync(path.join(repo, 'compose-notes.txt'), 'not a compose file\n');
    const found = folderFiles(path.join(repo, 'services', 'api')).composeFiles!();
    assert.deepEqual(found.map((c) => [c.name, c.dir, c.env ?? null]), [
      ['compose.yaml', '', null],
      ['docker-compose.yml', 'services/api', 'TAG=1\n'],
      ['docker-compose.tailscale.yml', 'services/api', 'TAG=1\n'],
    ]);
  });
});
