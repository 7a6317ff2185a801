/**
 * The shell tree copy walks the parser runtime's cursor without web-tree-sitter's TreeCursor class
 * (core/shell.ts, plainTree). It must give exactly the tree the library's own node API gives: same types,
 * named-ness, UTF-16 ranges and children, in order, for every body the fixtures hold and for odd ones.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Parser, Language, type Node as TsNode } from 'web-tree-sitter';
import { copiedShellTree, initShell, parseShell } from '../../server/src/core/shell';
import { buildModel } from '../../server/src/core/model';
import { FIXTURES } from './helpers';

let reference: Parser;

before(async () => {
  await initShell();
  reference = new Parser();
  reference.setLanguage(await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
});

function libraryTree(text: string): unknown[] {
  const tree = reference.parse(text);
  assert.ok(tree);
  const nest = (n: TsNode): unknown[] => [n.type, n.isNamed, n.startIndex, n.endIndex, ...n.children.map((c) => nest(c as TsNode))];
  try {
    return nest(tree.rootNode);
  } finally {
    tree.delete();
  }
}

function fixtureBodies(): string[] {
  const bodies = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'before.Dockerfile' || e.name === 'after.Dockerfile') {
        for (const ins of buildModel(fs.readFileSync(p, 'utf8')).instructions) {
          if (ins.run && ins.run.form === 'shell') bodies.add(ins.run.body);
        }
      }
    }
  };
  walk(FIXTURES);
  return [...bodies];
}

describe('shell tree copy', () => {
  it('equals the library tree for every RUN body of the fixtures', () => {
    const bodies = fixtureBodies();
    assert.ok(bodies.length > 200, `only ${bodies.length} bodies found`);
    for (const body of bodies) assert.deepEqual(copiedShellTree(body), libraryTree(body), body);
  });

  it('equals the library tree for odd bodies: non-ASCII text, errors, heredocs, deep nesting, empty', () => {
    const odd = [
      '',
      'echo "héllo wörld 🐳" && printf \'%s\\n\' ünïcode',
      'if [ -f x ]; then echo "${A:-$(cat <<EOF\nz\nEOF\n)}"; fi',
      'echo $(( 1 + (2 * 3) )) `id -u` | tee -a /tmp/x 2>&1 >/dev/null &',
      'case "$1" in a) echo a;; *) echo b;; esac',
      'for f in *.txt; do { cat "$f"; } || exit 1; done',
      'echo "unterminated',
      '((((((((((((((((((((true))))))))))))))))))))',
      Array.from({ length: 60 }, (_, i) => `cmd${i}`).join(' && '),
    ];
    for (const body of odd) assert.deepEqual(copiedShellTree(body), libraryTree(body), body);
  });

  it('leaves the parser usable: the same body parses to the same script again, and a tree deeper than the limit is refused', () => {
    const body = 'apt-get update && apt-get install -y curl';
    const first = parseShell(body);
    const again = copiedShellTree(body);
    assert.ok(first && again);
    const deep = Array.from({ length: 1000 }, (_, i) => `c${i}`).join(' && ');
    assert.equal(copiedShellTree(deep), null);
    assert.deepEqual(copiedShellTree(body), again);
  });
});
