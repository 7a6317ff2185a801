/**
 * Build and compare without an engine: reading build logs, the rewrite behind a failing step, the issue text,
 * the report views, the texts the analysis gives, and the run itself against an engine stand-in (the real
 * engines are the `compare` test layer's).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers';
import { causeOf, compareBuilds, instructionsOf, issueText, minimalDockerfile, stepOf, type CompareInput } from '../../server/src/node/compare';
import { reportText } from '../../server/src/node/compare-format';
import { renderReport } from '../../client/src/compare-view';
import { compareTexts } from '../../server/src/analysis/compare-inputs';
import { DEFAULT_SETTINGS } from '../../server/src/core/types';
import { TOOLCHAIN_PATHS } from '../../server/src/knowledge/toolchain-paths';
import { RECIPES } from '../../server/src/fixes/multi-stage/index';
import { initShell } from '../../server/src/core/shell';
import { folderFiles } from '../../server/src/node/workspace-files';
import type { BuildRequest, Engine, ImageFacts, SmokeRequest, SmokeResult } from '../../server/src/node/engine';
import type { RunResult } from '../../server/src/node/process-tree';

const GO = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/server .\nEXPOSE 8080\nCMD ["/usr/local/bin/server"]\n';

describe('build logs', () => {
  it('reads the step lines of buildah/podman, docker\'s classic builder and BuildKit', () => {
    assert.deepEqual(stepOf('STEP 4/6: RUN go build .'), { label: 'STEP 4/6', instruction: 'RUN go build .' });
    assert.deepEqual(stepOf('[1/2] STEP 5/5: RUN test -e /x'), { label: '[1/2] STEP 5/5', instruction: 'RUN test -e /x' });
    assert.deepEqual(stepOf('Step 3/5 : RUN make'), { label: 'Step 3/5', instruction: 'RUN make' });
    assert.deepEqual(stepOf('#7 [build 3/4] RUN go build -o /out .'), { label: '[build 3/4]', instruction: 'RUN go build -o /out .' });
    assert.equal(stepOf('--> Using cache 4c61087'), null);
    assert.equal(stepOf('#7 0.123 go: downloading'), null);
  });

  it('splits a Dockerfile into instructions: continuations joined, comments and heredoc bodies skipped', () => {
    const text = '# syntax=docker/dockerfile:1\nFROM debian\n# a comment\nRUN apt-get update \\\n  # inside\n  && apt-get install -y curl\nCOPY <<EOF /x\nRUN not an instruction\nEOF\nCMD ["x"]\n';
    assert.deepEqual(instructionsOf(text), [
      { line: 2, text: 'FROM debian' },
      { line: 4, text: 'RUN apt-get update && apt-get install -y curl' },
      { line: 7, text: 'COPY <<EOF /x' },
      { line: 10, text: 'CMD ["x"]' },
    ]);
    assert.deepEqual(instructionsOf('# escape=`\nFROM x\nRUN a `\n  b\n').map((i) => i.text), ['FROM x', 'RUN a b']);
  });
});

describe('the rewrite behind a failing step', () => {
  const before = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n';
  const ms = 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nCMD ["/app"]\n';
  const user = 'FROM golang:1.22\nRUN go build -o /app .\nUSER 10001\nCMD ["/app"]\n';
  const input = (rules: string[]): CompareInput => ({ dockerfile: 'Dockerfile', before, after: ms, rules, perRule: { 'multi-stage': ms, 'non-root-user': user }, toolchainPaths: null, context: '.' });

  it('a step only one rewrite wrote is that rewrite\'s', () => {
    const c = causeOf(input(['multi-stage', 'non-root-user']), 'COPY --from=build /app /app');
    assert.deepEqual(c?.rules, ['multi-stage']);
    assert.equal(c?.how, 'made-the-step');
  });
  it('a step of the user\'s own, with one rewrite applied, is that rewrite\'s (it changed what the step runs on)', () => {
    const c = causeOf(input(['multi-stage']), 'RUN go build -o /app .');
    assert.equal(c?.how, 'only-rewrite');
    assert.match(c!.text, /the step itself is as you wrote it/);
  });
  it('a step of the user\'s own, with several rewrites: those that change what comes before it', () => {
    const c = causeOf(input(['multi-stage', 'non-root-user']), 'RUN go build -o /app .');
    assert.equal(c?.how, 'changed-before-it');
    assert.deepEqual(c?.rules, ['multi-stage']);
  });
  it('says when it cannot tell', () => {
    const c = causeOf(input(['multi-stage', 'non-root-user']), null);
    assert.equal(c?.how, 'unknown');
    assert.match(c!.text, /--rule/);
  });
});

describe('the issue text', () => {
  it('keeps parser directives, drops comments and blank lines', () => {
    assert.equal(minimalDockerfile('# syntax=docker/dockerfile:1\n# escape=\\\n\n# hello\nFROM x\n\n  # more\nRUN y\n'), '# syntax=docker/dockerfile:1\n# escape=\\\nFROM x\nRUN y\n');
  });
});

// ---------------------------------------------------------------------------------------------
// the run, against a stand-in engine

interface FakeImage {
  facts: ImageFacts;
  files: Record<string, string>;
  smoke: SmokeResult;
}

class FakeEngine implements Engine {
  readonly name = 'podman' as const;
  readonly bin = '/usr/bin/podman';
  version = '9.9';
  images = new Map<string, FakeImage>();
  calls: string[] = [];
  constructor(private readonly make: (text: string) => FakeImage | { fail: string; log: string }) {}
  async build(req: BuildRequest): Promise<RunResult> {
    const text = fs.readFileSync(req.file, 'utf8');
    this.calls.push(`build ${path.basename(req.file)} ${req.extraArgs.join(' ')}`);
    const made = this.make(text);
    if ('fail' in made) {
      req.onLine?.(made.fail);
      return { code: 1, signal: null, out: made.log, err: '', raw: Buffer.alloc(0), timedOut: false, aborted: false };
    }
    for (const i of instructionsOf(text)) req.onLine?.(`STEP 1/1: ${i.text}`);
    this.images.set(req.tag, made);
    return { code: 0, signal: null, out: '', err: '', raw: Buffer.alloc(0), timedOut: false, aborted: false };
  }
  async inspect(tag: string) {
    return this.images.get(tag)?.facts ?? null;
  }
  async readFile(tag: string, file: string) {
    const t = this.images.get(tag)?.files[file];
    return t === undefined ? null : Buffer.from(t);
  }
  async pathsExist(tag: string, paths: string[]) {
    return new Map(paths.map((p) => [p, p in (this.images.get(tag)?.files ?? {})]));
  }
  async smoke(tag: string, req: SmokeRequest) {
    this.calls.push(`smoke ${req.network ? 'network' : 'none'} ${req.seconds}`);
    return this.images.get(tag)!.smoke;
  }
  async removeImages(tags: string[]) {
    this.calls.push(`rmi ${tags.length}`);
    for (const t of tags) this.images.delete(t);
  }
  storage: string | null = null;
  async storagePath() {
    return this.storage;
  }
}

const facts = (size: number, user: string): ImageFacts => ({ id: 'x', size, sizeExact: true, layers: 3, user, cmd: ['/app'], entrypoint: null, workdir: '/', exposed: [] });
const running: SmokeResult = { state: 'running', exitCode: null, seconds: 5, log: '' };

describe('compareBuilds', () => {
  const input: CompareInput = { dockerfile: 'Dockerfile', before: 'FROM golang\nRUN go build -o /app .\nCMD ["/app"]\n', after: 'FROM golang AS build\nRUN go build -o /app .\nFROM distroless\nCOPY --from=build /app /app\nUSER nonroot\nCMD ["/app"]\n', rules: ['multi-stage'], perRule: {}, toolchainPaths: ['/usr/local/go/bin/go', '/usr/bin/gcc'], context: '/src' };
  input.perRule['multi-stage'] = input.after;

  it('measures both, looks the USER name up in the image\'s /etc/passwd, judges only paths the original had, removes both images', async () => {
    const e = new FakeEngine((t) =>
      t.includes('distroless')
        ? { facts: facts(5e6, 'nonroot'), files: { '/etc/passwd': 'root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n' }, smoke: running }
        : { facts: facts(900e6, ''), files: { '/usr/bin/gcc': '' }, smoke: running },
    );
    const r = await compareBuilds(input, { engine: e, buildArgs: ['--pull=never'], smoke: { seconds: 2 } });
    assert.equal(r.verdict, 'ok', r.reasons.join('; '));
    assert.equal(r.before.uid, 0);
    assert.equal(r.after.uid, 65532);
    assert.match(r.after.uidSource, /\/etc\/passwd/);
    assert.deepEqual(r.saving, { bytes: 895e6, pct: 99.4 });
    assert.deepEqual(r.toolchain.paths.map((p) => [p.path, p.verdict]), [['/usr/local/go/bin/go', 'not-in-original'], ['/usr/bin/gcc', 'gone']]);
    assert.equal(e.images.size, 0);
    assert.deepEqual(r.kept, []);
    assert.deepEqual(e.calls, ['build before.Dockerfile --pull=never', 'build after.Dockerfile --pull=never', 'smoke none 2', 'smoke none 2', 'rmi 2']);
    assert.match(reportText(r), /uid\s+0 \(root\)\s+65532/);
  });

  it('"not checked" when no original path is there, never "gone"', async () => {
    const e = new FakeEngine((t) => ({ facts: facts(t.includes('distroless') ? 5e6 : 9e6, '10001'), files: {}, smoke: running }));
    const r = await compareBuilds(input, { engine: e });
    assert.equal(r.toolchain.checked, false);
    assert.match(r.toolchain.reason!, /none of the toolchain paths/);
    assert.ok(!r.toolchain.paths.some((p) => p.verdict === 'gone'));
    assert.match(reportText(r), /toolchain: not checked/);
  });

  it('worse: the fixed image exits 1 where the current one runs; a kept toolchain path', async () => {
    const e = new FakeEngine((t) =>
      t.includes('distroless') ? { facts: facts(5e6, '10001'), files: { '/usr/bin/gcc': '' }, smoke: { state: 'exited', exitCode: 1, seconds: 0.4, log: 'exec /app: no such file' } } : { facts: facts(9e6, ''), files: { '/usr/bin/gcc': '' }, smoke: running },
    );
    const r = await compareBuilds(input, { engine: e });
    assert.equal(r.verdict, 'worse');
    assert.ok(r.reasons.some((x) => /exited with code 1 where the current one kept running/.test(x)), r.reasons.join('; '));
    assert.ok(r.reasons.some((x) => /still has \/usr\/bin\/gcc/.test(x)));
  });

  it('the current Dockerfile not building is no baseline: the fixed one is not built', async () => {
    const e = new FakeEngine(() => ({ fail: 'STEP 2/3: RUN go build -o /app .', log: 'STEP 2/3: RUN go build -o /app .\nError: building at STEP "RUN go build -o /app .": exit status 2\n' }));
    const r = await compareBuilds(input, { engine: e });
    assert.equal(r.verdict, 'no-baseline');
    assert.equal(r.before.failure?.line, 2);
    assert.deepEqual(e.calls, ['build before.Dockerfile ', 'rmi 0']);
  });

  it('a failed fixed build: its step, line, cause and an issue text with both files and the repository', async () => {
    const e = new FakeEngine((t) => (t.includes('distroless') ? { fail: '[2/2] STEP 2/4: COPY --from=build /app /app', log: '[2/2] STEP 2/4: COPY --from=build /app /app\nError: building at STEP "COPY --from=build /app /app": no such file\n' } : { facts: facts(9e6, ''), files: {}, smoke: running }));
    const r = await compareBuilds(input, { engine: e, tool: { version: '0.1.0', repository: 'https://github.com/dockerfile-lean/dockerfile-lean' } });
    assert.equal(r.verdict, 'worse');
    assert.equal(r.after.failure?.line, 4);
    assert.equal(r.after.failure?.cause?.how, 'made-the-step');
    const issue = r.issueText!;
    assert.match(issue, /failing step: `\[2\/2\] STEP 2\/4: COPY --from=build \/app \/app` \(line 4 of the fixed file\)/);
    assert.ok(issue.includes('```dockerfile\nFROM golang\nRUN go build'));
    assert.ok(issue.includes('https://github.com/dockerfile-lean/dockerfile-lean/issues'));
    assert.equal(issueText(input, r, { version: '0.1.0', repository: '' }).includes('github.com'), false);
    assert.equal(e.images.size, 0, 'the current image was left');
  });

  it('a cancel before the builds end: cancelled, and what was built is removed', async () => {
    const ac = new AbortController();
    const e = new FakeEngine(() => {
      ac.abort();
      return { facts: facts(9e6, ''), files: {}, smoke: running };
    });
    const r = await compareBuilds(input, { engine: e, signal: ac.signal });
    assert.equal(r.verdict, 'cancelled');
    assert.equal(e.images.size, 0);
    assert.deepEqual(e.calls, ['build before.Dockerfile ', 'rmi 1']);
  });

  it('the disk limit: below it nothing is built, and the report says why', async () => {
    const e = new FakeEngine(() => ({ facts: facts(9e6, ''), files: {}, smoke: running }));
    e.storage = ROOT;
    const r = await compareBuilds(input, { engine: e, limits: { minFreeDiskMB: 1e12 } });
    assert.equal(r.verdict, 'stopped');
    assert.match(r.reasons[0], /^not built: only \d+ MB free on the engine's storage \(.+\), less than the 1000000000000 MB limit$/);
    assert.deepEqual(e.calls, ['rmi 0']);
    const unknown = await compareBuilds(input, { engine: new FakeEngine(() => ({ facts: facts(9e6, ''), files: {}, smoke: running })) });
    assert.ok(unknown.reasons.some((x) => /the disk limit was not checked/.test(x)));
  });

  it('kept on request: the tags are listed', async () => {
    const e = new FakeEngine(() => ({ facts: facts(9e6, '1'), files: {}, smoke: running }));
    const r = await compareBuilds(input, { engine: e, keep: true });
    assert.equal(r.kept.length, 2);
    assert.equal(e.images.size, 2);
  });

  it('nothing to compare when the fixes change nothing: no engine command at all', async () => {
    const e = new FakeEngine(() => ({ facts: facts(1, ''), files: {}, smoke: running }));
    const r = await compareBuilds({ ...input, after: input.before, rules: [] }, { engine: e });
    assert.equal(r.verdict, 'nothing-to-compare');
    assert.deepEqual(e.calls, []);
  });

  it('the webview escapes what the engine and the files said', async () => {
    const e = new FakeEngine((t) => (t.includes('distroless') ? { fail: 'STEP 1/1: RUN echo <script>alert(1)</script>', log: '<img src=x onerror=alert(1)>' } : { facts: facts(9e6, '<b>root</b>'), files: {}, smoke: running }));
    const r = await compareBuilds(input, { engine: e });
    const html = renderReport(r, { canApply: false });
    assert.ok(!html.includes('<img src=x'), 'raw markup from the log');
    assert.ok(!html.includes('<b>root</b>'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'only the page\'s own script');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });
});

describe('the texts the analysis gives', () => {
  it('go: every fix, each rule alone, and the toolchain paths of the go recipe', async () => {
    await initShell();
    const r = compareTexts(GO, DEFAULT_SETTINGS, undefined, () => ({}));
    assert.ok(r.after.includes('FROM gcr.io/distroless/static-debian12:nonroot'));
    assert.ok(r.rules.includes('multi-stage'));
    assert.equal(r.ecosystem, 'go');
    assert.deepEqual(r.toolchainPaths, TOOLCHAIN_PATHS.go.paths);
    for (const id of r.rules) assert.notEqual(r.perRule[id], GO);
  });
  it('one rule without a conversion: no toolchain paths (the report says not checked)', async () => {
    await initShell();
    const r = compareTexts(GO, DEFAULT_SETTINGS, ['non-root-user'], () => ({}));
    assert.deepEqual(r.rules, ['non-root-user']);
    assert.equal(r.toolchainPaths, null);
  });
  it('the example go-service with its build context', async () => {
    await initShell();
    const dir = path.join(ROOT, 'examples/go-service');
    const r = compareTexts(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), DEFAULT_SETTINGS, undefined, () => ({ files: folderFiles(dir), path: path.join(dir, 'Dockerfile') }));
    assert.equal(r.ecosystem, 'go');
  });
});

describe('the knowledge behind it', () => {
  it('every toolchain-paths entry names a recipe, absolute plain paths, a source and a date', () => {
    const ecosystems = new Set(RECIPES.map((r) => r.ecosystem));
    for (const [k, v] of Object.entries(TOOLCHAIN_PATHS)) {
      assert.ok(ecosystems.has(k), `${k} is no recipe`);
      for (const p of v.paths) assert.match(p, /^\/[^*?[\]]+$/, `${k}: ${p}`);
      assert.ok(v.source.length > 10 && /^\d{4}-\d{2}$/.test(v.checked), k);
    }
  });
  it('the repository the issue text names is package.json\'s', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const cli = fs.readFileSync(path.join(ROOT, 'server/src/cli.ts'), 'utf8');
    assert.ok(cli.includes(`const REPOSITORY = '${pkg.repository.url}';`));
  });
});
