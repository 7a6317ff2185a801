/** The run-time library table and the helpers the Ruby, PHP and R recipes sort installed packages with. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../server/src/core/model';
import { initShell, parseShell } from '../../server/src/core/shell';
import { BUILD_PACKAGE } from '../../server/src/knowledge/toolchains';
import { RUNTIME_LIBRARIES, debianReleaseOfTag, gemsInLockfile, rockerRelease, runtimeLibraries } from '../../server/src/knowledge/runtime-libraries';
import { aptInstallLine, aptPackages, runtimePackages } from '../../server/src/fixes/multi-stage/system-packages';

before(() => initShell());

function aptOf(text: string) {
  const model = buildModel(text);
  return aptPackages(model, model.stages[model.stages.length - 1]);
}

describe('runtimeLibraries', () => {
  it('maps the common -dev packages to their bookworm run-time packages', () => {
    const r = runtimeLibraries(['libpq-dev', 'libsqlite3-dev', 'libxml2-dev', 'libyaml-dev', 'default-libmysqlclient-dev'], 'bookworm');
    assert.deepEqual(r, { packages: ['libpq5', 'libsqlite3-0', 'libxml2', 'libyaml-0-2', 'libmariadb3'], unknown: [] });
  });
  it('names the -dev packages it does not know, once each, and strips version pins and architectures', () => {
    const r = runtimeLibraries(['libpq-dev=15.5-0+deb12u1', 'libgeoip-dev', 'libssl-dev:amd64', 'libgeoip-dev'], 'bookworm');
    assert.deepEqual(r, { packages: ['libpq5', 'libssl3'], unknown: ['libgeoip-dev'] });
  });
  it('does not answer from the prototype chain', () => {
    assert.deepEqual(runtimeLibraries(['constructor', 'toString'], 'bookworm'), { packages: [], unknown: ['constructor', 'toString'] });
  });
  it('keeps the releases apart where the 64-bit time_t transition renamed a library', () => {
    assert.deepEqual(runtimeLibraries(['libssl-dev', 'libcurl4-openssl-dev'], 'jammy').packages, ['libssl3', 'libcurl4']);
    assert.deepEqual(runtimeLibraries(['libssl-dev', 'libcurl4-openssl-dev'], 'noble').packages, ['libssl3t64', 'libcurl4t64']);
  });
  it('never maps to a build package, and every table maps only -dev packages', () => {
    for (const t of RUNTIME_LIBRARIES) {
      for (const [dev, libs] of Object.entries(t.libs)) {
        assert.match(dev, /-(dev|devel)(-compat)?$/, `${t.release}: ${dev}`);
        for (const l of libs) assert.ok(!BUILD_PACKAGE.test(l), `${t.release}: ${dev} → ${l} is a build package`);
      }
    }
  });
});

describe('release of a tag', () => {
  it('reads the Debian codename an official image tag names', () => {
    assert.equal(debianReleaseOfTag('3.3-bookworm'), 'bookworm');
    assert.equal(debianReleaseOfTag('8.3-apache-bookworm'), 'bookworm');
    assert.equal(debianReleaseOfTag('3.3-slim-trixie'), 'trixie');
    assert.equal(debianReleaseOfTag('bookworm'), 'bookworm');
    assert.equal(debianReleaseOfTag('3.3'), null);
    assert.equal(debianReleaseOfTag('8.3-apache'), null);
    assert.equal(debianReleaseOfTag(null), null);
  });
  it('knows which Ubuntu release each rocker/r-ver version is built on', () => {
    assert.equal(rockerRelease('4.1.3'), 'focal');
    assert.equal(rockerRelease('4.2.1'), 'focal');
    assert.equal(rockerRelease('4.2.2'), 'jammy');
    assert.equal(rockerRelease('4.2'), 'jammy');
    assert.equal(rockerRelease('4.4.1'), 'jammy');
    assert.equal(rockerRelease('4.5.1'), 'noble');
    assert.equal(rockerRelease('4'), null, 'a moving tag');
    assert.equal(rockerRelease('latest'), null);
    assert.equal(rockerRelease('devel'), null);
    assert.equal(rockerRelease('3.6.3'), null);
  });
});

describe('gemsInLockfile', () => {
  it('lists the gems of the specs sections, not their dependency lines', () => {
    const lock = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    pg (1.5.4)\n    rails (7.1.3)\n      actionpack (= 7.1.3)\n\nDEPENDENCIES\n  pg (~> 1.1)\n';
    assert.deepEqual(gemsInLockfile(lock), ['pg', 'rails']);
    assert.deepEqual(gemsInLockfile(lock.replace(/\n/g, '\r\n')), ['pg', 'rails']);
  });
});

describe('aptPackages', () => {
  it('sorts packages into -dev, build-only and run-time ones, skipping option values', () => {
    const apt = aptOf('FROM ruby:3.3-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confnew build-essential libpq-dev nodejs git unzip tzdata\n');
    assert.deepEqual(apt, { dev: ['libpq-dev'], buildOnly: ['build-essential', 'git', 'unzip'], runtime: ['nodejs', 'tzdata'], problem: null });
  });
  it('reports what it cannot follow: another release, an added repository, a package list in a variable', () => {
    assert.match(aptOf('FROM debian:bookworm\nRUN apt-get install -y -t bookworm-backports libpq-dev\n').problem ?? '', /another release/);
    assert.match(aptOf('FROM debian:bookworm\nRUN echo "deb http://x/ stable main" > /etc/apt/sources.list.d/x.list && apt-get install -y x\n').problem ?? '', /repository/);
    assert.match(aptOf('FROM debian:bookworm\nRUN apt-get install -y $PKGS\n').problem ?? '', /variable/);
  });
});

describe('runtimePackages', () => {
  const apt = { dev: ['libpq-dev'], buildOnly: ['gcc'], runtime: ['tzdata'], problem: null };
  it('installs the libraries first, then the other run-time packages', () => {
    assert.deepEqual(runtimePackages(apt, 'bookworm', 'ruby:3.3-bookworm'), { ok: true, packages: ['libpq5', 'tzdata'] });
  });
  it('declines when the release is not named or not known, and says which', () => {
    const unnamed = runtimePackages(apt, null, 'ruby:3.3');
    assert.ok(!unnamed.ok && /ruby:3\.3 does not name its distribution release/.test(unnamed.reason));
    const forky = runtimePackages(apt, 'forky', 'ruby:3.3-forky');
    assert.ok(!forky.ok && /not known here for forky/.test(forky.reason));
  });
  it('needs no release when nothing is to be mapped', () => {
    assert.deepEqual(runtimePackages({ ...apt, dev: [] }, null, 'ruby:3.3'), { ok: true, packages: ['tzdata'] });
  });
  it('writes one apt RUN that parses as one && chain', () => {
    const line = aptInstallLine(['libpq5', 'tzdata']);
    assert.equal(line, 'RUN apt-get update && apt-get install -y --no-install-recommends libpq5 tzdata && rm -rf /var/lib/apt/lists/*');
    const script = parseShell(line.slice(4));
    assert.ok(script?.plainAndChain);
    assert.deepEqual(script.commands.map((c) => c.name), ['apt-get', 'apt-get', 'rm']);
  });
});
