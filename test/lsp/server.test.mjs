// Protocol tests for the language server (dist/server.js) over stdio, with vscode-jsonrpc as the client.
// Run after `npm run build`: node --test test/lsp/
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyEdits, newUri, removeTmpDir, withServer } from './client.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const T = { timeout: 20_000 };

const A = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get clean\nCMD ["./run.sh"]\n';
const B = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server .\nEXPOSE 8080\nCMD ["/out/server"]\n';
const C = 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n';

const CMD = {
  convertToMultiStage: 'dockerfile-lean.server.convertToMultiStage',
  insertNonRootUser: 'dockerfile-lean.server.insertNonRootUser',
  mergeRunInstructions: 'dockerfile-lean.server.mergeRunInstructions',
  fixAll: 'dockerfile-lean.server.fixAll',
};
const FIX_ALL_KIND = 'source.fixAll.dockerfile-lean';
const COMPARE_TEXTS = 'dockerfile-lean.server.compareTexts';

// ---------------------------------------------------------------------------------------------
// Text helpers

function lines(text) {
  return text.split(/\r?\n/);
}

/** The lines of `text` match `res` in this order (other lines may sit in between). */
function assertInOrder(text, res) {
  const ls = lines(text);
  let at = -1;
  for (const re of res) {
    const i = ls.findIndex((l, k) => k > at && re.test(l));
    assert.ok(i > at, `expected a line matching ${re} after line ${at + 1} in:\n${text}`);
    at = i;
  }
}

function assertGoMultiStage(text) {
  assertInOrder(text, [
    /^FROM golang:1\.22 AS build$/,
    /^RUN\b.*\bgo build\b.*-o \/out\/server\b/,
    /^FROM gcr\.io\/distroless\/static-debian12:nonroot$/,
    /^COPY --from=build \/out\/server \/out\/server$/,
    /^CMD \["\/out\/server"\]$/,
  ]);
  const nonEmpty = lines(text).filter((l) => l.trim() !== '');
  assert.match(nonEmpty[nonEmpty.length - 1], /^CMD \["\/out\/server"\]$/, `CMD must be the last instruction:\n${text}`);
  assert.equal(lines(text).filter((l) => /^FROM\b/.test(l)).length, 2, `two stages expected:\n${text}`);
}

function assertNodeNonRoot(text) {
  const ls = lines(text);
  assert.ok(ls.includes('COPY --chown=node:node . .'), `expected COPY --chown=node:node . . in:\n${text}`);
  assert.ok(!ls.includes('COPY . .'), `plain COPY . . still there:\n${text}`);
  const user = ls.findIndex((l) => /^USER node\s*$/.test(l));
  const cmd = ls.findIndex((l) => l === 'CMD ["node","index.js"]');
  assert.ok(user >= 0 && cmd > user, `USER node must come before CMD in:\n${text}`);
}

/** A finding's default severity: Warning (2), or Information (3) for an apt install that lacks only --no-install-recommends. */
const defaultSeverity = (d) => (d.code === 'apt-hygiene' && /^apt-get install: add --no-install-recommends( and keep [^,]+)?\.\n/.test(d.message) ? 3 : 2);
const byRule = (diags, rule) => diags.filter((d) => d.code === rule);
const codes = (diags) => [...new Set(diags.map((d) => d.code))].sort();

function checkDiagnostic(d, rule, version) {
  assert.equal(d.code, rule);
  assert.equal(d.source, 'dockerfile-lean');
  assert.equal(d.severity, defaultSeverity(d), `${rule}: the default severity`);
  assert.ok(d.codeDescription && typeof d.codeDescription.href === 'string', `${rule}: codeDescription.href missing`);
  assert.ok(d.codeDescription.href.endsWith(`docs/rules/${rule}.md`), `${rule}: href ${d.codeDescription.href}`);
  assert.equal(d.data.rule, rule);
  assert.equal(typeof d.data.fixable, 'boolean');
  assert.equal(d.data.version, version);
  assert.equal(typeof d.message, 'string');
  assert.ok(d.message.length > 0);
}

// ---------------------------------------------------------------------------------------------

describe('initialize', () => {
  test('capabilities and serverInfo', T, () =>
    withServer(async (c) => {
      const { capabilities, serverInfo } = c.initResult;
      const sync = capabilities.textDocumentSync;
      const change = typeof sync === 'number' ? sync : sync.change;
      assert.equal(change, 2, 'incremental sync');
      if (typeof sync === 'object') assert.equal(sync.openClose, true);
      assert.deepEqual([...capabilities.codeActionProvider.codeActionKinds].sort(), ['quickfix', FIX_ALL_KIND].sort());
      assert.equal(capabilities.codeActionProvider.resolveProvider, true);
      // The fix commands, the one a declined conversion's "Show why it was not converted" runs, and Build and Compare's.
      assert.deepEqual([...capabilities.executeCommandProvider.commands].sort(), [...Object.values(CMD), 'dockerfile-lean.server.showNotConvertedReason', COMPARE_TEXTS].sort());
      assert.equal(serverInfo.name, 'dockerfile-lean');
    }));
});

describe('diagnostics', () => {
  test('the document path reaches the rules: multi-stage is quiet for a .devcontainer/ Dockerfile', T, () =>
    withServer(async (c) => {
      const text = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app", "serve"]\n';
      const plain = await c.open(text);
      assert.ok(plain.diagnostics.some((d) => d.code === 'multi-stage'));
      const dev = newUri('Dockerfile').replace(/\/Dockerfile$/, '/.devcontainer/Dockerfile');
      fs.mkdirSync(path.dirname(fileURLToPath(dev)), { recursive: true });
      const inDev = await c.open(text, { uri: dev });
      assert.ok(!inDev.diagnostics.some((d) => d.code === 'multi-stage'), JSON.stringify(inDev.diagnostics.map((d) => d.code)));
    }));
  test('input a: merge-run (with the lone update it resolves), apt-hygiene (install), non-root-user', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics, version } = await c.open(A);
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'merge-run', 'non-root-user']);
      for (const d of diagnostics) checkDiagnostic(d, d.code, version);
      const [merge] = byRule(diagnostics, 'merge-run');
      assert.equal(byRule(diagnostics, 'merge-run').length, 1);
      assert.equal(merge.range.start.line, 1);
      assert.equal(merge.range.end.line, 3);
      // The lone `apt-get update` is what the merge resolves too: one finding, its first line says both, the update
      // is related information (the Problems panel shows it under the merge, the hover links it).
      const apt = byRule(diagnostics, 'apt-hygiene');
      assert.equal(apt.length, 1, 'one for the install; the lone update is inside the merge');
      assert.equal(apt[0].range.start.line, 2);
      assert.match(apt[0].message, /^apt-get install: add --no-install-recommends/);
      // The install downloads no lists (the RUN above did): the update's finding speaks of them.
      assert.doesNotMatch(apt[0].message, /lists/);
      const [first, ...detail] = merge.message.split('\n');
      assert.equal(first, 'Merge these 3 RUN instructions: apt-get update on line 2 runs in a RUN of its own.');
      assert.ok(detail.some((l) => /stale lists/.test(l)), merge.message);
      assert.deepEqual(merge.relatedInformation, [{ location: { uri, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 18 } } }, message: 'apt-get update runs in a RUN of its own: run it in the same RUN as the install. (apt-hygiene; this merge resolves it)' }]);
      assert.equal(byRule(diagnostics, 'non-root-user').length, 1);
      for (const d of diagnostics) assert.equal(d.data.fixable, true, `${d.code} should be fixable`);
      // Each message: one sentence of at most 100 characters on its first line, the detail below it.
      for (const d of diagnostics) assert.ok(d.message.split('\n')[0].length <= 100 && d.message.includes('\n'), d.message);
    }));

  test('a client that shows no related information gets the same message without it; with merge-run off the update stands alone', T, async () => {
    await withServer({ relatedInformation: false }, async (c) => {
      const { diagnostics } = await c.open(A);
      const [merge] = byRule(diagnostics, 'merge-run');
      assert.equal(merge.relatedInformation, undefined);
      assert.match(merge.message, /^Merge these 3 RUN instructions: apt-get update on line 2/);
    });
    await withServer({ settings: { enable: true, rules: { 'merge-run': 'off' } } }, async (c) => {
      const { diagnostics } = await c.open(A);
      assert.deepEqual(byRule(diagnostics, 'apt-hygiene').map((d) => d.range.start.line).sort(), [1, 2]);
      assert.match(byRule(diagnostics, 'apt-hygiene').find((d) => d.range.start.line === 1).message, /^apt-get update runs in a RUN of its own: run it in the same RUN as the install\.\n/);
    });
  });

  test('input b: multi-stage and non-root-user', T, () =>
    withServer(async (c) => {
      const { diagnostics, version } = await c.open(B);
      assert.deepEqual(codes(diagnostics), ['multi-stage', 'non-root-user']);
      for (const d of diagnostics) checkDiagnostic(d, d.code, version);
      assert.equal(byRule(diagnostics, 'multi-stage')[0].range.start.line, 0);
      assert.equal(byRule(diagnostics, 'multi-stage')[0].data.fixable, true);
    }));

  test('input c: non-root-user only', T, () =>
    withServer(async (c) => {
      const { diagnostics, version } = await c.open(C, { version: 7 });
      assert.deepEqual(codes(diagnostics), ['non-root-user']);
      assert.equal(diagnostics.length, 1);
      checkDiagnostic(diagnostics[0], 'non-root-user', 7);
    }));

  test('a clean file publishes an empty list', T, () =>
    withServer(async (c) => {
      const { diagnostics } = await c.open('FROM node:20\nUSER node\nCMD ["node","index.js"]\n');
      assert.deepEqual(diagnostics, []);
    }));
});

describe('quick fixes', () => {
  // Every diagnostic of every input: its preferred quick fix, applied by us, makes that diagnostic go away.
  for (const [name, text] of [['a', A], ['b', B], ['c', C]]) {
    for (const resolve of [false, true]) {
      test(`input ${name}: every quick fix removes its diagnostic (resolveSupport ${resolve})`, T, () =>
        withServer({ resolveSupport: resolve }, async (c) => {
          const opened = await c.open(text);
          assert.ok(opened.diagnostics.length > 0);
          for (const [k, d] of opened.diagnostics.entries()) {
            // A fresh document per diagnostic, so each fix starts from the original text.
            const { uri, diagnostics } = k === 0 ? opened : await c.open(text);
            const diag = diagnostics.find((x) => x.code === d.code && x.range.start.line === d.range.start.line && x.range.start.character === d.range.start.character);
            const actions = await c.codeActions(uri, [diag]);
            assert.ok(Array.isArray(actions) && actions.length > 0, `no code action for ${d.code} at line ${d.range.start.line}`);
            let action = actions.find((a) => a.isPreferred) ?? actions[0];
            assert.equal(action.kind, 'quickfix');
            assert.equal(action.isPreferred, true, `${d.code}: the fix should be preferred`);
            assert.deepEqual(action.diagnostics?.map((x) => x.code), [d.code]);
            if (d.code === 'multi-stage' && resolve) {
              assert.equal(action.edit, undefined, 'with resolveSupport the multi-stage action comes without its edit');
              action = await c.request('codeAction/resolve', action);
            }
            assert.ok(action.edit?.changes?.[uri], `${d.code}: no edit.changes for the document: ${JSON.stringify(action)}`);
            const after = applyEdits(text, action.edit.changes[uri]);
            assert.notEqual(after, text);
            if (d.code === 'multi-stage') assertGoMultiStage(after);
            if (d.code === 'non-root-user' && name === 'c') assertNodeNonRoot(after);
            const next = await c.replace(uri, 2, after);
            const before = byRule(diagnostics, d.code).length;
            const left = byRule(next, d.code);
            assert.ok(left.length < before, `${d.code} still reported after its fix (${before} → ${left.length}) in:\n${after}\n${JSON.stringify(left, null, 1)}`);
            if (before === 1) assert.equal(left.length, 0);
          }
        }));
    }
  }

  test('apt-hygiene on the install: fix adds --no-install-recommends (the lists are the update RUN\'s)', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(A);
      const diag = byRule(diagnostics, 'apt-hygiene').find((d) => d.range.start.line === 2);
      const [action] = (await c.codeActions(uri, [diag])).filter((a) => a.isPreferred);
      assert.equal(action.title, 'Add --no-install-recommends and keep ca-certificates');
      const after = applyEdits(A, action.edit.changes[uri]);
      assert.match(after, /apt-get install[^\n]*--no-install-recommends[^\n]*curl/);
      assert.ok(!after.includes('rm -rf /var/lib/apt/lists/*'), after);
      const next = await c.replace(uri, 2, after);
      assert.ok(!byRule(next, 'apt-hygiene').some((d) => /apt-get install/.test(lines(after)[d.range.start.line])), JSON.stringify(next));
    }));

  test('multi-stage: resolve fills the edit; inline edit without resolveSupport is the same', T, async () => {
    const resolved = await withServer({ resolveSupport: true }, async (c) => {
      const { uri, diagnostics } = await c.open(B);
      const [action] = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
      assert.equal(action.edit, undefined);
      assert.ok(action.data, 'an unresolved action carries data');
      const r = await c.request('codeAction/resolve', action);
      assert.ok(r.edit?.changes?.[uri]);
      return applyEdits(B, r.edit.changes[uri]);
    });
    const inline = await withServer({ resolveSupport: false }, async (c) => {
      const { uri, diagnostics } = await c.open(B);
      const [action] = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
      assert.ok(action.edit?.changes?.[uri], 'without resolveSupport the edit is inline');
      return applyEdits(B, action.edit.changes[uri]);
    });
    assertGoMultiStage(resolved);
    assert.equal(inline, resolved);
  });

  test('multi-stage: a client that names a conversionCommand gets that command (to preview), not the edit; the others the edit', T, async () => {
    for (const bad of [undefined, '', 42]) {
      await withServer({ resolveSupport: false, initializationOptions: bad === undefined ? undefined : { conversionCommand: bad } }, async (c) => {
        const { uri, diagnostics } = await c.open(B);
        const [action] = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
        assert.ok(action.edit?.changes?.[uri], `conversionCommand ${JSON.stringify(bad)}: the edit as before`);
        assert.equal(action.command, undefined);
      });
    }
    await withServer({ resolveSupport: true, initializationOptions: { conversionCommand: 'editor.previewConversion' } }, async (c) => {
      const { uri, diagnostics } = await c.open(B);
      const actions = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
      const convert = actions.filter((a) => /^Convert/.test(a.title));
      assert.equal(convert.length, 1, JSON.stringify(actions.map((a) => a.title)));
      const [action] = convert;
      assert.equal(action.kind, 'quickfix');
      assert.equal(action.isPreferred, true);
      assert.equal(action.edit, undefined, 'the client previews it: no edit to apply without asking');
      assert.equal(action.data, undefined, 'nothing to resolve');
      assert.match(action.title, /^Convert to a multi-stage build \(go → gcr\.io\/distroless\/static-debian12:nonroot\)$/, 'the title names the runtime');
      assert.deepEqual(action.command, { title: action.title, command: 'editor.previewConversion', arguments: [{ uri, version: 1 }] });
      // The other quick fixes keep their edits.
      const user = await c.codeActions(uri, byRule(diagnostics, 'non-root-user'));
      assert.ok(user.some((a) => a.edit?.changes?.[uri] && /non-root/.test(a.title)), JSON.stringify(user.map((a) => a.title)));
    });
  });

  test('context.only quickfix returns quick fixes; other kinds return none', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(C);
      const qf = await c.codeActions(uri, diagnostics, ['quickfix']);
      assert.ok(qf.length > 0 && qf.every((a) => a.kind === 'quickfix'));
      const refactor = await c.codeActions(uri, diagnostics, ['refactor']);
      assert.deepEqual(refactor ?? [], []);
    }));
});

describe('code actions by range (clients that send no diagnostics in the context)', () => {
  const at = (line, a, b) => ({ start: { line, character: a }, end: { line, character: b } });
  const ask = (c, uri, range, only) => c.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], ...(only ? { only } : {}) } });

  test('a range inside a finding gets its fixes; applied, the finding is gone and the others stay', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(A);
      const install = byRule(diagnostics, 'apt-hygiene').find((d) => d.range.start.line === 2);
      // A cursor (empty range) in the middle of the install line, as Neovim 0.7 sends it.
      const actions = await ask(c, uri, at(2, 10, 10));
      const fix = actions.find((a) => a.title === 'Add --no-install-recommends and keep ca-certificates');
      assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
      assert.equal(fix.kind, 'quickfix');
      assert.deepEqual(fix.diagnostics.map((d) => [d.code, d.range.start.line]), [['apt-hygiene', install.range.start.line]]);
      const after = applyEdits(A, fix.edit.changes[uri]);
      const next = await c.replace(uri, 2, after);
      assert.ok(!byRule(next, 'apt-hygiene').some((d) => d.range.start.line === 2 && /--no-install-recommends/.test(d.message)), JSON.stringify(next));
      assert.equal(byRule(next, 'merge-run').length, byRule(diagnostics, 'merge-run').length, 'the other findings stay');
    }));

  test('only the findings overlapping the range; a range with none gets no action; only=quickfix honoured', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open('FROM node:20\n\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n');
      assert.deepEqual(await ask(c, uri, at(1, 0, 0)), []);
      const whole = await ask(c, uri, { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } }, ['quickfix']);
      assert.ok(whole.length > 0 && whole.every((a) => a.kind === 'quickfix' && a.diagnostics[0].code === 'non-root-user'), JSON.stringify(whole));
      assert.deepEqual(await ask(c, uri, at(0, 0, 4), ['refactor']), []);
    }));

  test('the Go example: the conversion is offered for the FROM line, and resolves', T, () =>
    withServer({ resolveSupport: true }, async (c) => {
      const { uri } = await c.open(B);
      const actions = await ask(c, uri, at(0, 3, 3));
      const convert = actions.find((a) => a.diagnostics?.[0]?.code === 'multi-stage');
      assert.ok(convert, JSON.stringify(actions));
      const resolved = await c.request('codeAction/resolve', convert);
      assertGoMultiStage(applyEdits(B, resolved.edit.changes[uri]));
    }));
});

describe('quick fixes on half-typed documents', () => {
  // Whatever a diagnostic calls fixable must come with a quick fix that changes the text.
  const inputs = [
    ['USER without a name', 'FROM node:20\nUSER\n'],
    ['COPY --from= /x', 'FROM node:20\nCOPY --from= /x\n'],
    ['RUN alone', 'FROM debian:bookworm-slim\nRUN\nRUN echo a\n'],
    ['FROM alone', 'FROM\n'],
  ];
  for (const [name, text] of inputs) {
    test(`${name}: every fixable diagnostic gets a quick fix with a non-empty edit`, T, () =>
      withServer(async (c) => {
        const { uri, diagnostics } = await c.open(text);
        for (const d of diagnostics.filter((x) => x.data.fixable)) {
          const actions = await c.codeActions(uri, [d]);
          assert.ok(actions.length > 0, `no action for fixable ${d.code}`);
          let action = actions.find((a) => a.isPreferred) ?? actions[0];
          if (!action.edit) action = await c.request('codeAction/resolve', action);
          const edits = action.edit?.changes?.[uri] ?? [];
          const after = applyEdits(text, edits);
          assert.notEqual(after, text, `quick fix "${action.title}" for fixable ${d.code} ("${d.message}") on ${JSON.stringify(text)} changes nothing: ${JSON.stringify(action.edit)}`);
        }
      }));
  }
});

describe('quick fix only', () => {
  test('an unknown base image: the guessed user is offered as a quick fix, and fix-all leaves the file', T, () =>
    withServer(async (c) => {
      const text = 'FROM registry.example.org/vendor/runtime:2.1\nCOPY app /opt/app\nCMD ["/opt/app/run"]\n';
      const { uri, diagnostics } = await c.open(text);
      const [nr] = byRule(diagnostics, 'non-root-user');
      assert.ok(nr, JSON.stringify(diagnostics));
      assert.equal(nr.severity, 3, 'information: the image may already run unprivileged');
      assert.equal(nr.data.fixable, false);
      const actions = await c.codeActions(uri, [nr]);
      const user = actions.find((a) => /^Run as/.test(a.title) && a.edit);
      assert.ok(user, JSON.stringify(actions.map((a) => a.title)));
      assert.match(applyEdits(text, user.edit.changes[uri]), /\nUSER \S+\nCMD/);
      assert.ok(actions.some((a) => a.title === 'Ignore non-root-user for this instruction'), 'a finding that is not fixable can still be ignored');
      const all = await c.codeActions(uri, [], [FIX_ALL_KIND]);
      assert.deepEqual(all, [], 'fix-all has nothing to apply');
    }));
});

describe('fix all', () => {
  for (const only of [[FIX_ALL_KIND], ['source.fixAll']]) {
    for (const [name, text] of [['a', A], ['b', B], ['c', C]]) {
      test(`input ${name}: only ${only[0]} → one action whose edit leaves no fixable finding`, T, () =>
        withServer(async (c) => {
          const { uri } = await c.open(text);
          const actions = await c.codeActions(uri, [], only);
          assert.equal(actions.length, 1, JSON.stringify(actions));
          assert.equal(actions[0].kind, FIX_ALL_KIND);
          const after = applyEdits(text, actions[0].edit.changes[uri]);
          const next = await c.replace(uri, 2, after);
          // The multi-stage conversion is not part of fix-all (it is a quick fix and a previewed command).
          const fixable = next.filter((d) => d.data.fixable && d.code !== 'multi-stage');
          assert.deepEqual(fixable.map((d) => d.code), [], `fixable findings left after fix-all:\n${after}`);
        }));
    }
  }

  test('source.fixAll on the Go example never converts to multi-stage; the local fixes still apply', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(B);
      assert.equal(byRule(diagnostics, 'multi-stage').length, 1);
      assert.ok(byRule(diagnostics, 'non-root-user').length > 0);
      for (const only of [[FIX_ALL_KIND], ['source.fixAll'], ['source']]) {
        const actions = await c.codeActions(uri, [], only);
        assert.equal(actions.length, 1, JSON.stringify(actions));
        const after = applyEdits(B, actions[0].edit.changes[uri]);
        assert.ok(after.startsWith('FROM golang:1.22\n'), `the base image changed:\n${after}`);
        assert.equal(lines(after).filter((l) => /^FROM\b/.test(l)).length, 1, `a stage was added:\n${after}`);
        assert.ok(!after.includes('distroless'), after);
        assert.match(after, /^USER \S+/m, `the non-root user fix is still applied:\n${after}`);
      }
      // The same conversion stays available as a quick fix.
      const quick = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
      assert.ok(quick.some((a) => a.kind === 'quickfix' && /multi-stage/i.test(a.title)), JSON.stringify(quick));
    }));

  test('the Fix All command (palette) leaves the conversion to its own previewed command too', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(B);
      const result = await c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: [{ uri, apply: false }] });
      assert.equal(typeof result.newText, 'string');
      assert.equal(lines(result.newText).filter((l) => /^FROM\b/.test(l)).length, 1, result.newText);
      assert.match(result.newText, /^USER \S+/m);
    }));

  test('dockerfileLean.fixAll.includeConversion: true lets fix-all convert', T, () =>
    withServer({ settings: { enable: true, rules: {}, fixAll: { includeConversion: true } } }, async (c) => {
      const { uri } = await c.open(B);
      const [action] = await c.codeActions(uri, [], [FIX_ALL_KIND]);
      assertGoMultiStage(applyEdits(B, action.edit.changes[uri]));
    }));
});

describe('executeCommand', () => {
  const cases = [
    [CMD.convertToMultiStage, B, 'multi-stage'],
    [CMD.insertNonRootUser, C, 'non-root-user'],
    [CMD.mergeRunInstructions, A, 'merge-run'],
    [CMD.fixAll, A, null],
  ];
  for (const [command, text, rule] of cases) {
    test(`${command} with apply: true sends workspace/applyEdit with the edit`, T, () =>
      withServer(async (c) => {
        const { uri } = await c.open(text);
        const applied = c.nextApplyEdit();
        const result = await c.request('workspace/executeCommand', { command, arguments: [{ uri, apply: true }] });
        const req = await applied;
        assert.ok(req.edit.changes[uri], JSON.stringify(req));
        const after = applyEdits(text, req.edit.changes[uri]);
        assert.equal(typeof result.newText, 'string');
        assert.equal(after, result.newText, 'the applied edit gives newText');
        assert.deepEqual(result.edits, req.edit.changes[uri]);
        assert.equal(result.applied, true);
        const next = await c.replace(uri, 2, after);
        if (rule) assert.deepEqual(byRule(next, rule), [], `${rule} still reported after ${command}`);
        else assert.deepEqual(next.filter((d) => d.data.fixable).map((d) => d.code), []);
        if (rule === 'multi-stage') assertGoMultiStage(after);
        if (rule === 'non-root-user') assertNodeNonRoot(after);
      }));

    test(`${command} with apply: false returns newText and sends no applyEdit`, T, () =>
      withServer(async (c) => {
        const { uri } = await c.open(text);
        const result = await c.request('workspace/executeCommand', { command, arguments: [{ uri, apply: false }] });
        assert.equal(typeof result.newText, 'string');
        assert.notEqual(result.newText, text);
        assert.equal(applyEdits(text, result.edits), result.newText);
        assert.notEqual(result.applied, true);
        // A later request is answered after any applyEdit the server would have sent first.
        await c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: [{ uri: newUri(), apply: false }] }).catch(() => {});
        assert.equal(c.applyEdits.length, 0, 'no workspace/applyEdit expected');
      }));
  }

  test('a command with nothing to change returns newText null and a message', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(C);
      const result = await c.request('workspace/executeCommand', { command: CMD.mergeRunInstructions, arguments: [{ uri }] });
      assert.equal(result.newText, null);
      assert.deepEqual(result.edits, []);
      assert.equal(typeof result.message, 'string');
      assert.equal(c.applyEdits.length, 0);
    }));

  test('compareTexts: the texts Build and Compare builds (every fix, each rule alone, the toolchain paths), nothing applied', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(B);
      const all = await c.request('workspace/executeCommand', { command: COMPARE_TEXTS, arguments: [{ uri }] });
      assert.equal(all.before, B);
      assertGoMultiStage(all.after);
      assert.ok(all.rules.includes('multi-stage'), JSON.stringify(all.rules));
      for (const r of all.rules) assert.notEqual(all.perRule[r], B);
      assert.equal(all.ecosystem, 'go');
      assert.ok(all.toolchainPaths.includes('/usr/bin/gcc'));
      assert.equal(all.message, undefined);
      const one = await c.request('workspace/executeCommand', { command: COMPARE_TEXTS, arguments: [{ uri, rules: ['non-root-user'] }] });
      assert.deepEqual(one.rules, ['non-root-user']);
      assert.equal(one.toolchainPaths, null);
      const none = await c.request('workspace/executeCommand', { command: COMPARE_TEXTS, arguments: [{ uri, rules: ['merge-run'] }] });
      assert.equal(none.after, B);
      assert.match(none.message, /^Nothing to compare/);
      await assert.rejects(c.request('workspace/executeCommand', { command: COMPARE_TEXTS, arguments: [{ uri, rules: ['no-such-rule'] }] }), /no known rule/);
      await assert.rejects(c.request('workspace/executeCommand', { command: COMPARE_TEXTS, arguments: [{}] }), /expected \{ uri \}/);
      assert.equal(c.applyEdits.length, 0);
    }));

  test('a hint: fix-all leaves it to the user; the rule\'s own command and its quick fix apply it', T, () =>
    withServer(async (c) => {
      const text = 'FROM debian:bookworm-slim\nRUN mkdir -p /srv/a\nRUN mkdir -p /srv/b\nUSER 1000\nCMD ["sh"]\n';
      const { uri, diagnostics } = await c.open(text);
      const hint = byRule(diagnostics, 'merge-run');
      assert.equal(hint.length, 1);
      assert.equal(hint[0].severity, 4, 'a hint');
      assert.deepEqual(await c.codeActions(uri, [], [FIX_ALL_KIND]), [], 'fix-all has nothing to apply');
      const quick = await c.codeActions(uri, hint, ['quickfix']);
      assert.ok(quick.some((a) => /Merge/i.test(a.title)), JSON.stringify(quick.map((a) => a.title)));
      const result = await c.request('workspace/executeCommand', { command: CMD.mergeRunInstructions, arguments: [{ uri, apply: false }] });
      assert.match(result.newText, /^RUN mkdir -p \/srv\/a && \\\n\s+mkdir -p \/srv\/b$/m);
      const all = await c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: [{ uri, apply: false }] });
      assert.equal(all.newText, null, 'Fix All applies warnings and errors only');
    }));

  test('CLI convert prints exactly the server convertToMultiStage newText', T, () =>
    withServer(async (c) => {
      for (const text of [B, B.replace(/\n/g, '\r\n'), A]) {
        const { uri } = await c.open(text);
        const result = await c.request('workspace/executeCommand', { command: CMD.convertToMultiStage, arguments: [{ uri, apply: false }] });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-conv-'));
        try {
          const file = path.join(dir, 'Dockerfile');
          fs.writeFileSync(file, text);
          const r = spawnSync(process.execPath, [CLI, 'convert', file], { encoding: 'utf8', timeout: 15_000 });
          assert.equal(r.status, 0, r.stderr);
          assert.equal(r.stdout, result.newText ?? text, `CLI convert vs server newText for ${JSON.stringify(text)}`);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    }));
});

describe('settings', () => {
  test('pulled settings: didChangeConfiguration re-pulls; merge-run off removes it; enable false clears all', T, () =>
    withServer({ configuration: true }, async (c) => {
      const { uri, diagnostics } = await c.open(A);
      assert.ok(c.configRequests >= 1, 'the server asks for workspace/configuration');
      assert.ok(byRule(diagnostics, 'merge-run').length === 1);

      c.settings = { enable: true, rules: { 'merge-run': 'off' } };
      let pub = c.waitPublish(uri, (p) => !p.diagnostics.some((d) => d.code === 'merge-run'), 'a publish without merge-run');
      c.notify('workspace/didChangeConfiguration', { settings: null });
      let p = await pub;
      assert.deepEqual(codes(p.diagnostics), ['apt-hygiene', 'non-root-user']);
      // merge-run off: the lone update it carried is reported on its own again.
      assert.equal(byRule(p.diagnostics, 'apt-hygiene').length, 2);
      assert.equal(p.version, 1);

      c.settings = { enable: false };
      pub = c.waitPublish(uri, (x) => x.diagnostics.length === 0, 'an empty publish after enable: false');
      c.notify('workspace/didChangeConfiguration', { settings: null });
      p = await pub;
      assert.deepEqual(p.diagnostics, []);

      c.settings = { enable: true, rules: { 'non-root-user': 'error' } };
      pub = c.waitPublish(uri, (x) => x.diagnostics.length > 0, 'diagnostics back after enable: true');
      c.notify('workspace/didChangeConfiguration', { settings: null });
      p = await pub;
      assert.deepEqual(codes(p.diagnostics), ['apt-hygiene', 'merge-run', 'non-root-user']);
      assert.equal(byRule(p.diagnostics, 'non-root-user')[0].severity, 1, 'severity error (1) from the settings');
    }));

  test('pulled settings apply at open', T, () =>
    withServer({ configuration: true, settings: { enable: true, rules: { 'merge-run': 'off', 'apt-hygiene': 'info' } } }, async (c) => {
      const { diagnostics } = await c.open(A);
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'non-root-user']);
      for (const d of byRule(diagnostics, 'apt-hygiene')) assert.equal(d.severity, 3);
    }));

  test('the analysis made before the settings answer stands only when the answer matches it', T, () => {
    // Answers come late, so the server analyses each document first with the settings it guesses.
    let answer = { enable: true, rules: { 'merge-run': 'off', 'apt-hygiene': 'info' } };
    const late = (params) => new Promise((resolve) => setTimeout(() => resolve(params.items.map((it) => (it.section === 'dockerfileLean' ? answer : null))), 150));
    return withServer({ configuration: true, onConfiguration: late, env: { DOCKERFILE_LEAN_TRACE: '1' } }, async (c) => {
      // The first guess is the defaults; the answer differs, so the first publish follows the answer.
      let { diagnostics } = await c.open(A);
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'non-root-user']);
      for (const d of byRule(diagnostics, 'apt-hygiene')) assert.equal(d.severity, 3);
      // The next document's guess is that answer: it stands, and gives the same findings.
      ({ diagnostics } = await c.open(A));
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'non-root-user']);
      // A different answer for a third document: the guess (the previous answer) is dropped.
      answer = { enable: true, rules: { 'non-root-user': 'off' } };
      ({ diagnostics } = await c.open(A));
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'merge-run']);
      assert.equal(c.configRequests, 3);
      // The server's trace (stderr) shows the guesses were made: at least for the two later documents.
      assert.ok((c.stderr.match(/before the settings answer/g) ?? []).length >= 2, c.stderr);
    });
  });

  test('client without workspace.configuration: defaults, then pushed settings', T, () =>
    withServer({ configuration: false }, async (c) => {
      const { uri, diagnostics } = await c.open(A);
      assert.equal(c.configRequests, 0, 'no workspace/configuration request without the capability');
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'merge-run', 'non-root-user']);
      for (const d of diagnostics) assert.equal(d.severity, defaultSeverity(d));

      let pub = c.waitPublish(uri, (p) => !p.diagnostics.some((d) => d.code === 'merge-run'), 'a publish without merge-run');
      c.notify('workspace/didChangeConfiguration', { settings: { dockerfileLean: { enable: true, rules: { 'merge-run': 'off' } } } });
      let p = await pub;
      assert.deepEqual(codes(p.diagnostics), ['apt-hygiene', 'non-root-user']);
      // merge-run off: the lone update it carried is reported on its own again.
      assert.equal(byRule(p.diagnostics, 'apt-hygiene').length, 2);

      pub = c.waitPublish(uri, (x) => x.diagnostics.length === 0, 'an empty publish after enable: false');
      c.notify('workspace/didChangeConfiguration', { settings: { dockerfileLean: { enable: false } } });
      p = await pub;
      assert.deepEqual(p.diagnostics, []);
      assert.equal(c.configRequests, 0);
    }));
});

describe('document sync', () => {
  test('incremental edits sent back-to-back: the publish for the last version matches the final text', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(C);
      let text = C;
      const changes = [
        // line 0 "FROM node:20" → "FROM golang:1.22"
        { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 12 } }, text: 'golang:1.22' },
        // "WORKDIR /app" → "WORKDIR /src"
        { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 12 } }, text: '/src' },
        // insert a build step after COPY
        { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'RUN go build -o /out/server .\nEXPOSE 8080\n' },
        // the CMD line (now line 5) → CMD ["/out/server"]
        { range: { start: { line: 5, character: 4 }, end: { line: 5, character: 23 } }, text: '["/out/server"]' },
      ];
      let version = 1;
      for (const ch of changes) {
        version++;
        text = applyEdits(text, [{ range: ch.range, newText: ch.text }]);
        c.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [ch] });
      }
      assert.equal(text, B);
      const p = await c.diagnosticsFor(uri, version);
      assert.deepEqual(codes(p.diagnostics), ['multi-stage', 'non-root-user']);
      for (const d of p.diagnostics) assert.equal(d.data.version, version);
      // Same diagnostics as a fresh document with the final text (apart from the version).
      const strip = (ds) => ds.map(({ data, ...d }) => ({ ...d, data: { ...data, version: 0 } }));
      const freshOpen = await c.open(B, { version });
      assert.deepEqual(strip(p.diagnostics), strip(freshOpen.diagnostics));
      // The server's view of the text is B: its conversion equals the one for a freshly opened B.
      const fromEdits = await c.request('workspace/executeCommand', { command: CMD.convertToMultiStage, arguments: [{ uri, apply: false }] });
      const { uri: fresh } = await c.open(B);
      const fromOpen = await c.request('workspace/executeCommand', { command: CMD.convertToMultiStage, arguments: [{ uri: fresh, apply: false }] });
      assert.equal(fromEdits.newText, fromOpen.newText);
    }));

  test('several content changes in one didChange, and typing char by char', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open('FROM node:20\n');
      let text = 'FROM node:20\n';
      let version = 1;
      // One notification with two ordered changes.
      const two = [
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'RUN echo a\n' },
        { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'RUN echo b\n' },
      ];
      for (const ch of two) text = applyEdits(text, [{ range: ch.range, newText: ch.text }]);
      c.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: two });
      // Then type "USER node\n" one character at a time.
      let line = 3;
      let col = 0;
      for (const ch of 'USER node\n') {
        const pos = { line, character: col };
        text = applyEdits(text, [{ range: { start: pos, end: pos }, newText: ch }]);
        c.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: pos, end: pos }, text: ch }] });
        if (ch === '\n') {
          line++;
          col = 0;
        } else col++;
      }
      assert.equal(text, 'FROM node:20\nRUN echo a\nRUN echo b\nUSER node\n');
      const p = await c.diagnosticsFor(uri, version);
      assert.deepEqual(codes(p.diagnostics), ['merge-run']);
      assert.equal(p.diagnostics[0].range.start.line, 1);
      assert.equal(p.diagnostics[0].range.end.line, 2);
    }));

  test('CRLF document gets the same findings (same lines) as LF', T, () =>
    withServer(async (c) => {
      for (const text of [A, B, C]) {
        const lf = await c.open(text);
        const crlf = await c.open(text.replace(/\n/g, '\r\n'));
        const key = (ds) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}`).sort();
        assert.deepEqual(key(crlf.diagnostics), key(lf.diagnostics));
        // Its fixes keep CRLF line breaks and still fix.
        const actions = await c.codeActions(crlf.uri, [], [FIX_ALL_KIND]);
        const crlfText = text.replace(/\n/g, '\r\n');
        const after = applyEdits(crlfText, actions[0].edit.changes[crlf.uri]);
        assert.ok(!/[^\r]\n/.test(after), `a bare LF in the fixed CRLF text:\n${JSON.stringify(after)}`);
        const next = await c.replace(crlf.uri, 2, after);
        // Fix-all leaves the multi-stage conversion to its quick fix.
        assert.deepEqual(next.filter((d) => d.data.fixable && d.code !== 'multi-stage').map((d) => d.code), []);
      }
    }));

  test('a document with # escape=` gets the same findings as with backslash', T, () =>
    withServer(async (c) => {
      const backslash = 'FROM debian:bookworm-slim\nRUN apt-get update && \\\n    apt-get install -y curl\nRUN apt-get clean\nCMD ["./run.sh"]\n';
      const backtick = '# escape=`\n' + backslash.replace(/\\\n/g, '`\n');
      const x = await c.open(backslash);
      const y = await c.open(backtick);
      const key = (ds, shift) => ds.map((d) => `${d.code}@${d.range.start.line - shift}`).sort();
      assert.ok(x.diagnostics.length > 0);
      assert.deepEqual(key(y.diagnostics, 1), key(x.diagnostics, 0));
      // Also the plain inputs behind an escape directive.
      for (const text of [A, B, C]) {
        const plain = await c.open(text);
        const esc = await c.open('# escape=`\n' + text);
        assert.deepEqual(key(esc.diagnostics, 1), key(plain.diagnostics, 0), `escape directive changed findings for:\n${text}`);
      }
      // A fix-all on the backtick file uses backticks for continuations.
      const actions = await c.codeActions(y.uri, [], [FIX_ALL_KIND]);
      const after = applyEdits(backtick, actions[0].edit.changes[y.uri]);
      assert.ok(!/\\\n/.test(after), `backslash continuation in a backtick file:\n${after}`);
      const next = await c.replace(y.uri, 2, after);
      assert.deepEqual(next.filter((d) => d.data.fixable).map((d) => d.code), [], after);
    }));

  test('didClose clears the diagnostics with an empty publish', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(A);
      assert.ok(diagnostics.length > 0);
      const pub = c.waitPublish(uri, (p) => p.diagnostics.length === 0, 'an empty publish after didClose');
      c.notify('textDocument/didClose', { textDocument: { uri } });
      const p = await pub;
      assert.deepEqual(p.diagnostics, []);
      // Closed: commands on it fail now.
      await assert.rejects(c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: [{ uri }] }));
    }));
});

describe('non-root-user: quick fix and server command agree', () => {
  // One input per base image family; the preferred quick fix and insertNonRootUser must give the same text.
  const inputs = [
    ['node', C],
    ['debian slim', 'FROM debian:bookworm-slim\nWORKDIR /srv\nCOPY app.sh .\nCMD ["./app.sh"]\n'],
    ['alpine, CRLF', 'FROM alpine:3.20\r\nRUN apk add --no-cache curl\r\nENTRYPOINT ["curl"]\r\n'],
    ['ubi-minimal', 'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nWORKDIR /opt/app\nCOPY app.py .\nCMD ["python3", "app.py"]\n'],
    ['distroless', 'FROM gcr.io/distroless/static-debian12\nCOPY server /server\nENTRYPOINT ["/server"]\n'],
    ['rocker', 'FROM rocker/r-ver:4.4.1\nWORKDIR /srv/api\nCOPY plumber.R .\nCMD ["Rscript", "plumber.R"]\n'],
    ['.NET', 'FROM mcr.microsoft.com/dotnet/aspnet:8.0\nWORKDIR /app\nCOPY publish/ .\nENTRYPOINT ["dotnet", "Api.dll"]\n'],
    ['last USER root', 'FROM node:20\nUSER node\nUSER root\nCMD ["node", "index.js"]\n'],
  ];
  for (const [name, text] of inputs) {
    test(`${name}: the quick fix and ${CMD.insertNonRootUser} give the same text`, T, () =>
      withServer(async (c) => {
        const { uri, diagnostics } = await c.open(text);
        const diag = byRule(diagnostics, 'non-root-user');
        assert.equal(diag.length, 1, JSON.stringify(diagnostics));
        const [action] = (await c.codeActions(uri, diag)).filter((a) => a.isPreferred);
        assert.ok(action?.edit?.changes?.[uri], JSON.stringify(action));
        const fromAction = applyEdits(text, action.edit.changes[uri]);
        const result = await c.request('workspace/executeCommand', { command: CMD.insertNonRootUser, arguments: [{ uri, apply: false }] });
        assert.equal(result.newText, fromAction);
        assert.notEqual(fromAction, text);
        assert.equal(fromAction.includes('\r\n'), text.includes('\r\n'), 'line endings kept');
        const next = await c.replace(uri, 2, fromAction);
        assert.deepEqual(byRule(next, 'non-root-user'), []);
      }));
  }
});

describe('errors', () => {
  async function stillServes(c) {
    const { uri, diagnostics } = await c.open(C);
    assert.deepEqual(codes(diagnostics), ['non-root-user']);
    const r = await c.request('workspace/executeCommand', { command: CMD.insertNonRootUser, arguments: [{ uri, apply: false }] });
    assertNodeNonRoot(r.newText);
  }

  test('unknown command → JSON-RPC error, server keeps serving', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(C);
      await assert.rejects(c.request('workspace/executeCommand', { command: 'dockerfile-lean.server.nope', arguments: [{ uri }] }), (e) => typeof e.code === 'number');
      await stillServes(c);
    }));

  test('command on a uri that is not open → JSON-RPC error, server keeps serving', T, () =>
    withServer(async (c) => {
      await assert.rejects(c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: [{ uri: newUri() }] }), (e) => typeof e.code === 'number');
      await assert.rejects(c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: [] }), (e) => typeof e.code === 'number');
      await assert.rejects(c.request('workspace/executeCommand', { command: CMD.fixAll, arguments: ['not an object'] }), (e) => typeof e.code === 'number');
      await stillServes(c);
    }));

  test('codeAction with garbage params → JSON-RPC error, server keeps serving', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(A);
      await assert.rejects(c.request('textDocument/codeAction', { textDocument: { uri } }), (e) => typeof e.code === 'number');
      await assert.rejects(c.request('textDocument/codeAction', { textDocument: { uri }, range: null, context: { diagnostics: [], only: 5 } }), (e) => typeof e.code === 'number');
      // Not a list of diagnostics: an error or no action, either is fine, as long as nothing breaks.
      const r = await c.request('textDocument/codeAction', { textDocument: { uri }, range: null, context: { diagnostics: 'x' } }).catch((e) => e);
      assert.ok(Array.isArray(r) ? r.length === 0 : typeof r.code === 'number', JSON.stringify(r));
      await stillServes(c);
      assert.equal(c.exited, false);
    }));

  test('codeAction with malformed diagnostics in context does not break the server', T, () =>
    withServer(async (c) => {
      const { uri } = await c.open(A);
      const bogus = [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'dockerfile-lean', data: { rule: 'merge-run', fixable: true, version: 1 } },
        { range: { start: { line: 99, character: 0 }, end: { line: 99, character: 1 } }, message: 'x', source: 'other' },
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'x', source: 'dockerfile-lean', data: null },
      ];
      const r = await c.request('textDocument/codeAction', { textDocument: { uri }, range: bogus[0].range, context: { diagnostics: bogus } });
      assert.deepEqual(r ?? [], []);
      await stillServes(c);
    }));

  test('codeAction/resolve on an action for a closed document returns it unchanged', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(B);
      const [action] = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
      const pub = c.waitPublish(uri, (p) => p.diagnostics.length === 0, 'empty publish');
      c.notify('textDocument/didClose', { textDocument: { uri } });
      await pub;
      const r = await c.request('codeAction/resolve', action);
      assert.equal(r.edit, undefined);
      await stillServes(c);
    }));
});

describe('project config file', () => {
  /** A new folder with a config file (name → text) and the URI of a Dockerfile in it. */
  function project(name, text) {
    const uri = newUri();
    const d = path.dirname(fileURLToPath(uri));
    fs.mkdirSync(path.join(d, '.git'));
    if (name) fs.writeFileSync(path.join(d, name), text);
    return { uri, dir: d };
  }

  test('the server honours a .dockerfilelean.json next to the file; an explicit client setting overrides it, "default" does not', T, () =>
    withServer({ configuration: true, settings: { enable: true, rules: { 'merge-run': 'default', 'apt-hygiene': 'default', 'non-root-user': 'default' } } }, async (c) => {
      const { uri, dir } = project('.dockerfilelean.json', JSON.stringify({ rules: { 'merge-run': 'off', 'apt-hygiene': 'error' } }));
      const { diagnostics } = await c.open(A, { uri });
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'non-root-user']);
      for (const d of byRule(diagnostics, 'apt-hygiene')) assert.equal(d.severity, 1, 'error (1) from the file');
      assert.equal(byRule(diagnostics, 'non-root-user')[0].severity, 2);

      // The client sets apt-hygiene and merge-run explicitly: both win over the file.
      c.settings = { enable: true, rules: { 'apt-hygiene': 'hint', 'merge-run': 'warning', 'non-root-user': 'default' } };
      let pub = c.waitPublish(uri, (p) => p.diagnostics.some((d) => d.code === 'merge-run'), 'merge-run back from the client setting');
      c.notify('workspace/didChangeConfiguration', { settings: null });
      let p = await pub;
      assert.deepEqual(codes(p.diagnostics), ['apt-hygiene', 'merge-run', 'non-root-user']);
      for (const d of byRule(p.diagnostics, 'apt-hygiene')) assert.equal(d.severity, 4, 'hint (4) from the client');

      // The file changes on disk; a watched-files notification makes the server read it again.
      fs.writeFileSync(path.join(dir, '.dockerfilelean.json'), JSON.stringify({ rules: { 'non-root-user': 'off' } }));
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(path.join(dir, '.dockerfilelean.json'), later, later);
      pub = c.waitPublish(uri, (x) => !x.diagnostics.some((d) => d.code === 'non-root-user'), 'non-root-user off from the changed file');
      c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(dir, '.dockerfilelean.json')).href, type: 2 }] });
      p = await pub;
      assert.deepEqual(codes(p.diagnostics), ['apt-hygiene', 'merge-run']);
      assert.deepEqual(c.messages, []);
    }));

  test('rule options from a .dockerfilelean.yaml reach the quick fix', T, () =>
    withServer(async (c) => {
      const { uri } = project('.dockerfilelean.yaml', 'rules:\n  non-root-user:\n    options:\n      name: svc\n      uid: 2000\n');
      const text = 'FROM debian:bookworm-slim\nCMD ["./run"]\n';
      const { diagnostics } = await c.open(text, { uri });
      const d = byRule(diagnostics, 'non-root-user')[0];
      assert.match(d.message, /'svc' \(uid 2000\)/);
      const actions = await c.codeActions(uri, [d]);
      const fix = actions.find((a) => a.isPreferred);
      const out = applyEdits(text, fix.edit.changes[uri]);
      assert.match(out, /useradd --system --uid 2000 --gid svc/);
      assert.match(out, /^USER svc$/m);
    }));

  test('a malformed config file: one warning message naming file and line, the defaults, the server keeps serving', T, () =>
    withServer(async (c) => {
      const { uri, dir } = project('.dockerfilelean.yaml', 'rules:\n  merge-run: [off\n');
      const { diagnostics } = await c.open(A, { uri });
      assert.deepEqual(codes(diagnostics), ['apt-hygiene', 'merge-run', 'non-root-user'], 'the defaults');
      // A second document under the same config and an edit: still one message.
      const uri2 = pathToFileURL(path.join(dir, 'Dockerfile.web')).href;
      await c.open(C, { uri: uri2 });
      await c.replace(uri, 2, A + '# edited\n');
      assert.equal(c.messages.length, 1, JSON.stringify(c.messages));
      assert.equal(c.messages[0].type, 2, 'a warning');
      assert.match(c.messages[0].message, /^Dockerfile Lean: \.dockerfilelean\.yaml line 3: not valid YAML: .+\. The defaults apply until it is fixed\.$/);
      assert.ok(!c.messages[0].message.includes(dir), 'the file is named relative to the repository, not by its absolute path');
      const actions = await c.codeActions(uri, diagnostics);
      assert.ok(Array.isArray(actions));
    }));

  test('a config error that quotes the file shows its control characters escaped, in the message and in the log', T, () =>
    withServer(async (c) => {
      // JSON.parse's message quotes the text around the error, line break and terminal escapes included.
      const { uri } = project('.dockerfilelean.json', '[x\n::error::cf\x1b]0;\x07]');
      await c.open(A, { uri });
      assert.equal(c.messages.length, 1, JSON.stringify(c.messages));
      const shown = [c.messages[0].message, ...c.logs.filter((l) => l.includes('.dockerfilelean.json'))];
      assert.equal(shown.length, 2, JSON.stringify(c.logs));
      for (const m of shown) {
        assert.ok(m.includes('"[x\\n::error::cf\\x1b]0;\\x07]" is not valid JSON'), m);
        assert.doesNotMatch(m, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, m);
      }
    }));

  test('config errors are diagnostics in the config file: every one, at its key, in plain words; fixed, they go', T, () =>
    withServer(async (c) => {
      const text = 'rules:\n  merge-runs: off\n  apt-hygiene: loud\nignor:\n  - vendor/\n';
      const { uri, dir } = project('.dockerfilelean.yaml', text);
      const configPath = path.join(dir, '.dockerfilelean.yaml');
      const configUri = pathToFileURL(configPath).href;
      const published = c.waitPublish(configUri, (p) => p.diagnostics.length > 0, 'diagnostics for the config file');
      await c.open(A, { uri });
      const { diagnostics } = await published;
      assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]), [[1, 2, 1, 12], [2, 15, 2, 19], [3, 0, 3, 5]]);
      for (const d of diagnostics) {
        assert.equal(d.severity, 1);
        assert.equal(d.source, 'dockerfile-lean');
        assert.doesNotMatch(d.message, /`/, d.message);
        assert.match(d.message, /the defaults apply\.$/);
      }
      assert.match(diagnostics[0].message, /^unknown rule "merge-runs"/);
      assert.match(c.messages[0].message, /^Dockerfile Lean: \.dockerfilelean\.yaml line 2: unknown rule "merge-runs" .* \(and 2 more problems\)\./);
      assert.ok(!c.messages[0].message.includes(dir));
      // Fixed on disk: an empty publish for the config file, and the config applies.
      fs.writeFileSync(configPath, 'rules:\n  merge-run: off\n');
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(configPath, later, later);
      const cleared = c.waitPublish(configUri, (p) => p.diagnostics.length === 0, 'the config diagnostics cleared');
      const rechecked = c.waitPublish(uri, (p) => !p.diagnostics.some((d) => d.code === 'merge-run'), 'merge-run off');
      c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
      await cleared;
      await rechecked;
    }));
});
after(removeTmpDir);
