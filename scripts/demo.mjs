// The quick-start demo: checks the bundled example Dockerfiles with the CLI, then shows each fix as a diff.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist/cli.js');
const examples = (process.argv.slice(2).length ? process.argv.slice(2) : ['examples/go-service/Dockerfile', 'examples/apt-tools/Dockerfile', 'examples/node-app/Dockerfile']).filter((f) => fs.existsSync(path.join(root, f)));
const tty = process.stdout.isTTY;
const c = (code, s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);

/** A unified-style line diff (longest common subsequence); the example files are small. */
function diff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) out.push('  ' + x[i++]) && j++;
    else if (i < n && (j >= m || L[i + 1][j] >= L[i][j + 1])) out.push(c(31, '- ' + x[i++]));
    else out.push(c(32, '+ ' + y[j++]));
  }
  return out.join('\n');
}

for (const file of examples) {
  console.log(c(1, `\n=== dockerfile-lean check ${file}`));
  const check = spawnSync(process.execPath, [cli, 'check', file], { cwd: root, encoding: 'utf8' });
  process.stdout.write(check.stdout || '(no findings)\n');
  console.log(c(1, `=== dockerfile-lean fix ${file} (as a diff)`));
  const fix = spawnSync(process.execPath, [cli, 'fix', file], { cwd: root, encoding: 'utf8' });
  if (fix.status !== 0) {
    console.error(fix.stderr);
    process.exit(1);
  }
  console.log(diff(fs.readFileSync(path.join(root, file), 'utf8'), fix.stdout));
}
