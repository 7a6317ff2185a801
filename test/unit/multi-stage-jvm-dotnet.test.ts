/** The Java and .NET multi-stage recipes: tag derivations, build-file readers, and the conversions they drive. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, fixAll } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { buildModel } from '../../server/src/core/model';
import { DEFAULT_SETTINGS, type WorkspaceFiles } from '../../server/src/core/types';
import { parseImageRef } from '../../server/src/knowledge/base-images';
import { MAVEN_DEFAULT_JDK } from '../../server/src/knowledge/toolchains';
import { javaMajor, jreImageFor } from '../../server/src/fixes/multi-stage/java';
import { dotnetRuntimeTag, readProject } from '../../server/src/fixes/multi-stage/dotnet';
import { globMatches } from '../../server/src/fixes/multi-stage/glob';
import { readGradle, readPom, stripGradleComments } from '../../server/src/fixes/multi-stage/jvm-build-files';
import { parseXml } from '../../server/src/fixes/multi-stage/xml';

before(() => initShell());

function files(map: Record<string, string>): WorkspaceFiles {
  return { read: (p) => map[p] ?? null };
}

function convert(text: string, map: Record<string, string> | null) {
  const ctx = map ? { files: files(map) } : {};
  const found = analyze(text, DEFAULT_SETTINGS, ['multi-stage'], ctx).findings;
  return { found, fixed: fixAll(text, DEFAULT_SETTINGS, ['multi-stage'], ctx).text };
}

function lastFrom(text: string): string {
  const m = buildModel(text);
  return m.stages[m.stages.length - 1].imageText ?? '';
}

describe('Java: the major from the image tag', () => {
  const rows: [string, number | null][] = [
    ['maven:3.9-eclipse-temurin-21', 21],
    ['maven:3.9.6-eclipse-temurin-17-alpine', 17],
    ['maven:3-jdk-11-slim', 11],
    ['maven:3.8-openjdk-17', 17],
    ['maven:3.9-amazoncorretto-21-debian', 21],
    ['maven:3.9-ibm-semeru-21-jammy', 21],
    ['maven:3.9', null],
    ['maven:latest', null],
    ['maven', null],
    ['gradle:8-jdk17', 17],
    ['gradle:jdk21', 21],
    ['gradle:8.5.0-jdk21-alpine', 21],
    ['gradle:8.10-jdk17-focal', 17],
    ['gradle:8', null],
    ['gradle:jdk-lts-and-current', null],
    ['eclipse-temurin:21-jdk', 21],
    ['eclipse-temurin:21.0.2_13-jdk-jammy', 21],
    ['eclipse-temurin:latest', null],
    ['openjdk:17-jdk-slim', 17],
    ['amazoncorretto:8u402', 8],
    ['amazoncorretto:21-al2023', 21],
    ['debian:12', null],
  ];
  for (const [image, major] of rows) it(`${image} → ${major}`, () => assert.equal(javaMajor(parseImageRef(image)), major));

  it('the JRE keeps alpine', () => {
    assert.deepEqual(jreImageFor(parseImageRef('maven:3-eclipse-temurin-17-alpine')), { image: 'eclipse-temurin:17-jre-alpine' });
    assert.deepEqual(jreImageFor(parseImageRef('gradle:8-jdk21-jammy')), { image: 'eclipse-temurin:21-jre' });
  });
  it('a maven tag that names no JDK carries the newest one: its JRE, and the message says why', () => {
    for (const image of ['maven', 'maven:latest', 'maven:3', 'maven:3.9', 'maven:eclipse-temurin', 'maven:3-eclipse-temurin']) {
      const jre = jreImageFor(parseImageRef(image)) as { image: string; why: string };
      assert.equal(jre.image, `eclipse-temurin:${MAVEN_DEFAULT_JDK.major}-jre-noble`, image);
      assert.match(jre.why, new RegExp(`carries the newest JDK, eclipse-temurin:${MAVEN_DEFAULT_JDK.major}-jdk-noble .*older or equal JDK`), image);
    }
    // Tags that name their JDK keep it, with no explanation needed.
    assert.deepEqual(jreImageFor(parseImageRef('maven:3-openjdk-8')), { image: 'eclipse-temurin:8-jre' });
    assert.deepEqual(jreImageFor(parseImageRef('maven:3.6.3-adoptopenjdk-8')), { image: 'eclipse-temurin:8-jre' });
    assert.deepEqual(jreImageFor(parseImageRef('maven:3-jdk-11')), { image: 'eclipse-temurin:11-jre' });
    // A patch version is frozen at the JDK of its day; alpine and other vendors without a major are not known.
    for (const image of ['maven:3.9.6', 'maven:3.8.1', 'maven:alpine', 'maven:3-amazoncorretto', 'gradle:latest']) {
      assert.match((jreImageFor(parseImageRef(image)) as { reason: string }).reason, /not written in its tag/, image);
    }
  });

  it('the finding explains the runtime of maven:latest when it converts, and only then', () => {
    const pom = '<project><modelVersion>4.0.0</modelVersion><artifactId>svc</artifactId><version>1</version></project>';
    const ok = convert('FROM maven:latest\nWORKDIR /w\nCOPY . .\nRUN mvn package\nCMD ["java", "-jar", "target/svc-1.jar"]\n', { 'pom.xml': pom });
    assert.match(ok.found[0].message, /\nmaven:latest carries the newest JDK/);
    assert.match(ok.fixed, /\nFROM eclipse-temurin:\d+-jre-noble\n/);
    const declined = convert('FROM maven\nWORKDIR /w\nCOPY . .\nRUN mvn package\nCMD mvn exec:java\n', { 'pom.xml': pom });
    assert.doesNotMatch(declined.found[0].message, /carries the newest JDK/);
    assert.match(declined.found[0].message, /through mvn/);
  });

  it('declines an unknown major, and a major without a Temurin JRE', () => {
    assert.match((jreImageFor(parseImageRef('maven:3.9.6')) as { reason: string }).reason, /not written in its tag/);
    assert.match((jreImageFor(parseImageRef('maven:3-openjdk-14')) as { reason: string }).reason, /no eclipse-temurin JRE image is known for Java 14/);
  });
});

describe('.NET: the runtime tag from the SDK tag', () => {
  const rows: [string | null, string | null][] = [
    ['8.0', '8.0'],
    ['8.0.100-alpine', '8.0-alpine'],
    ['8.0-jammy', '8.0-jammy'],
    ['9.0-noble-aot', '9.0-noble'],
    ['9.0-bookworm-slim', '9.0-bookworm-slim'],
    ['6.0.420', '6.0'],
    ['latest', null],
    [null, null],
    ['8.0-nanoserver-ltsc2022', null],
    ['9.0.100-preview.7-bookworm-slim', null],
    ['lts-noble', null],
  ];
  for (const [tag, out] of rows) {
    it(`${tag} → ${out}`, () => {
      const r = dotnetRuntimeTag(tag);
      if (out === null) assert.ok('reason' in r && r.reason.length > 10);
      else assert.equal((r as { tag: string }).tag, out);
    });
  }
});

describe('pom.xml', () => {
  const pom = (body: string) => `<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n<modelVersion>4.0.0</modelVersion>\n${body}\n</project>`;
  it('names <artifactId>-<version>.jar', () => {
    assert.deepEqual(readPom(pom('<artifactId>svc</artifactId><version>1.2</version>')), { ok: true, jars: ['svc-1.2.jar'], main: 'svc-1.2.jar', needsLibs: undefined });
  });
  it('takes the version from the parent and resolves properties', () => {
    const r = readPom(pom('<parent><artifactId>p</artifactId><version>3.0</version></parent><artifactId>svc</artifactId><build><finalName>${project.artifactId}-app</finalName></build>'));
    assert.ok(r.ok && r.main === 'svc-app.jar');
    const v = readPom(pom('<parent><version>3.0</version></parent><artifactId>svc</artifactId>'));
    assert.ok(v.ok && v.main === 'svc-3.0.jar');
  });
  it('lets -D on the command line override a property', () => {
    const r = readPom(pom('<artifactId>svc</artifactId><version>${revision}</version><properties><revision>1.0</revision></properties>'), new Map([['revision', '2.0']]));
    assert.ok(r.ok && r.main === 'svc-2.0.jar');
  });
  it('declines a property set outside the pom', () => {
    const r = readPom(pom('<artifactId>svc</artifactId><version>${revision}</version>'));
    assert.ok(!r.ok && /property set outside/.test(r.reason));
  });
  it('lists shade\'s original jar and the assembly jar beside the main one', () => {
    const r = readPom(pom('<artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-shade-plugin</artifactId></plugin><plugin><artifactId>maven-assembly-plugin</artifactId><configuration><descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs></configuration></plugin></plugins></build>'));
    assert.ok(r.ok);
    assert.deepEqual(r.jars, ['a-1.jar', 'original-a-1.jar', 'a-1-jar-with-dependencies.jar']);
  });
  it('says when the jar expects libraries beside it', () => {
    const r = readPom(pom('<artifactId>a</artifactId><version>1</version><build><plugins><plugin><artifactId>maven-dependency-plugin</artifactId><executions><execution><goals><goal>copy-dependencies</goal></goals></execution></executions></plugin></plugins></build>'));
    assert.ok(r.ok && /copies the dependencies/.test(r.needsLibs ?? ''));
  });
  it('declines packaging pom and a moved build directory', () => {
    assert.ok(!readPom(pom('<artifactId>a</artifactId><version>1</version><packaging>pom</packaging>')).ok);
    assert.ok(!readPom(pom('<artifactId>a</artifactId><version>1</version><build><directory>out</directory></build>')).ok);
  });
  it('declines malformed or foreign XML without throwing', () => {
    for (const bad of ['', 'not xml', '<project><artifactId>a</project>', '<settings/>', '<project>&undefined;</project>', '<!DOCTYPE project [<!ENTITY x "y">]><project>&x;</project>', '<project>' + '<a>'.repeat(5000), '\u0000\u0001<project>']) {
      const r = readPom(bad);
      assert.equal(r.ok, false, JSON.stringify(bad.slice(0, 40)));
    }
  });
  it('the XML reader returns null on a second root or trailing garbage', () => {
    assert.equal(parseXml('<a/><b/>'), null);
    assert.equal(parseXml('<a>'), null);
    assert.equal(parseXml('<a x="1"><b>t</b></a>')?.children[0].text, 't');
  });
});

describe('build.gradle(.kts)', () => {
  const read = (build: string, settings: string | null = null, properties: string | null = null, dirName = 'app') => readGradle({ build, settings, properties, dirName });
  it('names the plain jar after the directory when settings is absent, without an unspecified version', () => {
    assert.deepEqual(read('plugins { java }\n'), { ok: true, jars: ['app.jar'], main: 'app.jar' });
  });
  it('shadow: <name>-<version>-all.jar beside the plain jar', () => {
    const r = read('plugins {\n  java\n  id("com.github.johnrengelman.shadow") version "8.1.1"\n}\nversion = "1.0"\n', 'rootProject.name = "svc"\n');
    assert.deepEqual(r, { ok: true, jars: ['svc-1.0.jar', 'svc-1.0-all.jar'], main: 'svc-1.0-all.jar' });
  });
  it('shadowJar archive properties in its block', () => {
    const r = read('plugins { id \'com.gradleup.shadow\' version \'8.3.0\' }\nversion \'2.1\'\nshadowJar {\n  archiveBaseName.set(\'api\')\n  archiveClassifier = \'\'\n}\n');
    assert.ok(r.ok);
    assert.equal(r.main, 'api-2.1.jar');
    const f = read('plugins { id("com.gradleup.shadow") }\ntasks.shadowJar { archiveFileName.set("app.jar") }\n');
    assert.ok(f.ok && f.main === 'app.jar');
  });
  it('Spring Boot: bootJar and the -plain jar', () => {
    const r = read("plugins { id 'org.springframework.boot' version '3.3.0' }\nversion = '0.1'\n", "rootProject.name = 'shop'\n");
    assert.ok(r.ok);
    assert.deepEqual(r.jars, ['shop-0.1-plain.jar', 'shop-0.1.jar']);
  });
  it('reads the version from gradle.properties, and from allprojects {}', () => {
    assert.equal((read('plugins { java }', null, 'version=3.2\n') as { main: string }).main, 'app-3.2.jar');
    assert.equal((read('allprojects {\n  version = "4.0"\n}\n') as { main: string }).main, 'app-4.0.jar');
  });
  it('ignores comments and the plugin version', () => {
    const r = read('// version = "9.9"\n/* version = "8.8" */\nplugins { id("com.gradleup.shadow") version "8.3.5" }\n');
    assert.ok(r.ok);
    assert.equal(r.main, 'app-all.jar');
    assert.equal(stripGradleComments('a = "http://x" // c'), 'a = "http://x"     ');
  });
  it('declines what it does not evaluate', () => {
    const cases = [
      'version = project.findProperty("v") ?: "1"',
      'version = "${major}.0"',
      'buildDir = file("out")',
      'layout.buildDirectory.set(file("out"))',
      'plugins { war }\n',
      'tasks.register<Jar>("fat") { archiveClassifier.set("fat") }',
      'tasks.jar { archiveBaseName.set(name + "x") }',
      'jar { manifest { attributes("Class-Path": "lib/a.jar") } }',
      'tasks.jar { version = "1" }',
    ];
    for (const c of cases) assert.equal(read(c).ok, false, c);
    assert.equal(readGradle({ build: '', settings: 'rootProject.name = someName()', properties: null, dirName: 'x' }).ok, false);
  });
  it('survives broken scripts', () => {
    for (const bad of ['{{{{', '}}}}', '/* never closed', '"never closed', "'''", 'shadowJar { archiveClassifier.set("")', '\u0000'.repeat(100)]) {
      assert.doesNotThrow(() => read(bad));
    }
  });
  it('wildcards match like the shell', () => {
    assert.ok(globMatches('*.jar', 'a-1.jar'));
    assert.ok(globMatches('*-all.jar', 'a-1-all.jar'));
    assert.ok(!globMatches('*-all.jar', 'a-1.jar'));
    assert.ok(globMatches('app-?.jar', 'app-1.jar'));
    assert.ok(globMatches('[ab].jar', 'b.jar'));
    assert.ok(!globMatches('*.jar', 'a.jar.original'));
  });
});

describe('.csproj', () => {
  it('tells web, console and worker apps apart', () => {
    assert.equal(readProject('<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>')?.web, true);
    assert.equal(readProject('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>')?.web, false);
    assert.equal(readProject('<Project Sdk="Microsoft.NET.Sdk.Worker"></Project>')?.web, false);
    assert.equal(readProject('<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><FrameworkReference Include="Microsoft.AspNetCore.App" /></ItemGroup></Project>')?.web, true);
    assert.equal(readProject('<Project><Sdk Name="Microsoft.NET.Sdk.Web" /></Project>')?.web, true);
    assert.equal(readProject('<Project Sdk="Microsoft.NET.Sdk.BlazorWebAssembly"></Project>')?.web, 'blazor-wasm');
  });
  it('reads the framework and what moves the output', () => {
    const p = readProject('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFrameworks>net8.0;net9.0</TargetFrameworks><OutputPath>out</OutputPath><RuntimeIdentifier>linux-x64</RuntimeIdentifier></PropertyGroup></Project>');
    assert.ok(p);
    assert.equal(p.multiTarget, true);
    assert.deepEqual(p.outputProps, ['OutputPath']);
    assert.equal(p.runtimeIdentifier, 'linux-x64');
  });
  it('is null on malformed XML', () => {
    for (const bad of ['', '<Project', '<Project Sdk="x"><PropertyGroup></Project>', '<NotAProject/>']) assert.equal(readProject(bad), null, bad);
  });
});

describe('conversions with workspace files', () => {
  const dotnet = 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release\nWORKDIR /src/bin/Release/net8.0/publish\nENTRYPOINT ["dotnet", "Tool.dll"]\n';
  it('.NET without -o: the default publish folder from the .csproj', () => {
    const { fixed } = convert(dotnet, { 'Tool.csproj': '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>' });
    assert.equal(lastFrom(fixed), 'mcr.microsoft.com/dotnet/runtime:8.0');
    assert.match(fixed, /COPY --from=build \/src\/bin\/Release\/net8\.0\/publish \/src\/bin\/Release\/net8\.0\/publish/);
  });
  it('.NET without -o: -c, -r and an older framework shape the folder', () => {
    const text = dotnet.replace('-c Release', '-c Staging -r linux-musl-x64').replace('Release/net8.0/publish', 'Staging/net6.0/linux-musl-x64/publish');
    const { fixed } = convert(text, { 'Tool.csproj': '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net6.0</TargetFramework></PropertyGroup></Project>' });
    assert.equal(lastFrom(fixed), 'mcr.microsoft.com/dotnet/aspnet:8.0');
    assert.match(fixed, /\/src\/bin\/Staging\/net6\.0\/linux-musl-x64\/publish/);
  });
  it('.NET without -o declines on a Directory.Build.props, a multi-target project, a malformed project', () => {
    const csproj = '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>';
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'Tool.csproj': csproj, 'Directory.Build.props': '<Project><PropertyGroup><ArtifactsPath>a</ArtifactsPath></PropertyGroup></Project>' }, /Directory\.Build\.props/],
      [{ 'Tool.csproj': '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFrameworks>net8.0;net9.0</TargetFrameworks></PropertyGroup></Project>' }, /target framework/],
      [{ 'Tool.csproj': '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup>' }, /not a well-formed MSBuild project/],
    ];
    for (const [map, re] of cases) {
      const { found, fixed } = convert(dotnet, map);
      assert.equal(fixed, dotnet);
      assert.equal(found[0].fixable, false);
      assert.match(found[0].reason ?? '', re);
    }
  });
  it('.NET: a CMD dll of another framework than the .csproj targets names the disagreement, and an SDK too old for it', () => {
    const text = dotnet.replace('Release/net8.0/publish', 'Release/net8.0/publish');
    const cases: [string, RegExp][] = [
      ['net9.0', /built for net8\.0, but Tool\.csproj targets net9\.0, which the \.NET 8 SDK of the image cannot build: the Dockerfile and the project disagree/],
      ['net7.0', /built for net8\.0, but Tool\.csproj targets net7\.0: the Dockerfile and the project disagree/],
    ];
    for (const [tfm, re] of cases) {
      const { found, fixed } = convert(text, { 'Tool.csproj': `<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>${tfm}</TargetFramework></PropertyGroup></Project>` });
      assert.equal(fixed, text);
      assert.match(found[0].reason ?? '', re);
    }
    // A dll elsewhere keeps the plain reason.
    const elsewhere = convert(text.replace('WORKDIR /src/bin/Release/net8.0/publish', 'WORKDIR /opt'), { 'Tool.csproj': '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>' });
    assert.match(elsewhere.found[0].reason ?? '', /runs \/opt\/Tool\.dll, outside the publish folder/);
  });
  it('.NET: an absolute project path is read, an MSBuild /p: switch is not a project', () => {
    const csproj = '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>';
    const text = 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish /p:ContinuousIntegrationBuild=true /src/Cli/Cli.csproj -c Release -o /out\nWORKDIR /out\nENTRYPOINT ["dotnet", "Cli.dll"]\n';
    assert.equal(lastFrom(convert(text, { 'Cli/Cli.csproj': csproj }).fixed), 'mcr.microsoft.com/dotnet/runtime:8.0');
    assert.equal(lastFrom(convert(text, null).fixed), 'mcr.microsoft.com/dotnet/aspnet:8.0');
  });
  it('a workspace reader that throws makes the recipe decline, not crash', () => {
    const throwing: WorkspaceFiles = { read: () => { throw new Error('EACCES'); } };
    const text = 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD java -jar target/*.jar\n';
    const found = analyze(text, DEFAULT_SETTINGS, ['multi-stage'], { files: throwing }).findings;
    assert.equal(found.length, 1);
    assert.equal(found[0].fixable, false);
  });
  it('a Maven build through -f reads the module\'s pom', () => {
    const text = 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -f api/pom.xml package\nCMD java -jar api/target/*.jar\n';
    const { fixed } = convert(text, { 'api/pom.xml': '<project><artifactId>api</artifactId><version>1.0</version></project>' });
    assert.match(fixed, /COPY --from=build \/app\/api\/target\/api-1\.0\.jar \/app\/api\/target\/api-1\.0\.jar/);
  });
  it('Gradle without settings.gradle in the image: the project directory names the jar', () => {
    const text = 'FROM gradle:8-jdk21\nWORKDIR /home/gradle/orders\nCOPY build.gradle .\nCOPY src src\nRUN gradle jar\nCMD java -jar build/libs/*.jar\n';
    const { fixed } = convert(text, { 'build.gradle': "plugins { id 'java' }\nversion = '1.0'\n", 'settings.gradle': "rootProject.name = 'elsewhere'\n" });
    assert.match(fixed, /build\/libs\/orders-1\.0\.jar/);
  });
  it('the converted .NET image takes the non-root user the aspnet image ships', () => {
    const text = 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nWORKDIR /app\nENTRYPOINT ["dotnet", "Web.dll"]\n';
    const fixed = fixAll(text, DEFAULT_SETTINGS, ['multi-stage', 'non-root-user']).text;
    const m = buildModel(fixed);
    const last = m.stages[m.stages.length - 1];
    assert.equal(last.imageText, 'mcr.microsoft.com/dotnet/aspnet:8.0');
    assert.ok(last.instructions.some((i) => i.keyword === 'USER' && /app|1654/.test(i.node.getArgumentsContent() ?? '')), fixed);
    assert.deepEqual(analyze(fixed, DEFAULT_SETTINGS, ['multi-stage', 'non-root-user']).findings.map((f) => f.message), []);
  });
  it('the converted Java image takes a non-root user from the non-root-user fix', () => {
    const text = 'FROM gradle:8-jdk21\nWORKDIR /src\nCOPY . .\nRUN gradle build\nCMD ["java", "-jar", "build/libs/app.jar"]\n';
    const fixed = fixAll(text, DEFAULT_SETTINGS, ['multi-stage', 'non-root-user']).text;
    assert.equal(lastFrom(fixed), 'eclipse-temurin:21-jre');
    assert.deepEqual(analyze(fixed, DEFAULT_SETTINGS, ['multi-stage', 'non-root-user']).findings.map((f) => f.message), []);
  });
});
