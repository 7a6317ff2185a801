/** Valid / invalid tables per rule, named by behaviour. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/core/analyze';
import { initShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/core/types';

before(() => initShell());

type Row = [name: string, text: string, fires: boolean, fixable?: boolean];

function table(rule: string, rows: Row[]): void {
  describe(rule, () => {
    for (const [name, text, fires, fixable] of rows) {
      it(name, () => {
        const found = analyze(text, DEFAULT_SETTINGS, [rule]).findings.filter((f) => f.rule === rule);
        assert.equal(found.length > 0, fires, found.map((f) => f.message).join('\n') || 'no finding');
        if (fires && fixable !== undefined) assert.equal(found[0].fixable, fixable, found[0].reason);
        for (const f of found) {
          assert.equal(f.severity, 'warning');
          assert.ok(f.message.length > 20);
          if (!f.fixable) assert.ok(f.reason, 'a finding without a fix says why');
        }
      });
    }
  });
}

table('non-root-user', [
  ['fires on a base that runs as root with no USER', 'FROM debian:bookworm-slim\nCMD ["bash"]\n', true, true],
  ['fires on a last USER root', 'FROM node:20\nUSER node\nUSER root\n', true, true],
  ['fires on a last USER 0:0', 'FROM node:20\nUSER 0:0\n', true, true],
  ['fires on USER root:root', 'FROM alpine\nUSER root:root\n', true, true],
  ['fires on a USER whose variable resolves to root', 'ARG U=root\nFROM alpine\nARG U\nUSER ${U}\n', true, true],
  ['fires on scratch with no USER', 'FROM scratch\nCOPY x /x\n', true, true],
  ['fires on an unknown image with no USER (numeric fix)', 'FROM example.com/team/base:1\nCMD ["x"]\n', true, true],
  ['quiet on a named non-root USER', 'FROM debian:bookworm-slim\nUSER app\n', false],
  ['quiet on name:group', 'FROM debian:bookworm-slim\nUSER app:app\n', false],
  ['quiet on a numeric non-root USER', 'FROM debian:bookworm-slim\nUSER 1000\n', false],
  ['quiet on a variable that resolves non-root', 'FROM debian:bookworm-slim\nARG UID=1000\nUSER ${UID}\n', false],
  ['quiet on an unresolved variable', 'FROM debian:bookworm-slim\nUSER ${RUNTIME_USER}\n', false],
  ['quiet on distroless :nonroot', 'FROM gcr.io/distroless/base-debian12:nonroot\n', false],
  ['quiet on a chainguard image', 'FROM cgr.dev/chainguard/node:latest\n', false],
  ['quiet on nginx-unprivileged', 'FROM nginxinc/nginx-unprivileged:1.27\n', false],
  ['quiet when only a builder stage is root', 'FROM golang:1.22 AS b\nRUN true\nFROM gcr.io/distroless/static-debian12:nonroot\n', false],
  ['quiet when the final stage builds on a non-root stage', 'FROM node:20 AS base\nUSER node\nFROM base\n', false],
  ['quiet with a hadolint DL3002 ignore', 'FROM node:20\n# hadolint ignore=DL3002\nUSER root\n', false],
  ['quiet with a global ignore', '# dockerfile-lean global ignore=non-root-user\nFROM node:20\n', false],
  ['quiet on an empty file', '', false],
  ['quiet on a half-typed USER with no name', 'FROM node:20\nUSER\n', false],
]);

table('merge-run', [
  ['fires on two plain RUNs', 'FROM alpine\nRUN a\nRUN b\n', true, true],
  ['fires across comments and blank lines', 'FROM alpine\nRUN a\n\n# c\nRUN b\n', true, true],
  ['fires on equal mount flags', 'FROM alpine\nRUN --mount=type=cache,target=/c a\nRUN --mount=type=cache,target=/c b\n', true, true],
  ['quiet on one RUN', 'FROM alpine\nRUN a && b\n', false],
  ['quiet when flags differ', 'FROM alpine\nRUN --network=none a\nRUN b\n', false],
  ['quiet when an instruction stands between', 'FROM alpine\nRUN a\nENV X=1\nRUN b\n', false],
  ['quiet on a heredoc RUN', 'FROM alpine\nRUN <<EOF\na\nEOF\nRUN b\n', false],
  ['quiet on exec form', 'FROM alpine\nRUN ["a"]\nRUN b\n', false],
  ['quiet across a SHELL change', 'FROM alpine\nRUN a\nSHELL ["/bin/ash", "-c"]\nRUN b\n', false],
  ['quiet on ONBUILD RUNs', 'FROM alpine\nONBUILD RUN a\nONBUILD RUN b\n', false],
  ['quiet on a body that does not parse', 'FROM alpine\nRUN echo "open\nRUN b\n', false],
  ['quiet under a non-POSIX SHELL', 'FROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN a\nRUN b\n', false],
  ['quiet with hadolint DL3059 ignore', 'FROM alpine\nRUN a\n# hadolint ignore=DL3059\nRUN b\n', false],
  ['quiet with our own ignore', 'FROM alpine\n# dockerfile-lean ignore=merge-run\nRUN a\nRUN b\n', false],
]);

table('apt-hygiene', [
  ['fires on install without -y', 'FROM debian\nRUN apt-get update && apt-get install --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['fires on install without --no-install-recommends', 'FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['fires on install without lists cleanup', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x\n', true, true],
  ['fires on update alone followed by an install RUN', 'FROM debian\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['fires on update alone with nothing to join (not fixable)', 'FROM debian\nRUN apt-get update\nCOPY . .\n', true, false],
  ['fires on cleanup in a later RUN only', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x\nRUN rm -rf /var/lib/apt/lists/*\n', true, true],
  ['quiet on a clean install', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', false],
  ['quiet on --yes and -o Install-Recommends=0', 'FROM debian\nRUN apt-get update && apt-get --yes -o APT::Install-Recommends=0 install x && rm -rf /var/lib/apt/lists/*\n', false],
  ['quiet with a cache mount on the lists', 'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends x\n', false],
  ['quiet on apt-get in an echo string', 'FROM debian\nRUN echo "apt-get install x"\n', false],
  ['quiet with hadolint DL3015 ignore', 'FROM debian\n# hadolint ignore=DL3015,DL3009\nRUN apt-get update && apt-get install -y x\n', false],
]);

table('multi-stage', [
  ['fires on a golang final stage', 'FROM golang:1.22\nRUN go build -o /s .\nCMD ["/s"]\n', true, true],
  ['fires on a golang final stage built on a stage alias', 'FROM golang:1.22 AS base\nFROM base\nRUN go build -o /s .\nCMD ["/s"]\n', true, true],
  ['fires on rust without a CMD (not fixable)', 'FROM rust:1.80\nRUN cargo build --release\n', true, false],
  ['fires on rust with the binary named by path', 'FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD ["/app/target/release/x"]\n', true, true],
  ['fires but declines without a CMD', 'FROM golang:1.22\nRUN go build -o /s .\n', true, false],
  ['fires but declines on a RUN after the build', 'FROM golang:1.22\nRUN go build -o /s .\nRUN /s --selftest\nCMD ["/s"]\n', true, false],
  ['fires but declines on a shell CMD with operators', 'FROM golang:1.22\nRUN go build -o /s .\nCMD /s || sleep 1\n', true, false],
  ['fires but declines on go install', 'FROM golang:1.22\nRUN go install ./cmd/s\nCMD ["s"]\n', true, false],
  ['quiet on a slim final stage', 'FROM golang:1.22 AS b\nRUN go build -o /s .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=b /s /s\n', false],
  ['quiet on a node runtime image', 'FROM node:20-slim\nCMD ["node", "x.js"]\n', false],
  ['quiet on an unresolved FROM', 'FROM ${IMAGE}\n', false],
  ['fires on node with a build step', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["node", "dist/x.js"]\n', true, true],
  ['fires on a slim node with a build step', 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD ["node", "dist/x.js"]\n', true, true],
  ['fires but declines on node with dev dependencies and no build', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "x.js"]\n', true, false],
  ['quiet on node with no install and no build', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "x.js"]\n', false],
  ['quiet on slim node with production dependencies only', 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "x.js"]\n', false],
  ['fires on full python', 'FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', true, true],
  ['quiet on python slim', 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', false],
  ['fires but declines on python slim with gcc installed', 'FROM python:3.11-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nCMD ["python"]\n', true, false],
  ['fires on gcc with make', 'FROM gcc:13\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["./app"]\n', true, true],
  ['fires but declines on an unknown buildpack-deps release', 'FROM buildpack-deps:sid\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["./app"]\n', true, false],
  ['fires but declines on build-essential in debian slim (no recipe)', 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\nCMD ["x"]\n', true, false],
  ['quiet on runtime packages only', 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl libsqlite3-0 && rm -rf /var/lib/apt/lists/*\nCMD ["x"]\n', false],
]);

describe('settings', () => {
  it('turns a rule off', () => {
    const s = normalizeSettings({ rules: { 'merge-run': 'off' } });
    assert.deepEqual(analyze('FROM alpine\nRUN a\nRUN b\n', s).findings.filter((f) => f.rule === 'merge-run'), []);
  });
  it('changes a rule severity', () => {
    const s = normalizeSettings({ rules: { 'merge-run': 'error' } });
    assert.equal(analyze('FROM alpine\nRUN a\nRUN b\n', s).findings.find((f) => f.rule === 'merge-run')?.severity, 'error');
  });
  it('disables everything with enable: false', () => {
    assert.deepEqual(analyze('FROM alpine\nRUN a\nRUN b\n', normalizeSettings({ enable: false })).findings, []);
  });
  it('ignores malformed settings and keeps the defaults', () => {
    const s = normalizeSettings({ enable: 'yes', rules: { 'merge-run': 'loud', x: 3 } });
    assert.equal(s.enable, true);
    assert.deepEqual(s.rules, {});
    assert.deepEqual(normalizeSettings(null), DEFAULT_SETTINGS);
  });
  it('makes lists cleanup in a builder stage a hint', () => {
    const text = 'FROM debian AS b\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nFROM debian\nCOPY --from=b /x /x\nUSER 1000\n';
    assert.equal(analyze(text, DEFAULT_SETTINGS, ['apt-hygiene']).findings[0]?.severity, 'hint');
  });
});
