const assert = require('assert');
const vscode = require('vscode');
const { ours, waitFor, createDockerfile, closeAll, applyAction } = require('./helpers');

const PY = 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n';
// Declined: the HEALTHCHECK calls curl, and the distroless runtime has no package manager to install it.
const DECLINED = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /server .\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:8080/health"]\nCMD ["/server"]\n';

/** Code actions for `range` as the lightbulb first lists them: `itemResolveCount` 0, nothing resolved. */
async function unresolved(uri, range, pick, what) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const all = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value, 0)) || [];
    const hit = pick(all);
    if (hit) return { hit, all };
    if (Date.now() > deadline) throw new Error(`no ${what}; offered: ${JSON.stringify(all.map((a) => a.title))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('multi-stage conversion in the editor', () => {
  teardown(closeAll);

  test('the quick fix names the runtime in the lightbulb, before it is resolved, and converts through the preview command', async () => {
    const { uri, doc } = await createDockerfile('convert-title', PY);
    const diag = await waitFor(uri, () => ours(uri, 'multi-stage')[0], 'a multi-stage diagnostic');
    const { hit } = await unresolved(uri, diag.range, (all) => all.find((a) => /^Convert to a multi-stage build/.test(a.title)), 'conversion quick fix');
    assert.strictEqual(hit.title, 'Convert to a multi-stage build (python → python:3.12-slim)');
    // Picking it runs the palette command, which previews the conversion (04-commands answers that preview).
    assert.strictEqual(hit.command.command, 'dockerfileLean.convertToMultiStage');
    assert.strictEqual(hit.command.arguments[0].uri, uri.toString());
    await vscode.commands.executeCommand(hit.command.command, { ...hit.command.arguments[0], confirm: false });
    assert.match(doc.getText(), /^FROM python:3\.12 AS build$/m);
    assert.match(doc.getText(), /^FROM python:3\.12-slim$/m);
  });

  test('a declined conversion offers "Show why it was not converted", which opens the reason in full', async () => {
    const { uri } = await createDockerfile('convert-declined', DECLINED);
    const diag = await waitFor(uri, () => ours(uri, 'multi-stage')[0], 'a multi-stage diagnostic');
    const { hit, all } = await unresolved(uri, diag.range, (list) => list.find((a) => a.title === 'Show why it was not converted'), '"Show why" action');
    assert.ok(!all.some((a) => /^Convert to a multi-stage build/.test(a.title)), JSON.stringify(all.map((a) => a.title)));
    assert.ok(all.some((a) => a.title === 'Ignore multi-stage for this instruction'), 'the ignore actions stay');
    assert.strictEqual(hit.command.command, 'dockerfileLean.showNotConvertedReason');
    const shown = new Promise((resolve) => {
      const sub = vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.uri.scheme === 'dockerfile-lean-reason') { sub.dispose(); resolve(d); }
      });
    });
    await applyAction(hit);
    const reasonDoc = await shown;
    const text = reasonDoc.getText();
    assert.match(text, /^# Not converted to a multi-stage build$/m);
    assert.ok(text.includes("runs 'curl', and gcr.io/distroless/static-debian12:nonroot has no package manager to install it"), text);
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === reasonDoc.uri.toString()), 'the reason is shown in an editor');
  });
});
