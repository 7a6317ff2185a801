const assert = require('assert');
const vscode = require('vscode');
const { FIXTURES, waitForRule, waitForNoRule, waitFor, ours, createDockerfile, readDisk, closeAll, previewTab, waitForPreview, quickFixes } = require('./helpers');
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

  test('the conversion preview waits: Apply in its title bar converts, however long it stays open', async () => {
    const { uri, doc } = await createDockerfile('preview-apply', FIXTURES.go);
    await waitForRule(uri, 'multi-stage');
    const running = vscode.commands.executeCommand('dockerfileLean.convertToMultiStage');
    const tab = await waitForPreview();
    assert.match(tab.label, /Convert to Multi-Stage Build: Dockerfile \(preview\)/);
    // The old notification closed itself after about 10 s; the preview now waits past that.
    await new Promise((r) => setTimeout(r, 12000));
    assert.ok(previewTab(), 'the preview closed by itself');
    assert.strictEqual(doc.getText(), FIXTURES.go, 'changed before the answer');
    await vscode.commands.executeCommand('dockerfileLean.applyPreview', tab.input.modified);
    assert.strictEqual(await running, true);
    assertGoMultiStage(doc.getText());
    assert.ok(!previewTab(), 'the preview stays open after Apply');
    await waitForNoRule(uri, 'multi-stage');
  });

  test('closing the preview cancels; Cancel in its title bar too', async () => {
    for (const how of ['close', 'cancel']) {
      const { uri, doc } = await createDockerfile(`preview-${how}`, FIXTURES.go);
      await waitForRule(uri, 'multi-stage');
      const running = vscode.commands.executeCommand('dockerfileLean.convertToMultiStage');
      const tab = await waitForPreview();
      if (how === 'close') await vscode.window.tabGroups.close(tab);
      else await vscode.commands.executeCommand('dockerfileLean.cancelPreview');
      assert.strictEqual(await running, false, how);
      assert.strictEqual(doc.getText(), FIXTURES.go, how);
      assert.strictEqual(doc.isDirty, false, how);
      assert.ok(!previewTab(), how);
      // Nothing waits any more: a later Apply changes nothing.
      await vscode.commands.executeCommand('dockerfileLean.applyPreview');
      assert.strictEqual(doc.getText(), FIXTURES.go, `${how}, then Apply`);
    }
  });

  test('Apply on a document edited since the preview was made is refused', async () => {
    const { uri, doc } = await createDockerfile('preview-stale', FIXTURES.go);
    await waitForRule(uri, 'multi-stage');
    const running = vscode.commands.executeCommand('dockerfileLean.convertToMultiStage');
    await waitForPreview();
    // The diff took the editor's place: edit the document as another extension (or the left side) would.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '# edited\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const edited = doc.getText();
    await vscode.commands.executeCommand('dockerfileLean.applyPreview');
    assert.strictEqual(await running, false);
    assert.strictEqual(doc.getText(), edited, 'a stale conversion was applied');
  });

  test('the conversion quick fix opens the same preview instead of applying its edit', async () => {
    const { uri, doc } = await createDockerfile('preview-quickfix', FIXTURES.go);
    const diag = await waitForRule(uri, 'multi-stage');
    const [fix] = (await quickFixes(uri, diag)).filter((a) => /^Convert/.test(a.title));
    assert.ok(fix, 'no conversion quick fix');
    assert.strictEqual(fix.edit, undefined, 'the quick fix carries an edit to apply without asking');
    assert.strictEqual(fix.command && fix.command.command, 'dockerfileLean.convertToMultiStage');
    const running = vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments || []));
    await waitForPreview();
    assert.strictEqual(doc.getText(), FIXTURES.go);
    await vscode.commands.executeCommand('dockerfileLean.applyPreview');
    assert.strictEqual(await running, true);
    assertGoMultiStage(doc.getText());
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
