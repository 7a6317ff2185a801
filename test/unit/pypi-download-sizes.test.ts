/** The PyPI download table: closures, name normalization, and the table's own consistency. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PYPI_DOWNLOADS, normalizePypiName, pypiDownloadKb } from '../../server/src/knowledge/pypi-download-sizes';

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
