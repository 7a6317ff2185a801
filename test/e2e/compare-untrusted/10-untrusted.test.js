// Build and Compare in a workspace that was never trusted (workspace trust on): refused with the reason, and its
// code action disabled with the same reason; checking still works.
const assert = require('assert');
const vscode = require('vscode');
const { waitForRule, codeActionsUntil, createDockerfile, FIXTURES } = require('../suite/helpers');

suite('Build and Compare in an untrusted workspace', () => {
  test('the command refuses, with the reason, and builds nothing', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'this launch should open the folder untrusted');
    const { uri } = await createDockerfile('untrusted', FIXTURES.go);
    // The language features work in restricted mode.
    const d = await waitForRule(uri, 'multi-stage');
    const out = await vscode.commands.executeCommand('dockerfileLean.buildAndCompare', { confirm: false, show: false });
    assert.ok(out && out.refused, `not refused: ${JSON.stringify(out)}`);
    assert.match(out.refused, /untrusted workspace/);
    assert.match(out.refused, /Trust the workspace/);
    // Its code action is disabled (with the same reason), and VS Code runs no disabled action: among the
    // actions offered once the conversion is there, none starts a build.
    const all = await codeActionsUntil(uri, d.range, vscode.CodeActionKind.QuickFix.value, (xs) => (xs.some((x) => /multi-stage build/.test(x.title)) ? xs : []), 'the conversion');
    assert.deepStrictEqual(all.filter((x) => /Build both and compare/.test(x.title) && !x.disabled), []);
  });
});
