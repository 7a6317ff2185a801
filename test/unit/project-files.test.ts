/**
 * What the multi-stage recipes read from project files (go.mod, Cargo.toml, package.json, .yarnrc.yml,
 * poetry.toml, .python-version) and the -dev → run-time library table: the facts they return, and null on
 * malformed input, never an exception.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cargoBinaryNames, composeMounts, goExecName, majorVersionOf, parseCargoToml, parseGoMod, parsePackageJson, parsePoetryToml, parsePythonVersion, parseYarnRc, readCopied,
} from '../../server/src/fixes/multi-stage/project-files';
import { dropRunWrapper } from '../../server/src/fixes/multi-stage/python';
import { startScriptWords } from '../../server/src/fixes/multi-stage/node';
import { knownDevPackages, runtimeLibFor } from '../../server/src/knowledge/runtime-libraries';
import { TOOLCHAIN_PACKAGE, golangRelease } from '../../server/src/knowledge/toolchains';
import { buildModel } from '../../server/src/core/model';
import { initShell } from '../../server/src/core/shell';
import { analyze } from '../../server/src/analysis/analyze';
import { DEFAULT_SETTINGS } from '../../server/src/core/types';

before(() => initShell());

describe('go.mod', () => {
  it('reads the module path and the required modules, in blocks and single lines', () => {
    const m = parseGoMod('// comment\nmodule example.com/app/v3 // trailing\n\ngo 1.22\n\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.22\n\t"golang.org/x/text" v0.14.0 // indirect\n)\nrequire github.com/a/b v1.0.0\n');
    assert.deepEqual(m, { module: 'example.com/app/v3', requires: ['github.com/mattn/go-sqlite3', 'golang.org/x/text', 'github.com/a/b'] });
    assert.equal(parseGoMod('module "quoted.example/x"\n')?.module, 'quoted.example/x');
  });
  it('returns null without a module line, with two, or with an unclosed block', () => {
    assert.equal(parseGoMod('go 1.22\n'), null);
    assert.equal(parseGoMod('module a\nmodule b\n'), null);
    assert.equal(parseGoMod('module a\nrequire (\n\tx v1\n'), null);
    assert.equal(parseGoMod('\u0000\u0001 binary'), null);
  });
  it('names binaries like go build: last element, or the one before a major version', () => {
    assert.equal(goExecName('github.com/acme/api'), 'api');
    assert.equal(goExecName('github.com/acme/api/v2'), 'api');
    assert.equal(goExecName('github.com/acme/api/v10'), 'api');
    assert.equal(goExecName('github.com/acme/v1'), 'v1');
    assert.equal(goExecName('github.com/acme/v0'), 'v0');
    assert.equal(goExecName('v2'), 'v2');
    assert.equal(goExecName(''), null);
  });
});

describe('Cargo.toml', () => {
  it('reads the package name and the [[bin]] names', () => {
    const t = '[package]\nname = "platform"\n\n[[bin]]\nname = "api"\npath = "src/bin/api.rs"\n[[bin]]\nname = "worker"\n';
    const m = parseCargoToml(t)!;
    assert.deepEqual(m, { packageName: 'platform', bins: ['api', 'worker'] });
    assert.deepEqual(cargoBinaryNames(m, t), ['api', 'worker', 'platform']);
    const noAuto = '[package]\nname = "p"\nautobins = false\n[[bin]]\nname = "only"\n';
    assert.deepEqual(cargoBinaryNames(parseCargoToml(noAuto)!, noAuto), ['only']);
  });
  it('returns null on malformed TOML, a virtual manifest or a bin that is not a table', () => {
    assert.equal(parseCargoToml('[package\nname = "x"'), null);
    assert.equal(parseCargoToml('[workspace]\nmembers = ["a"]\n'), null);
    assert.equal(parseCargoToml('bin = "x"\n[package]\nname = "p"\n'), null);
    assert.equal(parseCargoToml('name = = ='), null);
  });
});

describe('package.json, .yarnrc.yml', () => {
  it('reads scripts, main, packageManager, devDependencies and dependencies; null on bad JSON or a non-object', () => {
    assert.deepEqual(parsePackageJson('\uFEFF{"main":"build/index.js","scripts":{"start":"node dist/s.js","x":1},"packageManager":"yarn@4.1.0"}'), {
      scripts: { start: 'node dist/s.js' }, main: 'build/index.js', packageManager: 'yarn@4.1.0', devDependencies: [], dependencies: [],
    });
    assert.deepEqual(parsePackageJson('{"dependencies":{"express":"^4","http-server":"^14"}}')?.dependencies, ['express', 'http-server']);
    assert.deepEqual(parsePackageJson('{"devDependencies":{"typescript":"^5","jest":"^29"}}')?.devDependencies, ['typescript', 'jest']);
    assert.equal(parsePackageJson('{"scripts": '), null);
    assert.equal(parsePackageJson('[1,2]'), null);
    assert.equal(parsePackageJson('{"scripts": "build"}'), null);
  });
  it('resolves npm start to a plain node command, not around pre/post scripts or compound scripts', () => {
    const pkg = (scripts: Record<string, string>) => ({ scripts, main: null, packageManager: null });
    assert.deepEqual(startScriptWords(['npm', 'start'], pkg({ start: 'node dist/server.js --port 80' })), ['node', 'dist/server.js', '--port', '80']);
    assert.deepEqual(startScriptWords(['npm', 'run', 'serve'], pkg({ serve: 'node out/main.js' })), ['node', 'out/main.js']);
    assert.equal(startScriptWords(['npm', 'start'], pkg({ start: 'node dist/a.js', prestart: 'node migrate.js' })), null);
    assert.equal(startScriptWords(['npm', 'start'], pkg({ start: 'tsc && node dist/a.js' })), null);
    assert.equal(startScriptWords(['npm', 'start'], pkg({ start: 'next start' })), null);
    assert.equal(startScriptWords(['npm', 'start', '--', '-x'], pkg({ start: 'node a/b.js' })), null);
  });
  it('reads nodeLinker (pnp by default), yarnPath and the workspace-tools plugin', () => {
    assert.deepEqual(parseYarnRc('# c\nnodeLinker: "node-modules"\nplugins:\n  - path: .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs\n'), { nodeLinker: 'node-modules', yarnPath: null, workspaceTools: true });
    assert.deepEqual(parseYarnRc('yarnPath: .yarn/releases/yarn-3.6.4.cjs\n'), { nodeLinker: 'pnp', yarnPath: '.yarn/releases/yarn-3.6.4.cjs', workspaceTools: false });
    assert.equal(parseYarnRc('{ nodeLinker = node-modules }'), null);
    assert.equal(majorVersionOf('.yarn/releases/yarn-3.6.4.cjs', 'yarn'), 3);
    assert.equal(majorVersionOf('yarn@4.5.0+sha512.abc', 'yarn'), 4);
    assert.equal(majorVersionOf('pnpm@9.0.0', 'yarn'), null);
    assert.equal(majorVersionOf(null, 'yarn'), null);
  });
});

describe('Python project files', () => {
  it('reads poetry.toml virtualenvs settings; null on malformed TOML', () => {
    assert.deepEqual(parsePoetryToml('[virtualenvs]\nin-project = true\ncreate = false\n'), { inProject: true, create: false });
    assert.deepEqual(parsePoetryToml('[installer]\nparallel = true\n'), { inProject: null, create: null });
    assert.equal(parsePoetryToml('[virtualenvs\nin-project = true'), null);
  });
  it('reads .python-version', () => {
    assert.equal(parsePythonVersion('# pinned\n3.12\n'), '3.12');
    assert.equal(parsePythonVersion('pypy@3.10\n'), null);
    assert.equal(parsePythonVersion(''), null);
  });
  it('drops poetry run / uv run wrappers, not uv run with options that take values', () => {
    assert.deepEqual(dropRunWrapper(['poetry', 'run', 'python', 'app.py']), ['python', 'app.py']);
    assert.deepEqual(dropRunWrapper(['uv', 'run', '--no-sync', '--frozen', 'uvicorn', 'a:b']), ['uvicorn', 'a:b']);
    assert.equal(dropRunWrapper(['uv', 'run', '--with', 'rich', 'python']), null);
    assert.equal(dropRunWrapper(['python', 'app.py']), null);
  });
});

describe('readCopied', () => {
  const files = (map: Record<string, string>) => ({ read: (p: string) => map[p] ?? null });
  it('follows the COPY that put the file there, by name or with the whole context', () => {
    const text = 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY sub/ ./sub/\nCOPY . /other\n';
    const m = buildModel(text, { files: files({ 'go.mod': 'module a\n', 'x/go.mod': 'module x\n' }) });
    const s = m.stages[0];
    assert.equal(readCopied(m, s, '/src', 'go.mod', null), 'module a\n');
    assert.equal(readCopied(m, s, '/other/x', 'go.mod', null), 'module x\n');
    assert.equal(readCopied(m, s, '/elsewhere', 'go.mod', null), null);
    // Before the COPY ran, the file is not there.
    assert.equal(readCopied(m, s, '/src', 'go.mod', s.instructions[1]), null);
  });
  it('is null without workspace files', () => {
    const m = buildModel('FROM node:20\nWORKDIR /app\nCOPY . .\n');
    assert.equal(readCopied(m, m.stages[0], '/app', 'package.json', null), null);
  });
  it('never throws when the reader does', () => {
    const m = buildModel('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["npm", "start"]\n', { files: { read: () => { throw new Error('EIO'); } } });
    assert.equal(readCopied(m, m.stages[0], '/app', 'package.json', null), null);
    assert.doesNotThrow(() => analyze(m.doc.text, DEFAULT_SETTINGS, ['multi-stage'], { files: { read: () => { throw new Error('EIO'); } } }));
  });
});

describe('run-time libraries of -dev packages', () => {
  it('maps -dev packages to their Debian run-time libraries per release', () => {
    assert.equal(runtimeLibFor('libsqlite3-dev', 'bookworm'), 'libsqlite3-0');
    assert.equal(runtimeLibFor('libpq-dev', 'bookworm'), 'libpq5');
    assert.equal(runtimeLibFor('libssl-dev', 'bookworm'), 'libssl3');
    assert.equal(runtimeLibFor('libssl-dev', 'bullseye'), 'libssl1.1');
    assert.equal(runtimeLibFor('libssl-dev', 'trixie'), 'libssl3t64');
    assert.equal(runtimeLibFor('libffi-dev', 'bullseye'), 'libffi7');
    assert.equal(runtimeLibFor('default-libmysqlclient-dev', 'bookworm'), 'libmariadb3');
    assert.equal(runtimeLibFor('libxml2-dev=2.9.14+dfsg-1.3', 'bookworm'), 'libxml2');
    assert.equal(runtimeLibFor('libpq-dev:amd64', 'bookworm'), 'libpq5');
    // The Ubuntu tables answer too (one module for every release).
    assert.equal(runtimeLibFor('libsqlite3-dev', 'jammy'), 'libsqlite3-0');
    // Headers only, or a library every image has: nothing to install.
    assert.equal(runtimeLibFor('libc6-dev', 'bookworm'), '');
    assert.equal(runtimeLibFor('nlohmann-json3-dev', 'trixie'), '');
  });
  it('is null for unknown packages, releases, and packages a release dropped', () => {
    assert.equal(runtimeLibFor('libopencv-dev', 'bookworm'), null);
    assert.equal(runtimeLibFor('libsqlite3-dev', 'focal'), null);
    assert.equal(runtimeLibFor('libpcre3-dev', 'trixie'), null);
    assert.equal(runtimeLibFor('constructor', 'bookworm'), null);
    assert.equal(runtimeLibFor('__proto__', 'bookworm'), null);
  });
  it('never maps to a build package', () => {
    for (const dev of knownDevPackages()) {
      assert.match(dev, /-dev$|-dev-compat$/);
      assert.ok(['bookworm', 'bullseye', 'trixie'].some((r) => runtimeLibFor(dev, r) !== null), `${dev} is known on some release`);
      for (const r of ['bookworm', 'bullseye', 'trixie']) {
        for (const lib of (runtimeLibFor(dev, r) ?? '').split(' ').filter(Boolean)) assert.ok(!TOOLCHAIN_PACKAGE.test(lib), `${dev} → ${lib} on ${r}`);
      }
    }
  });
});

describe('golang image releases', () => {
  it('reads the codename from the tag, or the default of the Go line', () => {
    assert.equal(golangRelease('1.22'), 'bookworm');
    assert.equal(golangRelease('1.22.5'), 'bookworm');
    assert.equal(golangRelease('1.22-bullseye'), 'bullseye');
    assert.equal(golangRelease('1.24'), 'trixie');
    assert.equal(golangRelease(null), 'trixie');
    assert.equal(golangRelease('1.22-alpine3.20'), 'alpine');
    assert.equal(golangRelease('1.19'), null);
    assert.equal(golangRelease('1.22-windowsservercore'), null);
  });
});

describe('compose mounts', () => {
  const compose = [
    'services:',
    '  web:',
    '    build: .',
    '    volumes:',
    '      - "./data:/app/data"   # the database',
    '      - media:/app/media:ro',
    '      - type: volume',
    '        source: cache',
    '        target: /app/cache',
    '  worker:',
    '    build:',
    '      context: .',
    '      dockerfile: worker.Dockerfile',
    '    volumes:',
    '      - ./jobs:/jobs',
    '  db:',
    '    image: postgres:16',
    '    volumes: [pgdata:/var/lib/postgresql/data]',
    'volumes:',
    '  media:',
  ].join('\n');
  it('reads the short and long syntax of the service that builds the Dockerfile', () => {
    assert.deepEqual(composeMounts(compose, 'Dockerfile'), [
      { kind: 'bind', source: './data', target: '/app/data', readOnly: false },
      { kind: 'volume', source: 'media', target: '/app/media', readOnly: true },
      { kind: 'volume', source: 'cache', target: '/app/cache', readOnly: false },
    ]);
  });
  it('a compose file above the context: build paths from its folder, variables from its .env', () => {
    const above = 'services:\n  api:\n    build: ./services/api\n    volumes:\n      - ./data:/app/data\n  ui:\n    build:\n      context: ./\n      dockerfile: ${UI_DOCKERFILE}\n    volumes:\n      - ./ui-data:/srv/data\n';
    assert.deepEqual(composeMounts(above, 'Dockerfile', 'services/api').map((m) => m.target), ['/app/data']);
    assert.deepEqual(composeMounts(above, 'Dockerfile', 'web/ui', 'UI_DOCKERFILE=./web/ui/Dockerfile\n').map((m) => m.target), ['/srv/data']);
    assert.deepEqual(composeMounts(above, 'Dockerfile', 'web/ui'), [], 'a variable without a value matches nothing');
  });
  it('a service that names another Dockerfile, or none that builds here: not this file\'s mounts', () => {
    assert.deepEqual(composeMounts(compose, 'worker.Dockerfile'), [{ kind: 'bind', source: './jobs', target: '/jobs', readOnly: false }]);
    assert.deepEqual(composeMounts(compose, 'Other.Dockerfile'), []);
    assert.deepEqual(composeMounts('services:\n  web:\n    build: ./web\n    volumes:\n      - ./x:/x\n', 'Dockerfile'), []);
    assert.deepEqual(composeMounts('not: compose\n', 'Dockerfile'), []);
  });
});
