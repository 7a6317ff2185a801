/**
 * The command line writes its output straight to file descriptors (server/src/cli/output.ts). A write must
 * deliver every byte even when the descriptor is a non-blocking pipe that fills up, must end quietly when
 * the reader has gone, and must tell a pipe or a file from a terminal without loading the tty module.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isTerminal, write } from '../../server/src/cli/output';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-output-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A named pipe in the temp folder, opened for reading and writing without blocking. */
function fifo(name: string): { file: string; reader: number; writer: number } {
  const file = path.join(dir, name);
  const made = spawnSync('mkfifo', [file]);
  assert.equal(made.status, 0, `mkfifo failed: ${made.stderr}`);
  const reader = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writer = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return { file, reader, writer };
}

describe('cli output', () => {
  it('writes every byte through a non-blocking pipe far larger than the pipe buffer', async () => {
    const { file, reader, writer } = fifo('full');
    const copy = path.join(dir, 'copy');
    // A separate process drains the pipe, slowly at first, while this one writes 1 MiB into it.
    const cat = spawn('sh', ['-c', `sleep 0.2; cat "${file}" > "${copy}"`], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => cat.on('exit', resolve));
    const data = Buffer.alloc(1 << 20);
    for (let i = 0; i < data.length; i++) data[i] = 32 + ((i * 7) % 90);
    // Our own reader, which never reads, keeps the pipe open until cat has started: the writes meet a full pipe
    // (EAGAIN, 64 KiB in), never a closed one. cat sees the end once the only writer is closed.
    write(writer, data.toString('latin1'));
    fs.closeSync(writer);
    fs.closeSync(reader);
    assert.equal(await exited, 0);
    assert.ok(fs.readFileSync(copy).equals(data), 'the copy differs from what was written');
  });

  it('stops quietly, without throwing, when the reader has gone', () => {
    const { reader, writer } = fifo('gone');
    fs.closeSync(reader);
    assert.doesNotThrow(() => write(writer, 'first\n'));
    assert.doesNotThrow(() => write(writer, 'second\n'));
    fs.closeSync(writer);
  });

  it('writes strings as UTF-8 and byte arrays as they are', () => {
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    write(fd, 'é ✓ \u{1F433}\n');
    write(fd, Buffer.from([0xff, 0xfe, 0x41]));
    write(fd, '');
    fs.closeSync(fd);
    assert.deepEqual([...fs.readFileSync(file)], [...Buffer.from('é ✓ \u{1F433}\n', 'utf8'), 0xff, 0xfe, 0x41]);
  });

  it('tells a file, a pipe and /dev/null from a terminal', () => {
    const file = path.join(dir, 'plain');
    const fd = fs.openSync(file, 'w');
    assert.equal(isTerminal(fd), false);
    fs.closeSync(fd);
    const { reader, writer } = fifo('tty');
    assert.equal(isTerminal(writer), false);
    fs.closeSync(writer);
    fs.closeSync(reader);
    const nul = fs.openSync('/dev/null', 'w');
    assert.equal(isTerminal(nul), false);
    fs.closeSync(nul);
    assert.equal(isTerminal(987654), false, 'a closed descriptor is not a terminal');
  });
});
