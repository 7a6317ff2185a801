/**
 * multi-stage fires only where a builder stage would help, names the runtime the conversion would really use,
 * and its own conversions do not trip the other rules.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, fixAll } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS, type AnalysisContext } from '../../server/src/core/types';
import { folderFiles } from '../../server/src/node/workspace-files';
import { buildModel } from '../../server/src/core/model';
import { workdirAt } from '../../server/src/core/stage-info';

before(() => initShell());

const ms = (text: string, context: AnalysisContext = {}) => analyze(text, DEFAULT_SETTINGS, ['multi-stage'], context).findings;

describe('multi-stage: the runtime named in the message', () => {
  const cases: [string, string, string][] = [
    ['a node tag', 'FROM node:22-bookworm\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["./start"]\n', 'node:22-bookworm-slim'],
    ['a python tag', 'FROM python:3.12\nRUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*\nCMD ["./serve"]\n', 'python:3.12-slim'],
    ['an Ubuntu buildpack-deps tag', 'FROM buildpack-deps:jammy\nRUN make -C /src\nCMD ["/usr/local/bin/x", "--serve"]\n', 'ubuntu:jammy'],
    ['a rust release', 'FROM rust:1.80-bullseye\nRUN cargo build --release\nCMD ["./run.sh"]\n', 'debian:bullseye-slim'],
    ['gcc without a tag, which is gcc 16 on trixie', 'FROM gcc\nWORKDIR /src\nCOPY . .\nRUN gcc -O2 -o /usr/local/bin/x main.c\nCMD ["/usr/local/bin/x", "--serve"]\n', 'debian:trixie-slim'],
    ['gcc 15, still on bookworm', 'FROM gcc:15\nWORKDIR /src\nCOPY . .\nRUN gcc -O2 -o /usr/local/bin/x main.c\nCMD ["/usr/local/bin/x", "--serve"]\n', 'debian:bookworm-slim'],
    ['a maven tag with its JDK', 'FROM maven:3.9-eclipse-temurin-17\nRUN mvn -q validate\nCMD ["./run"]\n', 'eclipse-temurin:17-jre'],
  ];
  for (const [name, text, runtime] of cases) {
    it(name, () => {
      const [f] = ms(text);
      assert.ok(f, 'the rule fires');
      assert.match(f.message, new RegExp(`an? (runtime on )?${runtime.replace(/[.:]/g, '\\$&')}[ ,]`), f.message);
      for (const other of ['node:20-slim', 'python:3.11-slim', 'debian:bookworm-slim'].filter((x) => x !== runtime)) assert.ok(!f.message.includes(other), f.message);
    });
  }
  it('a tag that names no release: no runtime is named', () => {
    const [f] = ms('FROM buildpack-deps:latest\nRUN make -C /src\nCMD ["/usr/local/bin/x", "--serve"]\n');
    assert.ok(f);
    assert.match(f.message, /a slim runtime of the same release without them/);
  });
});

describe('working directories as the builder resolves them', () => {
  it('drops trailing and repeated slashes and `.`/`..` segments, so joined paths have no `//`', () => {
    const cases: [string, string][] = [
      ['WORKDIR /usr/src/app/', '/usr/src/app'],
      ['WORKDIR /srv//web/./', '/srv/web'],
      ['WORKDIR /opt\nWORKDIR svc/../api/', '/opt/api'],
      ['WORKDIR /', '/'],
    ];
    for (const [lines, wd] of cases) {
      const m = buildModel(`FROM alpine\n${lines}\nRUN true\n`);
      const stage = m.stages[0];
      assert.equal(workdirAt(m, stage, null), wd, lines);
      assert.equal(workdirAt(m, stage, stage.instructions[stage.instructions.length - 1]), wd, lines);
    }
  });
});

describe('multi-stage: commands that open a shell, a REPL or the build tool', () => {
  const stage = 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make && rm -rf /var/lib/apt/lists/*\n';
  const quiet: string[] = ['CMD ["bash"]', 'CMD ["/bin/sh", "-l"]', 'CMD ["perl5.40.0", "-de0"]', 'CMD ["python3.12"]', 'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node"]', 'ENTRYPOINT ["entrypoint"]\nCMD ["repl"]', 'CMD ["gradle"]', 'CMD ["sleep", "infinity"]', 'CMD tail -f /dev/null'];
  const fires: string[] = ['CMD ["bash", "-c", "exec /srv/run"]', 'CMD ["python3", "app.py"]', 'CMD ["node", "server.js"]', 'CMD ["sleep", "5"]', 'CMD ["mvn", "spring-boot:run"]', 'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["postgres"]'];
  for (const c of quiet) it(`quiet: ${c.replace(/\n/g, ' ')}`, () => assert.deepEqual(ms(`${stage}${c}\n`), []));
  for (const c of fires) it(`fires: ${c.replace(/\n/g, ' ')}`, () => assert.equal(ms(`${stage}${c}\n`).length, 1));
});

describe('multi-stage: images that may be slim', () => {
  it('a python image pinned by digest alone is not taken for the full one', () => {
    assert.deepEqual(ms(`FROM python@sha256:${'a'.repeat(64)}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "main.py"]\n`), []);
    assert.equal(ms(`FROM python:3.12@sha256:${'a'.repeat(64)}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "main.py"]\n`).length, 1);
  });
  it('a node CMD that is not valid JSON is named as such in the decline', () => {
    const [f] = ms('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["serve", "-s", "dist"]  # note\n');
    assert.ok(f && !f.fixable);
    assert.match(f.reason ?? '', /not one plain command/);
  });
});

describe('multi-stage: the figures a build-package message names', () => {
  const prog = 'WORKDIR /src\nCOPY . .\nRUN make\nCMD ["/src/tool"]\n';
  it("Debian's build-essential figure on Debian only; the image is not named twice", () => {
    const [deb] = ms(`FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make && rm -rf /var/lib/apt/lists/*\n${prog}`);
    assert.match(deb.message, /build-essential alone is about \d+ MB on bookworm/);
    const [alp] = ms(`FROM alpine:3.20\nRUN apk add --no-cache gcc make musl-dev\n${prog}`);
    assert.doesNotMatch(alp.message, /bookworm|build-essential/);
    assert.equal(alp.message.split('alpine:3.20').length - 1, 1, alp.message);
    assert.match(alp.message, /a runtime on the same image without them/);
  });
});

describe('multi-stage: Node and Java wording', () => {
  it('a production-only install ships no dev dependencies, and the message does not say it does', () => {
    const [f] = ms('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --production && yarn build\nCMD ["node", "dist/server.js"]\n');
    assert.match(f.message, /^The final image ships Node\.js \(about \d+ MB\)/);
    const [g] = ms('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install && yarn build\nCMD ["node", "dist/server.js"]\n');
    assert.match(g.message, /^The final image ships Node\.js and the dev dependencies/);
  });
  it('"an" before a runtime that starts with a vowel', () => {
    const [f] = ms('FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -q package\nCMD ["java", "-jar", "target/app.jar"]\n');
    assert.match(f.message, /an eclipse-temurin:\S+ runtime/);
  });
});

describe('multi-stage: an app a RUN fetches', () => {
  const build = 'FROM python:3.12\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libxml2-dev && rm -rf /var/lib/apt/lists/*\n';
  it('a cloned app is named as the reason, not "there is no app"', () => {
    const [f] = ms(`${build}RUN git clone --depth 1 https://example.com/app.git /app && pip install -r /app/requirements.txt\nCMD ["python", "/app/main.py"]\n`);
    assert.ok(f && !f.fixable);
    assert.match(f.reason ?? '', /cloned by a RUN \(git clone\)/);
  });
  it('a downloaded app likewise', () => {
    const [f] = ms(`${build}RUN curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt && pip install /opt/app\nCMD ["python", "-m", "app"]\n`);
    assert.ok(f && !f.fixable);
    assert.match(f.reason ?? '', /a RUN downloads what the image runs/);
  });
});

describe('multi-stage: the document path', () => {
  const text = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app", "serve"]\n';
  it('fires on an application image', () => assert.equal(ms(text, { path: '/repo/services/api/Dockerfile' }).length, 1));
  it('is quiet under .devcontainer/', () => assert.deepEqual(ms(text, { path: '/repo/.devcontainer/Dockerfile' }), []));
  it('a folder that only ends in .devcontainer does not count', () => assert.equal(ms(text, { path: '/repo/my.devcontainer-notes/Dockerfile' }).length, 1));
});

describe('multi-stage: build packages removed in the same RUN', () => {
  const cmd = 'CMD ["/usr/local/bin/app", "--serve"]\n';
  it('apk del of another virtual group keeps the packages', () => {
    assert.equal(ms(`FROM alpine:3.20\nRUN apk add --virtual .build-deps gcc make && make -C /src install && apk del .other\n${cmd}`).length, 1);
  });
  it('apt-get purge --auto-remove without apt-mark auto removes only what it names', () => {
    const [f] = ms(`FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc make && make -C /src install && apt-get purge -y --auto-remove gcc\n${cmd}`);
    assert.ok(f);
    assert.match(f.message, /\(make;/);
  });
  it('apt-mark manual keeps a package the pattern marked', () => {
    const [f] = ms(`FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc make libssl-dev && make -C /src install && apt-mark auto '.*' && apt-mark manual make && apt-get purge -y --auto-remove\n${cmd}`);
    assert.ok(f);
    assert.match(f.message, /\(make;/);
  });
  it('headers alone, with no compiler kept, are no builder-stage case', () => {
    assert.deepEqual(ms(`FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*\n${cmd}`), []);
    // …unless the image compiles with its own compilers.
    assert.equal(ms(`FROM php:8.3-cli\nRUN apt-get update && apt-get install -y --no-install-recommends libzip-dev && docker-php-ext-install zip && rm -rf /var/lib/apt/lists/*\nCMD ["php", "/srv/worker.php"]\n`).length, 1);
  });
  it('`apt-mark showmanual | xargs apt-mark auto` marks everything', () => {
    assert.deepEqual(ms(`FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc make && make -C /src install && apt-mark showmanual | xargs apt-mark auto && apt-get purge -y --auto-remove\n${cmd}`), []);
  });
  it('dnf remove in the same RUN', () => {
    assert.deepEqual(ms(`FROM fedora:40\nRUN dnf install -y gcc make && make -C /src install && dnf remove -y gcc make && dnf clean all\n${cmd}`), []);
  });
});

describe('multi-stage: the conversions trip no other rule', () => {
  const dir = path.join(__dirname, '../../test/fixtures/multi-stage');
  const root = fs.existsSync(dir) ? dir : path.join(process.cwd(), 'test/fixtures/multi-stage');
  const counts = (text: string, ctx: AnalysisContext) => {
    const out = new Map<string, number>();
    for (const f of analyze(text, DEFAULT_SETTINGS, undefined, ctx).findings) if (f.rule !== 'multi-stage') out.set(f.rule, (out.get(f.rule) ?? 0) + 1);
    return out;
  };
  for (const name of fs.readdirSync(root).sort()) {
    const beforeFile = path.join(root, name, 'before.Dockerfile');
    const afterFile = path.join(root, name, 'after.Dockerfile');
    if (!fs.existsSync(afterFile)) continue;
    const b = fs.readFileSync(beforeFile, 'utf8');
    const a = fs.readFileSync(afterFile, 'utf8');
    if (a === b) continue;
    it(name, () => {
      const ctxDir = path.join(root, name, 'context');
      const ctx: AnalysisContext = fs.existsSync(ctxDir) ? { files: folderFiles(ctxDir) } : {};
      assert.equal(fixAll(b, DEFAULT_SETTINGS, ['multi-stage'], ctx).text, a);
      const was = counts(b, ctx);
      const now = counts(a, ctx);
      // Every other rule's finding on the converted file was already justified by one on the original.
      const added = [...now].filter(([rule, n]) => n > (was.get(rule) ?? 0)).map(([rule, n]) => `${rule}: ${was.get(rule) ?? 0} → ${n}`);
      assert.deepEqual(added, []);
    });
  }
});
