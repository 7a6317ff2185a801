// The multi-stage conversion over the protocol: its quick fix is titled with the runtime before it is resolved (an
// editor shows the unresolved title), and a declined conversion offers "Show why it was not converted".
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, removeTmpDir, withServer } from './client.mjs';

const T = { timeout: 30_000 };
after(removeTmpDir);

const GO = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server .\nEXPOSE 8080\nCMD ["/out/server"]\n';
const PY = 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n';
// Declined: the HEALTHCHECK calls curl, which the distroless runtime has no package manager to install.
const DECLINED = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /server .\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:8080/health"]\nCMD ["/server"]\n';
const REASON = 'the HEALTHCHECK on line 5 runs \'curl\', and gcr.io/distroless/static-debian12:nonroot has no package manager to install it';

const byRule = (diagnostics, rule) => diagnostics.filter((d) => d.code === rule);

describe('multi-stage conversion actions', () => {
  for (const resolveSupport of [true, false]) {
    test(`the quick fix names the runtime before it is resolved (resolveSupport ${resolveSupport})`, T, () =>
      withServer({ resolveSupport }, async (c) => {
        for (const [text, title] of [
          [GO, 'Convert to a multi-stage build (go → gcr.io/distroless/static-debian12:nonroot)'],
          [PY, 'Convert to a multi-stage build (python → python:3.12-slim)'],
        ]) {
          const { uri, diagnostics } = await c.open(text);
          const actions = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
          const convert = actions.filter((a) => /^Convert to a multi-stage build/.test(a.title));
          assert.equal(convert.length, 1, JSON.stringify(actions.map((a) => a.title)));
          assert.equal(convert[0].title, title);
          assert.equal(convert[0].edit === undefined, resolveSupport, 'the edit comes with resolve only when the client resolves');
          const resolved = resolveSupport ? await c.request('codeAction/resolve', convert[0]) : convert[0];
          assert.equal(resolved.title, title, 'resolving keeps the title');
          const after = applyEdits(text, resolved.edit.changes[uri]);
          assert.match(after, /^FROM \S+ AS build$/m);
          assert.ok(!actions.some((a) => /Show why/.test(a.title)), 'a conversion that is offered has nothing to explain');
        }
      }));
  }

  test('a declined conversion offers "Show why it was not converted" besides the ignore actions; the server shows the reason', T, () =>
    withServer(async (c) => {
      const { uri, diagnostics } = await c.open(DECLINED);
      const [d] = byRule(diagnostics, 'multi-stage');
      assert.equal(d.data.fixable, false);
      const actions = await c.codeActions(uri, [d]);
      const titles = actions.map((a) => a.title);
      assert.ok(!titles.some((t) => /^Convert/.test(t)), JSON.stringify(titles));
      const why = actions.find((a) => a.title === 'Show why it was not converted');
      assert.ok(why, JSON.stringify(titles));
      assert.equal(why.kind, 'quickfix');
      assert.equal(why.edit, undefined);
      assert.equal(why.command.command, 'dockerfile-lean.server.showNotConvertedReason');
      assert.equal(why.command.arguments[0].reason, REASON);
      assert.match(why.command.arguments[0].docs, /multi-stage/);
      assert.deepEqual(titles, ['Show why it was not converted', 'Ignore multi-stage for this instruction', 'Ignore multi-stage in this file']);
      assert.ok(c.initResult.capabilities.executeCommandProvider.commands.includes(why.command.command));
      const result = await c.request('workspace/executeCommand', why.command);
      assert.equal(result.message, `Not converted to a multi-stage build: ${REASON}.`);
      const deadline = Date.now() + 5000;
      while (!c.messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(c.messages.length, 1);
      assert.equal(c.messages[0].message, result.message);
      assert.equal(c.messages[0].type, 3, 'an information message');
    }));

  test('a client that names its own command in initializationOptions gets that command with the same arguments', T, () =>
    withServer({ initializationOptions: { showReasonCommand: 'myEditor.showReason' } }, async (c) => {
      const { uri, diagnostics } = await c.open(DECLINED);
      const actions = await c.codeActions(uri, byRule(diagnostics, 'multi-stage'));
      const why = actions.find((a) => a.title === 'Show why it was not converted');
      assert.equal(why.command.command, 'myEditor.showReason');
      assert.equal(why.command.arguments[0].reason, REASON);
      assert.equal(why.command.arguments[0].title, 'Not converted to a multi-stage build');
    }));

  test('the show-reason command rejects arguments without a reason', T, () =>
    withServer(async (c) => {
      await assert.rejects(c.request('workspace/executeCommand', { command: 'dockerfile-lean.server.showNotConvertedReason', arguments: [{}] }), /reason/);
      assert.equal(c.messages.length, 0);
    }));
});
