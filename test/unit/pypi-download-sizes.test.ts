/** The PyPI download table: closures, name normalization, and the table's own consistency. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PYPI_DOWNLOADS, normalizePypiName, pypiDownloadKb } from '../../server/src/knowledge/pypi-download-sizes';
import { sizeText } from '../../server/src/rules/pip-hygiene';
import { analyze } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS } from '../../server/src/core/types';

describe('PyPI download sizes', () => {
  it('every required package is in the table, under its normalized name', () => {
    for (const [name, d] of PYPI_DOWNLOADS) {
      assert.equal(normalizePypiName(name), name);
      assert.ok(d.kb > 0 && d.kb < 2048, `${name}: ${d.kb} KB`);
      for (const r of d.requires) assert.ok(PYPI_DOWNLOADS.has(r), `${name} requires ${r}, which the table lacks`);
    }
  });

  it('a closure counts each package once', () => {
    const flask = pypiDownloadKb(['flask'])!;
    const parts = ['flask', 'werkzeug', 'jinja2', 'itsdangerous', 'click', 'blinker', 'markupsafe'].reduce((kb, n) => kb + PYPI_DOWNLOADS.get(n)!.kb, 0);
    assert.equal(flask, parts);
    assert.equal(pypiDownloadKb(['flask', 'Flask', 'werkzeug', 'flask_cors']), parts + PYPI_DOWNLOADS.get('flask-cors')!.kb);
  });

  it('an unknown package makes the sum unknown', () => {
    assert.equal(pypiDownloadKb(['flask', 'numpy']), null);
    assert.equal(pypiDownloadKb([]), 0);
  });

  it('names normalize as PyPI does', () => {
    assert.equal(normalizePypiName('Flask_CORS'), 'flask-cors');
    assert.equal(normalizePypiName('python.dotenv'), 'python-dotenv');
  });
});

describe('pip-hygiene with a requirements file the build context shows', () => {
  before(() => initShell());
  const text = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD ["gunicorn", "app:app"]\n';
  const run = (reqs: string) => analyze(text, DEFAULT_SETTINGS, ['pip-hygiene'], { files: { read: (p: string) => (p === 'requirements.txt' ? reqs : null) } }).findings;
  it('sizes read as people say them', () => {
    assert.equal(sizeText(180), '180 KB');
    assert.equal(sizeText(1850), '1.8 MB');
  });
  it('small named packages only: information, with the size', () => {
    const [f] = run('# web\nflask==3.1.0\ngunicorn>=22\n');
    assert.equal(f.severity, 'info');
    assert.match(f.message, /about \d+ KB for these packages/);
  });
  it('a package the table does not know, an include or a URL: a warning', () => {
    for (const reqs of ['flask\nnumpy\n', 'flask\n-r base.txt\n', 'flask\nhttps://example.com/x.whl\n', 'flask[async]\n']) {
      assert.equal(run(reqs)[0].severity, 'warning', reqs);
    }
  });
  it('a file the context does not show: a warning', () => {
    const f = analyze(text, DEFAULT_SETTINGS, ['pip-hygiene']).findings[0];
    assert.equal(f.severity, 'warning');
  });
});

describe('pip-hygiene: the size it names', () => {
  before(() => initShell());
  const one = (run: string) => analyze(`FROM python:3.12-slim\nRUN ${run}\n`, DEFAULT_SETTINGS, ['pip-hygiene']).findings[0];
  it('pip upgrading itself: information, about the size of its wheel', () => {
    const f = one('pip install --upgrade pip');
    assert.equal(f.severity, 'info');
    assert.match(f.message, new RegExp(`about ${(PYPI_DOWNLOADS.get('pip')!.kb / 1024).toFixed(1)} MB`));
  });
  it('known packages over 2 MB: a warning that names their size in MB', () => {
    const f = one('pip install -U pip setuptools wheel');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, new RegExp(`about ${(pypiDownloadKb(['pip', 'setuptools', 'wheel'])! / 1024).toFixed(1)} MB for these packages`));
  });
  it('a package the table does not know: the general size, no figure of its own', () => {
    const f = one('pip install pandas');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /tens of MB for numpy or pandas/);
  });
});

describe('pip-hygiene over a local project the build context shows', () => {
  before(() => initShell());
  const run = (text: string, files: Record<string, string>) =>
    analyze(text, DEFAULT_SETTINGS, ['pip-hygiene'], { files: { read: (p: string) => files[p] ?? null } }).findings;
  const dot = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD ["tool"]\n';
  it('a setup.py with no dependencies: information, counting the setuptools pip builds it with', () => {
    const [f] = run(dot, { 'setup.py': "from setuptools import setup\nsetup(name='tool', install_requires=[])\n" });
    assert.equal(f.severity, 'info');
    assert.ok(f.message.includes(`about ${sizeText(pypiDownloadKb(['setuptools', 'wheel'])!)} for`), f.message);
  });
  it('a setup.py whose install_requires is a list named once before', () => {
    const setup = "import os\nrequirements = ['flask']\n\nsetup(name='t',\n    install_requires = requirements,\n)\n";
    const [f] = run(dot, { 'setup.py': setup });
    assert.equal(f.severity, 'info');
    assert.ok(f.message.includes(`about ${sizeText(pypiDownloadKb(['setuptools', 'wheel', 'flask'])!)} for`), f.message);
    const grown = setup.replace('\n\nsetup', "\nrequirements += open('extra.txt').read().split()\nsetup");
    assert.equal(run(dot, { 'setup.py': grown })[0].severity, 'warning');
  });
  it('a pyproject.toml of small known dependencies, by absolute path and editable', () => {
    const files = { 'pyproject.toml': '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "svc"\ndependencies = ["flask>=3", "gunicorn"]\n' };
    for (const cmd of ['pip install /app', 'pip install -e .', 'pip install --editable ./']) {
      const [f] = run(dot.replace('pip install .', cmd), files);
      assert.equal(f.severity, 'info', cmd);
      assert.equal(Number(/about (\d+) KB/.exec(f.message)![1]), pypiDownloadKb(['hatchling', 'flask', 'gunicorn']), cmd);
    }
  });
  it('dependencies it cannot be sure of: a warning', () => {
    const cases: Record<string, string>[] = [
      { 'pyproject.toml': '[project]\nname = "svc"\ndynamic = ["dependencies"]\n' },
      { 'pyproject.toml': '[project]\nname = "svc"\ndependencies = ["numpy"]\n' },
      { 'setup.py': "reqs = open('requirements.txt').read().split()\nsetup(name='t', install_requires=reqs)\n" },
      { 'setup.py': "setup(name='t', install_requires=['flask', # web\n 'gunicorn'])\n" },
      { 'setup.py': "setup(name='t')\n", 'setup.cfg': '[options]\ninstall_requires =\n    numpy\n' },
      {},
    ];
    for (const files of cases) assert.equal(run(dot, files)[0].severity, 'warning', JSON.stringify(files));
  });
  it('a project outside what the context shows, an archive or extras: a warning', () => {
    const files = { 'setup.py': "setup(name='t', install_requires=[])\n" };
    for (const cmd of ['pip install /opt/other', 'pip install ./dist/tool-1.0.tar.gz', 'pip install .[dev]']) {
      assert.equal(run(dot.replace('pip install .', cmd), files)[0].severity, 'warning', cmd);
    }
  });
});
