const assert = require('assert');
const vscode = require('vscode');
const { FIXTURES, codeOf, ours, waitFor, waitForRule, createDockerfile, closeAll, describe: dump } = require('./helpers');

/** Type `text` at `pos` one character per edit, without waiting in between (like fast typing). */
async function type(editor, pos, text) {
  let { line, character } = pos;
  for (const ch of text) {
    const at = new vscode.Position(line, character);
    const ok = await editor.edit((b) => b.insert(at, ch), { undoStopBefore: false, undoStopAfter: false });
    assert.ok(ok, 'edit refused');
    if (ch === '\n') { line += 1; character = 0; } else character += 1;
  }
}

/** Diagnostics must describe the current text: ranges inside the document, merge-run on real RUN lines. */
function consistentWith(uri, doc) {
  const lines = doc.getText().split('\n');
  return ours(uri).every((d) => d.range.end.line < doc.lineCount
    && (codeOf(d) !== 'merge-run' || (/^RUN\b/.test(lines[d.range.start.line]) && /^RUN\b/.test(lines[d.range.end.line]))));
}

suite('diagnostics follow rapid edits', () => {
  teardown(closeAll);

  test('typing two RUN lines char by char yields merge-run on exactly those lines', async () => {
    const { uri, doc, editor } = await createDockerfile('typing-add', FIXTURES.node);
    await waitForRule(uri, 'non-root-user');
    await type(editor, new vscode.Position(3, 0), 'RUN echo one\nRUN echo two\n');
    assert.strictEqual(doc.lineCount, 7);
    await waitFor(uri, () => {
      const m = ours(uri, 'merge-run')[0];
      return m && m.range.start.line === 3 && m.range.end.line === 4;
    }, 'merge-run over lines 4-5');
    assert.ok(consistentWith(uri, doc), `diagnostics out of step with the text: ${dump(uri)}`);
  });

  test('a burst of insertions and deletions ends with diagnostics for the final text', async () => {
    const { uri, doc, editor } = await createDockerfile('typing-burst', FIXTURES.node);
    await waitForRule(uri, 'non-root-user');
    // 10 quick rounds: add two RUNs, remove them again; then add USER node. No waiting in between.
    for (let i = 0; i < 10; i++) {
      await editor.edit((b) => b.insert(new vscode.Position(3, 0), `RUN echo ${i}\nRUN echo ${i}b\n`));
      await editor.edit((b) => b.delete(new vscode.Range(3, 0, 5, 0)));
    }
    await editor.edit((b) => b.insert(new vscode.Position(3, 0), 'RUN echo last\n'));
    await type(editor, new vscode.Position(4, 0), 'USER node\n');
    const want = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN echo last\nUSER node\nCMD ["node","index.js"]\n';
    assert.strictEqual(doc.getText(), want);
    await waitFor(uri, () => ours(uri, 'non-root-user').length === 0 && ours(uri, 'merge-run').length === 0,
      'no non-root-user and no merge-run for the final text');
    assert.ok(consistentWith(uri, doc), `diagnostics out of step with the text: ${dump(uri)}`);

    // and back: typing a second RUN under the first must bring merge-run for lines 4-5
    await type(editor, new vscode.Position(4, 0), 'RUN echo again\n');
    await waitFor(uri, () => {
      const m = ours(uri, 'merge-run')[0];
      return m && m.range.start.line === 3 && m.range.end.line === 4;
    }, 'merge-run over lines 4-5 after the last burst');
  });

  test('undo restores the diagnostics of the earlier text', async () => {
    const { uri, doc, editor } = await createDockerfile('typing-undo', FIXTURES.apt);
    await waitForRule(uri, 'merge-run');
    await editor.edit((b) => b.delete(new vscode.Range(2, 0, 4, 0))); // leaves a single RUN
    await waitFor(uri, () => ours(uri, 'merge-run').length === 0, 'merge-run gone with one RUN left');
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), FIXTURES.apt);
    await waitForRule(uri, 'merge-run');
  });
});
