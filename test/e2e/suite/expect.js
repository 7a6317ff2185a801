// Behavioural assertions on fixed Dockerfile text, shared by the quick-fix and command tests.
const assert = require('assert');
const { lineIndex, assertLine } = require('./helpers');

/** The lines of `text` in order must match `res` (each a RegExp), other lines may sit in between. */
function assertInOrder(text, res) {
  const lines = text.split(/\r?\n/);
  let at = -1;
  for (const re of res) {
    const i = lines.findIndex((l, k) => k > at && re.test(l));
    assert.ok(i > at, `expected ${re} after line ${at + 1} in:\n${text}`);
    at = i;
  }
}

/**
 * `hygiene`: the install has --no-install-recommends; with `merged` too (update and install in one RUN), the
 * lists are removed in it. An install after a lone update downloads no lists, so its own fix does not remove them.
 */
function assertAptResult(text, { merged, hygiene }) {
  const runs = text.split(/\r?\n/).filter((l) => /^\s*RUN\b/.test(l));
  if (merged) {
    assert.strictEqual(runs.length, 1, `one RUN expected in:\n${text}`);
    assertLine(text, /^RUN apt-get update && \\$/, 'expected the line `RUN apt-get update && \\`');
    assertInOrder(text, [/apt-get update/, /apt-get install\b.*\bcurl\b/]);
  }
  if (hygiene) {
    assert.match(text, /apt-get install\b[^\n]*--no-install-recommends|--no-install-recommends[^\n]*apt-get install/, `--no-install-recommends missing in:\n${text}`);
    if (merged) assert.ok(text.includes('rm -rf /var/lib/apt/lists/*'), `rm -rf /var/lib/apt/lists/* missing in:\n${text}`);
  }
  assertInOrder(text, [/^FROM debian:bookworm-slim$/, /^CMD \["curl", "--version"\]$/]);
}

function assertNodeNonRoot(text) {
  assertLine(text, 'COPY --chown=node:node . .', 'expected `COPY --chown=node:node . .`');
  const user = lineIndex(text, /^USER node\s*$/);
  const cmd = lineIndex(text, /^CMD \["node","index.js"\]$/);
  assert.ok(user >= 0, `no \`USER node\` line in:\n${text}`);
  assert.ok(cmd > user, `\`USER node\` (line ${user + 1}) must come before CMD (line ${cmd + 1}) in:\n${text}`);
  assert.strictEqual(lineIndex(text, /^COPY \. \.$/), -1, `the plain COPY . . is still there:\n${text}`);
}

function assertGoMultiStage(text) {
  assertInOrder(text, [
    /^FROM golang:1\.22 AS build$/,
    /^RUN\b.*\bgo build\b.*-o \/out\/server\b/,
    /^FROM gcr\.io\/distroless\/static-debian12:nonroot$/,
    /^COPY --from=build \/out\/server \/out\/server$/,
    /^CMD \["\/out\/server"\]$/,
  ]);
  assert.strictEqual(text.split(/\r?\n/).filter((l) => /^FROM\b/.test(l)).length, 2, `two stages expected in:\n${text}`);
}

module.exports = { assertInOrder, assertAptResult, assertNodeNonRoot, assertGoMultiStage };
