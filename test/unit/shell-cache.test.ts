/** The shell-parse cache: bounded by an estimate of its bytes as well as by count, and emptied on demand. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clearShellCache, initShell, parseShell, shellCacheSize } from '../../server/src/core/shell';

before(() => initShell());

const LIMIT = 32 * 1024 * 1024;

describe('shell-parse cache', () => {
  it('versions of a 190 KB body (one per keystroke) stay within the byte bound (about six such bodies); the latest are kept', () => {
    clearShellCache();
    const packages = Array.from({ length: 28_000 }, (_, k) => `p${k}`).join(' ');
    const bodies: string[] = [];
    for (let k = 0; k < 8; k++) {
      const body = `apt-get install -y ${packages.slice(0, 5000)}${'x'.repeat(k)}${packages.slice(5000)}`;
      bodies.push(body);
      assert.ok(parseShell(body), 'parses');
      const { bytes } = shellCacheSize();
      assert.ok(bytes <= LIMIT, `${bytes} bytes after ${k + 1} versions`);
    }
    const { entries } = shellCacheSize();
    assert.ok(entries >= 2 && entries < 8, `${entries} entries: old versions evicted`);
    // The most recent version is a hit: the same object comes back.
    assert.equal(parseShell(bodies[7]), parseShell(bodies[7]));
  });

  it('small bodies fill the cache up to its count, as before', () => {
    clearShellCache();
    for (let k = 0; k < 4100; k++) parseShell(`apt-get install -y curl${k} && rm -rf /var/lib/apt/lists/*`);
    assert.equal(shellCacheSize().entries, 4000);
  });

  it('clearing empties it', () => {
    parseShell('echo hello');
    assert.ok(shellCacheSize().entries > 0);
    clearShellCache();
    assert.deepEqual(shellCacheSize(), { entries: 0, bytes: 0 });
    const script = parseShell('echo hello');
    assert.equal(script?.commands[0].name, 'echo', 'parses again after a clear');
  });
});
