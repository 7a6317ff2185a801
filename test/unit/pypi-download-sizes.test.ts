/** The PyPI download table: closures, name normalization, and the table's own consistency. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PYPI_DOWNLOADS, normalizePypiName, pypiDownloadKb } from '../../server/src/knowledge/pypi-download-sizes';
import { analyze } from '../../server/src/core/analyze';
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
