/** C/C++ on distribution images: the run-time library tables per distribution and what the C recipe decides. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../server/src/core/model';
import { initShell } from '../../server/src/core/shell';
import { planConversion } from '../../server/src/fixes/multi-stage/index';
import { RUNTIME_LIBRARIES, distributionOf, isKnownRelease, runtimeLibraries } from '../../server/src/knowledge/runtime-libraries';

before(() => initShell());

function plan(text: string) {
  return planConversion(buildModel(text));
}

function runtimeOf(text: string): string {
  const conv = plan(text);
  assert.ok(conv.ok, conv.ok ? '' : conv.reason);
  const lines = conv.edits.map((e) => e.text).join('');
  return lines.slice(lines.lastIndexOf('FROM '));
}

describe('run-time library tables', () => {
  it('has one table per release, each with a source and the date it was checked', () => {
    const releases = RUNTIME_LIBRARIES.map((t) => t.release);
    assert.equal(new Set(releases).size, releases.length);
    for (const r of ['bookworm', 'bullseye', 'trixie', 'jammy', 'noble', 'alpine3.19', 'alpine3.20', 'alpine3.21', 'alpine3.22', 'alpine3.23', 'alpine3.24', 'el9']) assert.ok(releases.includes(r as never), r);
    for (const t of RUNTIME_LIBRARIES) {
      assert.ok(t.source.length > 10, `${t.release} names its source`);
      assert.match(t.checked, /^\d{4}-\d{2}$/);
    }
  });
  it('maps Alpine -dev packages to the subpackage with the library, version constraints stripped', () => {
    assert.deepEqual(runtimeLibraries(['openssl-dev', 'zlib-dev=1.3.1-r1', 'sqlite-dev>3.40', 'musl-dev'], 'alpine3.20'), { packages: ['libssl3', 'libcrypto3', 'zlib', 'sqlite-libs'], unknown: [] });
    assert.deepEqual(runtimeLibraries(['libgit2-dev'], 'alpine3.21').unknown, ['libgit2-dev']);
    assert.equal(distributionOf('alpine3.19'), 'alpine');
  });
  it('maps Enterprise Linux 9 -devel packages, with an rpm version and architecture stripped', () => {
    assert.deepEqual(runtimeLibraries(['openssl-devel', 'zlib-devel-1.2.11-40.el9.x86_64', 'glibc-devel'], 'el9'), { packages: ['openssl-libs', 'zlib'], unknown: [] });
    // UBI 9 ships libcurl-minimal, which the full libcurl replaces only with --allowerasing: not mapped.
    assert.deepEqual(runtimeLibraries(['libcurl-devel'], 'el9').unknown, ['libcurl-devel']);
  });
  it('knows no release it has no table for', () => {
    assert.equal(isKnownRelease('focal'), false);
    assert.equal(isKnownRelease('alpine3.18'), false);
    assert.equal(isKnownRelease('alpine3.25'), false);
    assert.equal(isKnownRelease('fedora40'), false);
  });
});

describe('C/C++ on a distribution image', () => {
  const apt = 'RUN apt-get update && apt-get install -y --no-install-recommends build-essential libssl-dev && rm -rf /var/lib/apt/lists/*\n';
  it('keeps ca-certificates when the stage installed it, and drops the build directory as WORKDIR', () => {
    const rt = runtimeOf(`FROM debian:bookworm\n${apt.replace('libssl-dev', 'libssl-dev ca-certificates')}WORKDIR /src\nCOPY . .\nRUN make && make install PREFIX=/opt/fetch\nCMD ["/opt/fetch/bin/fetch"]\n`);
    assert.match(rt, /install -y --no-install-recommends libssl3 ca-certificates /);
    assert.match(rt, /COPY --from=build \/opt\/fetch \/opt\/fetch/);
    assert.doesNotMatch(rt, /WORKDIR/);
  });
  it('keeps the WORKDIR, whole, when the program is built there (it may read what the COPY brought: data/x.db)', () => {
    const rt = runtimeOf(`FROM ubuntu:24.04\n${apt}WORKDIR /src\nCOPY . .\nRUN make\nCMD ["./tool", "--data", "data/x.db"]\n`);
    assert.match(rt, /^FROM ubuntu:24\.04\r?\n[\s\S]*?libssl3t64[\s\S]*?\r?\nWORKDIR \/src\r?\nCOPY --from=build \/src \/src\r?\n/m);
  });
  it('installs the C++ run-time libraries on Alpine when a C++ compiler built the program', () => {
    const rt = runtimeOf('FROM alpine:3.21\nRUN apk add --no-cache g++ make zlib-dev\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["./srv"]\n');
    assert.match(rt, /RUN apk add --no-cache zlib libstdc\+\+ libgcc\r?\n/);
  });
  it('copies a program the stage copied into place after the build', () => {
    const rt = runtimeOf(`FROM debian:12\n${apt}WORKDIR /src\nCOPY . .\nRUN make && install -m 0755 build/tool /usr/local/bin/tool\nCMD ["tool"]\n`);
    assert.match(rt, /COPY --from=build \/usr\/local\/bin\/tool \/usr\/local\/bin\/tool/);
  });
  it('declines a bare program name whose install prefix is not on PATH', () => {
    const conv = plan(`FROM debian:bookworm\n${apt}WORKDIR /src\nCOPY . .\nRUN ./configure --prefix=/opt/tool && make install\nCMD ["tool"]\n`);
    assert.ok(!conv.ok && /\/opt\/tool\/bin, where the install step puts it, is not on PATH/.test(conv.reason), conv.ok ? '' : conv.reason);
  });
  it('declines a RUN that writes outside the build and what the runtime copies', () => {
    const conv = plan(`FROM debian:bookworm\n${apt}WORKDIR /src\nCOPY . .\nRUN make install PREFIX=/opt/t && ln -s /opt/t/bin/t /usr/bin/t\nCMD ["/usr/bin/t"]\n`);
    assert.ok(!conv.ok && /writes \/usr\/bin\/t \(`ln`\)/.test(conv.reason), conv.ok ? '' : conv.reason);
  });
  it('declines a build in /, where the sources cannot be told apart from the image', () => {
    const conv = plan(`FROM debian:bookworm\n${apt}COPY . /\nRUN make\nCMD ["/tool"]\n`);
    assert.ok(!conv.ok && /runs in \//.test(conv.reason), conv.ok ? '' : conv.reason);
  });
  it('is not the recipe for a distribution image without a native build step', () => {
    const conv = plan(`FROM debian:bookworm\n${apt}WORKDIR /app\nCOPY . .\nCMD ["./run.sh"]\n`);
    assert.ok(!conv.ok && /no conversion recipe/.test(conv.reason));
  });
});
