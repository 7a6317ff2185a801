// The corpus runner (scripts/corpus.mjs, `npm run corpus -- DIR`) on a tiny corpus written here, so the tool
// keeps working between the review rounds that run it on real files (which need no network either).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNNER = path.join(ROOT, 'scripts/corpus.mjs');
const T = { timeout: 120_000 };

const FILES = {
  // Two apt-get RUNs in a row, the second removing the first's lists (merge-run, apt-hygiene), and a final stage
  // that runs as root.
  'alpha+tools/Dockerfile': 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y make\nRUN rm -rf /var/lib/apt/lists/*\nCOPY . /work\nCMD ["make", "-C", "/work"]\n',
  // npm install although a lockfile is copied; the context has the lockfile and package.json.
  'beta+web/app/Dockerfile': 'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\nCOPY . .\nCMD ["node", "main.js"]\n',
  'beta+web/app/package.json': '{ "name": "demo-web", "version": "1.0.0", "scripts": { "start": "node main.js" } }\n',
  'beta+web/app/package-lock.json': '{ "name": "demo-web", "version": "1.0.0", "lockfileVersion": 3, "packages": {} }\n',
  // Already lean: a builder stage, a non-root final stage.
  'gamma+svc/Dockerfile': 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/svc .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/svc /svc\nUSER 65532:65532\nENTRYPOINT ["/svc"]\n',
};
const MANIFEST = [
  'repository\tcommit\tpath\tkind',
  `alpha/tools\t${'a'.repeat(40)}\tDockerfile\timage-definition`,
  `beta/web\t${'b'.repeat(40)}\tapp/Dockerfile\tapp`,
  `gamma/svc\t${'c'.repeat(40)}\tDockerfile\tstudent`,
].join('\n');

let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-corpus-'));
  for (const [rel, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'corpus', rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'corpus', rel), text);
  }
  fs.writeFileSync(path.join(dir, 'corpus/manifest.tsv'), MANIFEST + '\n');
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function run(...args) {
  const res = spawnSync(process.execPath, [RUNNER, ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res;
}

test('the runner reports crashes, fix checks and per-rule counts, and writes a seeded sample', T, () => {
  const out1 = path.join(dir, 'r1.md');
  const json = path.join(dir, 'r1.json');
  run(path.join(dir, 'corpus'), '--seed', '7', '--sample', '4', '--diffs', '3', '--out', out1, '--json', json);
  const s = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(s.files, 3);
  assert.equal(s.repositories, 3);
  assert.deepEqual(Object.keys(s.kinds).sort(), ['app', 'image-definition', 'student']);
  assert.equal(s.crashes.length, 0);
  assert.equal(s.ruleErrors.length, 0);
  // The two apt RUNs merge; the lockfile read from the folder makes npm install a finding.
  assert.equal(s.rules['merge-run'].files, 1);
  assert.ok(s.rules['apt-hygiene'].findings >= 1);
  assert.equal(s.rules['npm-hygiene'].files, 1);
  assert.equal(s.rules['non-root-user'].files, 2, 'the distroless stage runs as 65532');
  assert.equal(s.kinds.student.findings, 0);
  assert.equal(s.fixAll.changed, 2);
  assert.deepEqual(s.fixAll.notIdempotent, []);
  assert.deepEqual(s.fixAll.parse, []);
  assert.ok(s.rules['merge-run'].fix.changed === 1 && s.rules['merge-run'].fix.notIdempotent.length === 0);

  const report = fs.readFileSync(out1, 'utf8');
  assert.match(report, /^### F01 /m);
  assert.doesNotMatch(report, /^### F05 /m, '--sample 4 caps the findings');
  assert.match(report, /^### D01 /m);
  assert.match(report, /- stage 0[^\n]*: ships/);
  assert.match(report, /^@@ /m, 'the sampled fixes are unified diffs');
  assert.match(report, /alpha\+tools\/Dockerfile/);

  // The same seed draws the same sample: the whole report is the same.
  const out2 = path.join(dir, 'r2.md');
  run(path.join(dir, 'corpus'), '--seed', '7', '--sample', '4', '--diffs', '3', '--out', out2);
  assert.equal(fs.readFileSync(out2, 'utf8'), report);
});

test('without a manifest every Dockerfile under the directory is taken', T, () => {
  const bare = path.join(dir, 'bare');
  fs.mkdirSync(path.join(bare, 'one'), { recursive: true });
  fs.writeFileSync(path.join(bare, 'one/Dockerfile'), FILES['alpha+tools/Dockerfile']);
  fs.writeFileSync(path.join(bare, 'one/build.Dockerfile'), FILES['gamma+svc/Dockerfile']);
  const json = path.join(dir, 'bare.json');
  run(bare, '--out', path.join(dir, 'bare.md'), '--json', json);
  const s = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(s.files, 2);
  assert.deepEqual(Object.keys(s.kinds), ['unknown']);
});

test('a bad argument is a usage error', T, () => {
  const res = spawnSync(process.execPath, [RUNNER, path.join(dir, 'corpus'), '--seed', 'x'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /--seed needs a whole number/);
});
