// Build and Compare in the real extension host: the palette command on go-service (copied into the workspace by
// test/compare/run.mjs) gives the images layer's figures and opens its report; the code action next to the
// multi-stage finding; cancelling ends the build's processes.
const assert = require('assert');
const fs = require('fs');
const vscode = require('vscode');
const { waitForRule, codeActionsUntil, createDockerfile, closeAll, root } = require('../suite/helpers');

const COMPARE = 'dockerfileLean.buildAndCompare';

const { processesMatching, processGroupMembers } = require('../../compare/procs.cjs');

async function openGoService() {
  const uri = vscode.Uri.joinPath(root(), 'go-service', 'Dockerfile');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  await waitForRule(uri, 'multi-stage');
  return { uri, doc };
}

suite('Build and Compare (builds with podman)', () => {
  suiteSetup(async () => {
    const g = vscode.workspace.getConfiguration('dockerfileLean.compare');
    await g.update('engine', 'podman', vscode.ConfigurationTarget.Global);
    await g.update('engineArgs', ['--pull=never'], vscode.ConfigurationTarget.Global);
    await g.update('smokeSeconds', 2, vscode.ConfigurationTarget.Global);
  });
  teardown(closeAll);

  test('the palette command builds go-service: the figures are the images layer\'s, and the report opens', async function () {
    this.timeout(240000);
    assert.strictEqual(vscode.workspace.isTrusted, true);
    const harness = JSON.parse(fs.readFileSync(process.env.DFL_COMPARE_HARNESS, 'utf8')).results.find((r) => r.name === 'go-service');
    const { doc } = await openGoService();
    const before = doc.getText();
    const out = await vscode.commands.executeCommand(COMPARE, { confirm: false });
    assert.ok(out && out.report, `no report: ${JSON.stringify(out)}`);
    const r = out.report;
    assert.strictEqual(r.verdict, 'ok', JSON.stringify(r.reasons));
    assert.strictEqual(r.engine.name, 'podman');
    for (const side of ['before', 'after']) {
      assert.strictEqual(r[side].facts.size, harness[side].size, `${side} size`);
      assert.strictEqual(r[side].facts.layers, harness[side].layers, `${side} layers`);
      assert.strictEqual(r[side].facts.user, harness[side].user, `${side} USER`);
      assert.strictEqual(r[side].uid, harness[side].uid, `${side} uid`);
      assert.strictEqual(r[side].smoke.state, 'running', `${side} smoke`);
    }
    assert.strictEqual(r.saving.pct, harness.savingPct);
    assert.ok(r.toolchain.paths.some((p) => p.path === '/usr/bin/gcc' && p.verdict === 'gone'), JSON.stringify(r.toolchain));
    assert.deepStrictEqual(r.kept, []);
    // The workbench tells the extension host of a new tab a moment after the panel is made.
    const reportTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /dockerfileLean\.compareReport/.test(t.input.viewType));
    await new Promise((resolve) => {
      if (reportTab()) return resolve();
      const sub = vscode.window.tabGroups.onDidChangeTabs(() => reportTab() && (sub.dispose(), resolve()));
      setTimeout(() => (sub.dispose(), resolve()), 10000);
    });
    const tab = reportTab();
    assert.ok(tab, `no report tab: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')}`);
    assert.strictEqual(tab.label, 'Compare: Dockerfile');
    assert.strictEqual(doc.getText(), before, 'comparing changed the Dockerfile');
  });

  test('"Build both and compare before applying" is offered next to the multi-stage finding', async () => {
    const { uri } = await openGoService();
    const d = vscode.languages.getDiagnostics(uri).find((x) => x.source === 'dockerfile-lean' && String(x.code && x.code.value || x.code) === 'multi-stage');
    const [a] = await codeActionsUntil(uri, d.range, vscode.CodeActionKind.QuickFix.value, (all) => all.filter((x) => /Build both and compare/.test(x.title)), 'the compare action');
    assert.strictEqual(a.title, 'Build both and compare before applying (multi-stage)');
    assert.strictEqual(a.command.command, COMPARE);
    assert.deepStrictEqual(a.command.arguments[0].rules, ['multi-stage']);
    assert.strictEqual(a.disabled, undefined);
  });

  test('cancel ends the build\'s process group and the RUN step it was running', async function () {
    this.timeout(120000);
    const marker = `dfl-e2e-cancel-${Date.now()}`;
    const { uri } = await createDockerfile('compare-cancel', `FROM debian:bookworm-slim\nRUN sh -c "sleep 600" ${marker}\nRUN true\nCMD ["true"]\n`);
    await waitForRule(uri, 'non-root-user');
    const running = vscode.commands.executeCommand(COMPARE, { confirm: false, show: false });
    let step = [];
    for (let k = 0; k < 600 && !step.length; k++) {
      await new Promise((r) => setTimeout(r, 100));
      step = processesMatching(marker);
    }
    assert.ok(step.length, 'the RUN step never started');
    const pgid = step[0].pgid;
    assert.ok(processGroupMembers(pgid).some((p) => /podman build/.test(p.cmd)), 'the step is not in the podman build\'s group');
    assert.strictEqual(await vscode.commands.executeCommand('dockerfileLean.cancelBuildAndCompare'), true);
    const out = await running;
    assert.strictEqual(out.report.verdict, 'cancelled');
    assert.deepStrictEqual(processGroupMembers(pgid), [], 'the build group has processes left');
    assert.deepStrictEqual(processesMatching(marker), [], 'the RUN step is still running');
  });
});
