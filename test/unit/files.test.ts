/**
 * The adapters' file access (node/files.ts and its users): bounded reads that never block on a FIFO nor run
 * on through a procfs file, reads that stay inside the build context by real path, discovery that does not
 * leave the tree it was given, the atomic replacement of `fix --write`, and config and ignore files that a
 * search finds but must not take (planted by another user, or a link out of the repository).
 *
 * The tests run as root (here and in CI): another user's files are made with chown.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Connection } from 'vscode-languageserver';
import { readBounded, replaceFile, WriteRefused } from '../../server/src/node/files';
import { folderFiles } from '../../server/src/node/workspace-files';
import { configForDir, loadConfig } from '../../server/src/node/config';
import { discoverDir, expandGlob } from '../../server/src/node/discover';
import { SettingsStore } from '../../server/src/lsp/settings';

const PAGEMAP = '/proc/self/pagemap'; // reads 8 bytes per page of the address space: hundreds of GB
const OTHER_UID = 4321;

let tmp = '';
before(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-files-')));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Creates files (path → content; a value `-> target` makes a symbolic link) under a new folder; returns its path. */
function tree(files: Record<string, string>): string {
  const root = path.join(tmp, `t${++n}`);
  fs.mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    if (rel.endsWith('/')) fs.mkdirSync(f, { recursive: true });
    else if (content.startsWith('-> ')) fs.symlinkSync(content.slice(3), f);
    else fs.writeFileSync(f, content);
  }
  return root;
}

/** Runs `work` and returns how much the resident set grew (MB) while it ran. */
function rssGrowth(work: () => void): number {
  const before = process.memoryUsage().rss;
  work();
  return (process.memoryUsage().rss - before) / (1 << 20);
}

const tmpFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('readBounded', () => {
  it('reads a regular file whole', () => {
    const root = tree({ 'a.txt': 'hello\n' });
    const r = readBounded(path.join(root, 'a.txt'), { maxBytes: 100 });
    assert.ok(r.ok);
    assert.equal(r.data.toString(), 'hello\n');
    assert.ok(r.stat.isFile());
  });

  it('a procfs file that says size 0 and never ends: "too large" after the limit, memory bounded', () => {
    let r: ReturnType<typeof readBounded> | undefined;
    const grew = rssGrowth(() => {
      r = readBounded(PAGEMAP, { maxBytes: 1 << 20 });
    });
    assert.deepEqual(r, { ok: false, problem: 'too-large' });
    assert.ok(grew < 32, `RSS grew ${grew.toFixed(1)} MB`);
  });

  it('a FIFO without a writer is not waited on; devices and folders are no files', () => {
    const root = tree({ 'sub/': '' });
    const fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.equal(readBounded(fifo, { maxBytes: 100 }).ok, false);
    assert.deepEqual(readBounded(fifo, { maxBytes: 100 }), { ok: false, problem: 'not-file' });
    assert.deepEqual(readBounded('/dev/zero', { maxBytes: 100 }), { ok: false, problem: 'not-file' });
    assert.equal((readBounded(path.join(root, 'sub'), { maxBytes: 100 }) as { problem: string }).problem, 'not-file');
    // Named by the user, a stream is read (bounded): /dev/zero has no end.
    assert.deepEqual(readBounded('/dev/zero', { maxBytes: 1000, streams: true }), { ok: false, problem: 'too-large' });
    assert.equal(readBounded(path.join(root, 'missing'), { maxBytes: 100 }).ok, false);
  });

  it('noFollow refuses a link; within refuses a real path outside the folder and accepts one inside', () => {
    const root = tree({ 'ctx/in.txt': 'in\n', 'ctx/link-in': '-> in.txt', 'ctx/link-out': '-> ../out.txt', 'out.txt': 'secret\n', 'ctx/dir-out': '-> ..' });
    const ctx = path.join(root, 'ctx');
    assert.equal((readBounded(path.join(ctx, 'link-in'), { maxBytes: 100, noFollow: true }) as { problem: string }).problem, 'link');
    assert.deepEqual(readBounded(path.join(ctx, 'link-out'), { maxBytes: 100, within: ctx }), { ok: false, problem: 'outside' });
    assert.deepEqual(readBounded(path.join(ctx, 'dir-out', 'out.txt'), { maxBytes: 100, within: ctx }), { ok: false, problem: 'outside' });
    const r = readBounded(path.join(ctx, 'link-in'), { maxBytes: 100, within: ctx });
    assert.ok(r.ok && r.data.toString() === 'in\n');
  });
});

describe('folderFiles: the build context by real path', () => {
  it('links out of the folder (file or folder links) count as no file; links inside are read', () => {
    const root = tree({
      'outside/pom.xml': '<project><artifactId>OUTSIDE</artifactId></project>',
      'ctx/pom.xml': '-> ../outside/pom.xml',
      'ctx/up': '-> ../outside',
      'ctx/abs': `-> ${path.join(tmp, 'nowhere')}`,
      'ctx/real/go.mod': 'module example.com/x\n',
      'ctx/go.mod': '-> real/go.mod',
    });
    const files = folderFiles(path.join(root, 'ctx'));
    assert.equal(files.read('pom.xml'), null);
    assert.equal(files.read('up/pom.xml'), null);
    assert.equal(files.read('abs'), null);
    assert.equal(files.read('go.mod'), 'module example.com/x\n');
    assert.equal(files.read('real/go.mod'), 'module example.com/x\n');
  });

  it('a link turned elsewhere is read again (the cache is per file, not per path)', () => {
    const root = tree({ 'out.txt': 'outside\n', 'ctx/a.txt': 'inside\n', 'ctx/x': '-> a.txt' });
    const files = folderFiles(path.join(root, 'ctx'));
    assert.equal(files.read('x'), 'inside\n');
    fs.unlinkSync(path.join(root, 'ctx/x'));
    fs.symlinkSync('../out.txt', path.join(root, 'ctx/x'));
    assert.equal(folderFiles(path.join(root, 'ctx')).read('x'), null);
  });

  it('go.mod linked to /proc/self/pagemap, and a FIFO: no file, at once, memory bounded', () => {
    const root = tree({ 'go.mod': `-> ${PAGEMAP}` });
    execFileSync('mkfifo', [path.join(root, 'package.json')]);
    const files = folderFiles(root);
    const grew = rssGrowth(() => {
      assert.equal(files.read('go.mod'), null);
      assert.equal(files.read('package.json'), null);
    });
    assert.ok(grew < 16, `RSS grew ${grew.toFixed(1)} MB`);
  });
});

describe('replaceFile (fix --write)', () => {
  const read = (f: string) => {
    const r = readBounded(f, { maxBytes: 1 << 20 });
    assert.ok(r.ok);
    return { stat: r.stat, data: r.data };
  };

  it('replaces the text through a new file: mode and owner kept, no temporary file left', () => {
    const root = tree({ Dockerfile: 'FROM a\n' });
    const f = path.join(root, 'Dockerfile');
    fs.chmodSync(f, 0o640);
    fs.chownSync(f, OTHER_UID, OTHER_UID + 1);
    const before = read(f);
    replaceFile(f, Buffer.from('FROM b\n'), before);
    const st = fs.statSync(f);
    assert.equal(fs.readFileSync(f, 'utf8'), 'FROM b\n');
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, OTHER_UID);
    assert.equal(st.gid, OTHER_UID + 1);
    assert.notEqual(st.ino, before.stat.ino, 'a new inode: renamed over, not rewritten in place');
    assert.deepEqual(tmpFiles(root), []);
  });

  it('a file changed between read and write is kept as changed, nothing written', () => {
    const root = tree({ Dockerfile: 'FROM a\n' });
    const f = path.join(root, 'Dockerfile');
    const before = read(f);
    assert.throws(
      () => replaceFile(f, Buffer.from('FROM b\n'), before, { beforeCheck: () => fs.appendFileSync(f, 'RUN added while fixing\n') }),
      (err: Error) => err instanceof WriteRefused && /changed since it was read/.test(err.message),
    );
    assert.equal(fs.readFileSync(f, 'utf8'), 'FROM a\nRUN added while fixing\n');
    assert.deepEqual(tmpFiles(root), []);
  });

  it('also when the change keeps size and modification time (the bytes are compared), or the file was replaced', () => {
    const root = tree({ Dockerfile: 'FROM a\n' });
    const f = path.join(root, 'Dockerfile');
    const before = read(f);
    const sameSize = () => {
      fs.writeFileSync(f, 'FROM z\n');
      fs.utimesSync(f, before.stat.atime, before.stat.mtime);
    };
    assert.throws(() => replaceFile(f, Buffer.from('FROM b\n'), before, { beforeCheck: sameSize }), /changed since it was read/);
    assert.equal(fs.readFileSync(f, 'utf8'), 'FROM z\n');
    const again = read(f);
    const swap = () => {
      fs.writeFileSync(`${f}.new`, 'FROM z\n');
      fs.renameSync(`${f}.new`, f);
    };
    assert.throws(() => replaceFile(f, Buffer.from('FROM b\n'), again, { beforeCheck: swap }), /changed since it was read/);
    assert.throws(() => replaceFile(f, Buffer.from('FROM b\n'), read(f), { beforeCheck: () => fs.unlinkSync(f) }), /gone since it was read/);
    assert.deepEqual(tmpFiles(root), []);
  });

  it('a read-only file is refused (even for root), untouched', () => {
    const root = tree({ Dockerfile: 'FROM a\n' });
    const f = path.join(root, 'Dockerfile');
    fs.chmodSync(f, 0o444);
    assert.throws(() => replaceFile(f, Buffer.from('FROM b\n'), read(f)), (err: Error) => err instanceof WriteRefused && err.message === 'read-only');
    assert.equal(fs.readFileSync(f, 'utf8'), 'FROM a\n');
    assert.deepEqual(tmpFiles(root), []);
  });

  it('hard links: the other name keeps the old text (the name written gets a new inode)', () => {
    const root = tree({ Dockerfile: 'FROM a\n' });
    const f = path.join(root, 'Dockerfile');
    fs.linkSync(f, path.join(root, 'other'));
    replaceFile(f, Buffer.from('FROM b\n'), read(f));
    assert.equal(fs.readFileSync(f, 'utf8'), 'FROM b\n');
    assert.equal(fs.readFileSync(path.join(root, 'other'), 'utf8'), 'FROM a\n');
  });
});

describe('config files a search finds', () => {
  const OFF = 'rules:\n  merge-run: off\n';

  it('planted by another user in a folder anyone can write: not taken (an error, the defaults apply)', () => {
    const shared = tree({ '.dockerfilelean.yaml': OFF, 'project/Dockerfile': 'FROM a\n' });
    const cfg = path.join(shared, '.dockerfilelean.yaml');
    fs.chmodSync(shared, 0o1777);
    fs.chownSync(cfg, OTHER_UID, OTHER_UID);
    const loaded = configForDir(path.join(shared, 'project'));
    assert.equal(loaded?.config, null);
    assert.match(loaded?.error?.message ?? '', new RegExp(`owned by another user \\(uid ${OTHER_UID}\\) in a folder anyone can write, so it is not read`));
    // Named with --config it is the user's choice.
    assert.deepEqual(loadConfig(cfg).config?.rules, { 'merge-run': 'off' });
    // Owned by root, or in a folder only its owner writes: taken.
    fs.chownSync(cfg, 0, 0);
    assert.deepEqual(configForDir(path.join(shared, 'project'))?.config?.rules, { 'merge-run': 'off' });
    fs.chownSync(cfg, OTHER_UID, OTHER_UID);
    fs.chmodSync(shared, 0o755);
    assert.deepEqual(configForDir(path.join(shared, 'project'))?.config?.rules, { 'merge-run': 'off' });
  });

  it('a link: taken when it stays inside the repository, not when it leads out', () => {
    const root = tree({
      'repo/.git/': '',
      'repo/config/strict.yaml': OFF,
      'repo/a/.dockerfilelean.yaml': '-> ../config/strict.yaml',
      'repo/b/.dockerfilelean.yaml': '-> ../../elsewhere.yaml',
      'repo/c/.dockerfilelean.yaml': `-> ${PAGEMAP}`,
      'elsewhere.yaml': OFF,
    });
    assert.deepEqual(configForDir(path.join(root, 'repo/a'))?.config?.rules, { 'merge-run': 'off' });
    const b = configForDir(path.join(root, 'repo/b'));
    assert.equal(b?.config, null);
    assert.match(b?.error?.message ?? '', /a symbolic link to a file outside .*repo, so it is not read/);
    const grew = rssGrowth(() => {
      assert.equal(configForDir(path.join(root, 'repo/c'))?.config, null);
      // Named, the link is followed, and the read stops at the limit.
      assert.match(loadConfig(path.join(root, 'repo/c/.dockerfilelean.yaml')).error?.message ?? '', /larger than 1048576 bytes/);
    });
    assert.ok(grew < 32, `RSS grew ${grew.toFixed(1)} MB`);
  });

  it('the language server ends the search at the workspace folder that holds the document', async () => {
    const outer = tree({ '.dockerfilelean.yaml': OFF, 'ws/sub/Dockerfile': 'FROM a\n' });
    const doc = pathToFileURL(path.join(outer, 'ws/sub/Dockerfile')).href;
    const quiet = { console: { warn() {} }, sendNotification() {} } as unknown as Connection;
    const plain = new SettingsStore(quiet);
    assert.equal((await plain.get(doc)).rules['merge-run'], 'off', 'without workspace folders: found above');
    const inWs = new SettingsStore(quiet);
    inWs.setWorkspaceFolders(['untitled:x', pathToFileURL(path.join(outer, 'other')).href, pathToFileURL(path.join(outer, 'ws')).href]);
    assert.equal((await inWs.get(doc)).rules['merge-run'], undefined, 'not above the workspace folder');
    fs.writeFileSync(path.join(outer, 'ws/.dockerfilelean.yaml'), 'rules:\n  apt-hygiene: off\n');
    assert.equal((await inWs.get(doc)).rules['apt-hygiene'], 'off', 'the workspace folder itself is searched');
  });
});

describe('discovery stays inside the tree it was given', () => {
  it('skips links to files outside the tree; keeps links inside it', () => {
    const root = tree({
      'outside/Dockerfile': 'FROM outside\n',
      'repo/Dockerfile': 'FROM a\n',
      'repo/Dockerfile.prod': '-> ../outside/Dockerfile',
      'repo/Dockerfile.proc': `-> ${PAGEMAP}`,
      'repo/docker/base': 'FROM b\n',
      'repo/Dockerfile.base': '-> docker/base',
    });
    const repo = path.join(root, 'repo');
    const rel = (fs_: string[]) => fs_.map((f) => path.relative(repo, f));
    assert.deepEqual(rel(discoverDir(repo, { useIgnores: true })), ['Dockerfile', 'Dockerfile.base']);
    assert.deepEqual(rel(expandGlob(path.join(repo, 'Dockerfile*'), { useIgnores: true })), ['Dockerfile', 'Dockerfile.base']);
  });

  it('ignore files: a link is not followed, one planted above the start is not read', () => {
    const shared = tree({ 'project/Dockerfile': 'FROM a\n', 'project/sub/Dockerfile': 'FROM b\n', 'list': 'sub/\n', '.gitignore': 'Dockerfile\n' });
    fs.symlinkSync('../list', path.join(shared, 'project/.gitignore'));
    const project = path.join(shared, 'project');
    const found = () => discoverDir(project, { useIgnores: true }).map((f) => path.relative(project, f));
    // Control: the file above, owned by root, applies (it ignores every Dockerfile); the link does not.
    assert.deepEqual(found(), []);
    fs.chmodSync(shared, 0o1777);
    fs.chownSync(path.join(shared, '.gitignore'), OTHER_UID, OTHER_UID);
    assert.deepEqual(found(), ['Dockerfile', path.join('sub', 'Dockerfile')]);
  });

  it('.gitignore linked to /proc/self/pagemap: discovery ends at once', () => {
    const root = tree({ '.git/': '', Dockerfile: 'FROM a\n', '.gitignore': `-> ${PAGEMAP}` });
    const grew = rssGrowth(() => assert.deepEqual(discoverDir(root, { useIgnores: true }).map((f) => path.basename(f)), ['Dockerfile']));
    assert.ok(grew < 16, `RSS grew ${grew.toFixed(1)} MB`);
  });
});
