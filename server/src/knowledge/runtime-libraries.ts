/**
 * Build-time (`-dev`) packages and the run-time packages that hold the shared libraries they link, per
 * distribution release. A runtime stage that drops the `-dev` package installs these instead
 * (`libpq-dev` → `libpq5`). Package names differ between releases (Debian trixie and Ubuntu noble renamed
 * many libraries for the 64-bit time_t transition: `libssl3` → `libssl3t64`), so every table is for one release.
 */

import { RUNTIME_LIB_RELEASES, beforeQualifier, runtimeLibFor } from './runtime-libs';

/** Debian releases come from the shared table in `runtime-libs.ts`; the Ubuntu ones (rocker/r-ver) are here. */
export type Release = (typeof RUNTIME_LIB_RELEASES)[number] | 'jammy' | 'noble';

export interface RuntimeLibraryTable {
  release: Release;
  /** `-dev` package → the run-time packages its headers belong to. */
  libs: Record<string, string[]>;
  source: string;
  checked: string;
}

/**
 * Ubuntu 22.04 jammy and 24.04 noble (the bases of rocker/r-ver 4.2.2–4.4.x and 4.5.x): package names as listed by
 * the Ubuntu archive (packages.ubuntu.com), for the libraries R packages commonly link. Not read on this machine
 * (a Debian one); kept to the names that did not change within a release's life.
 */
const JAMMY: Record<string, string[]> = {
  'libcurl4-openssl-dev': ['libcurl4'],
  'libssl-dev': ['libssl3'],
  'libxml2-dev': ['libxml2'],
  'libpq-dev': ['libpq5'],
  'libsqlite3-dev': ['libsqlite3-0'],
  'libmariadb-dev': ['libmariadb3'],
  'libpng-dev': ['libpng16-16'],
  'libjpeg-dev': ['libjpeg8'],
  'libtiff-dev': ['libtiff5'],
  'libfontconfig1-dev': ['libfontconfig1'],
  'libfreetype6-dev': ['libfreetype6'],
  'libharfbuzz-dev': ['libharfbuzz0b'],
  'libfribidi-dev': ['libfribidi0'],
  'libicu-dev': ['libicu70'],
  'libgit2-dev': ['libgit2-1.1'],
  'libudunits2-dev': ['libudunits2-0'],
  'libsodium-dev': ['libsodium23'],
  'libgmp-dev': ['libgmp10'],
  'libglpk-dev': ['libglpk40'],
  'zlib1g-dev': ['zlib1g'],
};
const NOBLE: Record<string, string[]> = {
  ...JAMMY,
  'libcurl4-openssl-dev': ['libcurl4t64'],
  'libssl-dev': ['libssl3t64'],
  'libpng-dev': ['libpng16-16t64'],
  'libtiff-dev': ['libtiff6'],
  'libfreetype-dev': ['libfreetype6'],
  'libicu-dev': ['libicu74'],
  'libgit2-dev': ['libgit2-1.7'],
};

/** The Ubuntu tables (the Debian releases are in `runtime-libs.ts`). */
export const RUNTIME_LIBRARIES: RuntimeLibraryTable[] = [
  { release: 'jammy', libs: JAMMY, source: 'Ubuntu 22.04 archive (packages.ubuntu.com); not read on this machine', checked: '2026-11' },
  { release: 'noble', libs: NOBLE, source: 'Ubuntu 24.04 archive (packages.ubuntu.com); not read on this machine', checked: '2026-11' },
];

function libsOf(name: string, release: Release): string[] | undefined {
  if ((RUNTIME_LIB_RELEASES as readonly string[]).includes(release)) return runtimeLibFor(name, release)?.split(' ');
  const table = RUNTIME_LIBRARIES.find((t) => t.release === release)!.libs;
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

/** The run-time packages of `-dev` packages on a release: the packages found, and the `-dev` packages not known. */
export function runtimeLibraries(devPackages: string[], release: Release): { packages: string[]; unknown: string[] } {
  const packages: string[] = [];
  const unknown: string[] = [];
  for (const d of devPackages) {
    const name = beforeQualifier(d);
    const libs = libsOf(name, release);
    if (!libs) {
      if (!unknown.includes(name)) unknown.push(name);
      continue;
    }
    for (const l of libs) if (!packages.includes(l)) packages.push(l);
  }
  return { packages, unknown };
}

/** The Debian release a Docker official image tag names (`3.3-bookworm`, `8.3-apache-bookworm`), or null. */
export function debianReleaseOfTag(tag: string | null): string | null {
  const m = /(?:^|-)(buster|bullseye|bookworm|trixie|forky)(?:-|$)/.exec(tag ?? '');
  return m ? m[1] : null;
}

/**
 * The Ubuntu release under a rocker/r-ver tag: 4.0.0–4.2.1 on focal, 4.2.2–4.4.x on jammy, 4.5.x on noble
 * (rocker-versioned2 dockerfiles/r-ver_<version>.Dockerfile, `FROM ubuntu:<release>`, checked 2026-11). Moving
 * tags (`latest`, `4`) and unknown versions give null.
 */
export function rockerRelease(tag: string | null): string | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag ?? '');
  if (!m) return null;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  const patch = m[3] === undefined ? null : Number(m[3]);
  if (maj !== 4) return null;
  if (min <= 1) return 'focal';
  if (min === 2) return patch === null || patch >= 2 ? 'jammy' : 'focal';
  if (min <= 4) return 'jammy';
  if (min === 5) return 'noble';
  return null;
}

/** Whether a release has a table here. */
export function isKnownRelease(r: string | null): r is Release {
  return !!r && ((RUNTIME_LIB_RELEASES as readonly string[]).includes(r) || RUNTIME_LIBRARIES.some((t) => t.release === r));
}

/**
 * Gems whose native extension links a system library that the full `ruby` image has (it is built on
 * buildpack-deps, which carries the `-dev` packages) but the slim image does not: the `-dev` package it builds
 * against. From each gem's extconf.rb / README (pg: libpq; mysql2: libmysqlclient/libmariadb; ruby-vips and ethon load
 * libvips / libcurl through FFI at run time; charlock_holmes: ICU; rmagick: ImageMagick's MagickWand; curb: libcurl),
 * checked 2026-11. Gems that vendor their library (nokogiri, sqlite3 ≥ 1.5, sassc, grpc) or link only what the slim
 * image keeps (libssl, libyaml, libffi, libgmp, zlib: docker-library/ruby slim Dockerfiles) are not listed.
 */
export const GEM_SYSTEM_LIBRARIES: Record<string, string> = {
  pg: 'libpq-dev',
  mysql2: 'default-libmysqlclient-dev',
  'ruby-vips': 'libvips-dev',
  ethon: 'libcurl4-openssl-dev',
  curb: 'libcurl4-openssl-dev',
  charlock_holmes: 'libicu-dev',
  rmagick: 'libmagickwand-dev',
  'tiny_tds': 'freetds-dev',
};

/** Gem names in a Gemfile.lock's `specs:` sections (`    pg (1.5.4)`). */
export function gemsInLockfile(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^ {4}([A-Za-z0-9_.-]+) \(/gm)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}
