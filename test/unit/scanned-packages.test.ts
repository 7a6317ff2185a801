/**
 * The builder's scan of the libraries the copied files link, and the runtime's install of what it found
 * (fixes/multi-stage/scanned-packages.ts), run by the host's own shell, find, awk, sort, tr and xargs. The
 * distribution tools (ldd, dpkg-query, scanelf, apk, apt-get) are small scripts on PATH that answer as the real
 * ones do (ldd's multi-file layout and "not a dynamic executable", dpkg-query's `pkg:arch: path` lines, several
 * packages for one path, diversions and exit status 1 for an unknown path; scanelf's comma-separated NEEDED list),
 * so the test runs on any host; the real tools run in test/images (examples/c-argon2-scanned). The system library
 * directories the Alpine filter tests and the list files under /tmp are moved into a temporary directory.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildModel } from '../../server/src/core/model';
import { initShell } from '../../server/src/core/shell';
import { SCANNED_PACKAGES, scannable, scannedInstall, scanStep } from '../../server/src/fixes/multi-stage/scanned-packages';

before(() => initShell());

function tool(dir: string, name: string, body: string): void {
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

function file(p: string, text: string, mode: number): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text, { mode });
}

/** A temporary tree: `bin/` for the tools, `log` for what they were asked. */
function sandbox(): { root: string; bin: string; log: string; run(script: string): string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const log = path.join(root, 'log');
  fs.writeFileSync(log, '');
  const run = (script: string) => execFileSync('/bin/sh', ['-c', script.split('/tmp/runtime-').join(`${root}/runtime-`)], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LOG: log }, encoding: 'utf8' });
  return { root, bin, log, run };
}

/** The RUN's shell text as the builder runs it (continuation lines are the shell's too). */
function body(step: string): string {
  return step.slice(step.indexOf('RUN ') + 4);
}

const plain = buildModel('FROM debian:bookworm\nRUN make\n');
const leading = buildModel('FROM debian:bookworm\nRUN apt-get update \\\n && make\n');

describe('the Debian/Ubuntu scan (ldd, dpkg-query)', () => {
  function debianTools(bin: string, root: string) {
    tool(bin, 'ldd', `rc=0
for f in "$@"; do
  [ $# -gt 1 ] && echo "$f:"
  case "$(cat "$f")" in
    ELF-A) printf '\\tlinux-vdso.so.1 (0x00007ffd)\\n\\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x1)\\n\\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x2)\\n\\t/lib64/ld-linux-x86-64.so.2 (0x3)\\n' ;;
    ELF-B) printf '\\tlibown.so.1 => ${root}/app/lib/libown.so.1 (0x4)\\n\\tlibz.so.1 => /usr/lib/x86_64-linux-gnu/libz.so.1 (0x5)\\n\\tlibgone.so.2 => not found\\n\\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x2)\\n' ;;
    *) printf '\\tnot a dynamic executable\\n'; rc=1 ;;
  esac
done
exit $rc`);
    tool(bin, 'dpkg-query', `[ "$1" = --search ] || exit 2
shift
rc=0
for p in "$@"; do
  echo "$p" >> "$LOG"
  case "$p" in
    '*/lib/x86_64-linux-gnu/libssl.so.3') echo 'libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3' ;;
    '*/lib/x86_64-linux-gnu/libc.so.6') echo 'libc6:amd64, libc6-compat: /lib/x86_64-linux-gnu/libc.so.6' ;;
    '*/lib/x86_64-linux-gnu/libz.so.1') echo 'diversion by zlib-shim from: /usr/lib/x86_64-linux-gnu/libz.so.1'; echo 'zlib1g:amd64: /usr/lib/x86_64-linux-gnu/libz.so.1' ;;
    *) echo "dpkg-query: no path found matching pattern $p" >&2; rc=1 ;;
  esac
done
exit $rc`);
  }

  it('lists the packages of the libraries the copied files link, minding usr-merge and skipping the copied tree', () => {
    const s = sandbox();
    debianTools(s.bin, s.root);
    file(`${s.root}/app/bin/server`, 'ELF-A', 0o755);
    file(`${s.root}/app/lib/libown.so.1`, 'ELF-B', 0o644);
    file(`${s.root}/app/run.sh`, '#!/bin/sh', 0o755);
    file(`${s.root}/app/README`, 'ELF-A', 0o644);
    for (const model of [plain, leading]) {
      fs.writeFileSync(s.log, '');
      s.run(body(scanStep(model, 'apt', [`${s.root}/app`])));
      assert.deepEqual(fs.readFileSync(`${s.root}/runtime-packages`, 'utf8').split('\n'), ['libc6', 'libc6-compat', 'libssl3', 'zlib1g', '']);
      // Looked up once each, without /usr; the library inside the copied tree is not looked up.
      assert.deepEqual(fs.readFileSync(s.log, 'utf8').trim().split('\n').sort(), ['*/lib/x86_64-linux-gnu/libc.so.6', '*/lib/x86_64-linux-gnu/libssl.so.3', '*/lib/x86_64-linux-gnu/libz.so.1']);
      assert.ok(!fs.existsSync(`${s.root}/runtime-libraries`), 'the intermediate list is removed');
    }
  });

  it('writes an empty list and succeeds when nothing is linked', () => {
    const s = sandbox();
    debianTools(s.bin, s.root);
    file(`${s.root}/app/index.html`, '<p>', 0o644);
    file(`${s.root}/app/start.sh`, '#!/bin/sh', 0o755);
    s.run(body(scanStep(plain, 'apt', [`${s.root}/app`])));
    assert.equal(fs.readFileSync(`${s.root}/runtime-packages`, 'utf8'), '');
    assert.equal(fs.readFileSync(s.log, 'utf8'), '', 'dpkg-query is not run for an empty list');
  });

  it('is written in the file\'s continuation style, one command or pipeline stage per line, with a comment', () => {
    const trailing = scanStep(plain, 'apt', ['/src']);
    assert.match(trailing, /^\n# .*ldd, dpkg-query.*\nRUN find \/src /);
    assert.ok(trailing.split('\n').slice(2, -1).every((l) => / (\||&&) \\$/.test(l)), trailing);
    const lead = scanStep(leading, 'apt', ['/src']);
    assert.ok(lead.split('\n').slice(3).every((l) => /^ +(\||&&) /.test(l)), lead);
    const backtick = scanStep(buildModel('# escape=`\nFROM debian:bookworm\nRUN make\n'), 'apt', ['/src']);
    assert.ok(backtick.split('\n').slice(2, -1).every((l) => l.endsWith(' `')), backtick);
  });
});

describe('the Alpine scan (scanelf, so: names)', () => {
  it('lists the system libraries the copied files need as so: names, skipping the copied tree and /usr/local', () => {
    const s = sandbox();
    tool(s.bin, 'apk', 'echo "apk $*" >> "$LOG"');
    // scanelf -R: every ELF file under the paths, its NEEDED list comma-separated (an empty line when it has none).
    tool(s.bin, 'scanelf', `[ "$1 $2 $3 $4" = "--recursive --nobanner --format %n" ] || exit 2
shift 4
find "$@" -type f | sort | while read -r f; do
  case "$(cat "$f")" in
    ELF-A) echo 'libssl.so.3,libcrypto.so.3,libc.musl-x86_64.so.1' ;;
    ELF-B) echo 'libpython3.12.so.1.0,libown.so.1,libc.musl-x86_64.so.1' ;;
    ELF-C) echo '' ;;
  esac
done`);
    file(`${s.root}/venv/lib/ext.so`, 'ELF-A', 0o755);
    file(`${s.root}/venv/lib/pkg.libs/libown.so.1`, 'ELF-C', 0o755);
    file(`${s.root}/app/bin/tool`, 'ELF-B', 0o755);
    file(`${s.root}/app/app.py`, 'print()', 0o644);
    file(`${s.root}/root/lib/libc.musl-x86_64.so.1`, '', 0o755);
    file(`${s.root}/root/usr/lib/libssl.so.3`, '', 0o755);
    file(`${s.root}/root/usr/lib/libcrypto.so.3`, '', 0o755);
    const script = body(scanStep(plain, 'apk', [`${s.root}/venv`, `${s.root}/app`])).replace('-e /lib/', `-e ${s.root}/root/lib/`).replace('-e /usr/lib/', `-e ${s.root}/root/usr/lib/`);
    s.run(script);
    assert.deepEqual(fs.readFileSync(`${s.root}/runtime-packages`, 'utf8').split('\n'), ['so:libc.musl-x86_64.so.1', 'so:libcrypto.so.3', 'so:libssl.so.3', '']);
    assert.equal(fs.readFileSync(s.log, 'utf8'), 'apk add --no-cache scanelf\n', 'scanelf is installed for the scan');
  });
});

describe('the runtime install of the scanned list', () => {
  function installTools(bin: string) {
    tool(bin, 'apt-get', 'echo "apt-get $*" >> "$LOG"');
    tool(bin, 'apk', 'echo "apk $*" >> "$LOG"');
    tool(bin, 'rm', 'echo "rm $*" >> "$LOG"');
  }
  const runLine = (line: string) => line.replace(/^RUN /, '');

  it('installs the listed packages after the known ones and deletes the list', () => {
    const s = sandbox();
    installTools(s.bin);
    fs.writeFileSync(`${s.root}/runtime-packages`, 'libargon2-1\nlibc6\n');
    s.run(runLine(scannedInstall('apt', ['curl'])));
    const log = fs.readFileSync(s.log, 'utf8').trim().split('\n');
    assert.deepEqual(log.slice(0, 3), ['apt-get update', 'apt-get install -y --no-install-recommends curl', 'apt-get install -y --no-install-recommends libargon2-1 libc6']);
    // The shell expands the lists' glob (the host's own lists here: the rm is a stand-in that only records).
    assert.ok(log[3].startsWith('rm -rf /var/lib/apt/lists/') && log[3].endsWith(` ${s.root}/runtime-packages`), log[3]);
    assert.equal(log.length, 4);
  });

  it('installs nothing and succeeds when the list is empty', () => {
    for (const manager of ['apt', 'apk'] as const) {
      const s = sandbox();
      installTools(s.bin);
      fs.writeFileSync(`${s.root}/runtime-packages`, '');
      s.run(runLine(scannedInstall(manager, [])));
      const log = fs.readFileSync(s.log, 'utf8');
      assert.ok(!/install|add/.test(log), `${manager}: ${log}`);
      assert.match(log, new RegExp(`rm .*${s.root}/runtime-packages`));
    }
  });

  it('names only plain paths', () => {
    assert.ok(scannable(['/opt/venv', '/app']));
    for (const bad of [[], ['/'], ['/app dir'], ["/it's"], ['/a/$HOME'], ['relative'], ['/a//b']]) assert.ok(!scannable(bad), JSON.stringify(bad));
    assert.equal(SCANNED_PACKAGES, '/tmp/runtime-packages');
  });
});
