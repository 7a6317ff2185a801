/**
 * The model's text document (what dockerfile-ast reads positions from) against the library's own
 * document: the same positions, offsets, line ranges, line endings and text, on texts of every kind of
 * line ending, empty lines, a BOM and characters outside the BMP, for every offset and for positions
 * inside, at the end of and past each line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocText } from '../../server/src/core/document';
import { DocTextDocument } from '../../server/src/core/model';

/** The dominant line ending, counted the plain way: CRLF only when there are more CRLFs than lone LFs. */
function dominantEol(text: string): string {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

function compare(text: string): void {
  const doc = new DocText(text);
  assert.equal(doc.eol, dominantEol(text), `eol of ${JSON.stringify(text)}`);
  const ours = new DocTextDocument(doc);
  const lib = TextDocument.create('file:///Dockerfile', 'dockerfile', 0, text);
  assert.equal(ours.lineCount, lib.lineCount, 'lineCount');
  assert.equal(ours.getText(), lib.getText());
  for (let o = -1; o <= text.length + 1; o++) assert.deepEqual(ours.positionAt(o), lib.positionAt(o), `positionAt(${o}) of ${JSON.stringify(text)}`);
  for (let line = -1; line <= lib.lineCount; line++) {
    assert.deepEqual(ours.getLineRange(line), lib.getLineRange(line), `getLineRange(${line}) of ${JSON.stringify(text)}`);
    assert.equal(ours.getEOLCharacters(line), lib.getEOLCharacters(line), `getEOLCharacters(${line}) of ${JSON.stringify(text)}`);
    for (let character = -1; character <= 8; character++) {
      const p = { line, character };
      assert.equal(ours.offsetAt(p), lib.offsetAt(p), `offsetAt(${line}:${character}) of ${JSON.stringify(text)}`);
      const end = { line: line + 1, character: 2 };
      assert.equal(ours.getText({ start: p, end }), lib.getText({ start: p, end }));
    }
  }
}

describe('the model text document', () => {
  it('answers as the library document on hand-picked texts', () => {
    for (const text of ['', '\n', '\r', '\r\n', 'a', 'a\n', 'a\r\nb', 'a\rb\nc\r\n', '\r\r\n\n', 'RUN a \\\r\n  b\r\n', '\ufeffFROM x\n', 'RUN 😀 \\\n 😀\r', 'a\n\r']) compare(text);
  });

  it('answers as the library document on generated texts', () => {
    const piece = fc.constantFrom('a', 'RUN x', ' ', '\t', '\\', '`', '\n', '\r', '\r\n', '\n\r', '😀', '\ufeff', '#');
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (parts) => compare(parts.join(''))), { numRuns: 300, seed: 20261124 });
  });
});
