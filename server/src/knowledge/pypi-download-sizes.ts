/**
 * What pip downloads for a few small, common PyPI packages: the wheel of a recent release (KB, rounded up) and the
 * packages it requires. pip's cache holds what it downloads, so an install of only these packages leaves well under
 * a few MB in the cache: worth a look, not a warning. A package not listed here may weigh anything (numpy ≈ 16 MB,
 * torch ≥ 170 MB): the finding stays a warning.
 *
 * Source, not measured here: the "Download files" listing of each project on pypi.org (the py3-none-any wheel, or the
 * manylinux x86_64 wheel for the ones with compiled parts) and the `Requires-Dist` of that wheel's metadata, for
 * the releases of 2024–2025 (flask 3.1, werkzeug 3.1, jinja2 3.1, requests 2.32, urllib3 2.x, gunicorn 23),
 * rounded up. Sizes move by a few KB between releases; the rule uses the sums only to tell "under 2 MB" from the
 * rest (table written 2026-12-02).
 */
import { normalizePypiName } from './pypi-system-libraries';

export interface PypiDownload {
  /** The wheel's size, KB. */
  readonly kb: number;
  /** The packages it requires (normalized names), downloaded with it. */
  readonly requires: readonly string[];
}

export const PYPI_DOWNLOADS: ReadonlyMap<string, PypiDownload> = new Map<string, PypiDownload>([
  ['flask', { kb: 105, requires: ['werkzeug', 'jinja2', 'itsdangerous', 'click', 'blinker', 'markupsafe'] }],
  ['werkzeug', { kb: 230, requires: ['markupsafe'] }],
  ['jinja2', { kb: 135, requires: ['markupsafe'] }],
  ['markupsafe', { kb: 25, requires: [] }],
  ['itsdangerous', { kb: 20, requires: [] }],
  ['click', { kb: 105, requires: [] }],
  ['blinker', { kb: 10, requires: [] }],
  ['flask-cors', { kb: 20, requires: ['flask', 'werkzeug'] }],
  ['requests', { kb: 65, requires: ['urllib3', 'certifi', 'idna', 'charset-normalizer'] }],
  ['urllib3', { kb: 130, requires: [] }],
  ['certifi', { kb: 165, requires: [] }],
  ['idna', { kb: 75, requires: [] }],
  ['charset-normalizer', { kb: 155, requires: [] }],
  ['python-dotenv', { kb: 25, requires: [] }],
  ['gunicorn', { kb: 90, requires: ['packaging'] }],
  ['packaging', { kb: 70, requires: [] }],
  ['six', { kb: 15, requires: [] }],
  ['colorama', { kb: 30, requires: [] }],
  ['tabulate', { kb: 40, requires: [] }],
  ['toml', { kb: 20, requires: [] }],
  ['schedule', { kb: 15, requires: [] }],
  ['python-dateutil', { kb: 235, requires: ['six'] }],
  ['watchdog', { kb: 85, requires: [] }],
  ['whitenoise', { kb: 20, requires: [] }],
  ['typing-extensions', { kb: 45, requires: [] }],
  ['uvicorn', { kb: 65, requires: ['click', 'h11'] }],
  ['h11', { kb: 60, requires: [] }],
  ['psutil', { kb: 290, requires: [] }],
  ['pexpect', { kb: 65, requires: ['ptyprocess'] }],
  ['ptyprocess', { kb: 15, requires: [] }],
  ['flake8', { kb: 60, requires: ['mccabe', 'pycodestyle', 'pyflakes'] }],
  ['mccabe', { kb: 10, requires: [] }],
  ['pycodestyle', { kb: 35, requires: [] }],
  ['pyflakes', { kb: 65, requires: [] }],
  ['pyyaml', { kb: 770, requires: [] }],
  // Source distributions only (no Linux wheels): pip downloads the sdist and the setuptools it builds with.
  ['mysqlclient', { kb: 95, requires: ['setuptools'] }],
  ['flask-mysqldb', { kb: 5, requires: ['flask', 'mysqlclient', 'setuptools'] }],
  // pip itself (`pip install --upgrade pip`): pip 25.
  ['pip', { kb: 1850, requires: [] }],
  // Build backends, which pip downloads to build a local project in an isolated environment (setuptools 80, wheel
  // 0.45, hatchling 1.27, flit-core 3.12, poetry-core 2.1).
  ['setuptools', { kb: 1210, requires: [] }],
  ['wheel', { kb: 75, requires: [] }],
  ['hatchling', { kb: 80, requires: ['packaging', 'pathspec', 'pluggy', 'trove-classifiers'] }],
  ['pathspec', { kb: 35, requires: [] }],
  ['pluggy', { kb: 25, requires: [] }],
  ['trove-classifiers', { kb: 15, requires: [] }],
  ['flit-core', { kb: 50, requires: [] }],
  ['poetry-core', { kb: 335, requires: [] }],
  // A placeholder that only points pip at NVIDIA's index: a source archive of a few KB.
  ['nvidia-pyindex', { kb: 10, requires: [] }],
]);

export { normalizePypiName };

/** KB that pip downloads for these packages and what they require, or null when one of them is not in the table. */
export function pypiDownloadKb(names: Iterable<string>): number | null {
  const seen = new Set<string>();
  const todo = [...names].map(normalizePypiName);
  let kb = 0;
  while (todo.length) {
    const n = todo.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const d = PYPI_DOWNLOADS.get(n);
    if (!d) return null;
    kb += d.kb;
    todo.push(...d.requires);
  }
  return kb;
}
