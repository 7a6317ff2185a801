/** runtimeToolPackages: the packages a runtime installs for the programs a moved HEALTHCHECK, CMD or ENTRYPOINT calls. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initShell } from '../../server/src/core/shell';
import { buildModel } from '../../server/src/core/model';
import { runtimeToolPackages, withToolPackages, type RuntimeBase } from '../../server/src/fixes/multi-stage/common';
import { RUNTIME_TOOLS, debianProgram } from '../../server/src/knowledge/runtime-tools';

before(() => initShell());

/** The tools of the file's last stage's HEALTHCHECK/CMD/ENTRYPOINT on `image`, the app being /app/server. */
function tools(body: string, image: string, hasShell = true) {
  const model = buildModel(`FROM golang:1.22\nWORKDIR /app\n${body}\n`);
  const stage = model.stages[model.stages.length - 1];
  const runtime: RuntimeBase = { image, hasShell, provides: (p) => p === '/app/server' || p === './server' || p === 'node' };
  return runtimeToolPackages(model, stage.instructions, runtime);
}

describe('runtimeToolPackages', () => {
  it('a shell-form curl health check on a Debian runtime: curl (the `|| exit 1` is a builtin)', () => {
    assert.deepEqual(tools('HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\nCMD ["/app/server"]', 'node:20-slim'), { ok: true, packages: ['curl'], manager: 'apt' });
  });

  it('an https:// URL adds ca-certificates on apt, which --no-install-recommends leaves out', () => {
    assert.deepEqual(tools('HEALTHCHECK CMD ["curl", "-f", "https://localhost:8443/health"]\nCMD ["/app/server"]', 'python:3.12-slim'), { ok: true, packages: ['curl', 'ca-certificates'], manager: 'apt' });
  });

  it('Alpine: curl from apk; BusyBox already has wget and nc', () => {
    assert.deepEqual(tools('HEALTHCHECK CMD curl -f http://localhost/ || exit 1\nCMD ["/app/server"]', 'eclipse-temurin:21-jre-alpine'), { ok: true, packages: ['curl'], manager: 'apk' });
    assert.deepEqual(tools('HEALTHCHECK CMD wget -qO- http://localhost/ && nc -z localhost 80\nCMD ["/app/server"]', 'node:20-alpine'), { ok: true, packages: [], manager: null });
  });

  it('programs the runtime provides, HEALTHCHECK NONE and a CMD after an ENTRYPOINT need nothing', () => {
    assert.deepEqual(tools('HEALTHCHECK NONE\nENTRYPOINT ["/app/server"]\nCMD ["curl"]', 'debian:bookworm-slim'), { ok: true, packages: [], manager: null });
    assert.deepEqual(tools('HEALTHCHECK CMD ["node", "healthcheck.js"]\nCMD ["sh", "-c", "exec ./server --port $PORT"]', 'node:20-slim'), { ok: true, packages: [], manager: null });
  });

  it('distroless: no package manager, so a program it lacks is a reason, naming it', () => {
    const r = tools('HEALTHCHECK CMD ["curl", "-f", "http://localhost:8080/"]\nCMD ["/app/server"]', 'gcr.io/distroless/static-debian12:nonroot', false);
    assert.deepEqual(r, { ok: false, reason: 'the HEALTHCHECK on line 3 runs `curl`, and gcr.io/distroless/static-debian12:nonroot has no package manager to install it' });
    const sh = tools('HEALTHCHECK CMD /app/server -check || exit 1\nCMD ["/app/server"]', 'gcr.io/distroless/static-debian12:nonroot', false);
    assert.equal(sh.ok, false);
  });

  it('a program no table knows, or a command name in a variable, is a reason rather than a guess', () => {
    assert.deepEqual(tools('HEALTHCHECK CMD grpc_health_probe -addr=:50051\nCMD ["/app/server"]', 'node:20-slim'), { ok: false, reason: 'the HEALTHCHECK on line 3 runs `grpc_health_probe`, which node:20-slim does not have' });
    assert.deepEqual(tools('HEALTHCHECK CMD pg_isready -h localhost\nCMD ["/app/server"]', 'node:20-slim'), { ok: true, packages: ['postgresql-client'], manager: 'apt' });
    assert.deepEqual(tools('HEALTHCHECK CMD pg_isready -h localhost\nCMD ["/app/server"]', 'node:20-alpine'), { ok: false, reason: 'the HEALTHCHECK on line 3 runs `pg_isready`, whose Alpine package is not known here' });
    assert.deepEqual(tools('HEALTHCHECK CMD $CHECKER http://localhost/\nCMD ["/app/server"]', 'node:20-slim'), { ok: false, reason: 'the HEALTHCHECK on line 3 runs a command named by a variable' });
  });

  it('withToolPackages joins the recipe\'s own apt line (one RUN), else adds one with its hygiene', () => {
    const apt = 'RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*';
    assert.deepEqual(withToolPackages([apt], ['curl'], 'apt'), ['RUN apt-get update && apt-get install -y --no-install-recommends curl libpq5 && rm -rf /var/lib/apt/lists/*']);
    assert.deepEqual(withToolPackages([apt], ['libpq5'], 'apt'), [apt]);
    assert.deepEqual(withToolPackages([], ['curl'], 'apt'), ['RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*']);
    assert.deepEqual(withToolPackages([], ['curl'], 'apk'), ['RUN apk add --no-cache curl']);
  });

  it('every tool entry names its source and the date it was checked', () => {
    for (const t of RUNTIME_TOOLS) {
      assert.ok(t.source.length > 10, t.program);
      assert.match(t.checked, /^\d{4}-\d{2}$/, t.program);
    }
  });
});

describe('the two program tables', () => {
  it('name the same Debian package where both know a program', () => {
    let both = 0;
    for (const t of RUNTIME_TOOLS) {
      const d = debianProgram(t.program);
      if (!d || d.package === null || t.debian === null) continue;
      both++;
      assert.equal(d.package, t.debian, t.program);
    }
    assert.ok(both >= 3, `only ${both} programs in both tables`);
  });
});
