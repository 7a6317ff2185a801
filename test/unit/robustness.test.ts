/** Bad input: never a throw, a hang or a lost character. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, fixAll } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { DocText } from '../../server/src/core/document';
import { DEFAULT_SETTINGS } from '../../server/src/core/types';

before(() => initShell());

function generated(lines: number): string {
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:bookworm-slim'];
  for (let k = 0; out.length < lines; k++) {
    if (k % 40 === 0) out.push(`FROM \${BASE} AS s${k}`);
    out.push(`# step ${k}`, `RUN apt-get update && apt-get install -y pkg${k} \\`, `    other${k}`, `ENV K${k}=v${k}`, `COPY f${k} /f${k}`);
  }
  out.push('CMD ["bash"]');
  return out.join('\n') + '\n';
}

const inputs: [string, string][] = [
  ['an empty file', ''],
  ['only a BOM', '\uFEFF'],
  ['only comments', '# a\n# b\n'],
  ['FROM alone', 'FROM'],
  ['FROM with only a flag', 'FROM --platform=linux/amd64'],
  ['COPY --from= with nothing', 'FROM alpine\nCOPY --from= /x\n'],
  ['RUN alone', 'FROM alpine\nRUN'],
  ['RUN with only flags', 'FROM alpine\nRUN --mount=type=cache'],
  ['USER alone', 'FROM alpine\nUSER'],
  ['an instruction before FROM', 'RUN echo hi\nFROM alpine\n'],
  ['an unterminated heredoc', 'FROM alpine\nRUN <<EOF\necho hi\n'],
  ['a continuation at the end of the file', 'FROM alpine\nRUN echo a \\'],
  ['an unterminated quote', 'FROM alpine\nRUN echo "open\nRUN b\n'],
  ['control and replacement characters', 'FROM alpine\nRUN echo \u0000\u0001\uFFFD\u0007\n'],
  ['Latin-1 decoded text', 'FROM alpine\n# caf\u00e9 na\u00efve\nRUN apt-get install x\n'],
  ['lone CR line endings', 'FROM alpine\rRUN a\rRUN b\r'],
  ['mixed line endings', 'FROM alpine\r\nRUN a\nRUN b\r\n'],
  ['unknown instructions', 'FROM alpine\nFOO bar\nRUN a\n'],
  ['a cyclic stage reference', 'FROM b AS a\nFROM a AS b\nCMD x\n'],
  ['JSON-ish garbage', 'FROM alpine\nCMD ["unterminated\nENTRYPOINT [\n'],
  ['random bytes', String.fromCharCode(...Array.from({ length: 2000 }, (_, k) => (k * 7919 + 13) % 256))],
];

describe('bad input', () => {
  for (const [name, text] of inputs) {
    it(`${name}: analysis and fix never throw, fix keeps what it does not rewrite`, () => {
      const { findings } = analyze(text);
      for (const f of findings) assert.ok(f.range.start.line >= 0);
      const fixed = fixAll(text).text;
      assert.equal(typeof fixed, 'string');
      assert.equal(fixAll(fixed).text, fixed, 'fixing twice changes nothing');
      // Nothing is lost: every character of the original that is not in a rewritten line survives.
      if (findings.every((f) => !f.fixable)) assert.equal(fixed, text);
    });
  }

  it('a 3,000-line file is analysed and fixed in time', () => {
    const text = generated(3000);
    const t0 = performance.now();
    const { findings } = analyze(text);
    const t1 = performance.now();
    assert.ok(findings.length > 10);
    assert.ok(t1 - t0 < 2000, `analysis took ${t1 - t0} ms`);
    const fixed = fixAll(text).text;
    assert.ok(performance.now() - t1 < 20000);
    assert.equal(fixAll(fixed).text, fixed);
  });

  it('analysis time grows linearly with the file', () => {
    const small = generated(2000);
    const large = generated(20000);
    // Both warmed first: RUN bodies parsed once are cached, so cold and warm runs are not compared.
    analyze(small);
    analyze(large);
    // CPU time of this process, not wall time: test files run side by side and share the cores.
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const t0 = cpu();
    analyze(small);
    const t1 = cpu();
    analyze(large);
    const t2 = cpu();
    // Ten times the lines: well under a hundred times the time (quadratic growth would be ~100×).
    assert.ok((t2 - t1) / Math.max(t1 - t0, 1) < 30, `small ${t1 - t0} ms, large ${t2 - t1} ms`);
  });
});

describe('document positions', () => {
  it('round-trips offsets and positions with CRLF and surrogate pairs', () => {
    const d = new DocText('a\r\nb😀c\nd');
    assert.equal(d.eol, '\n'.length === 1 && d.eol);
    for (let o = 0; o <= d.text.length; o++) {
      const p = d.positionAt(o);
      if (d.text[o - 1] === '\r' && d.text[o] === '\n') continue; // inside a CRLF pair
      assert.equal(d.offsetAt(p), o);
    }
    assert.deepEqual(d.positionAt(d.text.indexOf('c')), { line: 1, character: 3 });
  });
  it('detects the dominant line ending and the BOM', () => {
    assert.equal(new DocText('a\r\nb\r\nc\n').eol, '\r\n');
    assert.equal(new DocText('\uFEFFa\n').hasBom, true);
  });
});

describe('npm install spelled another way', () => {
  it('is an install for multi-stage too: turning `npm in` into `npm ci` makes no new rule fire', () => {
    const text = 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm in && npm cache clean --force\nCOPY . .\nCMD ["node", "server.js"]\n';
    const before = new Set(analyze(text).findings.map((f) => f.rule));
    const after = new Set(analyze(fixAll(text, DEFAULT_SETTINGS, ['npm-hygiene']).text).findings.map((f) => f.rule));
    for (const r of after) assert.ok(before.has(r), `${r} fires only after the npm-hygiene fix`);
  });
});

describe('a line that ends in the escape character where the parser ends the instruction', () => {
  it('blocks every fix from that instruction on (the builder may join the next line to it)', () => {
    const text = '# escape=`\nFROM fedora:40\nRUN dnf install -y curl && echo `id -u` `\n    && dnf install -y git\nRUN dnf install -y jq\n';
    const { findings } = analyze(text);
    const below = findings.filter((f) => f.range.start.line >= 2);
    assert.ok(below.length > 0, 'the rules still report');
    assert.ok(below.every((f) => !f.fixable && /escape character/.test(f.reason ?? '')), JSON.stringify(below.map((f) => [f.rule, f.fixable, f.reason])));
    const fixed = fixAll(text).text;
    assert.equal(fixed.slice(fixed.indexOf('RUN dnf install -y curl')), text.slice(text.indexOf('RUN dnf install -y curl')));
  });
  it('leaves the instruction itself alone too (a fix inside it would change where it ends)', () => {
    const text = '\uFEFF# escape=`\nFROM golang:1.22 AS base\nRUN apt-get install  && echo $(date) `id -u` `\n    && (dnf install  && pip install flask)';
    assert.equal(fixAll(text).text, text);
  });
});
