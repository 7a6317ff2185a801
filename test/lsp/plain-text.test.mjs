// Editors show diagnostic messages and quick-fix titles as plain text: no literal backticks in either, over every
// fixture; the Settings UI renders markdownDescription, so every setting has one (and no plain description).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, removeTmpDir, withServer } from './client.mjs';

const FIXTURES = path.join(ROOT, 'test/fixtures');

function dockerfiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? dockerfiles(p) : e.name === 'before.Dockerfile' ? [p] : [];
  });
}

test('no backtick in any diagnostic message or quick-fix title over the fixtures', { timeout: 120_000 }, async () => {
  const files = dockerfiles(FIXTURES);
  assert.ok(files.length > 50, `fixtures found: ${files.length}`);
  let messages = 0;
  let titles = 0;
  let spans = 0;
  try {
    await withServer({ resolveSupport: true }, async (c) => {
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        const { uri, diagnostics } = await c.open(text);
        for (const d of diagnostics) {
          messages++;
          assert.doesNotMatch(d.message, /`/, `${path.relative(ROOT, file)}: ${d.message}`);
          if (/'[^']+'/.test(d.message)) spans++;
          const actions = await c.codeActions(uri, [d]);
          for (let a of actions) {
            if (!a.edit && a.data) a = await c.request('codeAction/resolve', a);
            titles++;
            assert.doesNotMatch(a.title, /`/, `${path.relative(ROOT, file)}: ${a.title}`);
          }
        }
        c.notify('textDocument/didClose', { textDocument: { uri } });
      }
    });
  } finally {
    removeTmpDir();
  }
  assert.ok(messages > 100 && titles > messages, `${messages} messages, ${titles} titles`);
  assert.ok(spans > 10, 'names that were in backticks are quoted instead');
});

test('every setting has a markdownDescription and no plain description', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const props = Object.entries(pkg.contributes.configuration.properties);
  assert.ok(props.length >= 9);
  for (const [key, spec] of props) {
    assert.equal(typeof spec.markdownDescription, 'string', `${key}: markdownDescription`);
    assert.ok(spec.markdownDescription.length > 20, key);
    assert.equal(spec.description, undefined, `${key}: a plain description would show its backticks`);
  }
});
