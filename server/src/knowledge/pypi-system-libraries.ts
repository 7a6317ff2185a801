/**
 * PyPI packages whose installed code loads a system library at run time, and the Debian `-dev` package whose
 * run-time libraries (knowledge/runtime-libs.ts) a slim runtime then needs. The full `python` image is built on
 * buildpack-deps, which carries these `-dev` packages, so a `pip install` there builds against them (or a
 * ctypes/cffi binding finds their libraries), and the same venv on `python:*-slim` fails at import
 * (`ImportError: libpq.so.5: cannot open shared object file`).
 *
 * `when`:
 * - `always`: PyPI has no Linux wheel that bundles the library (source distribution only, or a binding that
 *   loads the system library itself), so the library is needed whatever pip picks;
 * - `source`: PyPI's manylinux wheels bundle the library (auditwheel copies it into `<pkg>.libs/`), so it is
 *   needed only when pip is told to build from source (`--no-binary`). An old pin without a wheel for the image's
 *   Python also builds from source; that is not known here (the wheel list of each release is not read).
 * `unless`: another distribution that, when installed too (or named as an extra), provides the library itself.
 *
 * Listed are the libraries the full image carries (buildpack-deps: libpq-dev, default-libmysqlclient-dev,
 * libxml2-dev, libxslt-dev, libjpeg-dev, libwebp-dev, libcurl4-openssl-dev, `file` for libmagic…): those are the
 * builds that work on the full image and break on slim. A package whose library the full image lacks (pyodbc's
 * unixODBC, pyvips' libvips, python-ldap's OpenLDAP headers) works there only if the Dockerfile installs it, and
 * that install is carried over from the Dockerfile itself. Binary distributions that bundle their libraries need
 * nothing and are not listed: psycopg2-binary, psycopg-binary (`psycopg[binary]`), mysql-connector-python (pure
 * Python), pymssql (wheels bundle FreeTDS).
 * Sources, checked 2026-12 (each project's installation page):
 */
export interface PypiSystemLibrary {
  /** The Debian `-dev` packages (their run-time libraries are what the runtime installs). */
  dev: string[];
  when: 'always' | 'source';
  /** A distribution or extra that brings the library itself (`psycopg-binary`, `psycopg[binary]`). */
  unless?: { package?: string; extra?: string };
  source: string;
}

/** PEP 503 normalised name → what it links. */
export const PYPI_SYSTEM_LIBRARIES: Record<string, PypiSystemLibrary> = {
  // psycopg.org/docs/install.html: psycopg2 is a source package that builds against libpq (libpq-dev); the
  // binary package is psycopg2-binary.
  psycopg2: { dev: ['libpq-dev'], when: 'always', source: 'https://www.psycopg.org/docs/install.html' },
  // psycopg.org/psycopg3/docs/basic/install.html: the pure-Python installation loads the system libpq at run
  // time; `psycopg[binary]` (psycopg-binary) bundles it; `psycopg[c]` (psycopg-c) builds against libpq-dev.
  psycopg: { dev: ['libpq-dev'], when: 'always', unless: { package: 'psycopg-binary', extra: 'binary' }, source: 'https://www.psycopg.org/psycopg3/docs/basic/install.html' },
  'psycopg-c': { dev: ['libpq-dev'], when: 'always', source: 'https://www.psycopg.org/psycopg3/docs/basic/install.html' },
  // github.com/PyMySQL/mysqlclient README, "Linux": a source build against default-libmysqlclient-dev; PyPI
  // has wheels for Windows only.
  mysqlclient: { dev: ['default-libmysqlclient-dev'], when: 'always', source: 'https://github.com/PyMySQL/mysqlclient#linux' },
  // github.com/ahupp/python-magic README: a ctypes binding that loads libmagic at run time.
  'python-magic': { dev: ['libmagic-dev'], when: 'always', source: 'https://github.com/ahupp/python-magic#installation' },
  // lxml.de/installation.html: the binary wheels are statically linked with libxml2/libxslt; a source build
  // links the system libraries.
  lxml: { dev: ['libxml2-dev', 'libxslt1-dev'], when: 'source', source: 'https://lxml.de/installation.html' },
  // pillow.readthedocs.io/en/stable/installation/building-from-source.html: the wheels bundle the image
  // libraries; a source build links libjpeg and zlib (required) and libtiff, freetype, lcms2, webp, openjpeg
  // when their headers are there (they are in buildpack-deps, through libmagickcore-dev).
  pillow: { dev: ['libjpeg-dev', 'zlib1g-dev', 'libtiff-dev', 'libfreetype-dev', 'liblcms2-dev', 'libwebp-dev', 'libopenjp2-7-dev'], when: 'source', source: 'https://pillow.readthedocs.io/en/stable/installation/building-from-source.html' },
  // pycurl.io/docs/latest/install.html: wheels (7.45.3 and later) bundle libcurl; a source build links it.
  pycurl: { dev: ['libcurl4-openssl-dev'], when: 'source', source: 'http://pycurl.io/docs/latest/install.html' },
};

/** A distribution name as PEP 503 compares them: lower case, runs of `-`, `_`, `.` as one `-`. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** One requirement: its normalised name and its extras. */
export interface PypiRequirement {
  name: string;
  extras: string[];
}

/**
 * The `-dev` packages whose run-time libraries the installed distributions need, and the distributions that
 * need them. `noBinary`: the distributions pip builds from source (`--no-binary`; `:all:` for every one).
 */
export function pypiSystemLibraries(reqs: PypiRequirement[], noBinary: Set<string>): { dev: string[]; because: string[] } {
  const names = new Set(reqs.map((r) => r.name));
  const dev: string[] = [];
  const because: string[] = [];
  for (const r of reqs) {
    const e = Object.prototype.hasOwnProperty.call(PYPI_SYSTEM_LIBRARIES, r.name) ? PYPI_SYSTEM_LIBRARIES[r.name] : undefined;
    if (!e) continue;
    if (e.when === 'source' && !noBinary.has(r.name) && !noBinary.has(':all:')) continue;
    if (e.unless && ((e.unless.package && names.has(e.unless.package)) || (e.unless.extra && r.extras.includes(e.unless.extra)))) continue;
    if (!because.includes(r.name)) because.push(r.name);
    for (const d of e.dev) if (!dev.includes(d)) dev.push(d);
  }
  return { dev, because };
}
