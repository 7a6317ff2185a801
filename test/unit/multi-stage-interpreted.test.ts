/**
 * The multi-stage conversions of interpreted languages: what the Python recipe reads from requirements files,
 * pyproject.toml and lock files, the PyPI → system library table, the run-time libraries of a tag without a
 * release, the tools a HEALTHCHECK calls, and the gems of a Gemfile.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lockedPackages, parseRequirement, parseRequirements, pyprojectRequirements } from '../../server/src/fixes/multi-stage/project-files';
import { PYPI_SYSTEM_LIBRARIES, normalizePypiName, pypiSystemLibraries } from '../../server/src/knowledge/pypi-system-libraries';
import { RUNTIME_LIB_RELEASES, runtimeLibFor } from '../../server/src/knowledge/runtime-libraries';
import { sameOnEveryRelease } from '../../server/src/fixes/multi-stage/system-packages';
import { gemsInGemfile } from '../../server/src/fixes/multi-stage/ruby';
import { initShell } from '../../server/src/core/shell';
import { analyze, fixAll, fixesFor } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/core/model';
import { DEFAULT_SETTINGS, type AnalysisContext } from '../../server/src/core/types';

before(() => initShell());

const files = (map: Record<string, string>): AnalysisContext => ({ files: { read: (p: string) => (Object.prototype.hasOwnProperty.call(map, p) ? map[p] : null) } });
const convert = (text: string, ctx: AnalysisContext = {}) => fixAll(text, DEFAULT_SETTINGS, ['multi-stage'], ctx).text;
const finding = (text: string, ctx: AnalysisContext = {}) => analyze(text, DEFAULT_SETTINGS, ['multi-stage'], ctx).findings[0];
/** The runtime stage's apt-get install line, or null. */
const runtimeApt = (out: string) => {
  const runtime = out.slice(out.lastIndexOf('\nFROM '));
  return /--no-install-recommends ([^&]+) &&/.exec(runtime)?.[1].trim() ?? null;
};

describe('requirements files', () => {
  it('reads names and extras, includes, --no-binary, continuations; skips comments, URLs, paths and options', () => {
    const r = parseRequirements(
      '# top\n-r base.txt\n--requirement=extra.txt\n-c constraints.txt\n--no-binary lxml,Pillow\n' +
        'Django>=5.0 ; python_version >= "3.10"  # web\npsycopg[binary]==3.1 \\\n  --hash=sha256:abc\n' +
        'my_pkg.Name @ https://example.com/x.whl\nhttps://example.com/y.tar.gz\n./local\n-e .\n\n',
    );
    assert.deepEqual(r.includes, ['base.txt', 'extra.txt']);
    assert.deepEqual(r.noBinary, ['lxml', 'pillow']);
    assert.deepEqual(r.reqs, [
      { name: 'django', extras: [] },
      { name: 'psycopg', extras: ['binary'] },
      { name: 'my-pkg-name', extras: [] },
    ]);
  });
  it('normalises names as PEP 503 does', () => {
    assert.equal(normalizePypiName('Psycopg2_Binary'), 'psycopg2-binary');
    assert.deepEqual(parseRequirement('mysqlclient==2.2.4'), { name: 'mysqlclient', extras: [] });
    assert.equal(parseRequirement('==1.0'), null);
  });
});

describe('pyproject.toml and lock files', () => {
  it('reads PEP 621 dependencies and Poetry dependencies and groups, without python', () => {
    const deps = pyprojectRequirements(
      '[project]\nname = "x"\ndependencies = ["psycopg2>=2.9", "requests"]\n[project.optional-dependencies]\nxml = ["lxml"]\n' +
        '[tool.poetry.dependencies]\npython = "^3.12"\npsycopg = { version = "^3.1", extras = ["binary"] }\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n',
    );
    assert.deepEqual(deps?.map((d) => d.name), ['psycopg2', 'requests', 'lxml', 'psycopg', 'pytest']);
    assert.deepEqual(deps?.find((d) => d.name === 'psycopg')?.extras, ['binary']);
  });
  it('reads every package of poetry.lock / uv.lock; null when malformed', () => {
    assert.deepEqual(lockedPackages('[[package]]\nname = "Psycopg"\nversion = "3.1"\n\n[[package]]\nname = "psycopg-binary"\nversion = "3.1"\n')?.map((p) => p.name), ['psycopg', 'psycopg-binary']);
    assert.equal(lockedPackages('[[package]\nname ='), null);
    assert.equal(pyprojectRequirements('not = [toml'), null);
  });
});

describe('PyPI packages that link system libraries', () => {
  const dev = (names: string[], noBinary: string[] = []) => pypiSystemLibraries(names.map((n) => parseRequirement(n)!), new Set(noBinary)).dev;
  it('source-only packages need their library; binary distributions need nothing', () => {
    assert.deepEqual(dev(['psycopg2']), ['libpq-dev']);
    assert.deepEqual(dev(['psycopg2-binary', 'mysqlclient']), ['default-libmysqlclient-dev']);
    assert.deepEqual(dev(['psycopg']), ['libpq-dev']);
    assert.deepEqual(dev(['psycopg[binary]']), []);
    assert.deepEqual(dev(['psycopg', 'psycopg-binary']), []);
  });
  it('packages with wheels that bundle their library need it only when built from source', () => {
    assert.deepEqual(dev(['lxml', 'Pillow', 'pycurl']), []);
    assert.deepEqual(dev(['lxml'], ['lxml']), ['libxml2-dev', 'libxslt1-dev']);
    assert.ok(dev(['Pillow'], [':all:']).includes('libjpeg-dev'));
  });
  it('every -dev package of the table has run-time libraries on every Debian release', () => {
    for (const [name, e] of Object.entries(PYPI_SYSTEM_LIBRARIES)) {
      assert.ok(e.source.startsWith('http'), `${name} names its source`);
      for (const d of e.dev) for (const r of RUNTIME_LIB_RELEASES) assert.ok(runtimeLibFor(d, r), `${name}: ${d} on ${r}`);
    }
  });
});

describe('run-time libraries of a tag without a release', () => {
  it('are used when every release names them the same, else not', () => {
    assert.deepEqual(sameOnEveryRelease(['libpq-dev', 'default-libmysqlclient-dev']), ['libpq5', 'libmariadb3']);
    assert.equal(sameOnEveryRelease(['libssl-dev']), null);
    assert.equal(sameOnEveryRelease(['libnot-a-package-dev']), null);
  });
});

describe('Python conversions with the build context', () => {
  const pip = (from: string, extra = '') => `FROM ${from}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir ${extra}-r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n`;
  it('psycopg2 in requirements.txt brings libpq5 to the slim runtime; psycopg2-binary brings nothing', () => {
    assert.equal(runtimeApt(convert(pip('python:3.12'), files({ 'requirements.txt': 'psycopg2==2.9.9\n' }))), 'libpq5');
    assert.equal(runtimeApt(convert(pip('python:3.12'), files({ 'requirements.txt': 'psycopg2-binary==2.9.9\n' }))), null);
    // Without the file, nothing is known and nothing is added (as before).
    assert.equal(runtimeApt(convert(pip('python:3.12'))), null);
  });
  it('--no-binary on the command line or in PIP_NO_BINARY makes lxml a source build', () => {
    assert.equal(runtimeApt(convert(pip('python:3.12-bookworm', '--no-binary lxml '), files({ 'requirements.txt': 'lxml\n' }))), 'libxml2 libxslt1.1');
    const env = pip('python:3.12-bookworm').replace('WORKDIR /app\n', 'WORKDIR /app\nENV PIP_NO_BINARY=:all:\n');
    assert.equal(runtimeApt(convert(env, files({ 'requirements.txt': 'lxml\n' }))), 'libxml2 libxslt1.1');
  });
  it('operands of pip install count too', () => {
    const text = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir flask mysqlclient==2.2\nCMD ["python", "app.py"]\n';
    assert.equal(runtimeApt(convert(text)), 'libmariadb3');
  });
  it('on an already-slim image only the Dockerfile\'s own packages count', () => {
    const text = pip('python:3.12-slim').replace('WORKDIR /app\n', 'RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\n');
    const out = convert(text, files({ 'requirements.txt': 'psycopg2\nmysqlclient\n' }));
    assert.match(out, /\nFROM python:3\.12-slim\n/);
    assert.equal(runtimeApt(out), 'libpq5');
  });
  it('a HEALTHCHECK tool is installed; an unknown one declines, naming it', () => {
    const base = 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n';
    assert.equal(runtimeApt(convert(base + 'HEALTHCHECK CMD ["wget", "-qO-", "http://localhost:8000/"]\nCMD ["python", "app.py"]\n')), 'wget');
    assert.equal(runtimeApt(convert(base + 'HEALTHCHECK CMD python -c "import urllib.request" || exit 1\nCMD ["python", "app.py"]\n')), null);
    const f = finding(base + 'HEALTHCHECK CMD grpc_health_probe -addr=:50051 || exit 1\nCMD ["python", "app.py"]\n');
    assert.equal(f.fixable, false);
    assert.match(f.message, /runs `grpc_health_probe`, which python:3\.12-slim does not have/);
  });
  it('an apt repository added in the stage still declines', () => {
    const text = 'FROM python:3.12\nRUN echo "deb https://example.com/debian bookworm main" > /etc/apt/sources.list.d/x.list && apt-get update && apt-get install -y --no-install-recommends x-cli\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n';
    assert.match(finding(text).message, /adds an apt repository/);
  });
});

describe('Ruby without Gemfile.lock', () => {
  it('reads gem names from a Gemfile, with the native gems their gemspecs pull in', () => {
    assert.deepEqual(gemsInGemfile('source "https://rubygems.org"\ngem "pg", "~> 1.5"\n  gem \'typhoeus\'\n# gem "mysql2"\n'), ['pg', 'typhoeus', 'ethon']);
  });
  it('with neither file readable, offers the conversion as a manual quick fix that fix-all does not apply', () => {
    const text = 'FROM ruby:3.3-bookworm\nWORKDIR /app\nCOPY . .\nRUN bundle install\nCMD ["bundle", "exec", "rackup"]\n';
    const f = finding(text, files({}));
    assert.equal(f.fixable, false);
    assert.equal(f.data?.quickFixOnly, true);
    assert.match(f.message, /quick fix installs only the run-time libraries/);
    const fixes = fixesFor(buildModel(text, files({})), f);
    assert.equal(fixes.length, 1);
    assert.ok(fixes[0].manual && !fixes[0].preferred);
    assert.equal(convert(text, files({})), text);
  });
});

describe('Node: what the runtime has to run the CMD', () => {
  const V1 = '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n';
  const pkg = JSON.stringify({ scripts: { build: 'next build', start: 'next start' }, dependencies: { next: '^14.0.0' } });
  const yarnStart = (tag: string) => `FROM node:${tag}\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nCOPY . .\nRUN yarn build\nCMD ["yarn", "start"]\n`;
  it('`yarn start` converts where the node image bundles Yarn classic (8 to 25), not where it does not or the tag does not say', () => {
    for (const tag of ['8', '18', '20-bookworm', '25']) assert.match(convert(yarnStart(tag), files({ 'package.json': pkg, 'yarn.lock': V1 })), /\nFROM node:[\w.-]*slim[\w-]*\n/, tag);
    for (const tag of ['6', '26', 'latest', 'lts']) {
      const f = finding(yarnStart(tag), files({ 'package.json': pkg, 'yarn.lock': V1 }));
      assert.equal(f.fixable, false, tag);
      assert.match(f.message, /may not have that yarn/, tag);
    }
    // Not a v1 lockfile, or none readable: the yarn the builder ran is not known to be the bundled one.
    assert.equal(finding(yarnStart('20'), files({ 'package.json': pkg, 'yarn.lock': '__metadata:\n  version: 8\n' })).fixable, false);
    assert.equal(finding(yarnStart('20'), files({ 'package.json': pkg })).fixable, false);
  });
  it('a global CLI is found by its package name and the same spec; a bin named otherwise, a scoped or path spec is not', () => {
    const serve = (install: string, cmd: string) => `FROM node:20\nWORKDIR /w\nCOPY . .\nRUN npm ci && npm run build\nRUN ${install}\nCMD ${cmd}\n`;
    const out = convert(serve('npm i -g --no-fund serve@^14.2.0', 'serve -s build'));
    assert.match(out, /\nFROM node:20-slim\nRUN npm i -g --no-fund serve@\^14\.2\.0\nWORKDIR \/w\nCOPY --from=build \/w\/build \/w\/build\n/);
    // An option serve reads more with (a config file) copies the whole app directory.
    assert.match(convert(serve('npm install -g serve', 'serve -c ../serve.json build')), /COPY --from=build \/w \/w\n/);
    for (const [install, cmd] of [['npm install -g pm2', 'pm2-runtime server.js'], ['npm install -g @scope/serve', 'serve -s build'], ['npm install -g ./tools/serve', 'serve -s build'], ['npm install -g --prefix /opt serve', 'serve -s build']]) {
      assert.equal(finding(serve(install, cmd)).fixable, false, install);
    }
  });
});

describe('Node: a static server npx fetches', () => {
  const text = 'FROM node:16\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD ["npx", "-y", "http-server", "-p", "9000", "build"]\n';
  const pkg = JSON.stringify({ scripts: { build: 'react-scripts build' }, dependencies: { 'react-scripts': '5.0.1' } });
  const lock = (extra: string) => JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/react-scripts': {}, ...(extra ? { [extra]: {} } : {}) } });
  it('ships only the folder it serves when nothing in the app installs the server', () => {
    assert.match(convert(text, files({ 'package.json': pkg, 'package-lock.json': lock('') })), /\nFROM node:16-slim\nWORKDIR \/app\nCOPY --from=build \/app\/build \/app\/build\n/);
  });
  it('ships the whole app where a dependency may have installed it (npx runs that copy), or no lockfile says', () => {
    for (const map of [{ 'package.json': pkg, 'package-lock.json': lock('node_modules/http-server') }, { 'package.json': pkg }]) {
      assert.match(convert(text, files(map)), /\nFROM node:16-slim\nWORKDIR \/app\nCOPY --from=build \/app \/app\n/);
    }
  });
});

describe('Node: a global CLI installed again in the runtime', () => {
  it('declines where the stage configures npm, whose settings the runtime install would not have', () => {
    const base = 'FROM node:20\nWORKDIR /w\nCOPY . .\nRUN npm ci && npm run build\nRUN npm install -g serve\nCMD serve -s build\n';
    assert.equal(finding(base).fixable, true);
    for (const [text, re] of [
      [base.replace('WORKDIR /w\n', 'WORKDIR /w\nENV NPM_CONFIG_REGISTRY=https://npm.example.internal/\n'), /ENV NPM_CONFIG_REGISTRY on line 3/],
      [base.replace('COPY . .\n', 'COPY .npmrc ./\nCOPY . .\n'), /\.npmrc copied on line 3/],
    ] as [string, RegExp][]) {
      const f = finding(text);
      assert.equal(f.fixable, false);
      assert.match(f.message, re);
    }
  });
});

describe('Node: a build in a folder inside the WORKDIR', () => {
  it('prunes the WORKDIR\'s own dependencies, and none where only the folder installs', () => {
    const pkg = JSON.stringify({ scripts: { start: 'node server.js' }, dependencies: { express: '^4' }, devDependencies: { nodemon: '^3' } });
    const both = 'FROM node:20\nWORKDIR /srv\nCOPY . .\nRUN npm ci\nRUN cd ui && npm ci && npm run build\nCMD ["node", "server.js"]\n';
    assert.match(convert(both, files({ 'package.json': pkg })), /npm run build\nRUN npm prune --omit=dev\n\nFROM node:20-slim\nWORKDIR \/srv\nCOPY --from=build \/srv \/srv\n/);
    const folderOnly = 'FROM node:20\nWORKDIR /srv\nCOPY . .\nRUN cd ui && npm ci && npm run build\nRUN npm install -g serve\nCMD ["serve", "-s", "ui/dist"]\n';
    const out = convert(folderOnly);
    assert.doesNotMatch(out, /prune/);
    assert.match(out, /\nFROM node:20-slim\nRUN npm install -g serve\nWORKDIR \/srv\nCOPY --from=build \/srv\/ui\/dist \/srv\/ui\/dist\n/);
  });
});
