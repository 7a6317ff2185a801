/** The engine's processes end as a whole tree: group members and children that left the group (setsid). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { alive, descendants, runProcess } from '../../server/src/node/process-tree';

/** The pid whose command line holds `text`, from /proc. */
function pidOf(text: string): number | undefined {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).find((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(text);
    } catch {
      return false;
    }
  });
}

describe('runProcess', () => {
  it('keeps the output, its lines, and the exit code', async () => {
    const lines: string[] = [];
    const r = await runProcess('sh', ['-c', 'echo one; echo two >&2; exit 3'], { onLine: (l) => lines.push(l) });
    assert.equal(r.code, 3);
    assert.equal(r.out, 'one\n');
    assert.equal(r.err, 'two\n');
    assert.deepEqual(lines.sort(), ['one', 'two']);
  });

  it('a missing program is a result, not a throw', async () => {
    const r = await runProcess('/nonexistent/dockerfile-lean-engine', []);
    assert.ok(r.spawnError);
    assert.equal(r.code, null);
  });

  it('an abort ends the process, its group and a child that left the group with setsid (Linux: /proc)', async () => {
    const ac = new AbortController();
    let pids: number[] = [];
    const done = runProcess('sh', ['-c', 'setsid sleep 301 & sleep 302 & wait'], { signal: ac.signal });
    for (let k = 0; k < 100 && pids.length < 3; k++) {
      await new Promise((r) => setTimeout(r, 50));
      const sh = pidOf('setsid sleep 301');
      if (sh) pids = [sh, ...descendants(sh)];
    }
    assert.ok(pids.length >= 3, `the tree did not start: ${pids}`);
    ac.abort();
    const r = await done;
    assert.equal(r.aborted, true);
    for (const p of pids) assert.equal(alive(p), false, `pid ${p} is still running`);
  });

  it('a time limit ends the tree and says so', async () => {
    const r = await runProcess('sh', ['-c', 'sleep 30'], { timeoutMs: 200 });
    assert.equal(r.timedOut, true);
  });

  it('`enough` stops a stream once the caller has what it needs', async () => {
    const r = await runProcess('sh', ['-c', 'yes'], { enough: (b) => b.length >= 4096, binary: true });
    assert.ok(r.raw.length >= 4096);
    assert.notEqual(r.code, 0);
  });
});
