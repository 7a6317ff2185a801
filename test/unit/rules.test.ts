/** Valid / invalid tables per rule, named by behaviour. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, fixAll, fixesFor } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/core/model';
import { applyOffsetEdits } from '../../server/src/core/edits';
import { initShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/core/types';

before(() => initShell());

/** The offset of a line/character position in text (LF only). */
function offsetIn(text: string, p: { line: number; character: number }): number {
  const lines = text.split('\n');
  return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
}

/** `severity`: what every finding of the row must be (default: warning, or info for a quick-fix-only finding). */
type Row = [name: string, text: string, fires: boolean, fixable?: boolean, severity?: string];

function table(rule: string, rows: Row[]): void {
  describe(rule, () => {
    for (const [name, text, fires, fixable, severity] of rows) {
      it(name, () => {
        const found = analyze(text, DEFAULT_SETTINGS, [rule]).findings.filter((f) => f.rule === rule);
        assert.equal(found.length > 0, fires, found.map((f) => f.message).join('\n') || 'no finding');
        if (fires && fixable !== undefined) assert.equal(found[0].fixable, fixable, found[0].reason);
        for (const f of found) {
          // A finding whose premise is not known (an unknown image's user) is information.
          assert.equal(f.severity, severity ?? (f.data?.quickFixOnly === true ? 'info' : 'warning'));
          assert.ok(f.message.length > 20);
          if (!f.fixable) assert.ok(f.reason, 'a finding without a fix says why');
        }
      });
    }
  });
}

table('non-root-user', [
  ['fires on a base that runs as root with no USER', 'FROM debian:bookworm-slim\nCMD ["./server"]\n', true, true],
  ['fires on a last USER root', 'FROM node:20\nUSER node\nUSER root\nCMD ["node", "server.js"]\n', true, true],
  ['fires on a last USER 0:0', 'FROM node:20\nUSER 0:0\nCMD ["node", "server.js"]\n', true, true],
  ['fires on USER root:root', 'FROM alpine\nUSER root:root\nCMD ["./server"]\n', true, true],
  ['fires on a USER whose variable resolves to root', 'ARG U=root\nFROM alpine\nARG U\nUSER ${U}\nCMD ["./server"]\n', true, true],
  ['fires on scratch with no USER', 'FROM scratch\nCOPY x /x\nENTRYPOINT ["/x"]\n', true, true],
  ['quiet on a data-only image FROM scratch (nothing to run)', 'FROM scratch\nCOPY manifests /manifests/\n', false],
  ['quiet on an entrypoint script in front of a REPL', 'FROM alpine:3.20\nCOPY entrypoint.sh /__cacert_entrypoint.sh\nENTRYPOINT ["/__cacert_entrypoint.sh"]\nCMD ["jshell"]\n', false],
  ['quiet on rabbitmq (its entrypoint steps down)', 'FROM rabbitmq:4.1\nRUN rabbitmq-plugins enable --offline rabbitmq_management\n', false],
  ['quiet on a start command that drops to a user with capsh', 'FROM alpine:3.20\nRUN apk add --no-cache libcap\nCMD ["capsh", "--user=dns", "--", "-c", "/usr/sbin/dnsd"]\n', false],
  ['quiet on an nginx variant with no content of its own (modules for others)', 'FROM nginx:1.27\nRUN apt-get update && apt-get install -y nginx-module-njs\n', false],
  ['quiet on a daemon that must start as root (dockerd)', 'FROM docker:27-cli\nRUN apk add --no-cache iptables\nENTRYPOINT ["dockerd-entrypoint.sh"]\nCMD []\n', false],
  ['quiet on sshd', 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y openssh-server\nCMD ["/usr/sbin/sshd", "-D"]\n', false],
  ['quiet on an unknown image with a drive-letter WORKDIR (Windows)', 'ARG BASE\nFROM $BASE\nWORKDIR C:/app\nCOPY out/ .\nENTRYPOINT ["app.exe"]\n', false],
  ['fires but declines on a CLI tool whose WORKDIR only receives mounted files', 'FROM debian:bookworm-slim\nCOPY tool /usr/local/bin/tool\nWORKDIR /work\nCMD ["tool"]\n', true, false],
  ['quiet on a file that packages a versioned release and takes nothing from the build context', 'FROM eclipse-temurin:21-jre\nENV TOMCAT_VERSION=10.1.30\nRUN curl -fsSL https://example.org/tomcat-$TOMCAT_VERSION.tar.gz | tar -xz -C /opt\nCMD ["/opt/tomcat/bin/catalina.sh", "run"]\n', false],
  ['fires on the same release when the file adds a file of its own', 'FROM eclipse-temurin:21-jre\nENV TOMCAT_VERSION=10.1.30\nRUN curl -fsSL https://example.org/tomcat-$TOMCAT_VERSION.tar.gz | tar -xz -C /opt\nCOPY app.war /opt/tomcat/webapps/\nCMD ["/opt/tomcat/bin/catalina.sh", "run"]\n', true, true],
  ['quiet on a Docker Dev Environments stage', 'FROM python:3.12-alpine AS builder\nWORKDIR /src\nCOPY . .\nCMD ["python3", "server.py"]\nFROM builder AS dev-envs\nRUN apk add --no-cache git\nCMD ["python3", "server.py"]\n', false],
  ['fires but declines on a server unpacked into WORKDIR /', 'FROM debian:bookworm-slim\nWORKDIR /\nRUN curl -fsSL https://example.org/kc.tar.gz | tar -xz\nCOPY setup.sh /setup.sh\nCMD ["/setup.sh"]\n', true, false],
  ['fires and fixes when the archive is unpacked after a cd elsewhere', 'FROM debian:bookworm-slim\nWORKDIR /\nRUN cd /tmp && curl -fsSL https://example.org/t.tar.gz | tar -xz && mv t /usr/local/bin/\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n', true, true],
  ['quiet on the old Docker Hub name of Server Core', 'FROM microsoft/windowsservercore\nCMD ["app.exe"]\n', false],
  ['fires but declines when the file starts nginx itself', 'FROM debian:bookworm-slim\nRUN apt-get install -y nginx\nCMD ["nginx", "-g", "daemon off;"]\n', true, false],
  ['fires on an unknown image with no USER (a guessed numeric user, quick fix only)', 'FROM example.com/team/base:1\nCMD ["x"]\n', true, false],
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
  ['quiet on a UBI s2i image (runs as 1001)', 'FROM registry.access.redhat.com/ubi9/nodejs-20\nCMD ["npm", "start"]\n', false],
  ['quiet on a .NET chiseled image', 'FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-noble-chiseled\n', false],
  ['quiet on bitnami', 'FROM bitnami/redis:7.4\n', false],
  ['quiet with dockerfile-lean ignore on the final FROM', '# dockerfile-lean ignore=non-root-user\nFROM node:20\n', false],
  ['quiet with a hadolint global ignore', '# hadolint global ignore=DL3002\nFROM node:20\n', false],
  ['fires on --platform, a registry and a digest', 'FROM --platform=linux/amd64 docker.io/library/python:3.12@sha256:0000\nCMD ["python", "app.py"]\n', true, true],
  ['fires on ubi-micro (numeric user, fixable)', 'FROM registry.access.redhat.com/ubi9/ubi-micro\nCOPY app /app\n', true, true],
  ['fires on a .NET 6 image (no app user: creates one)', 'FROM mcr.microsoft.com/dotnet/aspnet:6.0\nENV ASPNETCORE_URLS=http://+:8080\nCMD ["x"]\n', true, true],
  // Port 80, ASP.NET's default before .NET 8: another user binds it only where the engine allows it.
  ['declines a .NET 6 image on its default port 80', 'FROM mcr.microsoft.com/dotnet/aspnet:6.0\nCMD ["x"]\n', true, false],
  ['declines a server bound to port 80', 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-b", "0.0.0.0:80", "app:app"]\n', true, false],
  ['declines a server on --port 443', 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js", "--port", "443"]\n', true, false],
  ['fixes a server bound to port 8000', 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n', true, true],
  ['quiet on rocker/rstudio keeping its /init (it steps down itself)', 'FROM rocker/rstudio:4.4\nRUN install2.r dplyr\n', false],
  ['quiet on rocker/shiny with CMD /init', 'FROM rocker/shiny:4.4\nCMD ["/init"]\n', false],
  ['quiet on a base-image definition (CMD a shell)', 'FROM debian:bookworm-slim\nRUN apt-get install -y python3\nCMD ["bash"]\n', false],
  ['quiet on a base-image definition (CMD the REPL behind docker-entrypoint.sh)', 'FROM node:20\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node"]\n', false],
  ['quiet on a gosu entrypoint', 'FROM alpine:3.20\nRUN apk add --no-cache su-exec\nCMD ["su-exec", "daemon", "/srv/run"]\n', false],
  ['quiet on Windows Server Core', 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD ["app.exe"]\n', false],
  ['quiet on a PowerShell SHELL over an unknown image', 'FROM example.com/win:1\nSHELL ["powershell", "-Command"]\nCMD ["app.exe"]\n', false],
  ['quiet on a Jupyter stack', 'FROM jupyter/minimal-notebook\nRUN pip install x\n', false],
  ['fires but declines on the official nginx image', 'FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n', true, false],
  ['fires but declines with tools under /root', 'FROM debian:bookworm-slim\nENV PATH=/root/.local/bin:$PATH\nCMD ["tool"]\n', true, false],
  ['fires and fixes rocker/rstudio with a CMD of its own', 'FROM rocker/rstudio:4.4\nCMD ["Rscript", "app.R"]\n', true, true],
]);

describe('non-root-user messages and fixes', () => {
  const finding = (text: string) => analyze(text, DEFAULT_SETTINGS, ['non-root-user']).findings[0];
  const fixed = (text: string) => fixAll(text, DEFAULT_SETTINGS, ['non-root-user']).text;
  it('names the base image and the user it ships', () => {
    const f = finding('FROM node:20\nCMD ["node", "index.js"]\n');
    assert.match(f.message, /^node:20 runs as root/);
    assert.match(f.message, /ships user `node`/);
  });
  it('says when the base image is unknown', () => assert.match(finding('FROM example.com/team/base:1\n').message, /not a known base image/));
  it('resolves an ARG in FROM to the image it names', () => assert.match(finding('ARG V=20\nFROM node:${V}-alpine\nCMD ["node", "a.js"]\n').message, /^node:20-alpine runs as root/));
  it('uses a numeric user on RHEL images without useradd', () => {
    for (const img of ['amazonlinux:2023', 'rockylinux:9-minimal', 'registry.access.redhat.com/ubi9/ubi-minimal']) assert.match(fixed(`FROM ${img}\nCMD ["x"]\n`), /\nUSER 10001:10001\n/, img);
    assert.match(fixed('FROM rockylinux:9\nCMD ["x"]\n'), /useradd --system/);
  });
  it('says when FROM names a variable without a value', () => assert.match(finding('ARG BASE\nFROM ${BASE}\nCMD ["x"]\n').message, /\n\$\{BASE\} \(a variable without a value\) is not a known base image/));
  it('gives --chown only to copies into a WORKDIR the file sets', () =>
    assert.equal(fixed('FROM alpine\nCOPY app.sh .\nCMD ["x"]\n'), 'FROM alpine\nCOPY app.sh .\nRUN addgroup -S -g 10001 app && adduser -S -D -h /home/app -u 10001 -G app app\nUSER app\nCMD ["x"]\n'));
  it('keeps a BOM and CRLF', () =>
    assert.equal(fixed('\uFEFFFROM node:20\r\nWORKDIR /app\r\nCOPY . .\r\nCMD ["x"]\r\n'), '\uFEFFFROM node:20\r\nWORKDIR /app\r\nCOPY --chown=node:node . .\r\nRUN chown node:node /app\r\nUSER node\r\nCMD ["x"]\r\n'));
  it('reuses ubuntu on Ubuntu 24.04', () => assert.match(fixed('FROM ubuntu:24.04\nCMD ["./server"]\n'), /\nUSER ubuntu\n/));
  it('reuses docker (in group staff) on r-base', () => assert.match(fixed('FROM r-base:4.4.1\nCMD ["Rscript", "app.R"]\n'), /\nUSER docker\n/));
  it('reuses app on .NET alpine, with the WORKDIR given to it', () =>
    assert.equal(fixed('FROM mcr.microsoft.com/dotnet/aspnet:8.0-alpine\nWORKDIR /app\nCMD ["x"]\n'), 'FROM mcr.microsoft.com/dotnet/aspnet:8.0-alpine\nWORKDIR /app\nRUN chown app:app /app\nUSER app\nCMD ["x"]\n'));
  it('gives no --chown to copies made before the file creates its user', () =>
    assert.equal(
      fixed('FROM python:3.12-slim\nWORKDIR /app\nCOPY req.txt .\nRUN useradd -r appuser\nCOPY . .\nUSER root\nCMD ["x"]\n'),
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY req.txt .\nRUN useradd -r appuser\nCOPY --chown=appuser:appuser . .\nUSER appuser\nCMD ["x"]\n',
    ));
  it('offers a guessed user on an unknown image as a quick fix that fix-all skips', () => {
    const text = 'FROM registry.example.org/vendor/runtime:2.1\nCOPY app /opt/app\nCMD ["/opt/app/run"]\n';
    const f = finding(text);
    assert.match(f.message, /the user it runs as is not known here/);
    assert.ok(!f.fixable && f.reason && f.data?.quickFixOnly === true, 'not fixable by fix-all, with a reason');
    const fixes = fixesFor(buildModel(text), f);
    assert.equal(fixes.length, 1);
    assert.ok(fixes[0].manual && !fixes[0].preferred, 'offered, not preferred');
    assert.equal(applyOffsetEdits(text, fixes[0].edits.map((e) => ({ start: offsetIn(text, e.range.start), end: offsetIn(text, e.range.end), text: e.newText }))), text.replace('CMD', 'USER 10001:10001\nCMD'));
    assert.equal(fixed(text), text, 'fix-all leaves it alone');
  });
  it('gives the directories the file makes under its WORKDIR to the user, recursively', () =>
    assert.match(fixed('FROM debian:bookworm-slim\nWORKDIR /srv\nCOPY . .\nRUN mkdir -p /srv/data && chmod 750 /srv/data\nCMD ["./app"]\n'), /chown app:app \/srv && \\\n {4}chown -R app:app \/srv\/data\n/));
  it('adds the user to the last RUN before the final copy rather than a RUN of its own (no extra layer)', () =>
    assert.equal(
      fixed('FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir flask\nCOPY . .\nCMD ["python", "app.py"]\n'),
      'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir flask && \\\n    groupadd --system --gid 10001 app && \\\n    useradd --system --uid 10001 --gid app --no-log-init --create-home --home-dir /home/app app && \\\n    chown app:app /app\nCOPY --chown=10001:10001 . .\nUSER app\nCMD ["python", "app.py"]\n',
    ));
  it('keeps a recursive chown after the last copy, and a chown of the WORKDIR after the RUN that runs elsewhere', () => {
    assert.match(fixed('FROM debian:bookworm-slim\nWORKDIR /srv\nRUN mkdir -p /srv/data\nCOPY . .\nCMD ["./app"]\n'), /^RUN mkdir -p \/srv\/data\nCOPY --chown=10001:10001 \. \.\nRUN groupadd/m);
    assert.match(fixed('FROM debian:bookworm-slim\nRUN apt-get update\nWORKDIR /srv\nCOPY . .\nCMD ["./app"]\n'), /^RUN apt-get update\nWORKDIR \/srv\nCOPY --chown=10001:10001 \. \.\nRUN groupadd/m);
  });
  it('gives the WORKDIR to the user recursively when a RUN ran the app there as root (a migration writes the database)', () =>
    assert.match(fixed('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN python manage.py migrate\nCMD ["python", "manage.py", "runserver"]\n'), /chown -R app:app \/app\nUSER app\n/));
  it('declines on a tool whose WORKDIR only receives mounted files', () =>
    assert.match(analyze('FROM alpine:3\nRUN apk add --no-cache ffmpeg\nWORKDIR /data\nENTRYPOINT ["ffmpeg"]\n', DEFAULT_SETTINGS, ['non-root-user']).findings[0].reason ?? '', /mounted at run time/));
  it('says what works instead on the official nginx image', () =>
    assert.match(analyze('FROM nginx:alpine\nCOPY . /usr/share/nginx/html\n', DEFAULT_SETTINGS, ['non-root-user']).findings[0].reason ?? '', /nginx-unprivileged/));
  it('is information without a fix where the image needs root by design (kept alive for exec, driving the Docker engine)', () => {
    for (const [t, why] of [
      ['FROM debian:bookworm-slim\nENTRYPOINT ["tail"]\nCMD ["-f", "/dev/null"]\n', /commands run into it with exec/],
      ['FROM alpine:3.20\nCMD ["/sbin/tini", "--", "sleep", "infinity"]\n', /commands run into it with exec/],
      ['FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends docker.io && rm -rf /var/lib/apt/lists/*\nCMD ["./ci.sh"]\n', /installs docker\.io/],
      ['FROM nginx:1.27-alpine\nENV DOCKER_HOST=unix:///tmp/docker.sock\nCOPY app/ /app/\nCMD ["/app/start.sh"]\n', /docker\.sock/],
    ] as const) {
      const f = finding(t);
      assert.equal(f.severity, 'info', t);
      assert.equal(f.fixable, false);
      assert.match(f.reason ?? '', why);
    }
  });
  it('declines a new user for a server a package installs, and not for the app\'s own server built here', () => {
    const f = finding('FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends exampledb && rm -rf /var/lib/apt/lists/*\nCMD ["/usr/sbin/exampledbd"]\n');
    assert.equal(f.severity, 'warning');
    assert.equal(f.fixable, false);
    assert.match(f.reason ?? '', /starts exampledbd, a server a package the file installs/);
    assert.equal(finding('FROM debian:bookworm-slim\nCOPY ./install /\nCMD ["/opt/exampledb/bin/exampledbd"]\n').fixable, false, 'a product tree copied over /');
    assert.equal(finding('FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y g++ make\nWORKDIR /srv\nCOPY . .\nRUN make\nCMD ["./orders_server"]\n').fixable, true);
    assert.equal(finding('FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nCOPY bin/exampled /usr/local/bin/exampled\nCMD ["exampled"]\n').fixable, true, 'its own binary');
  });
  it('never chowns recursively outside the framework dirs', () => {
    for (const t of ['FROM debian:bookworm-slim\nWORKDIR /\nCOPY . .\n', 'FROM alpine\nCOPY . /\n']) assert.doesNotMatch(fixed(t), /chown -R|chown \S+ \/(\s|$)/);
  });
});


describe('apt-hygiene: nothing to trim', () => {
  const found = (t: string) => analyze(t, DEFAULT_SETTINGS, ['apt-hygiene']).findings;
  it('is quiet on a simulated install', () => {
    assert.deepEqual(found('FROM debian:bookworm\nRUN apt-get update && apt-get install -s curl && rm -rf /var/lib/apt/lists/*\nUSER 1000\n'), []);
    assert.equal(found('FROM debian:bookworm\nRUN apt-get update && apt-get install curl && rm -rf /var/lib/apt/lists/*\nUSER 1000\n').length, 1, 'the real install still');
  });
  it('counts an install xargs runs as apt work beside the update', () => {
    assert.deepEqual(found('FROM debian:bookworm\nCOPY deps.txt /\nRUN apt-get update; xargs apt-get install -y --no-install-recommends < /deps.txt; rm -rf /var/lib/apt/lists/*\nUSER 1000\n').map((f) => f.message.split('\n')[0]), []);
  });
});

table('merge-run', [
  // A key and certificate openssl wrote are a few KB: moving them saves nothing worth a warning.
  ['a mv of what openssl wrote is a hint', 'FROM debian:bookworm-slim\nRUN openssl req -x509 -nodes -newkey rsa:2048 -subj /CN=x -keyout k.pem -out c.pem\nRUN mv k.pem c.pem /etc/ssl/private/\nCMD ["x"]\n', true, true, 'hint'],
  // A recursive chown of the WORKDIR rewrites every file composer installed there in a layer of its own.
  ['a chown -R of the WORKDIR after composer install is a warning', 'FROM php:8.3-apache\nWORKDIR /var/www/html\nCOPY . .\nRUN composer install --no-dev\nRUN chown -R www-data:www-data /var/www/html\nCMD ["apache2-foreground"]\n', true, true],
  ['fires on two plain RUNs when the later one removes what the earlier wrote', 'FROM alpine\nRUN wget -O /tmp/a.tgz https://example.org/a.tgz\nRUN rm -rf /tmp/a.tgz\n', true, true],
  ['fires across comments and blank lines', 'FROM debian\nRUN apt-get install -y gcc\n\n# c\nRUN apt-get purge -y gcc\n', true, true],
  ['fires on equal mount flags', 'FROM alpine\nRUN --mount=type=cache,target=/c tar -xf /c/app.tgz -C /srv/app\nRUN --mount=type=cache,target=/c chown -R app /srv/app\n', true, true],
  ['quiet on one RUN', 'FROM alpine\nRUN a && b\n', false],
  ['quiet when flags differ', 'FROM alpine\nRUN --network=none a\nRUN b\n', false],
  ['quiet when an instruction stands between', 'FROM alpine\nRUN a\nENV X=1\nRUN b\n', false],
  ['quiet on a heredoc RUN', 'FROM alpine\nRUN <<EOF\na\nEOF\nRUN b\n', false],
  ['quiet on exec form', 'FROM alpine\nRUN ["a"]\nRUN b\n', false],
  ['quiet across a SHELL change', 'FROM alpine\nRUN a\nSHELL ["/bin/ash", "-c"]\nRUN b\n', false],
  ['fires on consecutive ONBUILD RUNs', 'FROM alpine\nONBUILD RUN make -C /src/build\nONBUILD RUN find /src/build -name "*.o" -delete\n', true, true],
  ['quiet on an ONBUILD RUN next to a plain RUN', 'FROM alpine\nONBUILD RUN a\nRUN b\nONBUILD RUN c\n', false],
  ['quiet on ONBUILD RUNs with different flags', 'FROM alpine\nONBUILD RUN --network=none a\nONBUILD RUN b\n', false],
  ['quiet on ONBUILD RUNs split by another ONBUILD', 'FROM alpine\nONBUILD RUN a\nONBUILD COPY . .\nONBUILD RUN b\n', false],
  ['quiet on a body that does not parse', 'FROM alpine\nRUN echo "open\nRUN b\n', false],
  ['quiet under a non-POSIX SHELL', 'FROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN a\nRUN b\n', false],
  ['quiet with hadolint DL3059 ignore', 'FROM alpine\nRUN a\n# hadolint ignore=DL3059\nRUN b\n', false],
  ['quiet with our own ignore', 'FROM alpine\n# dockerfile-lean ignore=merge-run\nRUN a\nRUN b\n', false],
]);

table('apt-hygiene', [
  ['fires on install without -y', 'FROM debian\nRUN apt-get update && apt-get install --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['fires on install without --no-install-recommends (with the lists left too)', 'FROM debian\nRUN apt-get update && apt-get install -y x\n', true, true],
  ['fires on install without lists cleanup', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x\n', true, true],
  ['fires on update alone followed by an install RUN', 'FROM debian\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['fires on update alone with nothing to join (not fixable)', 'FROM debian\nRUN apt-get update\nCOPY . .\n', true, false],
  ['fires on update beside a word apt-get has no operation for (the RUN installs nothing)', 'FROM debian\nRUN apt-get update && apt-get instal -y x\nRUN apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['quiet on update beside apt-get reinstall with cleanup', 'FROM debian\nRUN apt-get update && apt-get -y reinstall --no-install-recommends tzdata && rm -rf /var/lib/apt/lists/*\n', false],
  ['fires on cleanup in a later RUN only', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x\nRUN rm -rf /var/lib/apt/lists/*\n', true, true],
  // The same image either way: information, a quick fix that fix-all leaves alone.
  ['fires on apt install in a script (fixable to apt-get), as information', 'FROM debian\nRUN apt update && apt install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', true, true, 'info'],
  ['fires on a package named twice', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x y x && rm -rf /var/lib/apt/lists/*\n', true, true],
  ['quiet on apt list and apt show', 'FROM debian\nRUN apt list --installed && apt show bash\n', false],
  ['quiet on the same package with and without a version', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x x=1.0 && rm -rf /var/lib/apt/lists/*\n', false],
  ['quiet on a clean install', 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*\n', false],
  ['quiet on --yes and -o Install-Recommends=0', 'FROM debian\nRUN apt-get update && apt-get --yes -o APT::Install-Recommends=0 install x && rm -rf /var/lib/apt/lists/*\n', false],
  ['quiet with a cache mount on the lists', 'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends x\n', false],
  ['quiet on apt-get in an echo string', 'FROM debian\nRUN echo "apt-get install x"\n', false],
  ['quiet with hadolint DL3015 ignore', 'FROM debian\n# hadolint ignore=DL3015,DL3009\nRUN apt-get update && apt-get install -y x\n', false],
]);

table('apk-hygiene', [
  ['fires on apk add without --no-cache', 'FROM alpine\nRUN apk add curl\n', true, true],
  ['fires on apk update without cleanup', 'FROM alpine\nRUN apk update && apk add --no-cache curl\n', true, true],
  ['fires on cleanup before the add only', 'FROM alpine\nRUN rm -rf /var/cache/apk/* && apk add curl\n', true, true],
  ['quiet on --no-cache', 'FROM alpine\nRUN apk add --no-cache curl\n', false],
  ['quiet with a cache mount', 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n', false],
  ['quiet on apk in an echo string', 'FROM alpine\nRUN echo "apk add curl"\n', false],
  ['quiet with hadolint DL3019 ignore', 'FROM alpine\n# hadolint ignore=DL3019\nRUN apk add curl\n', false],
  // A project built into a container to try by hand: the whole context copied in, a bare shell as the command.
  ['quiet on a project built to try in a shell', 'FROM alpine:3.20\nRUN apk add make g++\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["/bin/sh"]\n', false],
  ['fires when that project runs its program', 'FROM alpine:3.20\nRUN apk add make g++\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["./tool"]\n', true, true],
  ['fires on an image for others that starts a shell but carries no context', 'FROM alpine:3.20\nRUN apk add make g++\nCOPY entry.sh /usr/local/bin/\nCMD ["sh"]\n', true, true],
  ['fires on a shell behind an entrypoint', 'FROM alpine:3.20\nRUN apk add make g++\nCOPY . .\nENTRYPOINT ["/src/run"]\nCMD ["sh"]\n', true, true],
]);

table('dnf-hygiene', [
  ['fires on dnf install without -y', 'FROM fedora\nRUN dnf install --setopt=install_weak_deps=0 --nodocs x && dnf clean all\n', true, true],
  // Weak dependencies or docs alone: as with apt's recommends, information.
  ['fires on dnf install with weak deps, as information', 'FROM fedora\nRUN dnf install -y --nodocs x && dnf clean all\n', true, true, 'info'],
  ['fires on yum install without clean all', 'FROM centos:7\nRUN yum install -y x\n', true, true],
  ['fires on microdnf without --nodocs, as information', 'FROM ubi-minimal\nRUN microdnf install --setopt=install_weak_deps=0 x && microdnf clean all\n', true, true, 'info'],
  ['a microdnf install that also leaves its cache is a warning', 'FROM ubi-minimal\nRUN microdnf install x\n', true, true],
  ['quiet on a clean dnf install', 'FROM fedora\nRUN dnf install -y --setopt=install_weak_deps=0 --nodocs x && dnf clean all\n', false],
  ['quiet on yum with -y and clean all', 'FROM centos:7\nRUN yum install -y x && yum clean all\n', false],
  ['quiet on rm of /var/cache/dnf', 'FROM fedora\nRUN dnf install -y --setopt=install_weak_deps=0 --nodocs x && rm -rf /var/cache/dnf\n', false],
  ['quiet with hadolint DL3040,DL3038 ignore', 'FROM fedora\n# hadolint ignore=DL3040,DL3038\nRUN dnf install x\n', false],
]);

table('pip-hygiene', [
  ['fires on pip install', 'FROM python:3.12\nRUN pip install pandas\n', true, true],
  ['fires on pip3 from a venv path', 'FROM python:3.12\nRUN /venv/bin/pip3 install pandas\n', true, true],
  ['fires on python -m pip install', 'FROM python:3.12\nRUN python -m pip install pandas\n', true, true],
  // Small packages the download table knows (flask and what it requires: about 600 KB): information.
  ['fires on pip install of small known packages, as information', 'FROM python:3.12\nRUN pip install -U flask==3.1.0 flask-cors requests\n', true, true, 'info'],
  ['a known small package beside an unknown one is a warning', 'FROM python:3.12\nRUN pip install flask numpy\n', true, true],
  ['a requirements file is a warning', 'FROM python:3.12\nCOPY requirements.txt .\nRUN pip install flask -r requirements.txt\n', true, true],
  ['an extra is a warning', 'FROM python:3.12\nRUN pip install "flask[async]"\n', true, true],
  ['two small installs, one large: a warning', 'FROM python:3.12\nRUN pip install flask && pip install torch\n', true, true],
  ['quiet on --no-cache-dir', 'FROM python:3.12\nRUN pip install --no-cache-dir flask\n', false],
  ['quiet with PIP_NO_CACHE_DIR in ENV', 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n', false],
  ['quiet with PIP_NO_CACHE_DIR before the command', 'FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n', false],
  ['quiet with a cache mount', 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n', false],
  ['quiet with pip cache purge after', 'FROM python:3.12\nRUN pip install flask && pip cache purge\n', false],
  ['quiet on pip list', 'FROM python:3.12\nRUN pip list\n', false],
  ['quiet with hadolint DL3042 ignore', 'FROM python:3.12\n# hadolint ignore=DL3042\nRUN pip install flask\n', false],
]);

table('npm-hygiene', [
  // --omit=dev alone, with no package.json to read: whether it has dev dependencies is not known, so information.
  ['advises --omit=dev for a package.json not readable here, as information', 'FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install && npm cache clean --force\nCOPY . .\nCMD ["node", "server.js"]\n', true, true, 'info'],
  ['fires on npm install after a lockfile COPY', 'FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm install && npm cache clean --force\n', true, true],
  ['fires on npm ci without cache clean', 'FROM node:20\nCOPY package-lock.json ./\nRUN npm ci\n', true, true],
  ['fires on a lockfile copied in a base stage', 'FROM node:20 AS deps\nCOPY package-lock.json ./\nFROM deps\nRUN npm i && npm cache clean --force\n', true, true],
  ['quiet on npm ci with cache clean', 'FROM node:20\nCOPY package-lock.json ./\nRUN npm ci && npm cache clean --force\n', false],
  ['quiet on npm install after COPY . . with cache clean (no lockfile shown)', 'FROM node:20\nCOPY . .\nRUN npm install && npm cache clean --force\n', false],
  ['quiet on npm install after package*.json with cache clean', 'FROM node:20\nCOPY package*.json ./\nRUN npm install && npm cache clean --force\n', false],
  ['quiet on installing a named package with cache clean', 'FROM node:20\nCOPY package-lock.json ./\nRUN npm install left-pad && npm cache clean --force\n', false],
  ['quiet with a cache mount on ~/.npm', 'FROM node:20\nCOPY package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n', false],
  ['quiet with our own ignore', 'FROM node:20\n# dockerfile-lean ignore=npm-hygiene\nRUN npm install\n', false],
  // Nothing in the image to install from: a bare install fetches nothing.
  ['quiet on a bare npm install with no project in the image', 'FROM node:20\nWORKDIR /app\nRUN npm install\nCMD ["node"]\n', false],
  ['fires on a bare npm install after a clone in the same RUN', 'FROM node:20\nWORKDIR /app\nRUN git clone https://example.org/app.git . && npm install\n', true, true],
  ['fires on a named install with no project in the image', 'FROM node:20\nRUN npm install -g nodemon\n', true, true],
]);

table('multi-stage', [
  ['fires on a golang final stage', 'FROM golang:1.22\nRUN go build -o /s .\nCMD ["/s"]\n', true, true],
  ['fires on a golang final stage built on a stage alias', 'FROM golang:1.22 AS base\nFROM base\nRUN go build -o /s .\nCMD ["/s"]\n', true, true],
  ['quiet on rust without a CMD (a toolchain image: rust opens a shell)', 'FROM rust:1.80\nRUN cargo build --release\n', false],
  ['fires but declines on rust whose CMD does not name the binary', 'FROM rust:1.80\nRUN cargo build --release\nCMD ["./run.sh"]\n', true, false],
  ['fires on rust with the binary named by path', 'FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD ["/app/target/release/x"]\n', true, true],
  ['quiet without a CMD on golang (an image to build on)', 'FROM golang:1.22\nRUN go build -o /s .\n', false],
  ['quiet when the CMD is a shell', 'FROM golang:1.22\nRUN go build -o /s .\nCMD ["/bin/bash"]\n', false],
  ['fires without a CMD on a base that may serve the app', 'FROM rocker/rstudio:4.4.1\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make && rm -rf /var/lib/apt/lists/*\n', true, false],
  ['fires but declines on a RUN after the build', 'FROM golang:1.22\nRUN go build -o /s .\nRUN /s --selftest\nCMD ["/s"]\n', true, false],
  ['fires but declines on a shell CMD with operators', 'FROM golang:1.22\nRUN go build -o /s .\nCMD /s || sleep 1\n', true, false],
  ['fires but declines on go install', 'FROM golang:1.22\nRUN go install ./cmd/s\nCMD ["s"]\n', true, false],
  ['quiet on a slim final stage', 'FROM golang:1.22 AS b\nRUN go build -o /s .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=b /s /s\n', false],
  ['quiet on a node runtime image', 'FROM node:20-slim\nCMD ["node", "x.js"]\n', false],
  ['quiet on an unresolved FROM', 'FROM ${IMAGE}\n', false],
  ['fires on node with a build step', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["node", "dist/x.js"]\n', true, true],
  ['fires on a slim node with a build step', 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD ["node", "dist/x.js"]\n', true, true],
  ['quiet on node with dev dependencies and no build (npm-hygiene advises --omit=dev)', 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "x.js"]\n', false],
  ['quiet on node with no install and no build', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "x.js"]\n', false],
  ['quiet on slim node with production dependencies only', 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "x.js"]\n', false],
  ['fires on full python', 'FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', true, true],
  ['quiet on python slim', 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n', false],
  ['fires but declines on python slim with gcc installed', 'FROM python:3.11-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nCMD ["python", "app.py"]\n', true, false],
  ['quiet on python slim with gcc whose CMD is the REPL', 'FROM python:3.11-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nCMD ["python"]\n', false],
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
    assert.equal(analyze('FROM alpine\nRUN touch /srv/big\nRUN rm /srv/big\n', s).findings.find((f) => f.rule === 'merge-run')?.severity, 'error');
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
  it('keeps the size advice of every hygiene rule and merge-run out of builder stages', () => {
    const tail = 'FROM alpine\nCOPY --from=b /x /x\nUSER 1000\n';
    const cases: [string, string][] = [
      ['apk-hygiene', 'apk add gcc'],
      ['dnf-hygiene', 'dnf install -y gcc'],
      ['pip-hygiene', 'pip install x'],
      ['npm-hygiene', 'npm install'],
      ['apt-hygiene', 'apt-get update && apt-get install -y gcc gcc'],
      ['apt-hygiene', 'apt update && apt install -y gcc'],
      ['merge-run', 'echo a\nRUN echo b'],
    ];
    for (const [rule, run] of cases) {
      assert.deepEqual(analyze(`FROM x AS b\nRUN ${run}\n${tail}`, DEFAULT_SETTINGS, [rule]).findings.map((f) => f.message), [], `${rule}: ${run}`);
      // The same RUN in a stage that ships is reported.
      assert.ok(analyze(`FROM x\nRUN ${run}\nUSER 1000\n`, DEFAULT_SETTINGS, [rule]).findings.length > 0, `${rule} fires where the stage ships: ${run}`);
    }
  });
  it('still reports what breaks a builder stage: a missing -y, a lone apt-get update (stale lists, no size claim)', () => {
    const tail = 'FROM debian\nCOPY --from=b /x /x\nUSER 1000\n';
    const apt = analyze(`FROM debian AS b\nRUN apt-get update\nRUN apt-get install gcc\n${tail}`, DEFAULT_SETTINGS, ['apt-hygiene']).findings;
    assert.deepEqual(apt.map((f) => f.range.start.line), [1, 2]);
    assert.match(apt[0].message, /^apt-get update runs in a RUN of its own: run it in the same RUN as the install\.\n.*stale lists\.$/);
    // Only the -y: the recommends and the lists weigh nothing in a builder stage.
    assert.equal(apt[1].message, 'apt-get install without -y: add -y.\nWithout -y the build cannot answer the prompt.');
    const dnf = analyze(`FROM fedora AS b\nRUN dnf install gcc\n${tail}`, DEFAULT_SETTINGS, ['dnf-hygiene']).findings;
    assert.equal(dnf[0]?.message, 'dnf install: add -y.\nWithout -y the build cannot answer the prompt.');
  });
  it('counts a stage as shipped when nothing uses it (a --target leaf) or a shipped stage is built FROM it', () => {
    const run = 'RUN apt-get update && apt-get install -y --no-install-recommends curl\n';
    // base → app (leaf, shipped): base ships too. tools is a leaf target in the middle. b is only copied from.
    const text = `FROM debian AS base\n${run}FROM base AS tools\n${run}FROM debian AS b\n${run}FROM base AS app\nCOPY --from=b /x /x\n`;
    assert.deepEqual(analyze(text, DEFAULT_SETTINGS, ['apt-hygiene']).findings.map((f) => f.range.start.line), [1, 3]);
    // A stage that only a builder is built on is a builder as well.
    const chain = `FROM debian AS deps\n${run}FROM deps AS build\n${run}FROM debian\nCOPY --from=build /x /x\n`;
    assert.deepEqual(analyze(chain, DEFAULT_SETTINGS, ['apt-hygiene']).findings, []);
  });
});

describe('apt-hygiene: recommends alone', () => {
  it('is info: whether recommends weigh anything depends on the packages', () => {
    const [f] = analyze('FROM debian\nRUN apt-get update && apt-get install -y tzdata && rm -rf /var/lib/apt/lists/*\nUSER 1000\n', DEFAULT_SETTINGS, ['apt-hygiene']).findings;
    assert.equal(f.severity, 'info');
    assert.ok(f.fixable);
  });
});

describe('stages named through a variable', () => {
  it('FROM base-${TARGETARCH}: the stages that fit are builders when only a builder is built on them, shipped when a shipped stage is', () => {
    const run = 'RUN dnf install -y gcc\n';
    const builder = `FROM almalinux:8 AS base-amd64\n${run}FROM almalinux:8 AS base-arm64\n${run}FROM base-\${TARGETARCH} AS build\nRUN make\nFROM ubuntu:24.04\nCOPY --from=build /out /out\nUSER 1000\n`;
    assert.deepEqual(analyze(builder, DEFAULT_SETTINGS, ['dnf-hygiene']).findings, [], 'the base-* stages only feed a builder');
    const shipped = `FROM almalinux:8 AS base-amd64\n${run}FROM almalinux:8 AS base-arm64\n${run}FROM base-\${TARGETARCH}\nUSER 1000\n`;
    assert.deepEqual(analyze(shipped, DEFAULT_SETTINGS, ['dnf-hygiene']).findings.map((f) => f.range.start.line), [1, 3], 'the final stage is built on them');
  });
});

describe('merge-run: only the layer count', () => {
  const severities = (body: string) => analyze(`FROM debian\n${body}\nUSER 1000\n`, DEFAULT_SETTINGS, ['merge-run']).findings.map((f) => f.severity);
  it('is a warning when a later RUN removes or rewrites what an earlier one wrote', () => {
    const pairs: [string, string][] = [
      ['apt-get update && apt-get install -y gcc', 'apt-get purge -y --auto-remove gcc'],
      ['apt-get update && apt-get install -y curl', 'rm -rf /var/lib/apt/lists/*'],
      ['apt-get update && apt-get install -y curl', 'apt-get clean'],
      ['apk add --virtual .build-deps gcc', 'apk del .build-deps'],
      ['apk add curl', 'rm -rf /var/cache/apk/*'],
      ['pip install -r requirements.txt', 'pip cache purge'],
      ['npm ci', 'npm prune --omit=dev'],
      ['curl -fsSL -o /tmp/tool.tgz https://example.org/tool.tgz', 'tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz'],
      ['git clone https://example.org/src.git /usr/src/app', 'chown -R app /usr/src/app'],
      ['make -C /build', 'find /build -name "*.o" -delete'],
      ['dpkg -i /tmp/x.deb && apt-get install -y -f', 'dpkg --purge x'],
      ['apk add --virtual .build-deps gcc musl-dev', 'make && apk del .build-deps'],
      ['curl -fsSLo /opt/tool.tar.gz https://example.org/t.tgz', 'chmod 0755 /opt/tool.tar.gz && rm /opt/tool.tar.gz'],
    ];
    for (const [first, later] of pairs) assert.deepEqual(severities(`RUN ${first}\nRUN ${later}`), ['warning'], `${first} / ${later}`);
    const [f] = analyze('FROM debian\nRUN apt-get install -y gcc\nRUN apt-get purge -y gcc\nUSER 1000\n', DEFAULT_SETTINGS, ['merge-run']).findings;
    assert.match(f.message, /no longer stay in an earlier layer/);
  });
  it('says rewrites, not removes, when the later RUN only changes the files in place', () => {
    const [f] = analyze('FROM debian\nRUN git clone https://example.org/src.git /srv/app\nRUN chown -R app /srv/app\nUSER 1000\n', DEFAULT_SETTINGS, ['merge-run']).findings;
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /^Merge these 2 RUN instructions: a later one rewrites files an earlier one wrote/);
    assert.doesNotMatch(f.message, /removes/);
    const [g] = analyze('FROM debian\nRUN curl -fsSLo /opt/t.tgz https://example.org/t.tgz\nRUN chmod 0644 /opt/t.tgz\nRUN tar -xzf /opt/t.tgz -C /opt && rm /opt/t.tgz\nUSER 1000\n', DEFAULT_SETTINGS, ['merge-run']).findings;
    assert.match(g.message, /a later one removes files/);
  });
  it('is a hint, still fixable, when the merge would only cut the layer count', () => {
    const pairs: [string, string][] = [
      ['apk add --no-cache curl', 'curl --version'],
      // Each RUN cleans its own lists: merged, the image is the same size.
      ['apt-get update && apt-get install -y a && rm -rf /var/lib/apt/lists/*', 'apt-get update && apt-get install -y b && rm -rf /var/lib/apt/lists/*'],
      // The later RUN removes or changes only what it made itself, or what no earlier RUN names.
      ['ln -s /opt/a /usr/local/bin/a', 'apt-get update && apt-get install -y b && rm -rf /var/lib/apt/lists/*'],
      ['apk add --no-cache x', 'mkdir -p /srv/www && chown -R www /srv/www'],
      ['mkdir /x', 'export GNUPGHOME="$(mktemp -d)" && gpg --batch --import key.asc && rm -rf "$GNUPGHOME"'],
      ['apk add --no-cache curl', 'apk add --no-cache git && rm -rf /tmp/*'],
      ['rm -rf /x', 'make'],
      // A later removal by name of packages the earlier RUN did not install, or removed itself.
      ['apk add --no-cache gfortran', 'apk add --no-cache --virtual .b gcc && make && apk del .b'],
      ['apt-get update && apt-get install -y wget && apt-get purge -y wget && rm -rf /var/lib/apt/lists/*', 'apt-get update && apt-get install -y b && apt-get autoremove -y wget && rm -rf /var/lib/apt/lists/*'],
      // autoremove alone removes nothing an install just added.
      ['apt-get update && apt-get install -y a && rm -rf /var/lib/apt/lists/*', 'apt autoremove -y'],
      // The cache was on a mount: no layer holds it.
      ['--mount=type=cache,target=/var/cache/tdnf tdnf install -y ca-certificates', '--mount=type=cache,target=/var/cache/tdnf tdnf clean all'],
      // Metadata only, or an in-place edit of a file an earlier instruction brought.
      ['chmod +x /usr/local/share/setup-tools.sh', '/usr/local/share/setup-tools.sh && rm /usr/local/share/setup-tools.sh'],
      ['mkdir -p /var/www/site && chown -R www-data /var/www/site', 'chown www-data /var/www/site'],
      ['sed -i "s/x/y/" /etc/php/8.2/cli/php.ini', 'rm /etc/php/8.2/cli/php.ini && a2enmod rewrite'],
    ];
    for (const [first, later] of pairs) assert.deepEqual(severities(`RUN ${first}\nRUN ${later}`), ['hint'], `${first} / ${later}`);
    const [f] = analyze('FROM alpine\nRUN apk add --no-cache curl\nRUN curl --version\nUSER 1000\n', DEFAULT_SETTINGS, ['merge-run']).findings;
    assert.match(f.message, /only cut the number of layers/);
    assert.ok(f.fixable, 'still offered: merging is safe');
  });
});

describe('size estimates in messages', () => {
  it('read as one parenthesis: the messages put each estimate inside one, so none holds its own', async () => {
    const { SAVINGS } = await import('../../server/src/knowledge/savings');
    for (const [name, s] of Object.entries(SAVINGS)) assert.ok(!/[()]/.test(s.text), `${name}: ${s.text}`);
    const text = 'FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\nRUN pip install flask\nUSER node\n';
    for (const f of analyze(text).findings) assert.ok(!/\([^)]*\(/.test(f.message), `nested parentheses in ${f.rule}: ${f.message}`);
  });
});

describe('non-root-user: Django upload and static folders', () => {
  const text = 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install --no-cache-dir django gunicorn\nCMD ["gunicorn", "site.wsgi"]\n';
  const manage = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings.prod')\n";
  const fixed = (settings: string) =>
    fixAll(text, DEFAULT_SETTINGS, ['non-root-user'], { files: { read: (p: string) => ({ 'manage.py': manage, 'site/settings/prod.py': settings } as Record<string, string>)[p] ?? null } }).text;
  it('BASE_DIR from os.path.dirname, one folder up per call, in a settings package', () => {
    const out = fixed("import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\nMEDIA_ROOT = os.path.join(BASE_DIR, 'uploads')\n");
    assert.match(out, /mkdir -p \/srv\/uploads && \\\n\s+chown -R app:app \/srv\/uploads/);
  });
  it('BASE_DIR from Path(__file__), two folders up: under the settings package', () => {
    const out = fixed('from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nSTATIC_ROOT = BASE_DIR / "collected"\n');
    assert.match(out, /mkdir -p \/srv\/site\/collected/);
  });
  it('a BASE_DIR written any other way: no folder is guessed', () => {
    const out = fixed("BASE_DIR = env('BASE_DIR')\nMEDIA_ROOT = BASE_DIR / 'media'\n");
    assert.match(out, /USER app/);
    assert.doesNotMatch(out, /mkdir -p/);
  });
});

describe('non-root-user: a start command that cannot run as written', () => {
  const check = (text: string, files: Record<string, string> = {}) => analyze(text, DEFAULT_SETTINGS, ['non-root-user'], { files: { read: (p: string) => files[p] ?? null } }).findings;
  const node = (cmd: string, build = 'RUN npm ci && npm run build\n') => `FROM node:20\nWORKDIR /app\nCOPY . .\n${build}EXPOSE 3000\nCMD ${cmd}\n`;
  const vite = JSON.stringify({ scripts: { dev: 'vite', build: 'vite build' } });
  it('an exec-form program name with blanks in it: quiet', () => {
    assert.deepEqual(check('FROM debian:bookworm-slim\nCOPY tool /usr/local/bin/\nCMD ["tool serve --port 8080"]\n'), []);
    assert.equal(check('FROM debian:bookworm-slim\nCOPY tool /usr/local/bin/\nCMD ["tool", "serve"]\n').length, 1);
  });
  it('npm start with no start script, no server.js and a bundler build: quiet', () => {
    assert.deepEqual(check(node('["npm", "start"]'), { 'package.json': vite }), []);
    assert.deepEqual(check(node('["npm", "run", "serve"]'), { 'package.json': vite }), []);
  });
  it('npm falls back to server.js, or a build that may write it: still reported', () => {
    assert.equal(check(node('["npm", "start"]'), { 'package.json': vite, 'server.js': 'require("http")' }).length, 1);
    const tsc = JSON.stringify({ scripts: { build: 'tsc' } });
    assert.equal(check(node('["npm", "start"]'), { 'package.json': tsc }).length, 1);
    assert.equal(check(node('["npm", "start"]', ''), { 'package.json': JSON.stringify({ scripts: { start: 'node index.js' } }) }).length, 1);
  });
  it('a package.json not in view: still reported', () => assert.equal(check(node('["npm", "start"]')).length, 1));
});

describe('apt-hygiene: lists a later RUN still needs', () => {
  it('the first sentence says what the fix does; the move left to the user follows', () => {
    const text = 'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y git\nRUN apt-get install -y libssl-dev\nCMD ["x"]\n';
    const [f] = analyze(text, DEFAULT_SETTINGS, ['apt-hygiene']).findings;
    assert.match(f.message.split('\n')[0], /^apt-get install: add --no-install-recommends and keep ca-certificates/);
    assert.match(f.message, /the install on line 3 still needs them: move that install into this RUN, then remove the lists/);
    const fixed = fixAll(text, DEFAULT_SETTINGS, ['apt-hygiene']).text;
    assert.match(fixed, /install -y --no-install-recommends ca-certificates git\n/);
    assert.doesNotMatch(fixed.split('\n')[1], /rm -rf/);
  });
});

describe('apt-hygiene: a lone apt-get update that nothing installs from', () => {
  const first = (text: string) => analyze(text, DEFAULT_SETTINGS, ['apt-hygiene']).findings[0];
  it('says to remove the RUN, and offers no fix', () => {
    const f = first('FROM httpd:2.4\nRUN apt-get update\nCOPY site/ /usr/local/apache2/htdocs/\n');
    assert.match(f.message, /^apt-get update runs in a RUN of its own and nothing after it installs: remove the RUN\./);
    assert.equal(f.fixable, false);
  });
  it('a later install, in a stage built on it too, or a script that may install: the usual advice', () => {
    for (const later of ['RUN echo x\nRUN apt-get install -y curl', 'FROM base\nRUN apt-get install -y curl', 'COPY setup.sh /tmp/\nRUN /tmp/setup.sh', 'RUN curl -fsSL https://example.org/i | sh', 'RUN bash install.sh']) {
      const text = `FROM debian:bookworm AS base\nRUN apt-get update\n${later}\n`;
      assert.match(first(text).message, /^apt-get update runs in a RUN of its own: run it in the same RUN as the install\./, later);
    }
  });
});

describe('non-root-user: programs that send ICMP', () => {
  const check = (start: string) => analyze(`FROM alpine:3.20\nCOPY tool /usr/local/bin/\n${start}\n`, DEFAULT_SETTINGS, ['non-root-user']).findings[0];
  it('ping, traceroute or mtr as the start command: declined with the reason', () => {
    for (const start of ['CMD ["ping", "192.0.2.1"]', 'CMD traceroute example.org', 'ENTRYPOINT ["/bin/sh", "-c", "mtr -r example.org"]']) {
      const f = check(start);
      assert.equal(f.fixable, false, start);
      assert.match(f.reason ?? '', /raw or ICMP socket/, start);
    }
  });
  it('an option or a program merely named ping is no ICMP tool', () => {
    for (const start of ['HEALTHCHECK CMD ["/usr/local/bin/tool", "--ping"]\nCMD ["/usr/local/bin/tool"]', 'CMD ["/usr/local/bin/pinger"]']) assert.equal(check(start).fixable, true, start);
  });
});

describe('npm-hygiene: the size it names', () => {
  it('the cache is given with measured figures, not a guess from the tarballs', () => {
    const [f] = analyze('FROM node:20-slim\nRUN npm install -g nodemon\nCMD ["nodemon", "app.js"]\n', DEFAULT_SETTINGS, ['npm-hygiene']).findings;
    assert.match(f.message, /registry document npm fetched: about 3 MB for nodemon alone/);
  });
});

describe('non-root-user: an app copied into /', () => {
  const check = (text: string) => analyze(text, DEFAULT_SETTINGS, ['non-root-user']).findings[0];
  it('the whole context copied into / with no WORKDIR: declined, saying to give it a folder', () => {
    for (const copy of ['COPY . .', 'COPY . /', 'WORKDIR /\nCOPY ./ ./']) {
      const f = check(`FROM node:20\n${copy}\nCMD ["node", "bot.js"]\n`);
      assert.equal(f.fixable, false, copy);
      assert.match(f.reason ?? '', /copies the build context into \/ .*WORKDIR \/app before the COPY/, copy);
    }
  });
  it('a WORKDIR of its own, a single file into /, or an image whose WORKDIR is not known: the fix stands', () => {
    assert.equal(check('FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "bot.js"]\n').fixable, true);
    assert.equal(check('FROM node:20\nCOPY bot.js /\nCMD ["node", "/bot.js"]\n').fixable, true);
  });
});

describe('apt-hygiene: recommends a later step runs', () => {
  const fixed = (text: string) => fixAll(text, { ...DEFAULT_SETTINGS, rules: { ...DEFAULT_SETTINGS.rules, 'apt-hygiene': 'warning' } }, ['apt-hygiene']).text;
  it('gnupg stays with build-essential only where a later RUN runs gpg or apt-key', () => {
    const base = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*\n';
    assert.match(fixed(`${base}RUN gpg --batch --verify a.sig a\n`), /--no-install-recommends gnupg build-essential/);
    assert.match(fixed(`${base}RUN make\n`), /--no-install-recommends build-essential/);
    assert.match(fixed(base.replace('build-essential', 'build-essential gnupg2') + 'RUN gpg --version\n'), /--no-install-recommends build-essential gnupg2/);
  });
});

describe('apt-hygiene: the lists are one finding per RUN', () => {
  it('two installs after one update: the cleanup is reported once, at the last install', () => {
    const found = analyze('FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends a && apt-get install -y --no-install-recommends b\n', DEFAULT_SETTINGS, ['apt-hygiene']).findings;
    assert.deepEqual(found.map((f) => f.range.start.character), [70]);
  });
  it('an upgrade without -y asks, and its lists stay: both reported', () => {
    const [f] = analyze('FROM debian:bookworm-slim\nRUN apt-get update && apt-get upgrade\n', DEFAULT_SETTINGS, ['apt-hygiene']).findings;
    assert.match(f.message, /^apt-get upgrade without -y: add -y|^apt-get upgrade: add -y and remove the apt lists/);
  });
});

describe('non-root-user: a WORKDIR that only a mount fills, on an image with no shell', () => {
  const check = (text: string) => analyze(text, DEFAULT_SETTINGS, ['non-root-user']).findings[0];
  it('scratch with one binary copied into / and an empty WORKDIR: declined (the host mounts its files there)', () => {
    const f = check('FROM scratch\nCOPY site-gen /\nWORKDIR /site\nENTRYPOINT ["/site-gen"]\n');
    assert.equal(f.fixable, false);
    assert.match(f.reason ?? '', /where files are mounted at run time/);
  });
  it('a WORKDIR the file fills, or the whole context copied above it: the fix stands', () => {
    assert.equal(check('FROM scratch\nCOPY site-gen /\nWORKDIR /site\nCOPY templates/ ./\nENTRYPOINT ["/site-gen"]\n').fixable, true);
    assert.equal(check('FROM scratch\nCOPY . /\nWORKDIR /site\nENTRYPOINT ["/site-gen"]\n').fixable, true);
  });
});

describe('apt-hygiene: lists several later RUNs install from', () => {
  it('names them all and does not tell the user to move one install', () => {
    const text = 'FROM ubuntu:24.04\nRUN apt-get update && apt-get upgrade -y\nRUN apt-get install -y --no-install-recommends curl\nRUN echo step\nRUN apt-get install -y --no-install-recommends make\nCMD ["x"]\n';
    const [f] = analyze(text, DEFAULT_SETTINGS, ['apt-hygiene']).findings;
    assert.match(f.message, /the installs on lines 3 and 5 still need them/);
    assert.doesNotMatch(f.message, /move the install on line 3/);
    assert.match(f.reason ?? '', /2 later RUNs still install from the lists/);
  });
});

describe('apt-hygiene: packages the golang image already has', () => {
  it('git on golang:1.24 needs no recommends advice; on golang:1.24-alpine or debian it does', () => {
    const msg = (from: string) => analyze(`FROM ${from}\nRUN apt-get update && apt-get install -y git\nCMD ["x"]\n`, DEFAULT_SETTINGS, ['apt-hygiene']).findings[0]?.message ?? '';
    assert.match(msg('golang:1.24'), /^apt-get install: remove the apt lists in the same RUN\./);
    assert.match(msg('debian:bookworm'), /--no-install-recommends/);
  });
});

describe('non-root-user: nest start compiles before it starts', () => {
  it('is declined like cargo run', () => {
    const [f] = analyze('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npx nest build\nCMD ["npx", "nest", "start"]\n', DEFAULT_SETTINGS, ['non-root-user']).findings;
    assert.equal(f.fixable, false);
    assert.match(f.reason ?? '', /nest start/);
  });
});

describe('non-root-user: state kept under root\'s home', () => {
  const text = 'FROM debian:bookworm-slim\nCOPY node-d /usr/local/bin/\nENTRYPOINT ["/usr/local/bin/node-d"]\n';
  const check = (files: Record<string, string>) => analyze(text, DEFAULT_SETTINGS, ['non-root-user'], { files: { read: (p: string) => files[p] ?? null } }).findings[0];
  it('a documented volume at /root (or a folder in it), or a compose volume there: declined', () => {
    for (const run of ['docker run -v /srv/chain:/root node-d', 'docker run --volume=data:/root/.node-d:rw node-d', 'docker run --mount type=volume,source=d,target=/root/.node-d node-d']) {
      const f = check({ 'README.md': `Run:\n\n    ${run}\n` });
      assert.equal(f.fixable, false, run);
      assert.match(f.reason ?? '', /keeps its state under root's home/, run);
    }
    const c = check({ 'compose.yaml': 'services:\n  node:\n    build: .\n    volumes:\n      - chain:/root/.node-d\n' });
    assert.match(c.reason ?? '', /compose\.yaml mounts chain at \/root\/\.node-d/);
  });
  it('volumes elsewhere, or /root only in prose: the fix stands', () => {
    assert.equal(check({ 'README.md': 'docker run -v data:/data node-d\nThe old layout kept files in /root.\n' }).fixable, true);
  });
});

describe('non-root-user: which compose mounts concern the program', () => {
  const check = (text: string, compose: string) => analyze(text, DEFAULT_SETTINGS, ['non-root-user'], { files: { read: (p: string) => (p === 'compose.yaml' ? compose : null) } }).findings[0];
  const app = 'FROM node:20-slim\nWORKDIR "/srv/app"\nCOPY . .\nENV DB_PATH=/var/lib/app/db.sqlite\nCMD ["node", "server.js"]\n';
  it('a host folder over the WORKDIR (quoted or not), or over a path its ENV names: declined', () => {
    for (const target of ['/srv/app/uploads', '/var/lib/app']) {
      const f = check(app, `services:\n  web:\n    build: .\n    volumes:\n      - ./data:${target}\n`);
      assert.equal(f.fixable, false, target);
      assert.match(f.reason ?? '', /mounts the host folder/, target);
    }
  });
  it('a host folder at a path the image never uses: the fix stands', () => {
    assert.equal(check(app, 'services:\n  web:\n    build: .\n    volumes:\n      - ./other:/opt/elsewhere\n').fixable, true);
  });
});

describe('non-root-user: a scratch image of build artifacts', () => {
  it('quiet when it carries a package and names it as its start; a program on scratch still gets the fix', () => {
    const text = (file: string) => `FROM alpine AS b\nRUN touch /x\nFROM scratch\nCOPY --from=b /x /${file}\nENTRYPOINT ["/${file}"]\n`;
    assert.deepEqual(analyze(text('app.apk'), DEFAULT_SETTINGS, ['non-root-user']).findings, []);
    assert.equal(analyze(text('server'), DEFAULT_SETTINGS, ['non-root-user']).findings.length, 1);
  });
});
