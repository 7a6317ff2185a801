const assert = require('assert');
const vscode = require('vscode');
const { EXTENSION_ID, root, ours, waitFor, closeAll } = require('./helpers');

suite('activation', () => {
  teardown(closeAll);

  test('the extension is installed from the development path and not active before a Dockerfile is open', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found; extensions: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
    assert.strictEqual(ext.packageJSON.main, './dist/extension.js');
    assert.ok(ext.packageJSON.activationEvents.includes('onLanguage:dockerfile'));
    // nothing of language dockerfile has been opened yet, so activation must still be pending
    assert.strictEqual(ext.isActive, false, 'activated before any Dockerfile was opened');
  });

  test('opening a Containerfile activates it and diagnostics arrive', async () => {
    const uri = vscode.Uri.joinPath(root(), 'Containerfile');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.languageId, 'dockerfile');
    await vscode.window.showTextDocument(doc);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    await ext.activate(); // resolves with the activation already triggered by onLanguage:dockerfile
    assert.strictEqual(ext.isActive, true);
    await waitFor(uri, () => ours(uri).length > 0, 'diagnostics on the Containerfile', 30000);
  });

  test('opening a Dockerfile gives language dockerfile and diagnostics', async () => {
    const uri = vscode.Uri.joinPath(root(), 'Dockerfile');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.languageId, 'dockerfile');
    await vscode.window.showTextDocument(doc);
    await waitFor(uri, () => ours(uri).length > 0, 'diagnostics on the Dockerfile', 30000);
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID).isActive);
  });

  for (const name of ['Dockerfile.prod', 'api.Dockerfile', 'Containerfile.web', 'Containerfile']) {
    test(`${name} opens as language dockerfile and is checked`, async () => {
      const uri = vscode.Uri.joinPath(root(), 'names', name);
      await vscode.workspace.fs.writeFile(uri, Buffer.from('FROM node:20\nCMD ["node", "server.js"]\n'));
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.strictEqual(doc.languageId, 'dockerfile', `${name} opened as ${doc.languageId}`);
      await vscode.window.showTextDocument(doc);
      await waitFor(uri, () => ours(uri, 'non-root-user').length > 0, `non-root-user on ${name}`);
    });
  }
});
