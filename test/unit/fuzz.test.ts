/**
 * Property tests over random Dockerfiles (a grammar of every instruction) and random mutations of the fixture
 * files: analysis never throws, ranges stay inside the document, every fix is exact and local and wakes no
 * other rule, fixAll re-parses and is idempotent, and analysis time grows linearly. The properties are in
 * `fuzz-properties.ts`; here they run with a fixed seed and a bounded number of cases (`npm run fuzz` runs
 * them longer, with a random seed).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initShell } from '../../server/src/core/shell';
import { analyze, fixAll } from '../../server/src/analysis/analyze';
import { FIXTURES } from './helpers';
import { checkDocument, checkLinear, checkScaling, fixtureFiles, generatedCase, longDockerfile, mutatedFixture, stats } from './fuzz-properties';

before(() => initShell());

const SEED = 20261125;

describe('fuzz (fixed seed)', () => {
  it('random Dockerfiles from the grammar: every property holds', () => {
    const s0 = { ...stats };
    fc.assert(
      fc.property(generatedCase, ({ text, context }) => checkDocument(text, context)),
      { seed: SEED, numRuns: Number(process.env.FUZZ_RUNS ?? 600) },
    );
    // The generator must reach the fixes, not only the parser.
    assert.ok(stats.findings - s0.findings > 250, `only ${stats.findings - s0.findings} findings`);
    assert.ok(stats.fixes - s0.fixes > 100, `only ${stats.fixes - s0.fixes} fixes tried`);
    assert.ok(stats.fixAllChanged - s0.fixAllChanged > 50, `fixAll changed only ${stats.fixAllChanged - s0.fixAllChanged} files`);
  });

  it('mutated fixture files: every property holds', () => {
    const files = fixtureFiles(FIXTURES);
    assert.ok(files.length > 100);
    fc.assert(
      fc.property(mutatedFixture(files), ({ text, context }) => checkDocument(text, context)),
      { seed: SEED, numRuns: Number(process.env.FUZZ_RUNS ?? 1000) },
    );
  });

  it('analysis time is linear in the size of a generated file', () => {
    let timed = 0;
    fc.assert(
      fc.property(longDockerfile, (text) => {
        if (checkLinear(text)) timed++;
      }),
      { seed: SEED, numRuns: 6 },
    );
    assert.ok(timed >= 3, `only ${timed} of 6 files timed`);
  });

  // Found by the linear property: npm-hygiene looked for a copied lockfile by scanning the stage's COPYs again
  // for every npm RUN (quadratic in a long stage); now once per stage.
  it('regression: a stage of many COPYs and npm installs is analysed in linear time', () => {
    checkScaling((k) => 'FROM node:20\n' + 'COPY package.json app/ ./\nRUN npm install\n'.repeat(150 * k));
  });

  // Found while timing the counterexamples: per-RUN scans of the whole stage (ENV for pip-hygiene, the WORKDIR
  // for the multi-stage planner), and fixes that found every issue again for each finding (the package rules,
  // merge-run groups, the `&&` style of a long RUN). analyze asks for the fixes of every finding when the file
  // ends open (a heredoc or a continuation), so those counted too.
  it('regression: a long stage of RUNs, and one long RUN, are analysed in linear time', () => {
    checkScaling((k) => 'FROM debian\nWORKDIR /app\n' + 'RUN echo hi && pip install x && apt-get install y\nRUN apt-get update\n'.repeat(250 * k));
    checkScaling((k) => 'FROM debian\nRUN echo \\\n' + '  && apt-get install y && apt install z \\\n'.repeat(250 * k));
    checkScaling((k) => 'FROM debian\nRUN <<EOF\n' + 'RUN apt-get install y && echo <<X \\\n'.repeat(250 * k));
  });
});

/** Counterexamples the fuzzer found (shrunk), each replayed against every property, with what the fix does now. */
describe('fuzz regressions', () => {
  it('a file ending in a line continuation: no fix adds anything below it (it would join that instruction)', () => {
    const text = 'FROM \\ebian:bookworm-slim\nRUN FROM debian:bookworm-slim\nRUN ll -y \\\n\t\tcurl && \\\n\n';
    checkDocument(text);
    const { findings } = analyze(text);
    const user = findings.find((f) => f.rule === 'non-root-user');
    assert.ok(user && !user.fixable && /line continuation/.test(user.reason ?? ''), JSON.stringify(user));
    assert.equal(fixAll(text).text, text);
    for (const t of ['FROM debian\nUSER \\', 'FROM debian\nRUN a \\  \n# c\n\n', '# escape=`\r\nFROM debian\r\nRUN a `\r\n']) {
      checkDocument(t);
      assert.equal(fixAll(t).text, t, JSON.stringify(t));
    }
  });

  it('the non-root fix\'s chown beside a Node prune or a copy after the build does not make a same-image multi-stage finding appear', () => {
    for (const text of [
      '# syntax=docker/dockerfile:1\nFROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/node_modules npm ci && npm run build\nRUN npm ci --omit=dev\nCMD ["npm", "start"]\n',
      'FROM node:116-alpine AS web\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nRUN cp -r build export\nCMD ["npx", "-y", "http-server", "-p", "9000", "/app/build"]\n',
    ]) {
      checkDocument(text);
      assert.deepEqual(analyze(text).findings.filter((f) => f.rule === 'multi-stage'), []);
    }
  });

  it('a RUN of thousands of commands joined by && is left alone, without a rule failing (the tree walk ran out of stack)', () => {
    const text = 'FROM debian\nRUN echo \\\n' + '  && apt-get install y && apt install z \\\n'.repeat(3000) + '  && true\nCMD ["./app"]\n';
    checkDocument(text);
    assert.deepEqual(analyze(text).findings.map((f) => f.rule), ['non-root-user']);
  });

  it('after a RUN that ends in a background job, the user RUN stands alone (merge-run may then merge them)', () => {
    checkDocument('FROM node:20-slim\nWORKDIR /app\nCOPY ["package.json", "package-lock.json", "./"]\nRUN npm ci --omit=dev && npm cac &\n');
    // The same with the user RUN written over several lines (a CR line break among LF ones): merge-run's finding
    // ends on the RUN's last line, not on its `RUN` line.
    checkDocument('FROM golang:FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN export GOBIN=/opt/tools &\r\n go install .\nCMD "/opt/tools/tallyd"]\n');
  });

  it('nothing is appended to a RUN whose body is only a comment (it would land in front of the comment)', () => {
    const text = 'FROM alpine:3.20\nRUNFROM alpine:3.20\nRUN #k add --no-cache curl ca-certificates\nCMD ["curl", "--version"]\n';
    checkDocument(text);
    assert.match(fixAll(text).text, /^RUN #k add --no-cache curl ca-certificates\nRUN addgroup /m);
  });

  it('the user-creation RUN is not placed where a SHELL that is not POSIX is in effect', () => {
    const text = '\uFEFF# syntax=docker/dockerfile:1.7-labs\nFROM golang:1.22 AS builder\nSHELL ["cmd", "/S", "/C"]\nRUN $(pip install flask)\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nCMD ["./app"]';
    checkDocument(text);
    const user = analyze(text).findings.find((f) => f.rule === 'non-root-user');
    assert.ok(user && !user.fixable && /POSIX/.test(user.reason ?? ''), JSON.stringify(user));
  });
});
