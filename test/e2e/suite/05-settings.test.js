const assert = require('assert');
const vscode = require('vscode');
const { FIXTURES, codeOf, ours, waitFor, waitForRule, createDockerfile, closeAll, setSetting } = require('./helpers');

suite('settings', () => {
  teardown(async () => {
    await setSetting('dockerfileLean', 'rules.merge-run', undefined);
    await setSetting('dockerfileLean', 'enable', undefined);
    await closeAll();
  });

  test('dockerfileLean.rules.merge-run = "off" clears merge-run and keeps the others; resetting brings it back', async () => {
    const { uri } = await createDockerfile('set-off', FIXTURES.apt);
    await waitFor(uri, () => ['merge-run', 'apt-hygiene', 'non-root-user'].every((r) => ours(uri, r).length), 'all three rules');
    await setSetting('dockerfileLean', 'rules.merge-run', 'off');
    await waitFor(uri, () => ours(uri, 'merge-run').length === 0, 'merge-run cleared by the setting');
    assert.ok(ours(uri, 'apt-hygiene').length > 0, 'apt-hygiene should stay');
    assert.ok(ours(uri, 'non-root-user').length > 0, 'non-root-user should stay');
    await setSetting('dockerfileLean', 'rules.merge-run', undefined);
    await waitForRule(uri, 'merge-run');
  });

  test('dockerfileLean.rules.merge-run = "error" raises its severity', async () => {
    const { uri } = await createDockerfile('set-error', FIXTURES.apt);
    await waitForRule(uri, 'merge-run');
    await setSetting('dockerfileLean', 'rules.merge-run', 'error');
    await waitFor(uri, () => ours(uri, 'merge-run').some((d) => d.severity === vscode.DiagnosticSeverity.Error),
      'merge-run with severity Error');
    // The other rule keeps its own level: information for recommends alone (the lone update is inside the merge).
    const apt = ours(uri, 'apt-hygiene');
    assert.ok(apt.length > 0 && apt.every((d) => d.severity === vscode.DiagnosticSeverity.Information), JSON.stringify(apt.map((d) => d.severity)));
  });

  test('dockerfileLean.enable = false clears every diagnostic; true brings them back', async () => {
    const { uri } = await createDockerfile('set-enable', FIXTURES.apt);
    await waitForRule(uri, 'merge-run');
    await setSetting('dockerfileLean', 'enable', false);
    await waitFor(uri, () => ours(uri).length === 0, 'no diagnostics with enable=false');
    await setSetting('dockerfileLean', 'enable', undefined);
    await waitFor(uri, () => ours(uri).map(codeOf).includes('merge-run'), 'diagnostics back with enable=true');
  });
});
