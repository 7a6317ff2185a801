/**
 * The fast scan against the reference parse (dockerfile-ast): the same directives, escape character and
 * instruction boundaries (keyword as read, start, keyword end, end) on every fixture and example (as
 * written, with CRLF and with the backtick escape), the benchmark corpus, and generated files full of
 * continuations, comments, heredocs, directives and odd characters.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { DockerfileParser, type From, type Run } from 'dockerfile-ast';
import { buildModel, fromParts, joinContinuations } from '../../server/src/core/model';
import { DocText } from '../../server/src/core/document';
import { FIXTURES, toBacktick, toCrlf } from './helpers';

const ROOT = path.resolve(FIXTURES, '..', '..');

function reference(text: string) {
  const ast = DockerfileParser.parse(text);
  const doc = new DocText(text);
  const all = ast.getInstructions();
  const firstFrom = all.findIndex((i) => i.getKeyword() === 'FROM');
  const runs = all
    .filter((i, k) => i.getKeyword() === 'RUN' && firstFrom !== -1 && k > firstFrom)
    .map((i) => {
      const run = i as Run;
      const args = run.getArguments();
      let heredocs: number | string;
      try {
        heredocs = run.getHeredocs().length > 0 ? 1 : 0;
      } catch {
        heredocs = 'throws';
      }
      const flags = run.getFlags().map((f) => `${f.getName().toLowerCase()}=${f.getValue()}`);
      return { body: args.length ? doc.offsetAt(args[0].getRange().start) : 'none', heredocs, flags };
    });
  let open: number | null | 'throws' | 'not compared' = null;
  for (const i of all) {
    if (open !== null) break;
    // The reference reads ONBUILD's own arguments for heredocs, where the scan reads its trigger's (RUN <<E).
    // Only ADD, COPY and RUN take heredocs (the reference also reads `<<` in other instructions' arguments).
    if (!['ADD', 'COPY', 'RUN'].includes(i.getKeyword())) continue;
    const hd = i as unknown as { getHeredocs?: () => { getDelimiterRange(): unknown }[] };
    try {
      if (hd.getHeredocs?.().some((h) => h.getDelimiterRange() === null)) open = doc.offsetAt(i.getRange().start);
    } catch {
      open = 'throws';
    }
  }
  // The reference's heredoc reader does not treat a lone CR as a line break (its parser does): not compared there.
  // Nor does it accept a delimiter on a last line without a line break (the scan does, as the builder does).
  // Nor does it read a heredoc body raw: an escaped line break inside one hides the delimiter from it.
  if (/\r(?!\n)/.test(text) || !/[\r\n]$/.test(text) || /[\\`][ \t]*\r?\n/.test(text)) open = 'not compared';
  const froms = all.filter((i) => i.getKeyword() === 'FROM').map((i) => {
    const f = i as From;
    const r = f.getImageRange();
    return `${r ? doc.text.slice(doc.offsetAt(r.start), doc.offsetAt(r.end)) : null} as ${f.getBuildStage()?.toLowerCase() ?? null}`;
  });
  return {
    // Like `runs` below: the reference misreads an escape before a lone CR.
    froms: /\r(?!\n)/.test(text) ? 'not compared' : froms,
    // The reference's argument reader takes an escape before a lone CR as one before CRLF: not compared there.
    runs: /\r(?!\n)/.test(text) ? 'not compared' : runs,
    open,
    escape: ast.getEscapeCharacter(),
    directives: ast.getDirectives().map((d) => `${d.getName()}=${d.getValue()}@${d.getRange().start.line}`),
    instructions: ast.getInstructions().map((i) => {
      const r = i.getRange();
      return `${i.getInstruction()} ${doc.offsetAt(r.start)}-${doc.offsetAt(r.end)} kw:${doc.offsetAt(i.getInstructionRange().end)}`;
    }),
  };
}

function ours(text: string, ref: ReturnType<typeof reference>) {
  const m = buildModel(text);
  const runs = m.instructions
    .filter((i) => i.keyword === 'RUN' && i.stage)
    .map((i, k) => {
      const run = i.run!;
      const expected = Array.isArray(ref.runs) ? ref.runs[k] : undefined;
      // Where the reference's heredoc lookup throws, ours must simply not crash.
      const heredocs = expected?.heredocs === 'throws' ? 'throws' : run.form === 'heredoc' ? 1 : 0;
      return { body: run.form === 'empty' && expected?.body === 'none' ? 'none' : run.bodyStart, heredocs, flags: run.flags.map((f) => `${f.name}=${f.value}`) };
    });
  return {
    froms: ref.froms === 'not compared' ? ref.froms : m.instructions
      .filter((i) => i.keyword === 'FROM')
      .map((i) => {
        // The text reading, where it applies (the model asks the tree otherwise).
        const p = fromParts(m.doc.text, m.doc.offsetAt(i.node.getInstructionRange().end), i.end, m.escape);
        const f = i.node as From;
        const r = f.getImageRange();
        return p ? `${p.image} as ${p.alias?.toLowerCase() ?? null}` : `${r ? m.doc.text.slice(m.doc.offsetAt(r.start), m.doc.offsetAt(r.end)) : null} as ${f.getBuildStage()?.toLowerCase() ?? null}`;
      }),
    runs: ref.runs === 'not compared' ? ref.runs : runs,
    open: ref.open === 'throws' || ref.open === 'not compared' ? ref.open : (m.instructions.find((i) => i.start === m.unterminatedHeredoc)?.keyword === 'ONBUILD' ? null : m.unterminatedHeredoc),
    escape: m.escape,
    directives: m.directives.map((d) => `${d.name}=${d.value}@${d.line}`),
    instructions: m.instructions.map((i) => `${i.node.getInstruction()} ${i.start}-${i.end} kw:${m.doc.offsetAt(i.node.getInstructionRange().end)}`),
  };
}

function agree(text: string, what: string): void {
  const ref = reference(text);
  assert.deepEqual(ours(text, ref), ref, what);
}

function files(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (/Dockerfile$/.test(e.name)) out.push(p);
  }
  return out;
}

/** A small seeded generator (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'FROM debian:bookworm AS b', 'RUN apt-get update', 'RUN a \\', '  && b', '# comment', '  # indented comment', '', '   ',
  'RUN <<EOF', 'RUN <<-EOT bash', 'COPY <<"A" <<\'B\' /x', 'echo hi', 'EOF', '\tEOT', 'A', 'B', 'ONBUILD RUN <<E', 'E',
  '# escape=`', '# syntax=docker/dockerfile:1', '# check=skip=all', 'RUN x `', 'RU\\', 'N y', 'ENV A=1 \\ ', 'B=2',
  'CMD ["a", "b"]', 'HEALTHCHECK CMD x', 'ru\\n z', '\\', '`', 'USER 1000', 'RUN echo "<<EOF"', 'x\\ \\', '#', '##a=b',
  'LABEL a="b c" \\\t', 'FROM\tscratch', 'WORKDIR /a\\', '\u{1F600} RUN', 'RUN é ü \u200f', '\uFEFFFROM x', 'RUN a # not a comment',
  'RUN --mount=type=cache,target=/root/.cache \\', 'RUN --network=none --security=insecure x', 'RUN --mount=type=secret,id="a b" x',
  'RUN --link', 'RUN --=x y', 'RUN -- x', 'RUN --MOUNT=type=bind \\', '  --network=host true', "RUN --a='b' c", 'RUN --x=`y` z',
  'ONBUILD LABEL a=<<EOF', 'ONBUILD COPY <<X /x', 'X', 'RUN cat<<EOF', 'RUN a <<"E F"', 'RUN a <<E\tb',
  'COPY --from=b --chown=1:1 a b', 'FROM --platform=$BUILDPLATFORM golang:1.22 as Build', 'FROM x AS', 'FROM a as b c', 'FROM \\', '  img AS \\', '  name', 'RUN \\', '# inside', '  --mount=a b',
];
const BREAKS = ['\n', '\r\n', '\r', '\n\n'];

function generated(seed: number): string {
  const r = rng(seed);
  const n = 1 + Math.floor(r() * 30);
  let s = '';
  for (let k = 0; k < n; k++) {
    s += PIECES[Math.floor(r() * PIECES.length)];
    if (r() < 0.1) s += ' \t'.charAt(Math.floor(r() * 2));
    if (k < n - 1 || r() < 0.7) s += BREAKS[Math.floor(r() * BREAKS.length)];
  }
  return s;
}

describe('scan agrees with the reference parse', () => {
  it('on every fixture and example, as written, with CRLF and with a backtick escape', () => {
    const all = [...files(FIXTURES), ...files(path.join(ROOT, 'examples'))];
    assert.ok(all.length > 50);
    for (const f of all) {
      const text = fs.readFileSync(f, 'utf8');
      agree(text, f);
      agree(toCrlf(text), `${f} (CRLF)`);
      const bt = toBacktick(text);
      if (bt !== null) agree(bt, `${f} (backtick)`);
    }
  });
  it('on the benchmark corpus', () => {
    const dir = path.join(ROOT, 'bench', 'corpus');
    const list = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /gen-(10|1000)\.Dockerfile$/.test(f)) : [];
    for (const f of list) agree(fs.readFileSync(path.join(dir, f), 'utf8'), f);
  });
  it('on 3,000 generated files', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = generated(seed);
      agree(text, `seed ${seed}: ${JSON.stringify(text)}`);
    }
  });
  it('on edge cases', () => {
    for (const t of ['', '\n', '\uFEFF', '#', '# escape=`\n', 'RUN', 'RUN \\', 'RUN `', '# escape=`\nRUN a `\n b', 'FROM x\nRUN <<EOF\nnever closed', '\\\n', 'A\\ ', 'A\\ \n', 'A\\  x', '# a=b c\nFROM x', '# a=b \r\n#b=c\r\nFROM x', '#a=\n', '# =x\nFROM y']) agree(t, JSON.stringify(t));
  });
});

describe('joinContinuations', () => {
  /** The definition, one character at a time: what the body holds and where each character came from. */
  function oracle(text: string, escape: string): { body: string; map: number[] } {
    let body = '';
    const map: number[] = [];
    let i = 0;
    let lineStart = false;
    while (i < text.length) {
      if (lineStart) {
        const rest = /^[ \t]*(#[^\r\n]*)?(\r\n|\r|\n|$)/.exec(text.slice(i));
        if (rest && (rest[1] !== undefined || rest[2] !== '' || rest[0].trim() === '') && (rest[1] !== undefined || /^[ \t]*(\r\n|\r|\n)/.test(text.slice(i)))) {
          i += rest[0].length;
          continue;
        }
        lineStart = false;
      }
      const cont = text[i] === escape ? /^[ \t]*(\r\n|\r|\n|$)/.exec(text.slice(i + 1)) : null;
      if (cont) {
        i += 1 + cont[0].length;
        lineStart = true;
        continue;
      }
      body += text[i];
      map.push(i);
      i++;
    }
    map.push(text.length);
    return { body, map };
  }
  it('joins like the one-character-at-a-time definition', () => {
    const r = rng(7);
    const parts = ['a', ' ', '\t', '\\', '`', '\n', '\r\n', '\r', '#', 'x y', '\\\n', '  # c\n', '\n\n', '\\  \n'];
    for (let n = 0; n < 5000; n++) {
      let t = '';
      const len = Math.floor(r() * 12);
      for (let k = 0; k < len; k++) t += parts[Math.floor(r() * parts.length)];
      for (const esc of ['\\', '`']) {
        const got = joinContinuations(t, 0, t.length, esc);
        const want = oracle(t, esc);
        assert.deepEqual({ body: got.body, map: got.map }, want, JSON.stringify({ t, esc }));
      }
    }
  });
});
