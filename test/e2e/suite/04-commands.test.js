const assert = require('assert');
const vscode = require('vscode');
const { FIXTURES, waitForRule, waitForNoRule, waitFor, ours, createDockerfile, readDisk, closeAll } = require('./helpers');
const { assertAptResult, assertNodeNonRoot, assertGoMultiStage } = require('./expect');

/** Open `text` as the active editor, wait until the server has checked it, run `command`. */
async function runOn(slug, text, rule, command, ...args) {
  const opened = await createDockerfile(slug, text);
  await waitForRule(opened.uri, rule);
  assert.strictEqual(vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.toString(), opened.uri.toString());
  const result = await vscode.commands.executeCommand(command, ...args);
  return { ...opened, result };
}

suite('palette commands (act on the active editor)', () => {
  teardown(closeAll);

  test('the four commands are registered', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['dockerfileLean.convertToMultiStage', 'dockerfileLean.insertNonRootUser',
      'dockerfileLean.mergeRunInstructions', 'dockerfileLean.fixAll']) {
      assert.ok(all.includes(c), `${c} not registered`);
    }
  });

  test('dockerfileLean.insertNonRootUser on example c', async () => {
    const { uri, doc } = await runOn('cmd-user', FIXTURES.node, 'non-root-user', 'dockerfileLean.insertNonRootUser');
    assertNodeNonRoot(doc.getText());
    await waitForNoRule(uri, 'non-root-user');
  });

  test('dockerfileLean.mergeRunInstructions on example a', async () => {
    const { uri, doc } = await runOn('cmd-merge', FIXTURES.apt, 'merge-run', 'dockerfileLean.mergeRunInstructions');
    assertAptResult(doc.getText(), { merged: true });
    await waitForNoRule(uri, 'merge-run');
  });

  test('dockerfileLean.fixAll on example a', async () => {
    const { uri, doc } = await runOn('cmd-fixall', FIXTURES.apt, 'merge-run', 'dockerfileLean.fixAll');
    assertAptResult(doc.getText(), { merged: true, hygiene: true });
    await waitFor(uri, () => ours(uri, 'merge-run').length === 0 && ours(uri, 'apt-hygiene').length === 0,
      'merge-run and apt-hygiene gone after Fix All');
  });

  test('dockerfileLean.convertToMultiStage accepted ({ confirm: false }) converts and can be saved', async () => {
    const { uri, doc } = await runOn('cmd-convert', FIXTURES.go, 'multi-stage', 'dockerfileLean.convertToMultiStage', { confirm: false });
    assertGoMultiStage(doc.getText());
    await waitForNoRule(uri, 'multi-stage');
    assert.ok(await doc.save());
    assertGoMultiStage(await readDisk(uri));
  });

  test('dockerfileLean.convertToMultiStage declined ({ confirm: "decline" }) changes nothing', async () => {
    const { uri, doc } = await runOn('cmd-decline', FIXTURES.go, 'multi-stage', 'dockerfileLean.convertToMultiStage', { confirm: 'decline' });
    assert.strictEqual(doc.getText(), FIXTURES.go);
    assert.strictEqual(doc.isDirty, false, 'declining left the document dirty');
    assert.strictEqual(await readDisk(uri), FIXTURES.go);
    assert.ok(ours(uri, 'multi-stage').length > 0, 'multi-stage warning should stay');
  });

  test('commands do nothing harmful without a Dockerfile editor', async () => {
    await closeAll();
    const plain = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'cases', 'notes.txt');
    await vscode.workspace.fs.writeFile(plain, Buffer.from('RUN a\nRUN b\n'));
    const doc = await vscode.workspace.openTextDocument(plain);
    await vscode.window.showTextDocument(doc);
    for (const c of ['dockerfileLean.mergeRunInstructions', 'dockerfileLean.fixAll', 'dockerfileLean.insertNonRootUser']) {
      try { await vscode.commands.executeCommand(c); } catch { /* an error message is fine */ }
      assert.strictEqual(doc.getText(), 'RUN a\nRUN b\n', `${c} edited a plain-text file`);
    }
  });
});
