// Prints what `npm run package` produced: the .vsix, its size and the files inside it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const file = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
if (!fs.existsSync(file)) {
  console.error(`no ${path.basename(file)}: did vsce package fail?`);
  process.exit(1);
}
const size = fs.statSync(file).size;
console.log(`${path.basename(file)}: ${(size / 1024).toFixed(0)} KiB`);
try {
  console.log(execFileSync('unzip', ['-l', file], { encoding: 'utf8' }));
} catch {
  // unzip is optional: the size above is what matters.
}
