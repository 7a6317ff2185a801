// Makes the commit a GitHub Action release tag points at: HEAD plus the production dist/ (the files package.json
// "files" names under dist/), which the action runs as it is (action.yml: node20, dist/action.js). dist/ stays out
// of the branch (git-ignored); only the tag's commit carries it. The work tree and the branch are left as they are.
//
//   node scripts/release-action.mjs v0.1.0        # builds, commits on top of HEAD, tags v0.1.0
//   git push origin v0.1.0 && git tag -f v0 v0.1.0 && git push -f origin v0
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tag = process.argv[2];
if (!tag || !/^v\d+\.\d+\.\d+(-[\w.]+)?$/.test(tag)) {
  console.error('usage: node scripts/release-action.mjs vMAJOR.MINOR.PATCH');
  process.exit(2);
}
const git = (args, env) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } }).trim();
if (git(['status', '--porcelain', '--untracked-files=no'])) {
  console.error('release-action: the work tree has changes: commit them first');
  process.exit(1);
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
if (`v${pkg.version}` !== tag) {
  console.error(`release-action: package.json has version ${pkg.version}, not ${tag.slice(1)}`);
  process.exit(1);
}
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });

// The dist/ files of the package, matched like npm matches "files" (a * within one path segment).
const patterns = pkg.files.filter((f) => f.startsWith('dist/')).map((f) => new RegExp(`^${f.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`));
const dist = fs.readdirSync(path.join(root, 'dist')).map((f) => `dist/${f}`).filter((f) => patterns.some((re) => re.test(f)));
if (!dist.includes('dist/action.js')) throw new Error('dist/action.js was not built');

// A private index: HEAD's tree plus dist/, written as a commit whose parent is HEAD.
const index = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-release-')), 'index');
try {
  const env = { GIT_INDEX_FILE: index };
  git(['read-tree', 'HEAD'], env);
  git(['add', '--force', '--', ...dist], env);
  const tree = git(['write-tree'], env);
  const commit = git(['commit-tree', tree, '-p', 'HEAD', '-m', `Release ${tag}: the built dist/ the GitHub Action runs`], env);
  git(['tag', '-a', tag, '-m', `dockerfile-lean ${tag}`, commit]);
  console.log(`${tag} -> ${commit.slice(0, 12)} (HEAD + ${dist.length} dist/ files)`);
} finally {
  fs.rmSync(path.dirname(index), { recursive: true, force: true });
}
