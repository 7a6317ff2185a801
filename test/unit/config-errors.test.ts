/** Config files with several problems: every one is reported, at its key, in words a user understands. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/src/node/config';

const yaml = (text: string) => parseConfig(text, '/p/.dockerfilelean.yaml', '.dockerfilelean.yaml');
const json = (text: string) => parseConfig(text, '/p/.dockerfilelean.json', '.dockerfilelean.json');
const where = (r: ReturnType<typeof yaml>) => (r.errors ?? []).map((e) => `${e.line}:${e.column}-${e.endLine}:${e.endColumn}`);

describe('config errors: all of them, each at its key', () => {
  it('three unknown things in one file: three errors in file order, the first is `error`', () => {
    const r = yaml('rules:\n  merge-runs: off\n  apt-hygiene: loud\n  non-root-user:\n    options:\n      gid: 5\nignor:\n  - x\n');
    assert.equal(r.config, null);
    assert.deepEqual((r.errors ?? []).map((e) => e.message.replace(/ \(.*$/, '')), [
      'unknown rule "merge-runs"',
      'apt-hygiene: unknown severity "loud"',
      'non-root-user: unknown option "gid"',
      'unknown key "ignor"',
    ]);
    assert.deepEqual(where(r), ['2:3-2:13', '3:16-3:20', '6:7-6:10', '7:1-7:6']);
    assert.equal(r.error, r.errors![0]);
  });

  it('YAML syntax errors in words, not the parser\'s own', () => {
    // The compact mapping a user writes when they put a nested key on the key's line.
    const r = yaml('rules:\n  non-root-user: options: {uid: 2000}\n');
    assert.ok(r.errors && r.errors.length >= 1);
    for (const e of r.errors) {
      assert.match(e.message, /^not valid YAML: /);
      assert.doesNotMatch(e.message, /compact mappings|implicit key/i, e.message);
    }
    assert.match(r.errors[0].message, /must start on the next line, indented under its key/);
    assert.equal(r.errors[0].line, 2);
    const tabs = yaml('rules:\n\tmerge-run: off\n');
    assert.ok(tabs.errors!.some((e) => /spaces, not tabs/.test(e.message)), JSON.stringify(tabs.errors));
    const dup = yaml('rules:\n  merge-run: off\n  merge-run: error\n');
    assert.match(dup.errors![0].message, /already set above/);
    assert.deepEqual([dup.errors![0].line, dup.errors![0].column], [3, 3]);
  });

  it('a JSON syntax error: one error with its place; a valid file: no errors', () => {
    const bad = json('{\n  "rules": {\n    "merge-run": "off",\n  }\n}\n');
    assert.equal(bad.errors!.length, 1);
    assert.deepEqual([bad.errors![0].line, bad.errors![0].column], [4, 3]);
    const good = yaml('rules:\n  merge-run: off\n');
    assert.equal(good.error, null);
    assert.deepEqual(good.errors ?? [], []);
  });
});
