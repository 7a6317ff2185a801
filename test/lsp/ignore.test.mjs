// Protocol tests for the "ignore" quick fixes: for this instruction, in this file, in the project config.
// Each edit is applied and the text analysed again: the finding is gone, the others stay.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyEdits, newUri, removeTmpDir, withServer } from './client.mjs';

const T = { timeout: 20_000 };
after(removeTmpDir);

const A = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get clean\nCMD ["curl", "--version"]\n';

const key = (d) => `${d.code}@${d.range.start.line}`;
/** The keys of `diags` as they read once `inserted` lines were added above line `at`. */
const shifted = (diags, at, inserted) => diags.map((d) => `${d.code}@${d.range.start.line >= at ? d.range.start.line + inserted : d.range.start.line}`).sort();
const titled = (actions, re) => actions.filter((a) => re.test(a.title));

/** A folder with a `.git` (the repository root), optionally a config file, and the URI of a Dockerfile in it. */
function project(name, text) {
  const uri = newUri();
  const dir = path.dirname(fileURLToPath(uri));
  fs.mkdirSync(path.join(dir, '.git'));
  if (name) fs.writeFileSync(path.join(dir, name), text);
  return { uri, dir };
}

/** The findings of other rules a diagnostic carries (its related information), as diagnostics of their own. */
function carried(d) {
  return (d.relatedInformation ?? []).map((r) => ({ code: /\(([a-z-]+); this merge resolves it\)$/.exec(r.message)[1], range: r.location.range }));
}

describe('ignore for this instruction', () => {
  test('every finding of example a: the comment above its instruction silences it and only it', T, () =>
    withServer(async (c) => {
      const opened = await c.open(A);
      assert.ok(opened.diagnostics.length >= 3);
      let version = 1;
      for (const d of opened.diagnostics) {
        const actions = await c.codeActions(opened.uri, [d]);
        const [ignore] = titled(actions, new RegExp(`^Ignore ${d.code} for this instruction$`));
        assert.ok(ignore, `no ignore action for ${key(d)}: ${JSON.stringify(actions.map((a) => a.title))}`);
        assert.equal(ignore.kind, 'quickfix');
        assert.notEqual(ignore.isPreferred, true, 'an ignore is never the preferred fix');
        const after = applyEdits(A, ignore.edit.changes[opened.uri]);
        const at = after.split('\n').indexOf(`# dockerfile-lean ignore=${d.code}`);
        assert.ok(at >= 0, after);
        const next = await c.replace(opened.uri, ++version, after);
        // Ignoring a finding that carried another rule's (merge-run's lone apt-get update) gives that one back.
        const expected = shifted([...opened.diagnostics.filter((x) => x !== d), ...carried(d)], at, 1);
        // A finding spanning several instructions (merge-run) is silenced by the comment above any of them.
        assert.deepEqual(next.map(key).sort(), expected, `after ignoring ${key(d)}:\n${after}`);
        await c.replace(opened.uri, ++version, A);
      }
    }));

  test('a hadolint pragma directly above stays there; ours goes above it; both apply', T, () =>
    withServer(async (c) => {
      const text = 'FROM debian:bookworm-slim\nRUN apt-get update\n# hadolint ignore=DL3059\nRUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nCMD ["curl", "--version"]\n';
      const { uri, diagnostics } = await c.open(text);
      assert.ok(!diagnostics.some((d) => d.code === 'merge-run'), 'DL3059 silences merge-run to begin with');
      // Ask at the install instruction (line 3), with no diagnostics in the context.
      const here = await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 3, character: 4 }, end: { line: 3, character: 4 } }, context: { diagnostics: [] } });
      const [ignore] = titled(here, /^Ignore apt-hygiene for this instruction$/);
      assert.ok(ignore, JSON.stringify(here.map((a) => a.title)));
      const after = applyEdits(text, ignore.edit.changes[uri]);
      assert.deepEqual(after.split('\n').slice(1, 5), ['RUN apt-get update', '# dockerfile-lean ignore=apt-hygiene', '# hadolint ignore=DL3059', 'RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*']);
      const next = await c.replace(uri, 2, after);
      assert.ok(!next.some((d) => d.code === 'apt-hygiene' && d.range.start.line === 4), JSON.stringify(next));
      assert.ok(!next.some((d) => d.code === 'merge-run'), 'the hadolint ignore still applies');
      assert.deepEqual(next.map(key).sort(), shifted(diagnostics.filter((d) => !(d.code === 'apt-hygiene' && d.range.start.line === 3)), 2, 1));
      // A second rule on the same instruction extends our line rather than adding one.
      const user = next.find((d) => d.code === 'non-root-user');
      const [more] = titled(await c.codeActions(uri, [user]), /^Ignore non-root-user for this instruction$/);
      const other = applyEdits(after, more.edit.changes[uri]);
      assert.ok(other.startsWith('# dockerfile-lean ignore=non-root-user\nFROM '), other);
      const withUser = 'FROM debian:bookworm-slim\n# dockerfile-lean ignore=merge-run\nRUN a\nRUN b\nCMD ["/usr/local/bin/app"]\n';
      const third = await c.open(withUser);
      const runB = third.diagnostics.find((d) => d.code === 'merge-run');
      assert.ok(!runB, 'merge-run is ignored by the comment above the first RUN');
      const [nr] = titled(await c.request('textDocument/codeAction', { textDocument: { uri: third.uri }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: [] } }), /^Ignore non-root-user for this instruction$/);
      if (nr) assert.fail('non-root-user sits on FROM, not on line 2');
      const [nrFrom] = titled(await c.codeActions(third.uri, third.diagnostics.filter((d) => d.code === 'non-root-user')), /^Ignore non-root-user for this instruction$/);
      assert.ok(nrFrom);
    }));

  test('CRLF stays CRLF; the escape directive and a BOM stay first', T, () =>
    withServer(async (c) => {
      const text = '\uFEFF# escape=`\r\nFROM debian:bookworm-slim\r\nRUN apt-get update\r\nRUN apt-get install -y curl\r\nCMD ["curl", "--version"]\r\n';
      const { uri, diagnostics } = await c.open(text);
      assert.ok(diagnostics.length >= 2);
      for (const [i, d] of diagnostics.entries()) {
        const actions = await c.codeActions(uri, [d]);
        for (const re of [new RegExp(`^Ignore ${d.code} for this instruction$`), new RegExp(`^Ignore ${d.code} in this file$`)]) {
          const [a] = titled(actions, re);
          assert.ok(a, `${re} for ${key(d)}`);
          const after = applyEdits(text, a.edit.changes[uri]);
          assert.ok(!/[^\r]\n/.test(after), `a bare LF:\n${JSON.stringify(after)}`);
          assert.ok(after.startsWith('\uFEFF# escape=`\r\n'), `the BOM and the directive must stay first:\n${JSON.stringify(after)}`);
          if (/file/.test(re.source)) assert.equal(after.split('\r\n')[1], `# dockerfile-lean global ignore=${d.code}`);
          const next = await c.replace(uri, 100 + 2 * i + (/file/.test(re.source) ? 1 : 0), after);
          assert.ok(!next.some((x) => x.code === d.code && x.message === d.message), `${key(d)} still reported after "${a.title}":\n${after}`);
          assert.ok(next.length >= diagnostics.filter((x) => x.code !== d.code).length, 'the others stay');
          await c.replace(uri, 200 + 2 * i + (/file/.test(re.source) ? 1 : 0), text);
        }
      }
    }));
});

describe('ignore in this file', () => {
  test('silences every finding of the rule, after the parser directives; a second rule extends the line', T, () =>
    withServer(async (c) => {
      const text = '# syntax=docker/dockerfile:1\n' + A;
      const { uri, diagnostics } = await c.open(text);
      const apt = diagnostics.filter((d) => d.code === 'apt-hygiene');
      assert.ok(apt.length >= 1);
      const [global] = titled(await c.codeActions(uri, [apt[0]]), /^Ignore apt-hygiene in this file$/);
      const after = applyEdits(text, global.edit.changes[uri]);
      assert.deepEqual(after.split('\n').slice(0, 2), ['# syntax=docker/dockerfile:1', '# dockerfile-lean global ignore=apt-hygiene']);
      const next = await c.replace(uri, 2, after);
      assert.deepEqual(next.map(key).sort(), shifted(diagnostics.filter((d) => d.code !== 'apt-hygiene'), 1, 1));
      const merge = next.find((d) => d.code === 'merge-run');
      const [more] = titled(await c.codeActions(uri, [merge]), /^Ignore merge-run in this file$/);
      const twice = applyEdits(after, more.edit.changes[uri]);
      assert.equal(twice.split('\n')[1], '# dockerfile-lean global ignore=apt-hygiene,merge-run');
      const last = await c.replace(uri, 3, twice);
      assert.deepEqual(last.map((d) => d.code), ['non-root-user']);
    }));
});

describe('turn the rule off in the project config', () => {
  async function applyConfigAction(c, uri, d, configPath) {
    const [off] = titled(await c.codeActions(uri, [d]), new RegExp(`^Turn ${d.code} off in the project config \\(${path.basename(configPath).replace(/\./g, '\\.')}\\)$`));
    assert.ok(off, `no "turn off" action for ${key(d)}`);
    return off;
  }
  async function reread(c, uri, configPath) {
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(configPath, later, later);
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(configPath).href, type: 2 }] });
  }

  test('no config yet: creates .dockerfilelean.yaml at the repository root', T, () =>
    withServer({ createFiles: true }, async (c) => {
      const { uri, dir } = project(null);
      const sub = path.join(dir, 'svc');
      fs.mkdirSync(sub);
      const docUri = pathToFileURL(path.join(sub, 'Dockerfile')).href;
      const { diagnostics } = await c.open(A, { uri: docUri });
      const d = diagnostics.find((x) => x.code === 'merge-run');
      const configPath = path.join(dir, '.dockerfilelean.yaml');
      const off = await applyConfigAction(c, docUri, d, configPath);
      const [create, write] = off.edit.documentChanges;
      assert.deepEqual(create, { kind: 'create', uri: pathToFileURL(configPath).href, options: { ignoreIfExists: true } });
      fs.writeFileSync(configPath, applyEdits('', write.edits));
      assert.equal(fs.readFileSync(configPath, 'utf8'), 'rules:\n  merge-run: off\n');
      const pub = c.waitPublish(docUri, (p) => !p.diagnostics.some((x) => x.code === 'merge-run'), 'merge-run off');
      await reread(c, docUri, configPath);
      const p = await pub;
      // merge-run off: the lone apt-get update it carried is reported on its own.
      assert.deepEqual(p.diagnostics.map(key).sort(), [...diagnostics.filter((x) => x.code !== 'merge-run'), ...carried(d)].map(key).sort());
      assert.ok(uri);
    }));

  test('a client that cannot create files is not offered the new file', T, () =>
    withServer(async (c) => {
      const { uri } = project(null);
      const { diagnostics } = await c.open(A, { uri });
      const actions = await c.codeActions(uri, [diagnostics[0]]);
      assert.deepEqual(titled(actions, /project config/), []);
      assert.ok(titled(actions, /^Ignore /).length === 2);
    }));

  test('an existing YAML config: the rule is added, comments and the other keys kept', T, () =>
    withServer(async (c) => {
      const yaml = '# team settings\nrules:\n  # stricter for apt\n  apt-hygiene: error # keep\n  non-root-user:\n    options:\n      name: svc\nignore:\n  - vendor/\n';
      const { uri, dir } = project('.dockerfilelean.yaml', yaml);
      const configPath = path.join(dir, '.dockerfilelean.yaml');
      const { diagnostics } = await c.open(A, { uri });
      for (const rule of ['merge-run', 'non-root-user']) {
        const d = (await c.diagnosticsFor(uri, 1)).diagnostics.find((x) => x.code === rule);
        const off = await applyConfigAction(c, uri, d, configPath);
        const before = fs.readFileSync(configPath, 'utf8');
        const next = applyEdits(before, off.edit.changes[pathToFileURL(configPath).href]);
        for (const kept of ['# team settings', '# stricter for apt', 'apt-hygiene: error # keep', '- vendor/']) assert.ok(next.includes(kept), `${kept} lost:\n${next}`);
        fs.writeFileSync(configPath, next);
        const pub = c.waitPublish(uri, (p) => !p.diagnostics.some((x) => x.code === rule), `${rule} off`);
        await reread(c, uri, configPath);
        await pub;
      }
      const final = fs.readFileSync(configPath, 'utf8');
      assert.match(final, /^  merge-run: off$/m);
      assert.match(final, /non-root-user:\n    options:\n      name: svc\n    severity: off\n/);
      const last = c.publishes.filter((p) => p.uri === uri).at(-1).diagnostics;
      assert.deepEqual([...new Set(last.map((d) => d.code))], ['apt-hygiene']);
      assert.ok(last.every((d) => d.severity === 1), 'apt-hygiene is still an error from the file');
      assert.deepEqual(c.messages, [], 'the edited file is valid');
      assert.ok(diagnostics.length > 0);
    }));

  test('an existing JSON config keeps its indentation and stays JSON', T, () =>
    withServer(async (c) => {
      const json = '{\n    "rules": {\n        "apt-hygiene": "info"\n    }\n}\n';
      const { uri, dir } = project('.dockerfilelean.json', json);
      const configPath = path.join(dir, '.dockerfilelean.json');
      const { diagnostics } = await c.open(A, { uri });
      const off = await applyConfigAction(c, uri, diagnostics.find((d) => d.code === 'non-root-user'), configPath);
      const next = applyEdits(json, off.edit.changes[pathToFileURL(configPath).href]);
      assert.equal(next, '{\n    "rules": {\n        "apt-hygiene": "info",\n        "non-root-user": "off"\n    }\n}\n');
    }));

  test('a config file with an error is not edited', T, () =>
    withServer(async (c) => {
      const { uri } = project('.dockerfilelean.yaml', 'rules:\n  merge-run: [off\n');
      const { diagnostics } = await c.open(A, { uri });
      const actions = await c.codeActions(uri, [diagnostics[0]]);
      assert.deepEqual(titled(actions, /project config/), []);
    }));
});
