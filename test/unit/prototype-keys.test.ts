/** Names that exist on every object (`toString`, `constructor`, …) are not rule options of a config file. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/src/node/config';

const yaml = (text: string) => parseConfig(text, '/p/.dockerfilelean.yaml', '.dockerfilelean.yaml');
const json = (text: string) => parseConfig(text, '/p/.dockerfilelean.json', '.dockerfilelean.json');

describe('config file: prototype names as option names', () => {
  for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']) {
    it(`${name} is an unknown option, like any other`, () => {
      for (const [parse, text] of [
        [yaml, `rules:\n  non-root-user:\n    options:\n      ${name}: 5\n`],
        [json, `{"rules": {"non-root-user": {"options": {"${name}": 5}}}}`],
      ] as const) {
        const r = parse(text);
        assert.equal(r.config, null, text);
        assert.match(r.error?.message ?? '', new RegExp(`non-root-user: unknown option "${name}" \\(options: name, uid\\)`));
      }
      // A rule without options says so.
      const none = yaml(`rules:\n  merge-run:\n    options:\n      ${name}: 1\n`);
      assert.match(none.error?.message ?? '', new RegExp(`merge-run: unknown option "${name}" \\(this rule has no options\\)`));
    });
  }

  it('real options still pass', () => {
    const r = yaml('rules:\n  non-root-user:\n    options:\n      uid: 1234\n');
    assert.equal(r.error, null);
    assert.deepEqual(r.config?.options, { 'non-root-user': { uid: 1234 } });
  });
});
