const assert = require('assert');
const vscode = require('vscode');
const {
  FIXTURES, ours, waitFor, waitForRule, waitForNoRule, createDockerfile, readDisk, codeActionsUntil, quickFixes, applyAction,
  lineIndex, closeAll, setSetting, codeOf, describe: dump,
} = require('./helpers');
const { assertInOrder, assertAptResult, assertNodeNonRoot, assertGoMultiStage } = require('./expect');

/**
 * Open `text`, wait for a `rule` diagnostic (the one starting on a line matching `onLine`, if given),
 * pick its quick fix whose title matches `title`, apply it.
 */
async function applyQuickFix(slug, text, rule, { title, onLine } = {}) {
  const { uri, doc } = await createDockerfile(slug, text);
  const find = () => ours(uri, rule).find((d) => !onLine || onLine.test(doc.lineAt(d.range.start.line).text));
  const diag = await waitFor(uri, find, `a ${rule} diagnostic${onLine ? ` on a line matching ${onLine}` : ''}`);
  const before = ours(uri, rule).length;
  const fixes = await quickFixes(uri, diag);
  const fix = fixes.find((a) => !title || title.test(a.title));
  assert.ok(fix, `no quick fix matching ${title} for ${rule}; offered: ${JSON.stringify(fixes.map((a) => a.title))}`);
  if (fix.kind) assert.ok(vscode.CodeActionKind.QuickFix.contains(fix.kind), `"${fix.title}" has kind ${fix.kind.value}`);
  await applyAction(fix);
  return { uri, doc, fix, before };
}

/** Wait until fewer `rule` diagnostics than `before` are left. */
function waitForFewer(uri, rule, before) {
  return waitFor(uri, () => ours(uri, rule).length < before, `fewer than ${before} ${rule} diagnostic(s)`);
}

suite('quick fixes (executeCodeActionProvider + applyEdit)', () => {
  teardown(closeAll);

  test('merge-run: "Merge" fix makes one RUN starting `RUN apt-get update && \\`', async () => {
    const { uri, doc, fix } = await applyQuickFix('fix-merge', FIXTURES.apt, 'merge-run', { title: /Merge/ });
    assert.match(fix.title, /Merge/);
    assertAptResult(doc.getText(), { merged: true });
    assertInOrder(doc.getText(), [/apt-get update/, /apt-get install/, /apt-get clean/]);
    await waitForNoRule(uri, 'merge-run');
  });

  test('apt-hygiene on the install: fix adds --no-install-recommends (the lists are the lone update\'s to remove)', async () => {
    const { uri, doc, before } = await applyQuickFix('fix-apt', FIXTURES.apt, 'apt-hygiene', { onLine: /apt-get install/ });
    assertAptResult(doc.getText(), { hygiene: true });
    assert.ok(!doc.getText().includes('rm -rf /var/lib/apt/lists/*'), `the install's own fix removed the lists:\n${doc.getText()}`);
    await waitForFewer(uri, 'apt-hygiene', before);
    assert.ok(!ours(uri, 'apt-hygiene').some((d) => /apt-get install/.test(doc.lineAt(d.range.start.line).text)),
      'the apt-hygiene warning on the install is still there');
  });

  test('apt-hygiene on a lone `apt-get update`: fix puts it in the same RUN as the install', async () => {
    // merge-run ignored above the group: the update is reported on its own (otherwise the merge carries it).
    const text0 = FIXTURES.apt.replace('RUN apt-get update\n', '# hadolint ignore=DL3059\nRUN apt-get update\n');
    const { uri, doc, before } = await applyQuickFix('fix-apt-update', text0, 'apt-hygiene', { onLine: /^RUN apt-get update\s*$/ });
    const text = doc.getText();
    const i = lineIndex(text, /^RUN\b.*apt-get update/);
    assert.ok(i >= 0, `no RUN with apt-get update in:\n${text}`);
    const run = text.split('\n').slice(i).join('\n').split(/\n(?=\S)/)[0]; // the RUN with its continuation lines
    assert.match(run, /apt-get update[\s\S]*apt-get install/, `update and install not in one RUN:\n${text}`);
    await waitForFewer(uri, 'apt-hygiene', before);
  });

  test('non-root-user (node): COPY --chown=node:node and USER node before CMD', async () => {
    const { uri, doc } = await applyQuickFix('fix-node-user', FIXTURES.node, 'non-root-user');
    assertNodeNonRoot(doc.getText());
    await waitForNoRule(uri, 'non-root-user');
  });

  test('non-root-user (debian): a non-root USER before CMD', async () => {
    const { uri, doc } = await applyQuickFix('fix-debian-user', FIXTURES.apt, 'non-root-user');
    const text = doc.getText();
    const user = lineIndex(text, /^USER\s+\S+/);
    assert.ok(user >= 0, `no USER line in:\n${text}`);
    assert.doesNotMatch(text.split('\n')[user], /^USER\s+(root|0)(:|\s|$)/, 'USER must not be root');
    assert.ok(lineIndex(text, /^CMD /) > user, `USER must come before CMD in:\n${text}`);
    await waitForNoRule(uri, 'non-root-user');
  });

  test('multi-stage (go): builder stage AS build + distroless final stage copying /out/server', async () => {
    const { uri, doc } = await applyQuickFix('fix-go', FIXTURES.go, 'multi-stage');
    assertGoMultiStage(doc.getText());
    await waitForNoRule(uri, 'multi-stage');
  });

  test('every quick fix offered on examples a, b and c fixes something and brings no new rule', async () => {
    const tried = [];
    const problems = [];
    for (const [name, text] of Object.entries(FIXTURES)) {
      const probe = await createDockerfile(`fix-every-${name}`, text);
      await waitFor(probe.uri, () => ours(probe.uri).length > 0, `diagnostics on example ${name}`);
      const diags = ours(probe.uri);
      const fixesFor = (uri, d) => codeActionsUntil(uri, d.range, vscode.CodeActionKind.QuickFix.value, (all) => all,
        `quick fixes for ${codeOf(d)}`).catch(() => []);
      const same = (a, b) => codeOf(a) === codeOf(b) && a.range.isEqual(b.range);
      for (const diag of diags) {
        for (const action of await fixesFor(probe.uri, diag)) {
          if (tried.some((s) => s.startsWith(`${name}: `) && s.endsWith(` -> ${action.title}`))) continue; // once per title
          // writes the workspace's project config, which every later case would read (protocol tests cover it)
          if (/ off in the project config/.test(action.title)) continue;
          // builds images, and fixes nothing itself (the compare layer's suite covers it)
          if (/^Build both and compare/.test(action.title)) continue;
          // fresh copy per action: each fix is judged on the original text
          const { uri, doc } = await createDockerfile(`fix-every-${name}`, text);
          const twin = await waitFor(uri, () => ours(uri).length === diags.length && ours(uri).find((d) => same(d, diag)),
            `the ${diags.length} diagnostics of example ${name}`);
          const again = (await fixesFor(uri, twin)).find((a) => a.title === action.title);
          assert.ok(again, `"${action.title}" not offered again on a fresh copy of example ${name}`);
          await applyAction(again);
          assert.notStrictEqual(doc.getText(), text, `"${action.title}" changed nothing`);
          // judged once the server has answered for the new text: some rule fires less often, and no
          // rule that was silent before fires now (a fix must not trade one warning for another)
          const count = (list) => list.reduce((m, d) => m.set(codeOf(d), (m.get(codeOf(d)) || 0) + 1), new Map());
          const was = count(diags);
          const changed = () => {
            const now = count(ours(uri));
            const fewer = [...was].some(([r, n]) => (now.get(r) || 0) < n);
            const added = [...now.keys()].filter((r) => !was.has(r));
            return (fewer || added.length) && { fewer, added };
          };
          const { fewer, added } = await waitFor(uri, changed, `the diagnostics to change after "${action.title}" on example ${name}`);
          if (!fewer) problems.push(`"${action.title}" on example ${name} fixed no diagnostic; now: ${dump(uri)}`);
          if (added.length) {
            problems.push(`"${action.title}" on example ${name} brought new warnings ${added.join(', ')}; text now:\n${doc.getText()}diagnostics: ${dump(uri)}`);
          }
          tried.push(`${name}: ${codeOf(diag)} -> ${action.title}`);
          await closeAll();
        }
      }
    }
    console.log(`      applied ${tried.length} quick fixes:\n        ${tried.join('\n        ')}`);
    if (problems.length) assert.fail(`${problems.length} of ${tried.length} quick fixes misbehave:\n${problems.join('\n\n')}`);
    assert.ok(tried.length >= 4, 'expected at least one quick fix per rule');
  });

  test('fix-all: source.fixAll.dockerfile-lean is offered as a code action', async () => {
    const { uri, doc } = await createDockerfile('fixall-action', FIXTURES.apt);
    await waitForRule(uri, 'merge-run');
    const [fixAll] = await codeActionsUntil(uri, new vscode.Range(0, 0, doc.lineCount, 0), 'source.fixAll.dockerfile-lean',
      (all) => all.filter((a) => a.kind && a.kind.value === 'source.fixAll.dockerfile-lean'), 'source.fixAll.dockerfile-lean action');
    await applyAction(fixAll);
    assertAptResult(doc.getText(), { merged: true, hygiene: true });
  });

  test('fix-all on save via editor.codeActionsOnSave {"source.fixAll.dockerfile-lean": "explicit"}', async () => {
    await setSetting('editor', 'codeActionsOnSave', { 'source.fixAll.dockerfile-lean': 'explicit' });
    try {
      const { uri, doc, editor } = await createDockerfile('fixall-save', FIXTURES.apt);
      await waitForRule(uri, 'merge-run');
      // save only runs (and code actions on save only apply) on a dirty document: touch it
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# app image\n'));
      assert.ok(doc.isDirty);
      assert.ok(await doc.save(), 'save failed');
      const disk = await readDisk(uri);
      assert.strictEqual(disk, doc.getText(), 'the buffer and the file on disk differ after save');
      assert.ok(disk.startsWith('# app image\n'), `the comment line was lost:\n${disk}`);
      assertAptResult(disk, { merged: true, hygiene: true });
      await waitFor(uri, () => ours(uri, 'merge-run').length === 0 && ours(uri, 'apt-hygiene').length === 0,
        'merge-run and apt-hygiene gone after fix-all on save');
    } finally {
      await setSetting('editor', 'codeActionsOnSave', undefined);
    }
  });

  test('fix-all on save leaves the structure alone: the Go example keeps its one stage and base image', async () => {
    await setSetting('editor', 'codeActionsOnSave', { 'source.fixAll.dockerfile-lean': 'explicit' });
    try {
      const { uri, doc, editor } = await createDockerfile('fixall-save-go', FIXTURES.go);
      await waitForRule(uri, 'multi-stage');
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# service image\n'));
      assert.ok(await doc.save(), 'save failed');
      const disk = await readDisk(uri);
      assert.strictEqual(disk, doc.getText());
      assert.strictEqual(disk.split('\n').filter((l) => /^FROM\b/.test(l)).length, 1, `save added a stage:\n${disk}`);
      assert.ok(!disk.includes('distroless'), `save switched the base image:\n${disk}`);
      await waitForRule(uri, 'multi-stage');
    } finally {
      await setSetting('editor', 'codeActionsOnSave', undefined);
    }
  });
});
