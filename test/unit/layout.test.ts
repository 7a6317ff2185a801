/** The analysis core stays a library: no editor or LSP imports in core/, rules/, fixes/, knowledge/. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers';
import { RULES } from '../../server/src/rules/index';

const CORE_DIRS = ['analysis', 'core', 'rules', 'fixes', 'knowledge'].map((d) => path.join(ROOT, 'server/src', d));

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('layout', () => {
  for (const dir of CORE_DIRS) {
    it(`${path.relative(ROOT, dir)} imports neither vscode nor vscode-languageserver`, () => {
      for (const f of files(dir)) {
        const src = fs.readFileSync(f, 'utf8');
        assert.doesNotMatch(src, /from\s+['"](vscode|vscode-languageserver(\/[^'"]*)?|vscode-languageclient(\/[^'"]*)?)['"]/, path.relative(ROOT, f));
        assert.doesNotMatch(src, /require\(\s*['"]vscode/, path.relative(ROOT, f));
      }
    });
  }
  // The one-way flow: each layer imports only the layers below it (and itself).
  const LAYERS = ['analysis', 'rules', 'fixes', 'core', 'knowledge'];
  for (const [k, layer] of LAYERS.entries()) {
    it(`${layer}/ imports only ${LAYERS.slice(k + 1).join(', ') || 'itself'} of the analysis`, () => {
      const dir = path.join(ROOT, 'server/src', layer);
      for (const f of files(dir)) {
        for (const m of fs.readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
          const target = path.relative(path.join(ROOT, 'server/src'), path.resolve(path.dirname(f), m[1])).split(path.sep)[0];
          assert.ok(!LAYERS.includes(target) || LAYERS.indexOf(target) >= k, `${path.relative(ROOT, f)} imports ${m[1]}`);
          assert.ok(LAYERS.includes(target), `${path.relative(ROOT, f)} imports ${m[1]}, outside the analysis`);
        }
      }
    });
  }
  for (const rule of RULES) {
    it(`${rule.id} has its file, docs page, fixtures, setting and ids in one spelling`, () => {
      assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(fs.existsSync(path.join(ROOT, 'server/src/rules', `${rule.id}.ts`)), 'rule file');
      assert.ok(fs.existsSync(path.join(ROOT, 'docs/rules', `${rule.id}.md`)), 'docs page');
      assert.ok(fs.existsSync(path.join(ROOT, 'test/fixtures', rule.id)), 'fixtures');
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      assert.ok(pkg.contributes.configuration.properties[`dockerfileLean.rules.${rule.id}`], 'setting');
    });
  }
});
