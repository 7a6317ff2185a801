/**
 * The robustness properties and the generators behind them, shared by `fuzz.test.ts` (fixed seed, bounded
 * runs, part of `npm test`) and `scripts/fuzz.mjs` (`npm run fuzz`: random seed, a time budget).
 *
 * Inputs: random Dockerfiles drawn from a grammar of every instruction (flags, forms, heredocs,
 * continuations with either escape character, directives, ignore comments, CRLF, BOM, tabs, Unicode), and
 * random byte mutations (insert, delete, replace, duplicate a slice) of the fixture files.
 *
 * Properties of every input (`checkDocument`):
 * - analyze never throws and no rule fails (a failing rule is caught by analyze and reported to the sink);
 * - every finding's range lies inside the document, start before end;
 * - fixesFor never throws; each fix's edits are exact positions of the document (none clamped, none
 *   inside a CRLF pair or a surrogate pair), do not overlap, and applying them changes nothing outside
 *   them; a fix keeps a BOM and adds no bare LF to a CRLF file;
 * - applying one finding's preferred fix does not make a rule fire that did not fire before (see
 *   `newFindingAllowed` for the multi-stage conversion's principled exceptions);
 * - fixAll's output re-parses, has no more unparseable shell-form RUN bodies than the input, keeps the
 *   comment lines, and a second fixAll changes nothing.
 * `checkLinear` times analyze on a document and on ten copies of it.
 */
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { analyze, fixAll, fixesFor, onRuleError } from '../../server/src/analysis/analyze';
import { buildModel, type Model } from '../../server/src/core/model';
import { DEFAULT_SETTINGS, type AnalysisContext, type Finding, type Fix, type Position, type WorkspaceFiles } from '../../server/src/core/types';

// ---------------------------------------------------------------------------------------------
// The grammar

/** Everything a line of a Dockerfile is built from uses `\n`, the escape character `E` and these helpers. */
interface Style {
  escape: '\\' | '`';
}

const unicode = fc.constantFrom('😀', '𝕏𝔸', 'مرحبا بالعالم', '\u200Fx\u200E', 'e\u0301\u0327', '日本語', 'ß\u00A0ẞ', '\u202Eevil\u202C', '\uFFFD', 'a\u200Db', '\u{10FFFF}');
const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('app', 'x', 'data', 'build', 'src', 'my-pkg', 'v1.2.3', 'a_b', '42', '/', '.', '..') },
  { weight: 1, arbitrary: unicode },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((s) => s.replace(/[\r\n]/g, '')) },
);
const ws = fc.constantFrom(' ', ' ', ' ', '  ', '\t', ' \t');
const stageName = fc.constantFrom('build', 'builder', 'base', 'deps', 'runtime', 'final', 'Build', 'test');

const digest = '@sha256:' + 'ab12'.repeat(16);
const image = fc.oneof(
  fc.constantFrom(
    'debian:bookworm-slim', 'debian:bookworm', 'ubuntu:22.04', 'ubuntu:24.04', 'alpine:3.19', 'alpine', 'golang:1.22', 'golang:1.22-alpine',
    'node:20', 'node:20-alpine', 'node:20-slim', 'python:3.11', 'python:3.12-slim', 'gcc:13', 'rust:1.77', 'rust:1.77-alpine', 'scratch',
    'gcr.io/distroless/static-debian12', 'gcr.io/distroless/base-debian12:nonroot', 'registry.example.com:5000/team/app:1.0', 'fedora:40',
    'redhat/ubi9', 'registry.access.redhat.com/ubi9/ubi-minimal', 'centos:7', 'mcr.microsoft.com/dotnet/sdk:8.0', 'eclipse-temurin:21',
    'maven:3-eclipse-temurin-21', 'busybox', 'ruby:3.3', 'php:8.3-apache', 'rocker/r-ver:4', 'nginx', 'FROM',
  ),
  fc.constantFrom('${BASE}', '$BASE', '${BASE:-debian}:${TAG}', 'golang:${GO_VERSION}', 'node:$NODE', '${REGISTRY}/app'),
  fc.constantFrom('debian', 'golang:1.22', 'alpine:3.19', 'node:20').map((i) => i + digest),
  stageName,
);

const fromLine = fc
  .record({
    platform: fc.option(fc.constantFrom('--platform=linux/amd64', '--platform=$BUILDPLATFORM', '--platform=${TARGETPLATFORM}', '--platform='), { nil: undefined }),
    image,
    as: fc.option(fc.tuple(fc.constantFrom('AS', 'as', 'As'), stageName), { nil: undefined }),
    sep: ws,
    kw: fc.constantFrom('FROM', 'FROM', 'FROM', 'from'),
  })
  .map(({ platform, image, as, sep, kw }) => [kw, platform, image, as ? as.join(' ') : undefined].filter((x) => x !== undefined).join(sep));

const packages = fc.array(fc.constantFrom('curl', 'ca-certificates', 'git', 'build-essential', 'gcc', 'make', 'python3', 'curl', 'libpq-dev', 'nodejs', '"pkg=1.0"', '${PKGS}', 'vim'), { minLength: 0, maxLength: 4 }).map((p) => p.join(' '));

const command: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('apt-get install', 'apt-get install -y', 'apt-get -y install', 'apt-get install -y --no-install-recommends', 'apt install', 'apt-get -qq install --yes', 'DEBIAN_FRONTEND=noninteractive apt-get install -y'), packages).map(([c, p]) => `${c} ${p}`) },
  { weight: 2, arbitrary: fc.constantFrom('apt-get update', 'apt update', 'apt-get clean', 'rm -rf /var/lib/apt/lists/*', 'apt-get upgrade -y', 'apt-get dist-upgrade', 'apt-get purge -y gcc && apt-get autoremove -y') },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('apk add', 'apk add --no-cache', 'apk --update add', 'apk add --virtual .deps', 'apk update', 'apk del .deps', 'rm -rf /var/cache/apk/*'), packages).map(([c, p]) => `${c} ${p}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('dnf install', 'dnf install -y', 'yum install -y', 'microdnf install', 'dnf -y --setopt=install_weak_deps=0 --nodocs install', 'dnf clean all', 'yum clean all', 'rm -rf /var/cache/yum'), packages).map(([c, p]) => `${c} ${p}`) },
  { weight: 2, arbitrary: fc.constantFrom('pip install flask', 'pip install --no-cache-dir -r requirements.txt', 'pip3 install --user .', 'python -m pip install -U pip', 'python3 -m venv /opt/venv', 'pip install -e .', 'poetry install') },
  { weight: 2, arbitrary: fc.constantFrom('npm install', 'npm ci', 'npm ci --omit=dev', 'npm run build', 'npm cache clean --force', 'npm install -g typescript', 'yarn install --frozen-lockfile', 'pnpm install', 'npm prune --production') },
  { weight: 2, arbitrary: fc.constantFrom('go build -o /out/app .', 'CGO_ENABLED=0 go build -o /usr/local/bin/server ./cmd/server', 'go mod download', 'cargo build --release', 'make', 'make install', 'gcc -O2 -o /app main.c', 'mvn -q package', './configure && make') },
  { weight: 2, arbitrary: fc.constantFrom('groupadd -r app && useradd -r -g app app', 'adduser -D app', 'useradd -m -u 1000 app', 'chown -R app:app /app', 'addgroup -S app') },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('echo', 'printf', 'cd', 'mkdir -p', 'rm -rf', 'export X=', 'test -f', 'ls', 'cat', 'touch', 'chmod +x', 'ln -s', 'curl -fsSL'), word).map(([c, w]) => `${c} ${w}`) },
  { weight: 1, arbitrary: fc.constantFrom('set -e', 'set -eux', 'set -o pipefail', 'true', 'false', ':', 'exit 0', 'unset X', 'umask 022', 'source /etc/profile', '. ./env.sh') },
  { weight: 1, arbitrary: fc.constantFrom('curl -fsSL https://example.com/install.sh | sh', 'echo "a b" > /etc/x', 'cat <<EOF2 > /x\nline\nEOF2', 'echo $(date) `id -u`', 'X="${Y:-z}" ls', 'sleep 1 &', 'echo "unterminated', "echo 'single", '((i++))', '[[ -f x ]]') },
);

const op = (s: Style): fc.Arbitrary<string> =>
  fc.constantFrom(' && ', ' || ', '; ', ' | ', ';', ` && ${s.escape}\n    `, ` ${s.escape}\n    && `, ` ${s.escape}\n\t`, `${s.escape}\n`, ` && ${s.escape}\n  # a comment inside\n    `, ` && ${s.escape}   \n    `, ' &&\n');

const shellBody = (s: Style): fc.Arbitrary<string> => {
  const item = fc.oneof(
    { weight: 6, arbitrary: command },
    { weight: 1, arbitrary: fc.tuple(command, command).map(([a, b]) => `(${a} && ${b})`) },
    { weight: 1, arbitrary: fc.tuple(command, command).map(([a, b]) => `{ ${a}; ${b}; }`) },
    { weight: 1, arbitrary: command.map((c) => `if [ -f x ]; then ${c}; fi`) },
    { weight: 1, arbitrary: command.map((c) => `for f in a b; do ${c}; done`) },
    { weight: 1, arbitrary: command.map((c) => `$(${c})`) },
  );
  return fc.tuple(item, fc.array(fc.tuple(op(s), item), { maxLength: 5 })).map(([first, rest]) => first + rest.map(([o, x]) => o + x).join(''));
};

const heredoc = (s: Style): fc.Arbitrary<string> =>
  fc
    .record({
      delim: fc.constantFrom('EOF', 'EOT', 'END', 'eof'),
      quote: fc.constantFrom('', '', '"', "'"),
      dash: fc.boolean(),
      prefix: fc.constantFrom('', '', 'bash ', 'cat > /etc/app.conf ', 'python3 '),
      lines: fc.array(shellBody(s), { minLength: 0, maxLength: 3 }),
      terminated: fc.constantFrom(true, true, true, false),
      indent: fc.constantFrom('', '\t', '  '),
    })
    .map(({ delim, quote, dash, prefix, lines, terminated, indent }) => {
      const open = `${prefix}<<${dash ? '-' : ''}${quote}${delim}${quote}`;
      const body = lines.map((l) => indent + l).join('\n');
      return `${open}\n${body}${body ? '\n' : ''}${terminated ? (dash ? indent : '') + delim : ''}`;
    });

const runFlag = fc.constantFrom(
  '--mount=type=cache,target=/var/cache/apt', '--mount=type=cache,target=/root/.cache/pip', '--mount=type=cache,target=/root/.npm,sharing=locked',
  '--mount=type=bind,source=.,target=/src', '--mount=type=secret,id=token', '--mount=type=tmpfs,target=/tmp', '--network=none', '--network=host',
  '--security=insecure', '--mount=', '--bogus',
);

const execForm = fc.oneof(
  fc.constantFrom('["sh", "-c", "apt-get update && apt-get install -y curl"]', '["apt-get","install","curl"]', '["/bin/true"]', '[]', '["node" "x"]', '["unterminated', "['single']", '[ "a", ]', '["\\u00e9", "\\""]'),
  fc.array(word, { maxLength: 3 }).map((ws) => JSON.stringify(ws)),
);

const runLine = (s: Style): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('RUN', 'RUN', 'RUN', 'run', 'ONBUILD RUN'), fc.array(runFlag, { maxLength: 2 }), fc.oneof({ weight: 6, arbitrary: shellBody(s) }, { weight: 1, arbitrary: execForm }, { weight: 2, arbitrary: heredoc(s) }, { weight: 1, arbitrary: fc.constant('') }), ws)
    .map(([kw, flags, body, sep]) => [kw, ...flags, body].join(sep));

const chown = fc.constantFrom('--chown=app:app', '--chown=1000:1000', '--chown=node', '--chown=${UID}', '--chmod=755', '--link', '--link=false', '--from=build', '--from=0', '--from=builder', '--from=nginx:latest', '--from=', '--parents');
const copyLine = (s: Style): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('COPY', 'ADD', 'COPY', 'copy', 'ONBUILD COPY'), fc.array(chown, { maxLength: 3 }), fc.oneof(
      fc.constantFrom('. .', 'package*.json ./', 'package.json package-lock.json ./', 'go.mod go.sum ./', 'requirements.txt .', 'src/ /app/src/', '--', '["a b", "/dest/"]', 'https://example.com/x.tar.gz /tmp/', 'app.tar.gz /opt/', 'Cargo.toml Cargo.lock ./', '/out/app /usr/local/bin/app', 'Makefile *.c ./'),
      fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
      heredoc(s).map((h) => h.replace(/^[^<]*/, '') + ' /etc/x'),
    ))
    .map(([kw, flags, rest]) => [kw, ...flags, rest].join(' '));

const envLine = (s: Style): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('ENV PATH=/opt/venv/bin:$PATH', 'ENV PIP_NO_CACHE_DIR=1', 'ENV NODE_ENV=production', 'ENV DEBIAN_FRONTEND noninteractive', 'ENV A=1 B="x y" C=\'z\'', 'ENV', 'ENV X=', 'ARG', 'ARG VERSION', 'ARG VERSION=1.0', 'ARG BASE=debian:bookworm-slim', 'ARG UID=1000 GID=1000', 'ENV HOME=/home/app USER=app'),
    fc.tuple(word, word).map(([k, v]) => `ENV K_${k.length}=${JSON.stringify(v)}`),
    fc.constant(`ENV A=1 ${s.escape}\n    B=2`),
  );

const otherLine = (s: Style): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('USER root', 'USER 0', 'USER app', 'USER 1000:1000', 'USER ${USER}', 'USER', 'USER nobody', 'USER node', 'USER root:root', 'USER 65532', 'user app'),
    fc.constantFrom('WORKDIR /app', 'WORKDIR app', 'WORKDIR $HOME/src', 'WORKDIR', 'WORKDIR /src'),
    fc.constantFrom('CMD ["node", "index.js"]', 'CMD node index.js', 'CMD ["/out/app"]', 'CMD ["python", "-m", "app"]', 'CMD [', 'CMD ["unterminated', 'CMD []', 'CMD', 'ENTRYPOINT ["/usr/local/bin/server"]', 'ENTRYPOINT exec /app', 'ENTRYPOINT ["a" "b"]', `CMD ${s.escape}\n  ["x"]`),
    fc.constantFrom('HEALTHCHECK CMD curl -f http://localhost/ || exit 1', 'HEALTHCHECK --interval=30s --timeout=3s CMD ["wget", "-q", "localhost"]', 'HEALTHCHECK NONE', 'HEALTHCHECK'),
    fc.constantFrom('SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'SHELL ["/bin/sh", "-ec"]', 'SHELL ["powershell", "-Command"]', 'SHELL ["cmd", "/S", "/C"]', 'SHELL [', 'SHELL /bin/bash'),
    fc.constantFrom('ONBUILD', 'ONBUILD ONBUILD RUN x', 'ONBUILD USER root', 'EXPOSE 8080', 'EXPOSE 80/tcp 443', 'LABEL a=b "c d"="e"', 'VOLUME /data', 'VOLUME ["/a", "/b"]', 'STOPSIGNAL SIGTERM', 'MAINTAINER me', 'FOO bar', 'ONBUILD ADD . /app'),
  );

const commentLine = fc.oneof(
  fc.constantFrom('#', '# a comment', '#no space', '  # indented', '\t# tabbed', '# RUN apt-get install x'),
  fc.constantFrom('merge-run', 'apt-hygiene', 'non-root-user', 'multi-stage', 'apk-hygiene,dnf-hygiene', 'pip-hygiene npm-hygiene', 'nope', '').map((ids) => `# dockerfile-lean ignore=${ids}`),
  fc.constantFrom('DL3059', 'DL3008,DL3015', 'DL3002', 'DL3009 DL3019', 'DL3042', 'DL9999').map((c) => `# hadolint ignore=${c}`),
  fc.constantFrom('# dockerfile-lean global ignore=merge-run', '# hadolint global ignore=DL3059', '# check=skip=JSONArgsRecommended', '# escape=\\'),
  unicode.map((u) => `# ${u}`),
);

const directive = fc.constantFrom('# syntax=docker/dockerfile:1', '# syntax=docker/dockerfile:1.7-labs', '#syntax = docker/dockerfile:1', '# check=skip=all', '# check=error=true', '# directive=unknown', '# SYNTAX=x');

const line = (s: Style): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fromLine },
    { weight: 6, arbitrary: runLine(s) },
    { weight: 2, arbitrary: copyLine(s) },
    { weight: 2, arbitrary: envLine(s) },
    { weight: 3, arbitrary: otherLine(s) },
    { weight: 2, arbitrary: commentLine },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t') },
  );

export interface Generated {
  text: string;
  context: AnalysisContext;
}

/** A random Dockerfile from the grammar: the text as a Dockerfile author (or a careless editor) might write it. */
export const dockerfile: fc.Arbitrary<string> = fc
  .record({
    escape: fc.constantFrom<'\\' | '`'>('\\', '\\', '\\', '`'),
    bom: fc.boolean(),
    directives: fc.array(directive, { maxLength: 2 }),
    args: fc.array(fc.constantFrom('ARG BASE=debian:bookworm-slim', 'ARG TAG', 'ARG GO_VERSION=1.22', 'ARG NODE=20'), { maxLength: 2 }),
    stages: fc.array(fc.tuple(fc.oneof({ weight: 8, arbitrary: fromLine }, { weight: 1, arbitrary: fc.constant('') })), { minLength: 1, maxLength: 3 }),
    seed: fc.integer(),
    eol: fc.constantFrom('\n', '\n', '\r\n', 'mixed'),
    finalNewline: fc.constantFrom(true, true, true, false),
    trailing: fc.constantFrom(false, false, false, true),
  })
  .chain((h) =>
    fc
      .tuple(...h.stages.map(() => fc.array(line({ escape: h.escape }), { minLength: 0, maxLength: 8 })))
      .map((bodies) => {
        const s = { escape: h.escape };
        const out: string[] = [...h.directives];
        if (s.escape === '`') out.splice(h.seed & 1 ? 0 : out.length, 0, '# escape=`');
        out.push(...h.args);
        h.stages.forEach(([from], k) => {
          if (from) out.push(from);
          out.push(...bodies[k]);
        });
        let lines = out.join('\n').split('\n');
        if (h.trailing) lines = lines.map((l, k) => ((h.seed >> k % 30) & 1 ? l + (k % 3 ? ' ' : '\t ') : l));
        let text = '';
        lines.forEach((l, k) => {
          const eol = h.eol === 'mixed' ? ((h.seed >> k % 29) & 1 ? '\r\n' : '\n') : h.eol;
          text += l + (k < lines.length - 1 || h.finalNewline ? eol : '');
        });
        return (h.bom ? '\uFEFF' : '') + text;
      }),
  );

/** Build-context files a recipe may read, from none to malformed. */
const contextFiles: fc.Arbitrary<AnalysisContext> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<AnalysisContext>({}) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(
        fc.constantFrom('go.mod', 'package.json', 'package-lock.json', 'requirements.txt', 'pyproject.toml', 'Cargo.toml', 'Makefile', 'pom.xml', 'yarn.lock', 'pnpm-lock.yaml', 'setup.py'),
        fc.oneof(
          fc.constantFrom(
            'module example.com/app\n\ngo 1.22\n', 'module\n', '{"name":"app","scripts":{"build":"tsc","start":"node dist/index.js"},"main":"dist/index.js","devDependencies":{"typescript":"5"}}',
            '{"name":', '[]', 'null', '{"scripts":null,"bin":{"x":"y"}}', 'flask\ngunicorn\n', '[package]\nname = "app"\n[[bin]]\nname = "srv"\n', '[project]\nname="x"\nscripts={a="b:c"}\n',
            'all:\n\tgcc -o app main.c\n', '<project><artifactId>a</artifactId></project>', '\u0000\uFFFD',
          ),
          fc.string({ maxLength: 40 }),
        ),
        { maxKeys: 4 },
      )
      .map((files): AnalysisContext => ({ files: { read: (p: string) => (Object.prototype.hasOwnProperty.call(files, p) ? files[p] : null) } satisfies WorkspaceFiles })),
  },
);

export const generatedCase: fc.Arbitrary<Generated> = fc.record({ text: dockerfile, context: contextFiles });

/** Whether what follows a document stays out of it (no unterminated heredoc or final continuation takes it in). */
function closed(text: string): boolean {
  const model = buildModel(text + '\nLABEL fuzz=next\n');
  const last = model.instructions[model.instructions.length - 1];
  return !!last && model.doc.text.slice(last.start, last.end) === 'LABEL fuzz=next';
}

/**
 * A longer document for timing: twenty to forty generated files one after another, each closed, so that copies
 * of the whole stay separate documents' worth of instructions.
 */
export const longDockerfile: fc.Arbitrary<string> = fc.array(dockerfile.filter(closed), { minLength: 20, maxLength: 40 }).map((ds) => ds.join('\n'));

// ---------------------------------------------------------------------------------------------
// Mutations of real files

const fragment = fc.oneof(
  fc.constantFrom('\\', '`', '\n', '\r\n', '\r', '<<EOF\n', '<<-EOF', 'EOF\n', '"', "'", '[', ']', '#', '# escape=`\n', '\uFEFF', '--from=', 'FROM ', 'RUN ', ' && ', '$(', '${', '\t', '\u0000', '😀', '\uD800', '\uDC00'),
  fc.string({ maxLength: 8 }),
  unicode,
);

/** Every `*.Dockerfile` under a folder (the fixtures), as [path relative to it, text], in a stable order. */
export function fixtureFiles(base: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.Dockerfile')) out.push([path.relative(base, p), fs.readFileSync(p, 'utf8')]);
    }
  };
  walk(base);
  return out;
}

type Mutation = { kind: 'insert'; at: number; text: string } | { kind: 'delete' | 'duplicate'; at: number; len: number } | { kind: 'replace'; at: number; len: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fragment }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }), text: fragment }),
);

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
    case 'duplicate':
      return text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
    case 'replace':
      return text.slice(0, at) + m.text + text.slice(at + m.len);
  }
}

export interface MutatedCase extends Generated {
  fixture: string;
}

/** A fixture file (name, text) with one to six random mutations applied. */
export function mutatedFixture(fixtures: readonly (readonly [string, string])[]): fc.Arbitrary<MutatedCase> {
  return fc.record({ k: fc.nat({ max: fixtures.length - 1 }), ms: fc.array(mutation, { minLength: 1, maxLength: 6 }), context: contextFiles }).map(({ k, ms, context }) => ({
    fixture: fixtures[k][0],
    text: ms.reduce(mutate, fixtures[k][1]),
    context,
  }));
}

// ---------------------------------------------------------------------------------------------
// The properties

const ruleErrors: string[] = [];
let sinkInstalled = false;

/** Rule failures are caught inside analyze and fixesFor; collect them so a property can fail on them. */
function installSink(): void {
  if (sinkInstalled) return;
  sinkInstalled = true;
  onRuleError((ruleId, err) => ruleErrors.push(`${ruleId}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
}

function noRuleErrors(what: string): void {
  if (ruleErrors.length === 0) return;
  const errs = ruleErrors.splice(0);
  assert.fail(`a rule threw during ${what}:\n${errs.join('\n')}`);
}

/**
 * Whether a finding of a rule that did not fire before a fix may appear after it. Only the multi-stage
 * conversion moves findings, because it writes new stages:
 * - `non-root-user` on the new final stage: the runtime image is a new base for the user rule to judge (a recipe
 *   that cannot give it a user leaves that to the user rule, whose fix knows the image families);
 * - `merge-run` in the builder stage: recipes add their own build steps (`npm prune`, a venv, …) as RUNs of their
 *   own beside the user's RUNs, which they keep byte for byte; the builder's layers never reach the image.
 * And one for `non-root-user`: its RUN normally joins the RUN before it; after one ending in a background job it
 * stands alone, and `merge-run` may merge the two.
 * Every other rule, and every other fix, must not make a rule fire that was quiet.
 */
function newFindingAllowed(fixRule: string, f: Finding, after: Model, before: Model): boolean {
  if (fixRule === 'non-root-user') {
    // Its user-creation RUN joins the RUN before it, except one that ends in a background job (`&`): then it stands
    // alone, and merge-run may merge the two (in a subshell, which keeps the job's meaning).
    // The new RUN may be written one command per line: any line of the group that starts it counts.
    if (f.rule !== 'merge-run') return false;
    for (let line = f.range.start.line; line <= f.range.end.line; line++) {
      const text = after.doc.lineText(line).trim();
      if (text.startsWith('RUN ') && !before.doc.text.includes(text)) return true;
    }
    return false;
  }
  if (fixRule !== 'multi-stage') return false;
  const at = after.doc.offsetAt(f.range.start);
  const stage = after.instructions.find((i) => i.start <= at && at <= i.end)?.stage ?? null;
  if (f.rule === 'non-root-user') return stage?.isFinal ?? true;
  if (f.rule === 'merge-run') return stage !== null && !stage.isFinal;
  return false;
}

function assertInside(model: Model, pos: Position, what: string): void {
  const doc = model.doc;
  assert.ok(Number.isInteger(pos.line) && Number.isInteger(pos.character) && pos.line >= 0 && pos.character >= 0, `${what}: ${JSON.stringify(pos)} is not a position`);
  assert.ok(pos.line < doc.lineCount, `${what}: line ${pos.line} of ${doc.lineCount}`);
  const len = doc.lineEndOffset(pos.line) - doc.lineStarts[pos.line];
  assert.ok(pos.character <= len, `${what}: character ${pos.character} past the end of line ${pos.line} (${len})`);
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

function splitsPair(text: string, o: number): boolean {
  if (o <= 0 || o >= text.length) return false;
  const a = text.charCodeAt(o - 1);
  const b = text.charCodeAt(o);
  return (a === 13 && b === 10) || (a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff);
}

/** Applies one fix, checking its edits are exact, ordered, disjoint, and leave everything else alone. */
function applyFix(model: Model, fix: Fix, what: string): string {
  const doc = model.doc;
  const text = doc.text;
  const offs = fix.edits.map((e, k) => {
    assertInside(model, e.range.start, `${what} edit ${k} start`);
    assertInside(model, e.range.end, `${what} edit ${k} end`);
    assert.ok(before(e.range.start, e.range.end), `${what} edit ${k}: end before start`);
    assert.equal(typeof e.newText, 'string');
    const start = doc.offsetAt(e.range.start);
    const end = doc.offsetAt(e.range.end);
    assert.ok(!splitsPair(text, start) && !splitsPair(text, end), `${what} edit ${k} splits a CRLF or a surrogate pair`);
    return { start, end, text: e.newText };
  });
  offs.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of offs) {
    assert.ok(e.start >= pos, `${what}: overlapping edits`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  out += text.slice(pos);
  // Outside the edits, byte for byte: every untouched slice of the original appears in order at the expected place.
  let at = 0;
  let shift = 0;
  for (const e of offs) {
    assert.equal(out.slice(at + shift, e.start + shift), text.slice(at, e.start), `${what}: text before an edit changed`);
    shift += e.text.length - (e.end - e.start);
    at = e.end;
  }
  assert.equal(out.slice(at + shift), text.slice(at), `${what}: text after the last edit changed`);
  if (doc.hasBom) assert.ok(out.startsWith('\uFEFF'), `${what}: the BOM was lost`);
  if (allCrlf(text)) assert.ok(!/(^|[^\r])\n/.test(fix.edits.map((e) => e.newText).join('\u0001')), `${what}: a bare LF in a CRLF file`);
  return out;
}

function allCrlf(text: string): boolean {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text) && !/\r(?!\n)/.test(text);
}

/** Shell-form RUN bodies that are not parseable POSIX shell (they do not parse, or run under a SHELL that is not POSIX). */
function unparsedShellBodies(model: Model): number {
  let n = 0;
  for (const i of model.instructions) if (i.run?.form === 'shell' && !i.run.script()) n++;
  return n;
}

function comments(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => /^[ \t]*#/.test(l)).map((l) => l.trim());
}

/** Whether every comment line of `before` is still in `after` (as often as before). */
function commentsKept(before: string[], after: string[]): boolean {
  const left = new Map<string, number>();
  for (const c of after) left.set(c, (left.get(c) ?? 0) + 1);
  for (const c of before) {
    const n = left.get(c) ?? 0;
    if (n === 0) return false;
    left.set(c, n - 1);
  }
  return true;
}

export interface CheckStats {
  findings: number;
  fixes: number;
  fixAllChanged: number;
  /** Documents checkLinear did not time (their copies merge into one instruction). */
  linearSkipped: number;
}

export const stats: CheckStats = { findings: 0, fixes: 0, fixAllChanged: 0, linearSkipped: 0 };

/** Every property of one input; throws (an AssertionError with the reason) on the first that fails. */
export function checkDocument(text: string, context: AnalysisContext = {}): void {
  installSink();
  ruleErrors.length = 0;
  const settings = DEFAULT_SETTINGS;
  const { model, findings } = analyze(text, settings, undefined, context);
  noRuleErrors('analyze');
  stats.findings += findings.length;
  for (const f of findings) {
    assertInside(model, f.range.start, `${f.rule} finding start`);
    assertInside(model, f.range.end, `${f.rule} finding end`);
    assert.ok(before(f.range.start, f.range.end), `${f.rule} finding: end before start`);
  }
  // A finding folded into another (a lone apt-get update into the merge that resolves it) fired too.
  const firedBefore = new Set(findings.flatMap((f) => [f.rule, ...(f.related ?? []).map((r) => r.rule)]));

  // One preferred fix per rule (the first finding that has one): exact, local, and no new rule fires.
  const tried = new Set<string>();
  for (const f of findings) {
    const fixes = fixesFor(model, f);
    noRuleErrors(`fixesFor(${f.rule})`);
    if (tried.has(f.rule)) continue;
    const fix = fixes.find((x) => x.preferred) ?? fixes[0];
    if (!fix) continue;
    tried.add(f.rule);
    stats.fixes++;
    const out = applyFix(model, fix, `${f.rule} fix "${fix.title}"`);
    const after = analyze(out, settings, undefined, context);
    noRuleErrors(`analyze after the ${f.rule} fix`);
    const added = [...new Set(after.findings.filter((x) => !firedBefore.has(x.rule) && !newFindingAllowed(f.rule, x, after.model, model)).map((x) => x.rule))];
    assert.deepEqual(added, [], `the ${f.rule} fix made ${added.join(', ')} fire:\n--- after\n${out}`);
  }

  const fixed = fixAll(text, settings, undefined, context).text;
  noRuleErrors('fixAll');
  if (fixed !== text) stats.fixAllChanged++;
  const reparsed = buildModel(fixed, context);
  assert.ok(unparsedShellBodies(reparsed) <= unparsedShellBodies(model), `fixAll left a RUN body the shell parser rejects:\n--- after\n${fixed}`);
  // Kept, though not always in order: merge-run moves the comments that stood between merged RUNs above the merged
  // RUN, so they may come before comment lines inside the first RUN's continuation.
  assert.ok(commentsKept(comments(text), comments(fixed)), `fixAll lost a comment:\n--- after\n${fixed}`);
  if (model.doc.hasBom) assert.ok(fixed.startsWith('\uFEFF'), 'fixAll lost the BOM');
  const again = fixAll(fixed, settings, undefined, context).text;
  noRuleErrors('fixAll of the fixed text');
  assert.equal(again, fixed, `fixAll is not idempotent:\n--- first\n${fixed}\n--- second\n${again}`);
}

/**
 * The fastest of `n` runs of analyze, in ms of this process's CPU time: unlike the wall clock, it does not grow
 * when other processes share the machine.
 */
function timeAnalyze(text: string, n: number): number {
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    const t0 = process.cpuUsage();
    analyze(text);
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

/**
 * Analysis time grows linearly: `make(10)` takes at most `factor` times as long as `make(1)`, plus a floor for
 * timer noise on small inputs. Fastest of several runs each; a miss is measured once more before it counts, so a
 * busy machine does not fail the test.
 */
export function checkScaling(make: (copies: number) => string, factor = 15, floorMs = 25): { one: number; ten: number } {
  const small = make(1);
  const large = make(10);
  let one = 0;
  let ten = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    analyze(small);
    analyze(large);
    one = timeAnalyze(small, 3);
    ten = timeAnalyze(large, 3);
    if (ten <= factor * one + floorMs) return { one, ten };
  }
  assert.fail(`analysis is not linear: ${one.toFixed(1)} ms for ${small.length} characters, ${ten.toFixed(1)} ms for ${large.length}`);
}

/**
 * `checkScaling` on a document and on ten copies of it; null (not timed) when the copies do not stay ten separate
 * documents' worth of instructions: an unterminated heredoc or a final continuation in one copy swallows the copies
 * after it into one instruction many times longer, which is a different document, not a bigger one. (Timed anyway,
 * such an instruction of hundreds of KB costs dockerfile-ast a little more per character as it grows.)
 */
export function checkLinear(text: string): { one: number; ten: number } | null {
  const unit = text.endsWith('\n') || text === '' ? text : text + '\n';
  if (buildModel(unit.repeat(10)).instructions.length !== 10 * buildModel(unit).instructions.length) {
    stats.linearSkipped++;
    return null;
  }
  return checkScaling((k) => (k === 1 ? text : unit.repeat(k)));
}

/** For scripts/fuzz.mjs, which loads this file alone. */
export { initShell } from '../../server/src/core/shell';
