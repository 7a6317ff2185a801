const assert = require('assert');
const vscode = require('vscode');
const { FIXTURES, SOURCE, codeOf, ours, waitFor, createDockerfile, closeAll } = require('./helpers');

const RULES = ['non-root-user', 'merge-run', 'apt-hygiene', 'multi-stage'];

function assertShape(d, rule) {
  assert.strictEqual(d.source, SOURCE);
  assert.strictEqual(codeOf(d), rule);
  assert.ok(RULES.includes(codeOf(d)));
  assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning, `${rule} severity ${d.severity}, want Warning`);
  assert.ok(d.message && d.message.length > 0, `${rule} has no message`);
  if (d.code !== null && typeof d.code === 'object') {
    assert.ok(d.code.target instanceof vscode.Uri, `${rule} code.target is not a Uri`);
  }
}

suite('diagnostics per rule', () => {
  teardown(closeAll);

  test('example a (apt): merge-run over the three RUNs, apt-hygiene, non-root-user', async () => {
    const { uri } = await createDockerfile('diag-apt', FIXTURES.apt);
    const want = ['merge-run', 'apt-hygiene', 'non-root-user'];
    await waitFor(uri, () => want.every((r) => ours(uri, r).length > 0), want.join(' + '));
    for (const r of ['merge-run', 'non-root-user']) assertShape(ours(uri, r)[0], r);
    const merge = ours(uri, 'merge-run')[0];
    assert.strictEqual(merge.range.start.line, 1, 'merge-run should start at the first RUN (line 2)');
    assert.strictEqual(merge.range.end.line, 3, 'merge-run should end on the last RUN (line 4)');
    // The lone apt-get update is resolved by the merge: reported inside it, as its related information.
    assert.match(merge.message, /^Merge these 3 RUN instructions: apt-get update on line 2 runs in a RUN of its own\.\n/);
    assert.strictEqual(merge.relatedInformation && merge.relatedInformation.length, 1, 'the update as related information');
    assert.strictEqual(merge.relatedInformation[0].location.range.start.line, 1);
    assert.strictEqual(ours(uri, 'apt-hygiene').length, 1, 'only the install: the update is inside the merge');
    const apt = ours(uri, 'apt-hygiene')[0];
    // Recommends alone: information, not a warning.
    assert.strictEqual(apt.severity, vscode.DiagnosticSeverity.Information);
    assert.ok(apt.range.start.line >= 1 && apt.range.end.line <= 3, `apt-hygiene range ${apt.range.start.line}-${apt.range.end.line} outside the RUNs`);
    assert.strictEqual(ours(uri, 'multi-stage').length, 0, 'no multi-stage for a runtime-only image');
  });

  test('example b (go): multi-stage warning', async () => {
    const { uri } = await createDockerfile('diag-go', FIXTURES.go);
    const d = await waitFor(uri, () => ours(uri, 'multi-stage')[0], 'multi-stage');
    assertShape(d, 'multi-stage');
    assert.strictEqual(ours(uri, 'merge-run').length, 0, 'a single RUN must not get merge-run');
  });

  test('example c (node): non-root-user warning only', async () => {
    const { uri } = await createDockerfile('diag-node', FIXTURES.node);
    const d = await waitFor(uri, () => ours(uri, 'non-root-user')[0], 'non-root-user');
    assertShape(d, 'non-root-user');
    assert.deepStrictEqual(ours(uri).map(codeOf).filter((c) => c !== 'non-root-user'), []);
  });

  test('a clean Dockerfile gets no diagnostics', async () => {
    const clean = 'FROM node:20\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node","index.js"]\n';
    const { uri, doc } = await createDockerfile('diag-clean', clean);
    // "no diagnostics yet" proves nothing: make the server publish (add a warning), then remove it again
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(3, 0), 'RUN echo a\nRUN echo b\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(uri, () => ours(uri, 'merge-run').length > 0, 'merge-run on the inserted RUNs');
    const undo = new vscode.WorkspaceEdit();
    undo.delete(uri, new vscode.Range(3, 0, 5, 0));
    assert.ok(await vscode.workspace.applyEdit(undo));
    assert.strictEqual(doc.getText(), clean);
    await waitFor(uri, () => ours(uri).length === 0, 'no diagnostics on the clean file');
  });
});
