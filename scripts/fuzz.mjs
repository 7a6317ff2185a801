// `npm run fuzz`: the robustness properties of test/unit/fuzz-properties.ts (the same ones `npm test` runs with a
// fixed seed and few cases) with a random seed and a time budget. Prints the seed, how many cases ran, how long,
// and any counterexample with the seed and path to replay it.
//
//   node scripts/fuzz.mjs [--seconds N] [--runs N] [--seed N] [--path P] [--only grammar|mutations|linear]
//   node scripts/fuzz.mjs --file FILE      check one Dockerfile against every property
//
// --seconds (default 60) is shared by the three properties (grammar 45 %, mutations 45 %, linear 10 %);
// --runs N instead stops each after N cases. A timing failure (linear) is reported unshrunk. --seed and --path replay a counterexample that a run printed.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);

function usage(msg) {
  if (msg) console.error(`fuzz: ${msg}`);
  console.error('usage: node scripts/fuzz.mjs [--seconds N] [--runs N] [--seed N] [--path P] [--only grammar|mutations|linear] | --file FILE');
  process.exit(2);
}

const opts = { seconds: 60, runs: null, seed: null, path: null, only: null, file: null };
const argv = process.argv.slice(2);
for (let k = 0; k < argv.length; k++) {
  const a = argv[k];
  const value = () => (k + 1 < argv.length ? argv[++k] : usage(`${a} needs a value`));
  if (a === '--seconds') opts.seconds = Number(value());
  else if (a === '--runs') opts.runs = Number(value());
  else if (a === '--seed') opts.seed = Number(value());
  else if (a === '--path') opts.path = value();
  else if (a === '--only') opts.only = value();
  else if (a === '--file') opts.file = value();
  else usage(`unknown option ${a}`);
}
for (const n of ['seconds', 'runs', 'seed']) if (opts[n] !== null && !Number.isFinite(opts[n])) usage(`--${n} needs a number`);
if (opts.only && !['grammar', 'mutations', 'linear'].includes(opts.only)) usage(`--only ${opts.only}`);

// The properties are TypeScript next to the tests: bundle them once (dependencies stay in node_modules).
const outfile = path.join(root, 'out/fuzz/fuzz-properties.js');
await esbuild.build({
  entryPoints: [path.join(root, 'test/unit/fuzz-properties.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
const props = require(outfile);
const { initShell } = props;
const fc = require('fast-check');
await initShell();

if (opts.file) {
  const text = fs.readFileSync(opts.file, 'utf8');
  props.checkDocument(text, {});
  props.checkLinear(text.repeat(Math.max(1, Math.ceil(20000 / Math.max(text.length, 1)))));
  console.log(`${opts.file}: every property holds`);
  process.exit(0);
}

const seed = opts.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
console.log(`fuzz: seed ${seed}${opts.runs ? `, ${opts.runs} cases per property` : `, ${opts.seconds} s`}`);

const properties = [
  ['grammar', 0.45, fc.property(props.generatedCase, ({ text, context }) => props.checkDocument(text, context))],
  ['mutations', 0.45, fc.property(props.mutatedFixture(props.fixtureFiles(path.join(root, 'test/fixtures'))), ({ text, context }) => props.checkDocument(text, context))],
  ['linear', 0.1, fc.property(props.longDockerfile, (text) => void props.checkLinear(text)), { endOnFailure: true }],
];

let failed = false;
let total = 0;
const t0 = performance.now();
for (const [name, share, property, extra = {}] of properties) {
  if (opts.only && opts.only !== name) continue;
  const budget = opts.only ? opts.seconds : opts.seconds * share;
  const params = {
    seed,
    includeErrorInReport: true,
    // A timing failure is not shrunk: each step would be timed again, slowly and noisily.
    ...extra,
    ...(opts.path ? { path: opts.path } : {}),
    ...(opts.runs ? { numRuns: opts.runs } : { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: budget * 1000, markInterruptAsFailure: false }),
  };
  const t = performance.now();
  const details = fc.check(property, params);
  const ms = performance.now() - t;
  total += details.numRuns;
  const note = name === 'linear' && props.stats.linearSkipped ? ` (${props.stats.linearSkipped} not timed: their copies merge into one instruction)` : '';
  console.log(`  ${name.padEnd(10)} ${String(details.numRuns).padStart(7)} cases ${(ms / 1000).toFixed(1).padStart(7)} s${details.failed ? '  FAILED' : ''}${note}`);
  if (details.failed) {
    failed = true;
    console.log(fc.defaultReportMessage(details));
    const example = details.counterexample?.[0];
    const text = typeof example === 'string' ? example : example?.text;
    if (typeof text === 'string') {
      const file = path.join(root, `out/fuzz/counterexample-${name}.Dockerfile`);
      fs.writeFileSync(file, text);
      console.log(`  counterexample written to ${path.relative(root, file)} (check it alone: node scripts/fuzz.mjs --file ${path.relative(root, file)})`);
    }
    console.log(`  replay: node scripts/fuzz.mjs --only ${name} --seed ${details.seed} --path "${details.counterexamplePath}" --runs 1`);
  }
}
console.log(`fuzz: ${total} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s, seed ${seed}: ${failed ? 'FAILED' : 'every property holds'}`);
process.exit(failed ? 1 : 0);
