// `npm test`: every test layer in turn, each timed; a failing layer does not stop the others.
// Prints a table of layers and ends with one line `total: N passed, N failed`; exits 1 if anything failed.
//
//   TEST_LAYERS=unit,protocol   run only some layers (names below)
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const node = process.execPath;

/** [name, command, args, how its counts are read] */
const LAYERS = [
  ['unit', node, ['--test', 'out/test/'], 'node'],
  ['protocol+cli', node, ['--test', 'test/lsp/', 'test/cli/'], 'node'],
  ['grammar', node, ['--test', 'test/grammar/'], 'node'],
  ['vscode', node, ['test/e2e/run-all.mjs'], 'plain'],
  // pre-commit installs the repository as its hook: npm install of the devDependencies, a build, a minute or more.
  ['hooks', node, ['--test', 'test/hooks/'], 'node'],
  ['images', node, ['test/images/run.mjs'], 'plain'],
  // Build and Compare on real images (CLI and extension host): needs root and the tools, like images, and after it
  // (it reuses the bases images tags).
  ['compare', node, ['test/compare/run.mjs'], 'plain'],
];

const wanted = process.env.TEST_LAYERS ? process.env.TEST_LAYERS.split(',') : null;

function run(name, cmd, args) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, E2E_SKIP_BUILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const tee = (stream, sink) =>
      stream.on('data', (d) => {
        out += d;
        sink.write(d);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ name, code, out, ms: Date.now() - t0 }));
  });
}

function counts(out, kind) {
  if (kind === 'node') {
    const pass = [...out.matchAll(/^# pass (\d+)$/gm)].pop();
    const fail = [...out.matchAll(/^# fail (\d+)$/gm)].pop();
    return pass ? { passed: +pass[1], failed: fail ? +fail[1] : 0 } : null;
  }
  const m = [...out.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  return m ? { passed: +m[1], failed: +m[2] } : null;
}

const rows = [];
for (const [name, cmd, args, kind] of LAYERS) {
  if (wanted && !wanted.includes(name)) continue;
  console.log(`\n━━━ ${name}: ${[path.basename(cmd), ...args].join(' ')}`);
  const r = await run(name, cmd, args);
  let c = counts(r.out, kind);
  // A layer that printed no counts, or exited non-zero with none failed, counts as one failure.
  if (!c) c = { passed: 0, failed: 1 };
  else if (r.code !== 0 && c.failed === 0) c.failed = 1;
  rows.push({ name, ...c, seconds: r.ms / 1000 });
}

console.log('\n━━━ summary');
for (const r of rows) console.log(`  ${r.name.padEnd(14)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(3)} failed ${r.seconds.toFixed(1).padStart(7)} s`);
const passed = rows.reduce((a, r) => a + r.passed, 0);
const failed = rows.reduce((a, r) => a + r.failed, 0);
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
