/** Ignore and shell pragmas: per instruction, per stage (hadolint 2.15), per file, and `shell=`. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/core/model';
import { initShell } from '../../server/src/core/shell';

before(() => initShell());

const rulesOf = (text: string) => analyze(text).findings.map((f) => `${f.rule}@${f.range.start.line}`);

describe('stage ignore pragma', () => {
  const builder = 'FROM debian:bookworm AS build\nRUN apt-get update\nRUN apt-get install -y make\n';
  const final = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCOPY --from=build /x /x\n';

  it('silences the rule for every instruction of the stage below it, not for the other stages', () => {
    const plain = rulesOf(builder + final);
    const ignored = rulesOf('# hadolint stage ignore=DL3059\n' + builder + final);
    // The pragma line shifts every line by one.
    const shifted = plain.map((k) => k.replace(/@(\d+)$/, (_, n) => `@${Number(n) + 1}`));
    const builderLines = new Set([1, 2, 3]);
    assert.deepEqual(
      ignored,
      shifted.filter((k) => !(k.startsWith('merge-run@') && builderLines.has(Number(k.split('@')[1])))),
    );
    assert.ok(ignored.some((k) => k.startsWith('merge-run@')), 'merge-run still fires in the final stage');
    assert.ok(ignored.some((k) => k.startsWith('apt-hygiene@2')), 'the stage ignore names only DL3059');
  });

  it('our own spelling works too, and a stage ignore names our rule ids', () => {
    const found = rulesOf('# dockerfile-lean stage ignore=merge-run,apt-hygiene\n' + builder + final);
    assert.ok(!found.some((k) => /^(merge-run|apt-hygiene)@[1-3]$/.test(k)), found.join(' '));
    assert.ok(found.some((k) => k.startsWith('merge-run@')));
  });

  it('is dropped when no FROM follows it (as hadolint does), and stacks with an inline ignore above the FROM', () => {
    const misplaced = 'FROM debian:bookworm-slim\n# hadolint stage ignore=DL3059\nRUN apt-get update\nRUN apt-get install -y curl\n';
    assert.ok(rulesOf(misplaced).some((k) => k.startsWith('merge-run@')));
    const stacked = '# hadolint ignore=DL3002\n# hadolint stage ignore=DL3059\nFROM debian:bookworm-slim\nRUN a\nRUN b\nCMD ["x"]\n';
    const found = rulesOf(stacked);
    assert.ok(!found.some((k) => k.startsWith('merge-run@') || k.startsWith('non-root-user@')), found.join(' '));
    const model = buildModel(stacked);
    assert.deepEqual([...model.stages[0].ignores], ['DL3059']);
    assert.deepEqual([...model.instructions[0].ignores], ['DL3002']);
  });
});

describe('shell pragma', () => {
  const body = 'RUN Get-ChildItem\nRUN Write-Host hi\n';
  it('shell=powershell: the RUN bodies are not read as POSIX shell, for the rest of the stage', () => {
    const posix = buildModel('FROM mcr.microsoft.com/windows/servercore\n' + body);
    assert.ok(posix.instructions[1].run!.posix);
    const text = 'FROM mcr.microsoft.com/windows/servercore\n# hadolint shell=powershell\n' + body + 'FROM alpine\nRUN echo a\n';
    const model = buildModel(text);
    assert.deepEqual(model.instructions.filter((i) => i.run).map((i) => i.run!.posix), [false, false, true]);
    assert.equal(model.stages[0].posixShell, false);
    assert.equal(model.stages[1].posixShell, true);
    // Like a non-POSIX SHELL: no merge suggestion for the two bodies.
    assert.ok(!rulesOf(text).some((k) => k === 'merge-run@2'), rulesOf(text).join(' '));
  });

  it('above a FROM it declares that stage; shell=bash keeps POSIX parsing; ignores above it still apply', () => {
    const model = buildModel('# hadolint shell=pwsh\nFROM mcr.microsoft.com/powershell\n' + body);
    assert.equal(model.stages[0].posixShell, false);
    assert.equal(model.instructions[1].run!.posix, false);
    const bash = buildModel('FROM debian\n# hadolint shell=/bin/bash\nRUN echo a\n');
    assert.equal(bash.instructions[1].run!.posix, true);
    const block = buildModel('FROM debian\n# hadolint ignore=DL3059\n# hadolint shell=bash\nRUN echo a\n');
    assert.deepEqual([...block.instructions[1].ignores], ['DL3059']);
  });
});
