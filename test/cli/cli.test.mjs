// Contract tests for the command-line tool (dist/cli.js): output formats, exit codes, byte preservation.
// Run after `npm run build`: node --test test/cli/
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSarifValid } from './sarif.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const T = { timeout: 30_000 };
const RUN_LIMIT_MS = 20_000; // a run that takes longer than this is killed and counts as a hang

const A = 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get clean\nCMD ["./run.sh"]\n';
const B = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server .\nEXPOSE 8080\nCMD ["/out/server"]\n';
const C = 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n';
const CLEAN = 'FROM node:20\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node","index.js"]\n';
// Only a hint: `apt clean` does what `apt-get clean` does.
const HINT_ONLY =
  'FROM debian:bookworm-slim\nRUN apt clean\nUSER nobody\n';
const RULES = ['apt-hygiene', 'merge-run', 'multi-stage', 'non-root-user'];
const SEVERITIES = ['error', 'warning', 'info', 'hint'];

let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-cli-'));
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

let fileCounter = 0;
/** Writes `content` (string or Buffer) to a new file in the temp dir; returns its absolute path. */
function write(content, name = 'Dockerfile') {
  const sub = path.join(dir, `f${++fileCounter}`);
  fs.mkdirSync(sub);
  const file = path.join(sub, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Runs the CLI; resolves with exit code, signal, stdout (Buffer), stderr (string) and duration. Kills it after RUN_LIMIT_MS. */
function cli(args, { cwd = dir, env, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const env2 = { ...process.env, ...env };
    delete env2.FORCE_COLOR;
    const p = spawn(process.execPath, [CLI, ...args], { cwd, env: env2, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) p.stdin.end(input);
    const out = [];
    let err = '';
    let killed = false;
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      killed = true;
      p.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const r = { code, signal, stdout, text: stdout.toString('utf8'), stderr: err, ms: Date.now() - started, killed };
      if (killed) reject(new Error(`dockerfile-lean ${args.join(' ')} did not finish within ${RUN_LIMIT_MS} ms (stderr: ${err})`));
      else resolve(r);
    });
  });
}

function assertNoCrash(r, what) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
  assert.ok(!/internal error/i.test(r.stderr), `${what}: internal error: ${r.stderr}`);
  assert.ok(!/^\s+at .+:\d+:\d+\)?$/m.test(r.stderr), `${what}: stack trace on stderr:\n${r.stderr}`);
}

async function checkJson(file, extra = []) {
  const r = await cli(['check', '--format', 'json', ...extra, file]);
  assertNoCrash(r, `check ${file}`);
  let rows;
  assert.doesNotThrow(() => (rows = JSON.parse(r.text)), `not JSON: ${r.text}`);
  return { ...r, rows };
}

async function fixOut(file, extra = []) {
  const r = await cli(['fix', ...extra, file]);
  assertNoCrash(r, `fix ${file}`);
  assert.equal(r.code, 0, `fix exit code (stderr: ${r.stderr})`);
  return r.stdout;
}

function assertInOrder(text, res) {
  const ls = text.split(/\r?\n/);
  let at = -1;
  for (const re of res) {
    const i = ls.findIndex((l, k) => k > at && re.test(l));
    assert.ok(i > at, `expected a line matching ${re} after line ${at + 1} in:\n${text}`);
    at = i;
  }
}

/** Splits a buffer into lines, each keeping its line break. */
function byteLines(buf) {
  const out = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      out.push(buf.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

/** Every input line except those `rewritten` says may change appears, byte for byte, in the output in order. */
function assertKeptLines(input, output, rewritten) {
  const outLines = byteLines(output);
  let at = -1;
  for (const line of byteLines(input)) {
    if (rewritten(line.toString('latin1'))) continue;
    const noEol = line[line.length - 1] !== 0x0a;
    // A last line without a line break may get one when something is appended after it.
    const i = outLines.findIndex((l, k) => k > at && (l.equals(line) || (noEol && l.equals(Buffer.concat([line, Buffer.from('\n')])))));
    assert.ok(i > at, `input line ${JSON.stringify(line.toString('latin1'))} not kept byte for byte (after output line ${at + 1}) in:\n${output.toString('latin1')}`);
    at = i;
  }
}

// ---------------------------------------------------------------------------------------------

describe('check --format json', () => {
  test('input a: findings with the documented shape, file as given, exit 1', T, async () => {
    const file = write(A);
    const { rows, code, stderr } = await checkJson(file);
    assert.equal(code, 1);
    assert.equal(stderr, '');
    assert.ok(Array.isArray(rows));
    assert.deepEqual([...new Set(rows.map((f) => f.rule))].sort(), ['apt-hygiene', 'merge-run', 'non-root-user']);
    for (const f of rows) {
      // `related` only on a finding whose fix resolves another rule's finding too (reported there, not on its own).
      // `notFixableBecause` only on a finding with no automatic fix, saying why.
      assert.deepEqual(Object.keys(f).sort(), ['file', 'fixable', 'message', ...(f.notFixableBecause ? ['notFixableBecause'] : []), ...(f.related ? ['range', 'related'] : ['range']), 'rule', 'severity']);
      if (f.notFixableBecause) assert.equal(f.fixable, false);
      assert.equal(f.file, file);
      assert.ok(RULES.includes(f.rule));
      assert.ok(SEVERITIES.includes(f.severity));
      assert.equal(typeof f.message, 'string');
      assert.equal(typeof f.fixable, 'boolean');
      for (const p of [f.range.start, f.range.end]) {
        assert.deepEqual(Object.keys(p).sort(), ['character', 'line']);
        assert.ok(Number.isInteger(p.line) && p.line >= 0 && Number.isInteger(p.character) && p.character >= 0);
      }
    }
    // 0-based positions.
    const merge = rows.find((f) => f.rule === 'merge-run');
    assert.deepEqual(merge.range.start, { line: 1, character: 0 });
    assert.equal(merge.range.end.line, 3);
    // The lone `apt-get update` on line 1 is resolved by the merge: reported inside merge-run's finding, which takes its severity.
    assert.deepEqual(rows.filter((f) => f.rule === 'apt-hygiene').map((f) => f.range.start.line).sort(), [2]);
    assert.deepEqual(merge.related.map((r) => [r.rule, r.range.start.line]), [['apt-hygiene', 1]]);
    assert.match(merge.related[0].message, /^apt-get update runs in a RUN of its own/);
    assert.equal(merge.severity, 'warning');
    // The message's first line is one short sentence; the detail follows on the next lines.
    for (const f of rows) assert.ok(f.message.split('\n')[0].length <= 100, f.message);
    assert.match(merge.message, /^Merge these 3 RUN instructions: apt-get update on line 2 runs in a RUN of its own\.\n/);
    assert.deepEqual(rows.find((f) => f.rule === 'non-root-user').range.start, { line: 0, character: 0 });
  });

  test('a finding with no automatic fix says why', T, async () => {
    const { rows } = await checkJson(write('FROM scratch\nCOPY site-gen /\nWORKDIR /site\nENTRYPOINT ["/site-gen"]\n'));
    const f = rows.find((r) => r.rule === 'non-root-user');
    assert.equal(f.fixable, false);
    assert.match(f.notFixableBecause, /where files are mounted at run time/);
  });

  test('input b and c', T, async () => {
    const b = await checkJson(write(B));
    assert.deepEqual(b.rows.map((f) => f.rule).sort(), ['multi-stage', 'non-root-user']);
    assert.equal(b.code, 1);
    const c = await checkJson(write(C));
    assert.deepEqual(c.rows.map((f) => f.rule), ['non-root-user']);
    assert.equal(c.rows[0].severity, 'warning');
    assert.equal(c.rows[0].fixable, true);
    assert.equal(c.code, 1);
  });

  test('a clean file → [] and exit 0', T, async () => {
    const r = await checkJson(write(CLEAN));
    assert.deepEqual(r.rows, []);
    assert.equal(r.code, 0);
  });

  test('only hint findings → exit 0', T, async () => {
    const r = await checkJson(write(HINT_ONLY));
    assert.ok(r.rows.length > 0);
    assert.ok(r.rows.every((f) => f.severity === 'hint' || f.severity === 'info'), JSON.stringify(r.rows));
    assert.equal(r.code, 0);
  });

  test('several files → one array; file names exactly as given (relative, ./, absolute)', T, async () => {
    const a = write(A);
    const c = write(C);
    const clean = write(CLEAN);
    const relA = path.relative(dir, a);
    const dotC = './' + path.relative(dir, c);
    const r = await cli(['check', '--format', 'json', relA, dotC, clean]);
    assertNoCrash(r, 'check');
    assert.equal(r.code, 1);
    const rows = JSON.parse(r.text);
    assert.deepEqual([...new Set(rows.map((f) => f.file))], [relA, dotC]);
    assert.equal(rows.filter((f) => f.file === dotC).length, 1);
    // The warning lives in one file, the clean one adds nothing; clean first then dirty still exits 1.
    const r2 = await cli(['check', '--format=json', clean, relA]);
    assert.equal(r2.code, 1);
    assert.deepEqual([...new Set(JSON.parse(r2.text).map((f) => f.file))], [relA]);
  });

  test('--rule filters (repeatable, --rule=ID form too)', T, async () => {
    const file = write(A);
    const one = await checkJson(file, ['--rule', 'merge-run']);
    assert.deepEqual(one.rows.map((f) => f.rule), ['merge-run']);
    const two = await checkJson(file, ['--rule', 'merge-run', '--rule=non-root-user']);
    assert.deepEqual(two.rows.map((f) => f.rule).sort(), ['merge-run', 'non-root-user']);
    const none = await checkJson(file, ['--rule', 'multi-stage']);
    assert.deepEqual(none.rows, []);
    assert.equal(none.code, 0);
  });
});

describe('check --format text', () => {
  test('file:line:col severity rule and the first sentence, then the detail indented; 1-based, no colours, same findings as json', T, async () => {
    const file = write(A);
    const { rows } = await checkJson(file);
    assert.ok(rows.every((f) => f.fixable), 'no "No automatic fix" line to expect');
    for (const args of [['check', file], ['check', '--format', 'text', file]]) {
      const r = await cli(args);
      assert.equal(r.code, 1);
      assert.ok(!r.text.includes('\x1b'), 'ANSI escape in non-TTY output');
      // The text output is plain text: the backticks around names in the message become quotes (JSON keeps them).
      const expected = rows.map((f) => {
        const [summary, ...detail] = f.message.replace(/`/g, "'").split('\n');
        return [`${file}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.rule} ${summary}`, ...detail.map((d) => `    ${d}`)].join('\n') + '\n';
      });
      assert.equal(r.text, expected.join(''));
      // A finding's line is short (what a problem matcher and a reader's eye take in); the detail lines are not findings.
      const heads = r.text.split('\n').filter((l) => l && !l.startsWith('    '));
      assert.equal(heads.length, rows.length);
      for (const l of heads) assert.ok(l.length - file.length <= 100 + 40, l);
    }
  });

  test('a finding without an automatic fix says why on a line of its own', T, async () => {
    // The install on line 3 needs the lists line 2 downloads: they cannot be removed in line 2's RUN.
    const r = await cli(['check', write('FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN apt-get install -y --no-install-recommends git\nUSER 1000\nCMD ["x"]\n')]);
    assert.equal(r.code, 1);
    assert.match(r.text, /:2:\d+ warning apt-hygiene apt-get install: move the install on line 3 into this RUN, then remove the apt lists\.\n {4}The package lists/);
  });

  test('a clean file prints nothing and exits 0', T, async () => {
    const r = await cli(['check', write(CLEAN)]);
    assert.equal(r.code, 0);
    assert.equal(r.text, '');
  });

  test('no colours even when NO_COLOR is unset and TERM is set', T, async () => {
    const r = await cli(['check', write(C)], { env: { NO_COLOR: '', TERM: 'xterm-256color' } });
    assert.equal(r.code, 1);
    assert.ok(!r.text.includes('\x1b'));
    assert.match(r.text, /:1:1 warning non-root-user /);
  });

  test('colours on a terminal (a pseudo-terminal made by script), none under NO_COLOR', T, () => {
    const file = write(C);
    const run = (env) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${CLI}" check "${file}"`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: RUN_LIMIT_MS });
    const coloured = run({ NO_COLOR: '' });
    assert.equal(coloured.status, 1, coloured.stderr);
    assert.match(coloured.stdout, /:1:1 \x1b\[33mwarning\x1b\[0m non-root-user /);
    const plain = run({ NO_COLOR: '1' });
    assert.equal(plain.status, 1, plain.stderr);
    assert.ok(!plain.stdout.includes('\x1b'));
    assert.match(plain.stdout, /:1:1 warning non-root-user /);
  });

  test('a reader that has gone (check … | head) ends the output quietly; the exit code still reports the findings', T, async () => {
    const fifo = path.join(dir, `gone-${++fileCounter}`);
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.closeSync(reader);
    const p = spawn(process.execPath, [CLI, 'check', write(A)], { cwd: dir, stdio: ['ignore', writer, 'pipe'] });
    fs.closeSync(writer);
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const [code, signal] = await new Promise((resolve) => p.on('close', (c, s) => resolve([c, s])));
    assert.equal(signal, null);
    assert.equal(code, 1);
    assert.equal(err, '');
  });
});

describe('fix', () => {
  test('input a: all rules fixed, exit 0, fixing again changes nothing', T, async () => {
    const out = await fixOut(write(A));
    const text = out.toString('utf8');
    assertInOrder(text, [/^FROM debian:bookworm-slim$/, /^RUN apt-get update && \\$/, /apt-get install -y --no-install-recommends ca-certificates curl/, /^USER \S+/, /^CMD \["\.\/run\.sh"\]$/]);
    assert.ok(text.includes('rm -rf /var/lib/apt/lists/*'));
    assert.equal(text.split('\n').filter((l) => /^RUN\b/.test(l)).length, 1, text);
    const again = write(out);
    assert.deepEqual(await fixOut(again), out, 'fix is not idempotent');
    const { rows } = await checkJson(again);
    assert.deepEqual(rows.filter((f) => f.fixable), [], 'fixable findings left after fix');
  });

  test('a guessed user on an unknown image is left to the editor: fix changes nothing, check still reports it', T, async () => {
    const text = 'FROM registry.example.org/vendor/runtime:2.1\nCOPY app /opt/app\nCMD ["/opt/app/run"]\n';
    const file = write(text);
    const r = await cli(['fix', '--rule', 'non-root-user', file]);
    assert.equal(r.stdout.toString('utf8'), text);
    const { rows } = await checkJson(file);
    assert.ok(rows.some((f) => f.rule === 'non-root-user' && /not known here/.test(f.message)));
  });

  test('input b: multi-stage conversion', T, async () => {
    const text = (await fixOut(write(B))).toString('utf8');
    assertInOrder(text, [
      /^FROM golang:1\.22 AS build$/,
      /^RUN\b.*\bgo build\b.*-o \/out\/server\b/,
      /^FROM gcr\.io\/distroless\/static-debian12:nonroot$/,
      /^COPY --from=build \/out\/server \/out\/server$/,
      /^CMD \["\/out\/server"\]$/,
    ]);
    const nonEmpty = text.split('\n').filter((l) => l.trim());
    assert.equal(nonEmpty[nonEmpty.length - 1], 'CMD ["/out/server"]');
    const { rows } = await checkJson(write(text));
    assert.deepEqual(rows.filter((f) => f.fixable), []);
  });

  test('input c: COPY --chown=node:node and USER node before CMD', T, async () => {
    const text = (await fixOut(write(C))).toString('utf8');
    const ls = text.split('\n');
    assert.equal(ls[0], 'FROM node:20');
    assert.ok(ls.includes('COPY --chown=node:node . .'), text);
    assert.ok(!ls.includes('COPY . .'), text);
    const user = ls.indexOf('USER node');
    const cmd = ls.indexOf('CMD ["node","index.js"]');
    assert.ok(user > 0 && cmd > user, `USER node must come before CMD:\n${text}`);
    assert.equal(ls.filter((l) => l.trim()).pop(), 'CMD ["node","index.js"]');
    const { rows } = await checkJson(write(text));
    assert.deepEqual(rows, [], `findings left after fix:\n${text}`);
  });

  test('--rule applies only that rule', T, async () => {
    const file = write(A);
    const out = await fixOut(file, ['--rule', 'merge-run']);
    const { rows } = await checkJson(write(out));
    assert.deepEqual(rows.filter((f) => f.rule === 'merge-run'), []);
    assert.ok(rows.some((f) => f.rule === 'non-root-user'), 'non-root-user must be left alone');
    assert.ok(!out.toString().includes('USER '), out.toString());
    const both = await fixOut(file, ['--rule', 'non-root-user', '--rule=apt-hygiene']);
    const after = await checkJson(write(both));
    assert.deepEqual(after.rows.filter((f) => f.rule !== 'merge-run' && f.fixable), []);
  });

  test('--write writes the same text to the file, stdout empty, exit 0', T, async () => {
    for (const [text, rules] of [[A, []], [B, ['--rule', 'multi-stage']], [C, []]]) {
      const expected = await fixOut(write(text), rules);
      const file = write(text);
      const r = await cli(['fix', ...rules, '--write', file]);
      assertNoCrash(r, 'fix --write');
      assert.equal(r.code, 0);
      assert.equal(r.stdout.length, 0, `stdout not empty: ${r.text}`);
      assert.deepEqual(fs.readFileSync(file), expected);
    }
    // Option after the file too.
    const file = write(C);
    const r = await cli(['fix', file, '--write']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 0);
    assert.match(fs.readFileSync(file, 'utf8'), /^USER node$/m);
  });

  test('--write on a clean file leaves it byte for byte', T, async () => {
    const file = write(CLEAN);
    const r = await cli(['fix', '--write', file]);
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), CLEAN);
  });

  test('CRLF file: fix keeps CRLF line breaks', T, async () => {
    for (const text of [A, B, C]) {
      const crlf = text.replace(/\n/g, '\r\n');
      const out = (await fixOut(write(crlf))).toString('utf8');
      assert.notEqual(out, crlf);
      assert.ok(!/(^|[^\r])\n/.test(out), `bare LF in fixed CRLF file:\n${JSON.stringify(out)}`);
      assert.equal(out.replace(/\r\n/g, '\n'), (await fixOut(write(text))).toString('utf8'));
    }
  });

  test('comments, # syntax directive, heredoc, trailing spaces and a BOM survive byte for byte', T, async () => {
    const input = Buffer.from(
      '\ufeff# syntax=docker/dockerfile:1\n' +
        '# a comment with trailing spaces   \n' +
        'FROM debian:bookworm-slim\n' +
        '# install stuff\n' +
        'RUN apt-get update\n' +
        'RUN apt-get install -y curl\n' +
        'RUN <<EOF\n' +
        'set -e\n' +
        'echo "h\u00e9llo"  \t\n' +
        '    indented line\n' +
        'EOF\n' +
        '\n' +
        '  # indented comment\n' +
        'ENV A=1 \\\n' +
        '\tB=2\n' +
        'CMD ["./run.sh"]\n',
      'utf8',
    );
    const file = write(input);
    const out = await fixOut(file);
    assert.deepEqual(out.subarray(0, 3), Buffer.from([0xef, 0xbb, 0xbf]), 'BOM lost');
    assert.ok(!out.subarray(3).includes(Buffer.from([0xef, 0xbb, 0xbf])), 'BOM duplicated');
    assert.notDeepEqual(out, input, 'nothing was fixed');
    assertKeptLines(input, out, (l) => /^RUN apt-get (update|install)/.test(l));
    assert.ok(out.toString('utf8').includes('RUN <<EOF\nset -e\necho "h\u00e9llo"  \t\n    indented line\nEOF\n'), 'heredoc not kept');
    // The fixed file is stable.
    assert.deepEqual(await fixOut(write(out)), out);
  });

  test('a file without a final line break keeps its last line', T, async () => {
    const input = C.slice(0, -1);
    const out = (await fixOut(write(input))).toString('utf8');
    assert.match(out, /^USER node$/m);
    assert.match(out, /CMD \["node","index.js"\]\n?$/);
    assert.deepEqual(await fixOut(write(out)), Buffer.from(out));
  });
});

describe('convert', () => {
  for (const [name, text] of [['b', B], ['b with CRLF', B.replace(/\n/g, '\r\n')], ['a (nothing to convert)', A], ['c', C]]) {
    test(`input ${name}: convert == fix --rule multi-stage`, T, async () => {
      const file = write(text);
      const conv = await cli(['convert', file]);
      assertNoCrash(conv, 'convert');
      assert.equal(conv.code, 0);
      const fixed = await fixOut(file, ['--rule', 'multi-stage']);
      assert.deepEqual(conv.stdout, fixed);
      if (name === 'b') {
        const out = conv.text;
        assertInOrder(out, [/^FROM golang:1\.22 AS build$/, /^FROM gcr\.io\/distroless\/static-debian12:nonroot$/, /^COPY --from=build \/out\/server \/out\/server$/, /^CMD \["\/out\/server"\]$/]);
      }
      if (name.startsWith('a') || name === 'c') assert.equal(conv.text, text, 'nothing to convert → unchanged');
    });
  }
});

describe('usage errors: exit 2, exactly one line on stderr, no stack trace', () => {
  const cases = [
    ['no arguments', []],
    ['unknown command', ['lint', 'x']],
    ['unknown option (check)', ['check', '--bogus', 'Dockerfile']],
    ['unknown option (fix)', ['fix', '--format', 'json', 'Dockerfile']],
    ['unknown option (convert)', ['convert', '--write', 'Dockerfile']],
    ['unknown rule id', ['check', '--rule', 'no-such-rule', 'Dockerfile']],
    ['unknown rule id (fix)', ['fix', '--rule=no-such-rule', 'Dockerfile']],
    ['unknown format', ['check', '--format', 'xml', 'Dockerfile']],
    ['--rule without a value', ['check', 'Dockerfile', '--rule']],
    ['check without files', ['check']],
    ['check with only options', ['check', '--format', 'json']],
    ['fix without a file', ['fix']],
    ['convert without a file', ['convert']],
  ];
  for (const [name, args] of cases) {
    test(name, T, async () => {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), A);
      const r = await cli(args);
      assertNoCrash(r, name);
      assert.equal(r.code, 2, `exit code for ${JSON.stringify(args)} (stderr: ${r.stderr})`);
      assert.equal(r.stdout.length, 0, `stdout: ${r.text}`);
      assert.match(r.stderr, /^[^\n]+\n$/, `exactly one line on stderr, got ${JSON.stringify(r.stderr)}`);
    });
  }

  for (const cmd of [['check'], ['check', '--format', 'json'], ['fix'], ['convert']]) {
    test(`${cmd.join(' ')}: a missing file is named on stderr`, T, async () => {
      const missing = path.join(dir, 'does-not-exist', 'Dockerfile.missing');
      const r = await cli([...cmd, missing]);
      assertNoCrash(r, 'missing file');
      assert.equal(r.code, 2);
      assert.equal(r.stdout.length, 0);
      assert.match(r.stderr, /^[^\n]+\n$/);
      assert.ok(r.stderr.includes(missing), `missing file not named: ${r.stderr}`);
    });

    test(`${cmd.join(' ')}: a directory`, T, async () => {
      const d = fs.mkdtempSync(path.join(dir, 'adir-'));
      const r = await cli([...cmd, d]);
      assertNoCrash(r, 'directory');
      assert.equal(r.code, 2);
      assert.equal(r.stdout.length, 0);
      assert.match(r.stderr, /^[^\n]+\n$/);
      assert.ok(r.stderr.includes(d), `directory not named: ${r.stderr}`);
    });
  }

  test('check with a missing file among good ones exits 2', T, async () => {
    const missing = path.join(dir, 'nope');
    const r = await cli(['check', write(A), missing]);
    assertNoCrash(r, 'check');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^[^\n]+\n$/);
    assert.ok(r.stderr.includes(missing));
  });
});

describe('bad input: no crash, no hang', () => {
  /** check (both formats) and fix on `content`: no crash; fix exits 0 and is a fixed point. */
  async function survives(content, { fixKeepsInput = false } = {}) {
    const file = write(content);
    const j = await cli(['check', '--format', 'json', file]);
    assertNoCrash(j, 'check --format json');
    assert.ok([0, 1].includes(j.code), `check exit ${j.code}: ${j.stderr}`);
    const rows = JSON.parse(j.text);
    assert.ok(Array.isArray(rows));
    const t = await cli(['check', file]);
    assertNoCrash(t, 'check');
    assert.equal(t.code, j.code);
    const out = await fixOut(file);
    if (fixKeepsInput) assert.deepEqual(out, Buffer.from(content), `fix changed the input:\n${out.toString('latin1')}`);
    const again = write(out);
    assert.deepEqual(await fixOut(again), out, 'fixing the output again changed it');
    const conv = await cli(['convert', file]);
    assertNoCrash(conv, 'convert');
    assert.equal(conv.code, 0);
    return { rows, out, fixedRows: (await checkJson(again)).rows };
  }

  test('empty file → [] and exit 0; fix prints nothing', T, async () => {
    const { rows, out } = await survives('');
    assert.deepEqual(rows, []);
    assert.equal(out.length, 0);
  });

  test('only whitespace and comments', T, async () => {
    const { rows } = await survives('\n\n   \n# just a comment\n\t\n', { fixKeepsInput: true });
    assert.deepEqual(rows, []);
  });

  test('binary bytes including NUL: no crash, fix keeps every byte', T, async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const buf = Buffer.alloc(4096);
    for (let i = 0; i < buf.length; i++) buf[i] = rnd();
    buf[10] = 0;
    await survives(buf, { fixKeepsInput: true });
    // A Dockerfile-looking start with NULs later on.
    await survives(Buffer.concat([Buffer.from(C), Buffer.from([0, 1, 2, 0xff, 0xfe, 0]), Buffer.from('\nRUN x\n')]), { fixKeepsInput: true });
  });

  test('random bytes without NUL: no crash, fix is stable', T, async () => {
    let seed = 777;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const buf = Buffer.alloc(4096);
    for (let i = 0; i < buf.length; i++) buf[i] = rnd() || 1;
    await survives(buf);
  });

  test('Latin-1 bytes: fix keeps every byte it does not rewrite', T, async () => {
    const input = Buffer.concat([
      Buffer.from('FROM debian:bookworm-slim\n# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nRUN echo caf'),
      Buffer.from([0xe9, 0xa0, 0xff]),
      Buffer.from('\nRUN echo b\nCMD ["./run.sh"]\n'),
    ]);
    const { rows, out, fixedRows } = await survives(input);
    assert.ok(rows.some((f) => f.rule === 'merge-run'));
    assert.notDeepEqual(out, input);
    assert.ok(out.includes(Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0x0a])])), `comment bytes changed:\n${out.toString('latin1')}`);
    assert.ok(out.includes(Buffer.concat([Buffer.from('echo caf'), Buffer.from([0xe9, 0xa0, 0xff])])), `RUN bytes changed:\n${out.toString('latin1')}`);
    assert.ok(!out.includes(Buffer.from([0xef, 0xbf, 0xbd])), 'U+FFFD replacement characters in output');
    assert.ok(!out.includes(Buffer.from([0xc3, 0xa9])), 'Latin-1 byte re-encoded as UTF-8');
    assertKeptLines(input, out, (l) => /^RUN /.test(l));
    // What fix applies is done; the hint-level merge stays a quick fix (fix applies warnings and errors).
    assert.deepEqual(fixedRows.filter((f) => f.fixable && ['warning', 'error'].includes(f.severity)), []);
  });

  test('Latin-1 file: --write keeps the bytes too', T, async () => {
    const input = Buffer.concat([Buffer.from('FROM node:20\n# na'), Buffer.from([0xef, 0x76, 0x65]), Buffer.from('\nCOPY . .\nCMD ["node","i.js"]\n')]);
    const expected = await fixOut(write(input));
    const file = write(input);
    const r = await cli(['fix', '--write', file]);
    assert.equal(r.code, 0);
    assert.deepEqual(fs.readFileSync(file), expected);
    assert.ok(expected.includes(Buffer.concat([Buffer.from('# na'), Buffer.from([0xef, 0x76, 0x65, 0x0a])])));
  });

  const halfTyped = [
    ['FROM alone', 'FROM'],
    ['FROM alone with a line break', 'FROM\n'],
    ['COPY --from= /x', 'FROM node:20\nCOPY --from= /x\n'],
    ['COPY --from= /x alone', 'COPY --from= /x'],
    ['RUN alone', 'FROM debian:bookworm-slim\nRUN\n'],
    ['RUN alone, no FROM', 'RUN'],
    ['USER alone', 'FROM node:20\nUSER\n'],
    ['USER alone, no FROM', 'USER'],
    ['RUN with a dangling continuation', 'FROM debian:bookworm-slim\nRUN apt-get update && \\\n'],
    ['FROM with AS but no name', 'FROM node:20 AS\nCMD ["x"]\n'],
    ['exec form not closed', 'FROM node:20\nCMD ["node",\n'],
    ['apt-get install without packages', 'FROM debian:bookworm-slim\nRUN apt-get install\n'],
  ];
  for (const [name, content] of halfTyped) {
    test(`half-typed: ${name}`, T, async () => {
      const { fixedRows } = await survives(content);
      // fix reaches a fixed point: nothing it calls fixable is left.
      assert.deepEqual(fixedRows.filter((f) => f.fixable), [], `after fix of ${JSON.stringify(content)}, still fixable: ${JSON.stringify(fixedRows)}`);
    });
  }

  test('unterminated heredoc: nothing is appended into its body', T, async () => {
    const input = 'FROM debian:bookworm-slim\nRUN <<EOF\necho hi\n';
    const { rows, out } = await survives(input);
    assert.equal(out.toString(), input, 'text added after an unterminated heredoc becomes part of it');
    assert.ok(rows.every((f) => !f.fixable || f.rule === 'merge-run'), JSON.stringify(rows));
  });

  test('a 3,000-line generated file finishes within a few seconds', { timeout: 60_000 }, async () => {
    const ls = ['# syntax=docker/dockerfile:1', 'FROM debian:bookworm-slim'];
    for (let i = 0; ls.length < 3000; i++) {
      switch (i % 6) {
        case 0: ls.push(`RUN apt-get update && apt-get install -y pkg${i}`); break;
        case 1: ls.push(`# step ${i}`); break;
        case 2: ls.push(`ENV VAR${i}=value${i}`); break;
        case 3: ls.push(`RUN echo ${i} && \\`, `    echo more${i}`); break;
        case 4: ls.push(`COPY file${i} /app/file${i}`); break;
        default: ls.push(`RUN echo ${i}`);
      }
    }
    ls.push('CMD ["./run.sh"]');
    const input = ls.join('\n') + '\n';
    assert.ok(input.split('\n').length > 3000);
    const file = write(input);
    const c = await cli(['check', '--format', 'json', file]);
    assertNoCrash(c, 'check');
    assert.equal(c.code, 1);
    assert.ok(JSON.parse(c.text).length > 100);
    assert.ok(c.ms < 10_000, `check took ${c.ms} ms`);
    const f = await cli(['fix', file]);
    assertNoCrash(f, 'fix');
    assert.equal(f.code, 0);
    assert.ok(f.ms < 10_000, `fix took ${f.ms} ms`);
    const cv = await cli(['convert', file]);
    assert.equal(cv.code, 0);
    assert.ok(cv.ms < 10_000, `convert took ${cv.ms} ms`);
  });

  test('3,000 consecutive RUNs with apt installs (worst case for merge-run/apt-hygiene) finish', { timeout: 90_000 }, async () => {
    const ls = ['FROM debian:bookworm-slim'];
    for (let i = 0; i < 3000; i++) ls.push(i % 3 ? `RUN echo ${i}` : `RUN apt-get update && apt-get install -y pkg${i}`);
    ls.push('CMD ["./run.sh"]');
    const file = write(ls.join('\n') + '\n');
    const c = await cli(['check', file]);
    assertNoCrash(c, 'check');
    assert.equal(c.code, 1);
    assert.ok(c.ms < 10_000, `check took ${c.ms} ms`);
    // merge-run set to warning: fix then applies its hint-level merges too (the worst case for the merge).
    const f = await cli(['fix', '--config', write('{"rules": {"merge-run": "warning"}}', '.dockerfilelean.json'), file]);
    assertNoCrash(f, 'fix');
    assert.equal(f.code, 0);
    // Generous: this is a hang guard (fix re-analyses the whole file each round); ~3 s of CPU when measured.
    assert.ok(f.ms < 20_000, `fix took ${f.ms} ms`);
    const runs = f.text.split('\n').filter((l) => /^RUN\b/.test(l)).length;
    assert.ok(runs >= 1 && runs <= 2, `${runs} RUN instructions left after merging`);
    assert.match(f.text, /^USER \S+$/m);
  });
});

// ---------------------------------------------------------------------------------------------
// CI formats, discovery, flags, the config file, fix over many files.

/** Creates files (relative path → string or Buffer; a path ending in / is a folder) under a new folder; returns it. */
function tree(files) {
  const root = path.join(dir, `tree${++fileCounter}`);
  fs.mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(root, rel);
    if (rel.endsWith('/')) fs.mkdirSync(f, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, content);
    }
  }
  return root;
}

/** Applies SARIF replacements (1-based lines, UTF-16 columns, end exclusive) to `text`. */
function applySarifReplacements(text, replacements) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const off = (line, col) => (line - 1 < starts.length ? starts[line - 1] : text.length) + col - 1;
  const edits = replacements
    .map((r) => ({ start: off(r.deletedRegion.startLine, r.deletedRegion.startColumn), end: off(r.deletedRegion.endLine, r.deletedRegion.endColumn), text: r.insertedContent?.text ?? '' }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const escData = (s) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

describe('check --format sarif', () => {
  test('valid SARIF 2.1.0: every rule in the driver, results as in json, fixes that do what fix does', T, async () => {
    const root = tree({ 'a/Dockerfile': A, 'b/Dockerfile': B, 'c dir/Dockerfile': C, 'clean/Dockerfile': CLEAN });
    const files = ['a/Dockerfile', 'b/Dockerfile', 'c dir/Dockerfile', 'clean/Dockerfile'];
    const r = await cli(['check', '--format', 'sarif', ...files], { cwd: root });
    assertNoCrash(r, 'sarif');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const log = JSON.parse(r.text);
    assertSarifValid(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'dockerfile-lean');
    assert.match(driver.version, /^\d+\.\d+\.\d+/);
    assert.match(driver.informationUri, /^https:\/\//);
    assert.deepEqual(driver.rules.map((x) => x.id).sort(), [...RULES, 'apk-hygiene', 'dnf-hygiene', 'npm-hygiene', 'pip-hygiene'].sort());
    for (const rule of driver.rules) {
      assert.ok(rule.shortDescription.text.length > 5, rule.id);
      assert.ok(rule.fullDescription.text.length > rule.shortDescription.text.length, rule.id);
      assert.ok(rule.helpUri.endsWith(`docs/rules/${rule.id}.md`), rule.helpUri);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level), rule.id);
    }
    // Same findings, same order, as --format json; regions 1-based with an exclusive end column.
    const json = (await cli(['check', '--format', 'json', ...files], { cwd: root })).text;
    const rows = JSON.parse(json);
    const results = log.runs[0].results;
    assert.equal(results.length, rows.length);
    const level = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
    for (const [k, res] of results.entries()) {
      const row = rows[k];
      assert.equal(res.ruleId, row.rule);
      assert.equal(driver.rules[res.ruleIndex].id, row.rule);
      assert.equal(res.level, level[row.severity]);
      assert.equal(res.message.text, row.message);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, row.file.split(path.sep).map(encodeURIComponent).join('/'));
      assert.deepEqual(loc.region, { startLine: row.range.start.line + 1, startColumn: row.range.start.character + 1, endLine: row.range.end.line + 1, endColumn: row.range.end.character + 1 });
      assert.equal(!!res.fixes, row.fixable, `${row.rule}: fixes present exactly when fixable`);
      // A finding that carries another rule's (the lone apt-get update inside a's merge) points at it.
      assert.deepEqual(res.relatedLocations?.map((l) => [l.physicalLocation.region.startLine, l.message.text]), row.related?.map((x) => [x.range.start.line + 1, x.message]));
    }
    assert.ok(results.some((x) => x.ruleId === 'merge-run' && x.relatedLocations?.length === 1), 'a\'s merge carries the lone update');
    assert.ok(results.some((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'c%20dir/Dockerfile'));
    // The fix in the SARIF for c's non-root-user finding is the one `fix --rule non-root-user` applies.
    const cRes = results.find((x) => x.ruleId === 'non-root-user' && x.locations[0].physicalLocation.artifactLocation.uri === 'c%20dir/Dockerfile');
    const change = cRes.fixes[0].artifactChanges[0];
    assert.equal(change.artifactLocation.uri, 'c%20dir/Dockerfile');
    const expected = (await fixOut(path.join(root, 'c dir/Dockerfile'), ['--rule', 'non-root-user'])).toString('utf8');
    assert.equal(applySarifReplacements(C, change.replacements), expected);
    // And b's multi-stage conversion.
    const bRes = results.find((x) => x.ruleId === 'multi-stage');
    const conv = (await cli(['convert', path.join(root, 'b/Dockerfile')])).text;
    assert.equal(applySarifReplacements(B, bRes.fixes[0].artifactChanges[0].replacements), conv);
  });

  test('a clean file: valid SARIF with no results, exit 0; standard input is uri "-"', T, async () => {
    const r = await cli(['check', '--format=sarif', write(CLEAN)]);
    assert.equal(r.code, 0);
    const log = JSON.parse(r.text);
    assertSarifValid(log);
    assert.deepEqual(log.runs[0].results, []);
    const s = await cli(['check', '--format', 'sarif', '-'], { input: C });
    assert.equal(s.code, 1);
    const sl = JSON.parse(s.text);
    assertSarifValid(sl);
    assert.equal(sl.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, '-');
  });

  test('CRLF, non-ASCII and a file outside the working folder stay valid', T, async () => {
    const file = write(('# caf\u00e9 \u2603\n' + A).replace(/\n/g, '\r\n'));
    const r = await cli(['check', '--format', 'sarif', file], { cwd: ROOT });
    const log = JSON.parse(r.text);
    assertSarifValid(log);
    assert.ok(log.runs[0].results.length > 0);
    for (const res of log.runs[0].results) assert.ok(res.locations[0].physicalLocation.artifactLocation.uri.startsWith('file:///'), 'absolute file: URI outside the working folder');
  });
});

describe('check --format github', () => {
  test('one workflow command per finding, properties and message escaped', T, async () => {
    const root = tree({ 'we,ird:%dir/Dockerfile': C, 'h/Dockerfile': HINT_ONLY });
    const rel = 'we,ird:%dir/Dockerfile';
    const rows = JSON.parse((await cli(['check', '--format', 'json', rel], { cwd: root })).text);
    const r = await cli(['check', '--format', 'github', rel], { cwd: root });
    assertNoCrash(r, 'github');
    assert.equal(r.code, 1);
    const f = rows[0];
    assert.match(f.message, /`node`/, 'the JSON message keeps its code spans');
    assert.equal(
      r.text,
      `::warning file=we%2Cird%3A%25dir/Dockerfile,line=1,col=1,endLine=1,endColumn=${f.range.end.character},title=dockerfile-lean non-root-user::${escData(f.message.replace(/`/g, "'"))}\n`,
    );
    const h = await cli(['check', '--format', 'github', 'h/Dockerfile'], { cwd: root });
    assert.equal(h.code, 0);
    const ls = h.text.trimEnd().split('\n');
    assert.ok(ls.length > 0);
    for (const l of ls) assert.match(l, /^::notice file=h\/Dockerfile,line=\d+,(col=\d+,endLine=\d+,endColumn=\d+|endLine=\d+),title=dockerfile-lean [a-z-]+::[^\r\n]+$/);
  });

  test('a finding over several lines gives lines only; a message with % is escaped', T, async () => {
    const r = await cli(['check', '--format', 'github', '--rule', 'merge-run', write(A)]);
    // The message's first sentence is the annotation's first line; the detail follows after an escaped line break.
    assert.match(r.text, /^::warning file=[^,]+,line=2,endLine=4,title=dockerfile-lean merge-run::Merge these 3 RUN instructions: [^%\n]+\.%0AThey make 3 layers/);
    // A file name with a percent sign and a comma, passed from another folder (absolute path).
    const odd = write(C, 'x%,y.Dockerfile');
    const g = await cli(['check', '--format', 'github', odd], { cwd: ROOT });
    assert.ok(g.text.startsWith(`::warning file=${odd.replace(/%/g, '%25').replace(/,/g, '%2C')},line=1,`), g.text);
  });
});

// Text from files (Dockerfile words, pom.xml values, config snippets, file names) in the human-readable output.
describe('text output quotes file text escaped (no workflow commands, no terminal escapes)', () => {
  // A CMD whose JSON string holds line breaks, workflow commands and terminal escapes (title, erase line, CR, BEL,
  // a C1 CSI, DEL, the Unicode line separator) and the runner's older `##[command]` form.
  const HOSTILE_CMD =
    'CMD ["evil\\n::error file=README.md,line=1,title=Forged::from a Dockerfile\\n::add-mask::hunter2\\n\\u001b]0;TITLE SET\\u0007\\u001b[2K\\rerased\\u009b31m\\u007f\\u2028##[add-mask]secret"]';
  const MAVEN = 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\nRUN mvn -q package\n';
  const POM =
    '<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>app</artifactId><version>1</version>' +
    '<packaging>jar&#10;::error file=README.md,line=1::forged&#13;from pom.xml</packaging></project>\n';
  const NEWLINE_NAME = 'Dockerfile.x\n::error title=FromFileName::forged';
  const COMMAND_NAME = '::warning title=Named::forged.Dockerfile';
  const hostileTree = () =>
    tree({
      '.git/': '',
      'cmd/Dockerfile': MAVEN + HOSTILE_CMD + '\n',
      'pom/Dockerfile': MAVEN + 'CMD java -jar /src/target/zzz*.jar\n',
      'pom/pom.xml': POM,
      [`names/${NEWLINE_NAME}`]: C,
      [`names/${COMMAND_NAME}`]: C,
      'bin/Dockerfile.bin\n::error::binary': Buffer.from('FROM x\n\0\n'),
      'cfg/Dockerfile': C,
      // Node's JSON.parse quotes the text around the error, line break and escapes included.
      'cfg/.dockerfilelean.json': '[x\n::error::cf\x1b]0;\x07]',
    });

  /** Every line of the output, as a GitHub runner reads it: none is a command, none carries a control character. */
  function assertInert(out, what) {
    for (const line of out.split('\n')) {
      assert.ok(!line.trimStart().startsWith('::'), `${what}: a line is a workflow command: ${JSON.stringify(line)}`);
      assert.ok(!line.includes('##['), `${what}: a line holds an old-style command: ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, `${what}: a control character in ${JSON.stringify(line)}`);
    }
  }

  test('check (text): messages, file names, the binary notice and the config error are escaped and still readable', T, async () => {
    const root = hostileTree();
    const r = await cli(['check', '.'], { cwd: root });
    assertNoCrash(r, 'check');
    assert.equal(r.code, 1, r.stderr);
    assertInert(r.text, 'stdout');
    assertInert(r.stderr, 'stderr');
    // What the files say is all there, escaped.
    assert.ok(r.text.includes("the CMD runs 'evil\\n::error file=README.md,line=1,title=Forged::from a Dockerfile\\n::add-mask::hunter2\\n\\x1b]0;TITLE SET\\x07\\x1b[2K\\rerased\\x9b31m\\x7f\\u2028##\\[add-mask]secret'"), r.text);
    assert.ok(r.text.includes("pom.xml has packaging 'jar\\n::error file=README.md,line=1::forged\\rfrom pom.xml', not a runnable jar"), r.text);
    assert.ok(r.text.includes('names/Dockerfile.x\\n::error title=FromFileName::forged:1:1 warning non-root-user '), r.text);
    assert.ok(r.text.includes('names/::warning title=Named::forged.Dockerfile:1:1 warning non-root-user '), r.text);
    assert.ok(r.stderr.includes('bin/Dockerfile.bin\\n::error::binary: binary file, not checked'), r.stderr);
    assert.ok(r.stderr.includes(`"[x\\n::error::cf\\x1b]0;\\x07]" is not valid JSON`), r.stderr);
    // Named on its own, at the start of the line: `./` keeps the line from being a command.
    const named = await cli(['check', COMMAND_NAME], { cwd: path.join(root, 'names') });
    assert.equal(named.code, 1, named.stderr);
    assert.match(named.text, /^\.\/::warning title=Named::forged\.Dockerfile:1:1 warning non-root-user /);
    assertInert(named.text, 'stdout');
    // The machine formats keep the text as it is (JSON-escaped).
    const json = JSON.parse((await cli(['check', '--format', 'json', '.'], { cwd: root })).text);
    // (Line breaks of quoted text are escaped in the message itself: its own line breaks are its layout.)
    assert.ok(json.some((f) => f.message.includes('\\n::add-mask::hunter2\\n\u001b]0;TITLE SET\u0007')));
    assert.ok(json.some((f) => f.file === `names/${NEWLINE_NAME}`));
  });

  test('check --format github: one command per finding for the same inputs, nothing injected', T, async () => {
    const root = hostileTree();
    const rows = JSON.parse((await cli(['check', '--format', 'json', '.'], { cwd: root })).text);
    const r = await cli(['check', '--format', 'github', '.'], { cwd: root });
    assertNoCrash(r, 'github');
    assert.equal(r.code, 1);
    const ls = r.text.trimEnd().split('\n');
    assert.equal(ls.length, rows.length);
    for (const l of ls) assert.match(l, /^::(warning|notice|error) file=[^:]+,line=\d+,[^:]*title=dockerfile-lean [a-z-]+::[^\r\n]+$/);
    assert.ok(!/^::(error|add-mask)/m.test(r.text));
  });

  test('usage errors naming a file and fix --diff headers are escaped; the diff body stays byte for byte', T, async () => {
    const missing = await cli(['check', 'nothing\n::error::usage\x1b[2J']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'dockerfile-lean: no such file: nothing\\n::error::usage\\x1b[2J\n');
    // fix --write refusing a link that leads out of the named file's folder names it escaped.
    const outside = write(C);
    const links = tree({ '.git/': '' });
    fs.symlinkSync(outside, path.join(links, 'Dockerfile.l\n::error::link'));
    const refused = await cli(['fix', '--write', 'Dockerfile.l\n::error::link'], { cwd: links });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^Dockerfile\.l\\n::error::link: a symbolic link to a file outside \., not written\n$/);
    assertInert(refused.stderr, 'stderr');
    assert.equal(fs.readFileSync(outside, 'utf8'), C);
    // A Dockerfile with raw control characters in a comment, under a name with a line break.
    const body = Buffer.from('FROM node:20\n# keep \x1b[2K\r and \x07 as they are\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n');
    const content = { '.git/': '', [NEWLINE_NAME]: body };
    const root = tree(content);
    const r = await cli(['fix', '--diff', '.'], { cwd: root });
    assertNoCrash(r, 'fix --diff');
    assert.equal(r.code, 0, r.stderr);
    const ls = r.text.split('\n');
    assert.deepEqual(ls.slice(0, 2), ['--- "a/Dockerfile.x\\n::error title=FromFileName::forged"', '+++ "b/Dockerfile.x\\n::error title=FromFileName::forged"']);
    assert.ok(!ls.some((l) => l.trimStart().startsWith('::')), r.text);
    assert.ok(r.stdout.includes(Buffer.from(' # keep \x1b[2K\r and \x07 as they are\n')), 'the body is the file\'s own text');
    const patch = path.join(dir, `p${++fileCounter}.diff`);
    fs.writeFileSync(patch, r.stdout);
    const git = spawnSync('git', ['apply', patch], { cwd: root, encoding: 'utf8' });
    assert.equal(git.status, 0, `git apply failed: ${git.stderr}`);
    assert.deepEqual(fs.readFileSync(path.join(root, NEWLINE_NAME)), await fixOut(write(body)));
  });
});

describe('fix --diff of large rewrites', () => {
  test('a 20,000-line file whose every line changes: within a small ratio of fix alone, and the patch applies', { timeout: 120_000 }, async () => {
    const ls = ['FROM debian:bookworm-slim'];
    for (let i = 0; ls.length < 20_000; i++) ls.push(i % 2 ? `RUN pip install p${i}` : `RUN apt-get install -y pkg${i}`);
    ls.push('CMD ["bash"]');
    const input = ls.join('\n') + '\n';
    // apt-hygiene set to warning: fix then adds --no-install-recommends, which alone is an info.
    const root = tree({ '.git/': '', '.dockerfilelean.json': '{"rules": {"apt-hygiene": "warning"}}', Dockerfile: input });
    const f = await cli(['fix', 'Dockerfile'], { cwd: root });
    assert.equal(f.code, 0, f.stderr);
    const fixed = f.stdout;
    const changed = fixed.toString().split('\n');
    assert.ok(ls.slice(1, -1).every((l, k) => changed[k + 1] !== l), 'every RUN line is rewritten');
    const d = await cli(['fix', '--diff', 'Dockerfile'], { cwd: root });
    assertNoCrash(d, 'fix --diff');
    assert.equal(d.code, 0, d.stderr);
    assert.ok(d.ms < 2.5 * f.ms, `fix --diff took ${d.ms} ms, fix ${f.ms} ms`);
    const patchFile = path.join(dir, `p${++fileCounter}.diff`);
    fs.writeFileSync(patchFile, d.stdout);
    const out = path.join(dir, `patched${fileCounter}`);
    const gnu = spawnSync('patch', ['-s', '-o', out, path.join(root, 'Dockerfile'), patchFile], { encoding: 'utf8' });
    assert.equal(gnu.status, 0, `patch failed: ${gnu.stderr}${gnu.stdout}`);
    assert.deepEqual(fs.readFileSync(out), fixed);
    const git = spawnSync('git', ['apply', patchFile], { cwd: root, encoding: 'utf8' });
    assert.equal(git.status, 0, `git apply failed: ${git.stderr}`);
    assert.deepEqual(fs.readFileSync(path.join(root, 'Dockerfile')), fixed);
  });
});

describe('directories and globs', () => {
  const files = {
    '.git/': '',
    '.gitignore': 'build/\n',
    '.dockerfileleanignore': 'legacy/\n',
    'Dockerfile': C,
    'api.Dockerfile': A,
    'build/Dockerfile': A,
    'legacy/Dockerfile': A,
    'node_modules/pkg/Dockerfile': A,
    'services/web/Containerfile': B,
    'services/web/Dockerfile.dockerignore': 'x\n',
    'services/api/Dockerfile.prod': CLEAN,
    'services/api/README.md': '# x\n',
    'z.dockerfile': HINT_ONLY,
  };
  const found = (rows) => [...new Set(rows.map((f) => f.file))];

  test('check . finds Dockerfiles recursively, sorted, skipping ignored paths; --no-ignore checks them', T, async () => {
    const root = tree(files);
    const r = await cli(['check', '--format', 'json', '.'], { cwd: root });
    assertNoCrash(r, 'check .');
    assert.equal(r.code, 1);
    const rows = JSON.parse(r.text);
    assert.deepEqual(found(rows), ['Dockerfile', 'api.Dockerfile', 'services/web/Containerfile', 'z.dockerfile']);
    const all = await cli(['check', '--format', 'json', '--no-ignore', '.'], { cwd: root });
    assert.deepEqual(found(JSON.parse(all.text)), ['Dockerfile', 'api.Dockerfile', 'build/Dockerfile', 'legacy/Dockerfile', 'node_modules/pkg/Dockerfile', 'services/web/Containerfile', 'z.dockerfile']);
    // Text output names files the same way; a folder given by name keeps its prefix.
    const t = await cli(['check', 'services'], { cwd: root });
    assert.match(t.text, /^services\/web\/Containerfile:1:1 warning multi-stage /m);
    const abs = await cli(['check', '--format', 'json', root], { cwd: dir });
    assert.deepEqual(found(JSON.parse(abs.text)), ['Dockerfile', 'api.Dockerfile', 'services/web/Containerfile', 'z.dockerfile'].map((f) => path.join(root, f)));
  });

  test('files keep argument order, folders and globs their sorted order, no file twice; an ignored file named explicitly is checked', T, async () => {
    const root = tree(files);
    const r = await cli(['check', '--format', 'json', 'z.dockerfile', 'build/Dockerfile', '.', 'Dockerfile'], { cwd: root });
    assert.deepEqual(found(JSON.parse(r.text)), ['z.dockerfile', 'build/Dockerfile', 'Dockerfile', 'api.Dockerfile', 'services/web/Containerfile']);
  });

  test('globs (quoted, expanded by the tool) match what they say, with the same ignores', T, async () => {
    const root = tree(files);
    const r = await cli(['check', '--format', 'json', '**/*Dockerfile*'], { cwd: root });
    assertNoCrash(r, 'glob');
    // api.Dockerfile, and the Dockerfile.prod (clean, so absent); not build/ or legacy/ or node_modules/.
    assert.deepEqual(found(JSON.parse(r.text)), ['Dockerfile', 'api.Dockerfile']);
    const r2 = await cli(['check', '--format', 'json', 'services/*/Containerfile', '*.dockerfile'], { cwd: root });
    assert.deepEqual(found(JSON.parse(r2.text)), ['services/web/Containerfile', 'z.dockerfile']);
    const none = await cli(['check', 'nothing/**/Dockerfile'], { cwd: root });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^dockerfile-lean: no files match nothing\/\*\*\/Dockerfile[^\n]*\n$/);
    const ignoredOnly = await cli(['check', 'legacy/*'], { cwd: root });
    assert.equal(ignoredOnly.code, 2);
    assert.match(ignoredOnly.stderr, /--no-ignore/);
    assert.equal((await cli(['check', '--no-ignore', 'legacy/*'], { cwd: root })).code, 1);
  });

  test('a folder without Dockerfiles: exit 2, named on stderr', T, async () => {
    const root = tree({ 'docs/README.md': 'x' });
    const r = await cli(['check', 'docs'], { cwd: root });
    assert.equal(r.code, 2);
    assert.equal(r.stdout.length, 0);
    assert.match(r.stderr, /^dockerfile-lean: no Dockerfiles found in docs[^\n]*\n$/);
  });
});

describe('flags', () => {
  test('--severity-threshold sets what makes exit 1; output is the same', T, async () => {
    const a = write(A);
    const base = await cli(['check', a]);
    for (const [threshold, code] of [['error', 0], ['warning', 1], ['info', 1], ['hint', 1]]) {
      const r = await cli(['check', '--severity-threshold', threshold, a]);
      assert.equal(r.code, code, threshold);
      assert.equal(r.text, base.text);
    }
    const h = write(HINT_ONLY);
    assert.equal((await cli(['check', h])).code, 0);
    assert.equal((await cli(['check', '--severity-threshold=hint', h])).code, 1);
    assert.equal((await cli(['check', '--severity-threshold', 'warning', h])).code, 0);
  });

  test('--disable turns rules off (comma list, repeatable); --rule and --disable together', T, async () => {
    const a = write(A);
    for (const args of [['--disable', 'merge-run,apt-hygiene'], ['--disable=merge-run', '--disable', 'apt-hygiene'], ['--disable', 'merge-run, apt-hygiene']]) {
      const { rows, code } = await checkJson(a, args);
      assert.deepEqual(found(rows), ['non-root-user'], args.join(' '));
      assert.equal(code, 1);
    }
    const none = await checkJson(a, ['--disable', 'non-root-user', '--rule', 'non-root-user']);
    assert.deepEqual(none.rows, []);
    assert.equal(none.code, 0);
    const fixed = (await fixOut(a, ['--disable', 'non-root-user'])).toString();
    assert.ok(!/^USER /m.test(fixed), fixed);
    assert.ok(fixed.includes('rm -rf /var/lib/apt/lists/*'), fixed);
    function found(rows) {
      return [...new Set(rows.map((f) => f.rule))];
    }
  });

  test('--version and --help (anywhere before --)', T, async () => {
    for (const args of [['--version'], ['-v'], ['check', '--version']]) {
      const r = await cli(args);
      assert.equal(r.code, 0);
      assert.match(r.text, /^\d+\.\d+\.\d+\n$/);
    }
    for (const args of [['--help'], ['-h'], ['help'], ['fix', '--help']]) {
      const r = await cli(args);
      assert.equal(r.code, 0);
      for (const flag of ['--format text|json|sarif|github', '--severity-threshold', '--rule', '--disable', '--config', '--no-ignore', '--write', '--diff', '--version', 'examples:', 'dockerfile-lean check --format sarif', 'exit codes:'])
        assert.ok(r.text.includes(flag), `--help lacks ${flag}`);
      assert.match(r.text, /rules: .*non-root-user/);
    }
  });

  const bad = [
    ['unknown severity threshold', ['check', '--severity-threshold', 'loud', 'Dockerfile'], /unknown severity 'loud'/],
    ['--severity-threshold off', ['check', '--severity-threshold=off', 'Dockerfile'], /unknown severity 'off'/],
    ['unknown rule for --disable', ['check', '--disable', 'merge-run,nope', 'Dockerfile'], /unknown rule 'nope' for --disable/],
    ['empty --disable', ['check', '--disable=', 'Dockerfile'], /--disable needs rule ids/],
    ['--config without a value', ['check', 'Dockerfile', '--config'], /--config needs a value/],
    ['--config that does not exist', ['check', '--config', 'nope.yaml', 'Dockerfile'], /no such config file: nope\.yaml/],
    ['--write on check', ['check', '--write', 'Dockerfile'], /unknown option '--write' for check/],
    ['--diff on convert', ['convert', '--diff', 'Dockerfile'], /unknown option '--diff' for convert/],
    ['--format sarif on fix', ['fix', '--format', 'sarif', 'Dockerfile'], /unknown option '--format' for fix/],
    ['a value for a switch', ['check', '--no-ignore=yes', 'Dockerfile'], /unknown option '--no-ignore=yes'/],
    ['unknown format', ['check', '--format', 'sarif2', 'Dockerfile'], /unknown format 'sarif2' \(expected text, json, sarif, github\)/],
    ['fix of two files without --write', ['fix', 'Dockerfile', 'Dockerfile.b'], /fix prints one fixed file/],
    ['--write to standard input', ['fix', '--write', '-'], /--write cannot write to standard input/],
    ['standard input twice', ['check', '-', '-'], /only once/],
  ];
  for (const [name, args, re] of bad) {
    test(`usage error: ${name} → exit 2, one clear line`, T, async () => {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), A);
      fs.writeFileSync(path.join(dir, 'Dockerfile.b'), C);
      const r = await cli(args);
      assertNoCrash(r, name);
      assert.equal(r.code, 2, `exit code for ${JSON.stringify(args)} (stderr: ${r.stderr})`);
      assert.equal(r.stdout.length, 0);
      assert.match(r.stderr, /^dockerfile-lean: [^\n]+\n$/);
      assert.match(r.stderr, re);
    });
  }
});

describe('standard input', () => {
  test('check - reads standard input; fix - prints the fixed text', T, async () => {
    const r = await cli(['check', '--format', 'json', '-'], { input: A });
    assert.equal(r.code, 1);
    const rows = JSON.parse(r.text);
    assert.deepEqual([...new Set(rows.map((f) => f.file))], ['-']);
    assert.deepEqual(rows.map((f) => f.rule), (await checkJson(write(A))).rows.map((f) => f.rule));
    const f = await cli(['fix', '-'], { input: C });
    assert.equal(f.code, 0);
    assert.deepEqual(f.stdout, await fixOut(write(C)));
    const latin = Buffer.concat([Buffer.from('FROM node:20\n# caf'), Buffer.from([0xe9]), Buffer.from('\nCMD ["x"]\n')]);
    const fl = await cli(['fix', '-'], { input: latin });
    assert.ok(fl.stdout.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])), 'Latin-1 byte kept');
  });
});

describe('config file', () => {
  test('.dockerfilelean.json next to the file: severities and off', T, async () => {
    const root = tree({ '.git/': '', '.dockerfilelean.json': JSON.stringify({ rules: { 'merge-run': 'off', 'apt-hygiene': 'error' } }), 'Dockerfile': A });
    const { rows, code, stderr } = await checkJson(path.join(root, 'Dockerfile'));
    assert.equal(stderr, '');
    assert.equal(code, 1);
    assert.deepEqual([...new Set(rows.map((f) => f.rule))].sort(), ['apt-hygiene', 'non-root-user']);
    for (const f of rows.filter((x) => x.rule === 'apt-hygiene')) assert.equal(f.severity, 'error');
    const th = await cli(['check', '--severity-threshold', 'error', '--disable', 'apt-hygiene', path.join(root, 'Dockerfile')]);
    assert.equal(th.code, 0, 'the command line --disable wins over the file');
    // --rule brings back a rule the file turns off.
    const back = await checkJson(path.join(root, 'Dockerfile'), ['--rule', 'merge-run']);
    assert.deepEqual(back.rows.map((f) => f.rule), ['merge-run']);
  });

  test('.dockerfilelean.yaml in a folder above, up to the repository root; rule options reach the fix', T, async () => {
    const root = tree({
      '.dockerfilelean.yaml': 'rules:\n  non-root-user: error\n', // above the repository: never read
      'repo/.git/': '',
      'repo/.dockerfilelean.yaml': '# project\nrules:\n  merge-run: hint\n  non-root-user:\n    severity: info\n    options:\n      name: svc\n      uid: 2000\n',
      'repo/services/api/Dockerfile': A,
    });
    const file = path.join(root, 'repo/services/api/Dockerfile');
    const { rows } = await checkJson(file);
    assert.equal(rows.find((f) => f.rule === 'merge-run').severity, 'hint');
    const nru = rows.find((f) => f.rule === 'non-root-user');
    assert.equal(nru.severity, 'info');
    assert.match(nru.message, /`svc` \(uid 2000\)/);
    const out = (await fixOut(file)).toString();
    assert.match(out, /groupadd --system --gid 2000 svc && \\\n\s*useradd --system --uid 2000 --gid svc/);
    assert.match(out, /^USER svc$/m);
  });

  test('--config FILE replaces the search; its ignore list applies to discovery', T, async () => {
    const root = tree({ '.git/': '', '.dockerfilelean.json': '{"rules": {"non-root-user": "off"}}', 'Dockerfile': C, 'old/Dockerfile': C, 'ci/lint.yml': 'rules:\n  non-root-user: error\nignore:\n  - ../old/\n' });
    const r = await cli(['check', '--format', 'json', '--config', 'ci/lint.yml', '.'], { cwd: root });
    const rows = JSON.parse(r.text);
    assert.deepEqual(rows.map((f) => [f.file, f.rule, f.severity]), [
      ['Dockerfile', 'non-root-user', 'error'],
      ['old/Dockerfile', 'non-root-user', 'error'],
    ], 'an ignore pattern with .. leaves the config folder and matches nothing, as in .gitignore');
    fs.writeFileSync(path.join(root, '.dockerfilelean.json'), '{"ignore": ["old/"]}');
    const r2 = await cli(['check', '--format', 'json', '.'], { cwd: root });
    assert.deepEqual(JSON.parse(r2.text).map((f) => f.file), ['Dockerfile']);
    const r3 = await cli(['check', '--format', 'json', '--no-ignore', '.'], { cwd: root });
    assert.deepEqual(JSON.parse(r3.text).map((f) => f.file), ['Dockerfile', 'old/Dockerfile']);
  });

  for (const [name, file, text, where] of [
    ['malformed JSON', '.dockerfilelean.json', '{\n  "rules": {\n    "merge-run": "off",\n  }\n}\n', /\.dockerfilelean\.json:4:3: not valid JSON/],
    ['malformed YAML', '.dockerfilelean.yaml', 'rules:\n  merge-run: [off\n', /\.dockerfilelean\.yaml:3:1: not valid YAML/],
    ['an unknown rule', '.dockerfilelean.yml', 'rules:\n  merge-runn: off\n', /\.dockerfilelean\.yml:2:3: unknown rule "merge-runn"/],
    ['a bad option', '.dockerfilelean.json', '{"rules": {"non-root-user": {"options": {"uid": 0}}}}', /\.dockerfilelean\.json:1:49: non-root-user: option uid: expected an integer from 1 to 65535, got 0/],
  ]) {
    test(`${name}: one error line on stderr (file:line:col), the defaults, no crash`, T, async () => {
      const root = tree({ '.git/': '', [file]: text, 'a/Dockerfile': A, 'b/Dockerfile': A });
      const r = await cli(['check', '--format', 'json', '.'], { cwd: root });
      assertNoCrash(r, name);
      assert.equal(r.code, 1);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, `one error for two files: ${r.stderr}`);
      assert.match(lines[0], where);
      assert.match(lines[0], /^dockerfile-lean: .+; the defaults apply instead$/);
      const rows = JSON.parse(r.text);
      const expected = (await checkJson(write(A))).rows;
      assert.deepEqual(rows.filter((f) => f.file === 'a/Dockerfile').map((f) => [f.rule, f.severity]), expected.map((f) => [f.rule, f.severity]));
      const fx = await cli(['fix', path.join(root, 'a/Dockerfile')]);
      assert.equal(fx.code, 0);
      assert.deepEqual(fx.stdout, await fixOut(write(A)));
    });
  }

  test('BuildKit # check=skip=all does not silence Dockerfile Lean rules (no BuildKit check matches one)', T, async () => {
    const { rows } = await checkJson(write('# check=skip=all\n' + C));
    assert.deepEqual(rows.map((f) => f.rule), ['non-root-user']);
    const { rows: r2 } = await checkJson(write('# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended,StageNameCasing\n' + A));
    assert.deepEqual([...new Set(r2.map((f) => f.rule))].sort(), ['apt-hygiene', 'merge-run', 'non-root-user']);
  });
});

describe('fix over many files', () => {
  test('fix --write with files, folders and globs writes each as fix would print it; clean files untouched', T, async () => {
    const latin = Buffer.concat([Buffer.from('FROM node:20\n# na'), Buffer.from([0xef, 0x76, 0x65]), Buffer.from('\nCOPY . .\nCMD ["node","i.js"]\n')]);
    const content = { 'a/Dockerfile': A, 'b/Dockerfile': B.replace(/\n/g, '\r\n'), 'svc/c/Containerfile': C, 'clean/Dockerfile': CLEAN, 'latin/x.Dockerfile': latin, 'vendor/Dockerfile': A, '.gitignore': 'vendor/\n', '.git/': '' };
    const expected = {};
    for (const [rel, text] of Object.entries(content)) if (!rel.endsWith('/') && rel !== '.gitignore') expected[rel] = await fixOut(write(text));
    const root = tree(content);
    const cleanFile = path.join(root, 'clean/Dockerfile');
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(cleanFile, past, past);
    const before = fs.statSync(cleanFile).mtimeMs;
    const r = await cli(['fix', '--write', 'a/Dockerfile', 'svc', '**/x.Dockerfile', '.'], { cwd: root });
    assertNoCrash(r, 'fix --write many');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, 0);
    for (const rel of ['a/Dockerfile', 'b/Dockerfile', 'svc/c/Containerfile', 'latin/x.Dockerfile']) assert.deepEqual(fs.readFileSync(path.join(root, rel)), expected[rel], rel);
    assert.equal(fs.readFileSync(cleanFile, 'utf8'), CLEAN);
    assert.equal(fs.statSync(cleanFile).mtimeMs, before, 'a clean file is not rewritten');
    assert.equal(fs.readFileSync(path.join(root, 'vendor/Dockerfile'), 'utf8'), A, 'an ignored folder is left alone');
    // Everything fixable is fixed now.
    const after = await cli(['check', '--format', 'json', '.'], { cwd: root });
    assert.deepEqual(JSON.parse(after.text).filter((f) => f.fixable), []);
  });

  test('fix --diff prints unified diffs that git apply turns into what fix --write writes; nothing is written', T, async () => {
    const content = { '.git/': '', 'a/Dockerfile': A, 'b/Dockerfile': B, 'c/Dockerfile': C.replace(/\n/g, '\r\n'), 'd/Dockerfile': C.slice(0, -1), 'clean/Dockerfile': CLEAN };
    const root = tree(content);
    const r = await cli(['fix', '--diff', '.'], { cwd: root });
    assertNoCrash(r, 'fix --diff');
    assert.equal(r.code, 0, r.stderr);
    for (const [rel, text] of Object.entries(content)) if (!rel.endsWith('/')) assert.equal(fs.readFileSync(path.join(root, rel), 'utf8'), text, `${rel} changed by --diff`);
    const headers = r.text.split('\n').filter((l) => l.startsWith('+++ '));
    assert.deepEqual(headers, ['+++ b/a/Dockerfile', '+++ b/b/Dockerfile', '+++ b/c/Dockerfile', '+++ b/d/Dockerfile']);
    assert.match(r.text, /^--- a\/a\/Dockerfile\n\+\+\+ b\/a\/Dockerfile\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    assert.match(r.text, /\\ No newline at end of file/);
    // Apply the diff to a copy; compare with fix --write.
    const copy = tree(content);
    const patch = path.join(dir, `p${++fileCounter}.diff`);
    fs.writeFileSync(patch, r.stdout);
    const git = spawnSync('git', ['apply', '--whitespace=nowarn', patch], { cwd: copy, encoding: 'utf8' });
    assert.equal(git.status, 0, `git apply failed: ${git.stderr}`);
    const w = await cli(['fix', '--write', '.'], { cwd: root });
    assert.equal(w.code, 0);
    for (const rel of Object.keys(content)) if (!rel.endsWith('/')) assert.deepEqual(fs.readFileSync(path.join(copy, rel)), fs.readFileSync(path.join(root, rel)), rel);
    // Nothing left to change: no output.
    const again = await cli(['fix', '--diff', '.'], { cwd: root });
    assert.equal(again.text, '');
    // --diff with --write prints and writes.
    const root2 = tree({ 'Dockerfile': C });
    const both = await cli(['fix', '--diff', '--write', 'Dockerfile'], { cwd: root2 });
    assert.match(both.text, /^\+USER node$/m);
    assert.match(fs.readFileSync(path.join(root2, 'Dockerfile'), 'utf8'), /^USER node$/m);
  });
});

describe('hostile files: bounded reads, the build context, safe writes', () => {
  const PAGEMAP = '/proc/self/pagemap'; // size 0, and reads 8 bytes per page of the address space
  const OTHER_UID = 4321;
  const GO = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath\nCMD ["./x"]\n';

  /** Runs the CLI; also returns its peak resident set (MB), written by a preloaded exit handler. */
  async function cliRss(args, cwd) {
    const preload = path.join(dir, 'rss-preload.cjs');
    if (!fs.existsSync(preload)) fs.writeFileSync(preload, "process.on('exit', () => require('fs').writeFileSync(process.env.DFL_RSS_OUT, String(process.resourceUsage().maxRSS)));\n");
    const out = path.join(dir, `rss${++fileCounter}`);
    const r = await cli(args, { cwd, env: { NODE_OPTIONS: `--require ${preload}`, DFL_RSS_OUT: out } });
    return { ...r, rssMb: Number(fs.readFileSync(out, 'utf8')) / 1024 };
  }

  test('links to /proc/self/pagemap (go.mod, config, .gitignore, a Dockerfile) and a FIFO: each run ends with memory bounded', { timeout: 120_000 }, async () => {
    const plain = tree({ '.git/': '', Dockerfile: GO });
    const base = await cliRss(['check', '.'], plain);
    const vectors = [
      ['go.mod', ['check', 'Dockerfile']],
      ['.dockerfilelean.yaml', ['check', 'Dockerfile']],
      ['.dockerfilelean.json', ['check', 'Dockerfile']],
      ['.gitignore', ['check', '.']],
      ['Dockerfile.evil', ['check', '.']],
      ['Dockerfile.evil', ['check', 'Dockerfile.evil']],
      ['fifo:go.mod', ['check', 'Dockerfile']],
      ['fifo:Dockerfile.pipe', ['check', '.']],
    ];
    for (const [name, args] of vectors) {
      const root = tree({ '.git/': '', Dockerfile: GO });
      if (name.startsWith('fifo:')) spawnSync('mkfifo', [path.join(root, name.slice(5))]);
      else fs.symlinkSync(PAGEMAP, path.join(root, name));
      const r = await cliRss(args, root);
      const what = `${name}: ${args.join(' ')}`;
      assertNoCrash(r, what);
      assert.ok(r.code === 0 || r.code === 1, `${what}: exit ${r.code} (${r.stderr})`);
      assert.ok(r.rssMb - base.rssMb < 100, `${what}: peak RSS ${r.rssMb.toFixed(0)} MB against ${base.rssMb.toFixed(0)} MB for a plain run`);
      if (args.includes('Dockerfile.evil')) assert.match(r.stderr, /^Dockerfile\.evil: larger than 16 MiB \(16777216 bytes\), not checked$/m);
      if (name.startsWith('.dockerfilelean')) assert.match(r.stderr, /a symbolic link to a file outside .*, so it is not read; the defaults apply instead/);
    }
  });

  test('a project file linked from outside the build context (file or folder link) is not read; its fields never appear', T, async () => {
    const POM = '<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId><artifactId>OUTSIDE-SECRET-artifact</artifactId><version>42</version></project>\n';
    const MVN = 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\nRUN mvn -q package\nCMD java -jar /src/target/zzz*.jar\n';
    // Control: the same pom.xml inside the context is read and quoted.
    const inside = tree({ 'ctx/Dockerfile': MVN, 'ctx/pom.xml': POM });
    const seen = await cli(['check', 'ctx/Dockerfile'], { cwd: inside });
    assert.match(seen.text, /OUTSIDE-SECRET-artifact-42\.jar/);
    const root = tree({ 'outside/pom.xml': POM, 'ctx/Dockerfile': MVN, 'ctx2/Dockerfile': MVN.replace('COPY . .', 'COPY link/pom.xml .\nCOPY . .') });
    fs.symlinkSync('../outside/pom.xml', path.join(root, 'ctx/pom.xml'));
    fs.symlinkSync('../outside', path.join(root, 'ctx2/link'));
    for (const args of [['check', 'ctx/Dockerfile'], ['check', '--format', 'sarif', 'ctx2/Dockerfile'], ['fix', 'ctx/Dockerfile'], ['convert', 'ctx2/Dockerfile']]) {
      const r = await cli(args, { cwd: root });
      assertNoCrash(r, args.join(' '));
      assert.ok(!/OUTSIDE-SECRET/.test(r.text + r.stderr), `${args.join(' ')} quotes the outside file:\n${r.text}`);
    }
  });

  test('discovery skips a link out of the tree; fix --write leaves the outside file alone and refuses a named link out', T, async () => {
    const root = tree({ 'outside/proj/Dockerfile': A, 'repo/Dockerfile': C, 'repo/docker/base.Dockerfile': A });
    fs.symlinkSync('../outside/proj/Dockerfile', path.join(root, 'repo/Dockerfile.prod'));
    fs.symlinkSync('docker/base.Dockerfile', path.join(root, 'repo/Dockerfile.base'));
    const r = await cli(['fix', '--write', 'repo/'], { cwd: root });
    assertNoCrash(r, 'fix --write repo/');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(root, 'outside/proj/Dockerfile'), 'utf8'), A, 'the outside file is not rewritten');
    assert.ok(fs.lstatSync(path.join(root, 'repo/Dockerfile.prod')).isSymbolicLink());
    assert.ok(fs.lstatSync(path.join(root, 'repo/Dockerfile.base')).isSymbolicLink(), 'a link inside the tree stays a link');
    assert.notEqual(fs.readFileSync(path.join(root, 'repo/docker/base.Dockerfile'), 'utf8'), A, 'its target, inside the tree, is fixed');
    assert.notEqual(fs.readFileSync(path.join(root, 'repo/Dockerfile'), 'utf8'), C);
    const c = await cli(['check', '--format', 'json', 'repo'], { cwd: root });
    assert.ok(!JSON.parse(c.text).some((f) => f.file.includes('Dockerfile.prod')), 'check . does not read it either');
    // Named on the command line, the link out is read, not written.
    const named = await cli(['fix', '--write', 'repo/Dockerfile.prod', 'repo/Dockerfile.base'], { cwd: root });
    assertNoCrash(named, 'fix --write a named link');
    assert.equal(named.code, 1);
    assert.equal(named.stderr, `repo/Dockerfile.prod: a symbolic link to a file outside repo, not written\n`);
    assert.equal(fs.readFileSync(path.join(root, 'outside/proj/Dockerfile'), 'utf8'), A);
  });

  test('fix --write: a read-only file is reported and kept, the next files are fixed, exit 1; mode and owner kept, no temporary files', T, async () => {
    const root = tree({ 'a/Dockerfile': A, 'b/Dockerfile': A, 'c/Dockerfile': C });
    const [a, b, c] = ['a', 'b', 'c'].map((d) => path.join(root, d, 'Dockerfile'));
    fs.chmodSync(a, 0o640);
    fs.chownSync(a, OTHER_UID, OTHER_UID + 1);
    fs.chmodSync(b, 0o444);
    const expectedA = await fixOut(write(A));
    const r = await cli(['fix', '--write', 'a', 'b', 'c'], { cwd: root });
    assertNoCrash(r, 'fix --write with a read-only file');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `${path.join('b', 'Dockerfile')}: read-only, not written\n`);
    assert.deepEqual(fs.readFileSync(a), expectedA);
    assert.equal(fs.readFileSync(b, 'utf8'), A);
    assert.match(fs.readFileSync(c, 'utf8'), /^USER node$/m, 'the file after it is fixed');
    const st = fs.statSync(a);
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, OTHER_UID, OTHER_UID + 1]);
    for (const d of ['a', 'b', 'c']) assert.deepEqual(fs.readdirSync(path.join(root, d)), ['Dockerfile'], `${d}: only the Dockerfile`);
  });

  test('fix --write: a write that fails (file size limit, as for a full disk) keeps the original whole; the next file is fixed; exit 1', T, () => {
    let big = 'FROM debian:bookworm-slim\n';
    for (let i = 0; i < 300; i++) big += `RUN apt-get update && apt-get install -y pkg${i}\n`;
    const root = tree({ 'a/Dockerfile': big, 'b/Dockerfile': C });
    // RLIMIT_FSIZE: writing past 4,000 bytes fails with EFBIG, as a full disk fails with ENOSPC.
    const r = spawnSync('prlimit', ['--fsize=4000', process.execPath, CLI, 'fix', '--write', 'a', 'b'], { cwd: root, encoding: 'utf8', timeout: RUN_LIMIT_MS });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `${path.join('a', 'Dockerfile')}: cannot write (EFBIG), not written\n`);
    assert.equal(fs.readFileSync(path.join(root, 'a/Dockerfile'), 'utf8'), big);
    assert.match(fs.readFileSync(path.join(root, 'b/Dockerfile'), 'utf8'), /^USER node$/m);
    assert.deepEqual(fs.readdirSync(path.join(root, 'a')), ['Dockerfile'], 'no temporary file left');
  });

  test('fix --write as another user: a file it may not write is reported, the next is fixed, exit 1', T, () => {
    const root = tree({ 'a/Dockerfile': A, 'b/Dockerfile': C });
    for (const d of [dir, root]) fs.chmodSync(d, 0o755);
    for (const d of ['a', 'b']) fs.chmodSync(path.join(root, d), 0o777);
    fs.chownSync(path.join(root, 'b/Dockerfile'), OTHER_UID, OTHER_UID);
    // a/Dockerfile stays root's (0644): the other user may read it, not write it.
    // The CLI from a copy the other user can read (the checkout itself may be private to its owner).
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-cli-bin-'));
    fs.chmodSync(bin, 0o755);
    for (const f of fs.readdirSync(path.join(ROOT, 'dist'))) if (/\.(js|wasm)$/.test(f)) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(bin, f));
    const r = spawnSync('setpriv', [`--reuid=${OTHER_UID}`, `--regid=${OTHER_UID}`, '--clear-groups', process.execPath, path.join(bin, 'cli.js'), 'fix', '--write', 'a', 'b'], { cwd: root, encoding: 'utf8', timeout: RUN_LIMIT_MS });
    fs.rmSync(bin, { recursive: true, force: true });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `${path.join('a', 'Dockerfile')}: not writable (EACCES), not written\n`);
    assert.equal(fs.readFileSync(path.join(root, 'a/Dockerfile'), 'utf8'), A);
    assert.match(fs.readFileSync(path.join(root, 'b/Dockerfile'), 'utf8'), /^USER node$/m);
    assert.equal(fs.statSync(path.join(root, 'b/Dockerfile')).uid, OTHER_UID);
  });

  test('a config file planted above the start by another user in a folder anyone can write is not taken', T, async () => {
    const shared = tree({ '.dockerfilelean.yaml': 'rules:\n  apt-hygiene: off\n  merge-run: off\n  multi-stage: off\n  non-root-user: off\n', 'project/Dockerfile': A });
    fs.chmodSync(shared, 0o1777);
    // Control: owned by root, it applies (nothing found).
    const owned = await cli(['check', '--format', 'json', 'Dockerfile'], { cwd: path.join(shared, 'project') });
    assert.deepEqual(JSON.parse(owned.text), []);
    fs.chownSync(path.join(shared, '.dockerfilelean.yaml'), OTHER_UID, OTHER_UID);
    const r = await cli(['check', '--format', 'json', 'Dockerfile'], { cwd: path.join(shared, 'project') });
    assertNoCrash(r, 'check under a planted config');
    assert.equal(r.code, 1);
    assert.ok(JSON.parse(r.text).length >= 3, r.text);
    assert.match(r.stderr, new RegExp(`\\.dockerfilelean\\.yaml:1:1: the config file is owned by another user \\(uid ${OTHER_UID}\\) in a folder anyone can write, so it is not read; the defaults apply instead`));
  });

  test('--help says what fix --write does and when it exits 1', T, async () => {
    const r = await cli(['--help']);
    assert.match(r.text, /renamed over it only if it has not changed since it\s+was read/);
    assert.match(r.text, /1 a finding at or above it \(fix: a file was left unfixed or\s+unwritten/);
    assert.match(r.text, /larger than 16 MiB are skipped/);
  });
});

describe('the document path', () => {
  test('multi-stage is quiet for a Dockerfile under .devcontainer/, and fires for the same text elsewhere', T, async () => {
    const text = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app", "serve"]\n';
    const plain = write(text);
    const devDir = path.join(dir, `f${++fileCounter}`, '.devcontainer');
    fs.mkdirSync(devDir, { recursive: true });
    const dev = path.join(devDir, 'Dockerfile');
    fs.writeFileSync(dev, text);
    const a = await checkJson(plain, ['--rule', 'multi-stage']);
    assert.ok(a.rows.some((r) => r.rule === 'multi-stage'), a.text);
    // Relative to the working directory, as a user would name it.
    const b = await cli(['check', '--format', 'json', '--rule', 'multi-stage', path.relative(dir, dev)]);
    assertNoCrash(b, 'check .devcontainer/Dockerfile');
    assert.deepEqual(JSON.parse(b.text).filter((r) => r.rule === 'multi-stage'), []);
  });
});

describe('README', () => {
  test('the before/after example is what fix prints for examples/apt-tools', T, async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('# before                                   # after `dockerfile-lean fix` (examples/apt-tools)');
    assert.ok(start >= 0, 'the example is in the README');
    const block = readme.slice(start, readme.indexOf('```', start)).split('\n').slice(1).filter((l) => l.trim() !== '');
    const column = (l, from, to) => l.slice(from, to).trimEnd();
    const before = block.map((l) => column(l, 0, 43)).filter(Boolean).join('\n') + '\n';
    const after = block.map((l) => column(l, 43)).filter(Boolean).join('\n') + '\n';
    const example = path.join(ROOT, 'examples/apt-tools/Dockerfile');
    assert.equal(before, fs.readFileSync(example, 'utf8'), 'the left column is the example');
    const r = await cli(['fix', example]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(after, r.text, 'the right column is what fix prints');
  });
});
