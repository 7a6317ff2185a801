/**
 * Java (Maven, Gradle, shadow/fat jars): the original maven/gradle image (or a JDK image that runs
 * mvn/gradle/the wrappers) builds; the jar the CMD runs with `java -jar` moves to `eclipse-temurin:<same
 * major>-jre`. The jar is the one the CMD names under target/ or build/libs/ (or a copy of it the stage makes
 * with cp/mv); a wildcard in the CMD is resolved to one jar through pom.xml or build.gradle(.kts) when the
 * workspace files can be read. The local Maven repository and Gradle caches stay in the builder.
 */
import type { Instr, Model, Stage } from '../../core/model';
import { parseShell } from '../../core/shell';
import { rootImage, workdirAt } from '../../core/stage-info';
import { repoKey, type ImageRef } from '../../knowledge/base-images';
import { MAVEN_DEFAULT_JDK, temurinJreExists } from '../../knowledge/toolchains';
import { absPath, coveredBy, joinContinuations, optionValue, programOf, runCommands, stageChain, type RunCommand } from './common';
import { contextFileFor, copiesFollowable } from './context-files';
import { globMatches } from './glob';
import { readGradle, readPom, type JarNames } from './jvm-build-files';
import type { Recipe, RecipeResult } from './types';
import { runtimeReinstalls } from './build-packages';
import { aptInstallLine } from './system-packages';

type Tool = 'maven' | 'gradle';
const JDK_REPOS = /^(eclipse-temurin|openjdk|amazoncorretto)$/;
const RUNTIME_JAVA = ['java', '/opt/java/openjdk/bin/java'];
/** Java options that take the next word as their value. */
const JAVA_TWO_WORD = new Set(['-cp', '-classpath', '--class-path', '-p', '--module-path', '--add-opens', '--add-exports', '--add-modules', '--add-reads', '--patch-module', '--upgrade-module-path', '--limit-modules']);
const MAVEN_PACKAGE = /^(package|verify|install|deploy|integration-test|post-integration-test)$/;
const GRADLE_PACKAGE = /^(:?[\w-]+:)*(build|assemble|jar|bootJar|shadowJar)$/;

/** The Java major an image's tag says (`maven:3.9-eclipse-temurin-21` → 21, `gradle:8-jdk17` → 17, `eclipse-temurin:21-jdk` → 21). */
export function javaMajor(ref: ImageRef): number | null {
  const repo = repoKey(ref);
  const tag = ref.tag ?? '';
  let m: RegExpExecArray | null = null;
  if (repo === 'maven') m = /(?:^|-)(?:eclipse-temurin|openjdk|adoptopenjdk|amazoncorretto|ibm-semeru|ibmjava|sapmachine|graalvm-community|graalvm-ce|liberica|jdk)-?(\d+)(?:$|[-.])/.exec(tag);
  else if (repo === 'gradle') m = /(?:^|-)(?:jdk|jre)-?(\d+)(?:$|[-.])/.exec(tag);
  else if (JDK_REPOS.test(repo)) m = /^(\d+)(?:$|[-._u])/.exec(tag);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 5 && n < 100 ? n : null;
}

/**
 * The JRE image for the same Java major and libc: `eclipse-temurin:21-jre`, `eclipse-temurin:21-jre-alpine`. A
 * maven tag that names no JDK (`maven`, `maven:latest`, `maven:3`) carries the newest Temurin JDK
 * (knowledge/toolchains.ts MAVEN_DEFAULT_JDK): its JRE of the same major and Ubuntu release, with `why` saying so.
 * A JRE runs the bytecode of any older or equal JDK, so a copy of the tag pulled before it last moved runs there too.
 */
export function jreImageFor(ref: ImageRef): { image: string; why?: string } | { reason: string } {
  const major = javaMajor(ref);
  const text = `${repoKey(ref)}:${ref.tag ?? 'latest'}`;
  if (major === null && repoKey(ref) === 'maven' && MAVEN_DEFAULT_JDK.tags.test(ref.tag ?? '')) {
    const d = MAVEN_DEFAULT_JDK;
    return {
      image: d.jre,
      why: `${text} carries the newest JDK, ${d.image} (Java ${d.major}, since ${d.since}): the runtime is its JRE; a JRE runs what any older or equal JDK compiled, so an older pull of ${text} runs there too`,
    };
  }
  if (major === null) return { reason: `the Java version of ${text} is not written in its tag` };
  if (!temurinJreExists(major)) return { reason: `no eclipse-temurin JRE image is known for Java ${major}` };
  return { image: `eclipse-temurin:${major}-jre${/(^|-)alpine/.test(ref.tag ?? '') ? '-alpine' : ''}` };
}

/** `mvn …`, `./mvnw …`, `gradle …`, `./gradlew …`, `sh ./gradlew …`: the tool and its arguments. */
export function javaBuildOf(c: RunCommand): { tool: Tool; args: string[] } | null {
  let name = c.cmd.name;
  let args = c.cmd.args.map((a) => a.value ?? '');
  if ((name === 'sh' || name === 'bash') && /(^|\/)(mvnw|gradlew)$/.test(args[0] ?? '')) {
    name = args[0];
    args = args.slice(1);
  }
  if (!name) return null;
  if (/^(mvn|(.*\/)?mvnw)$/.test(name)) return { tool: 'maven', args };
  if (/^(gradle|(.*\/)?gradlew)$/.test(name)) return { tool: 'gradle', args };
  return null;
}

function packages(b: { tool: Tool; args: string[] }): boolean {
  return b.args.some((a) => (b.tool === 'maven' ? MAVEN_PACKAGE : GRADLE_PACKAGE).test(a));
}

/** Whether the stage builds a Java project (so a JDK image is a toolchain here, not a runtime). */
export function javaBuildEvidence(model: Model, stage: Stage): boolean {
  return runCommands(model, stage).some((c) => javaBuildOf(c) !== null);
}

function isJdkImage(ref: ImageRef): boolean {
  return JDK_REPOS.test(repoKey(ref)) && !/(^|-)jre(-|$)/.test(ref.tag ?? '');
}

/** A JDK image (eclipse-temurin, openjdk, amazoncorretto; not a `-jre` tag) on which the stage runs a Maven/Gradle build. */
export function jdkBuildStage(model: Model, stage: Stage): boolean {
  const ref = rootImage(stage).ref;
  return !!ref && isJdkImage(ref) && javaBuildEvidence(model, stage);
}

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const GLOB = /[*?[]/;

/** A word of the command that runs java: its value (null when it holds an expansion) and how it is written. */
interface JavaWord {
  value: string | null;
  raw: string;
}
const SHELLS = /^(\/bin\/|\/usr\/bin\/)?(sh|bash|dash|ash)$/;
const OPTION_VARIABLE = /^\$(\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)$/;

/**
 * The words of the one command a shell script runs (`java $JAVA_OPTS -jar app.jar`, `exec java …`), or null when
 * it runs more than that one command (JRE images have `sh`; a script with several commands may prepare anything).
 */
function shellCommandWords(script: string): JavaWord[] | null {
  const parsed = parseShell(script);
  if (!parsed || parsed.commands.length !== 1 || !parsed.plainAndChain) return null;
  const c = parsed.commands[0];
  if (c.isolated || !c.nameWord) return null;
  if (script.slice(c.end).trim() !== '' || script.slice(0, c.start).trim() !== '') return null;
  let words: JavaWord[] = [c.nameWord, ...c.args];
  if (words[0].value === 'exec') words = words.slice(1);
  return words;
}

/**
 * The jar word of `java [options] -jar <jar> …`, with the instruction that holds it. The command is an exec form,
 * a shell form, or `sh -c "[exec] java … -jar <jar> …"`; options before `-jar` may come from a variable
 * (`$JAVA_OPTS`), the jar may not.
 */
function jarOfCommand(model: Model, stage: Stage): { jar: string; instr: Instr } | { reason: string } {
  const last = (k: string) => [...stage.instructions].reverse().find((i) => i.keyword === k);
  const entry = last('ENTRYPOINT');
  const cmd = last('CMD');
  const e = entry ? programOf(model, entry) : null;
  const c = cmd ? programOf(model, cmd) : null;
  if (!e && !c) return { reason: 'the stage has no CMD or ENTRYPOINT' };
  const holder = e ?? c!;
  const body = (i: Instr) => joinContinuations(model, i.node.getRawArgumentsContent() ?? '');
  let words: JavaWord[] | null;
  /** Whether a shell reads the words (it expands wildcards and variables). */
  let shell: boolean;
  if (holder.shellForm) {
    words = shellCommandWords(body(holder.instr));
    shell = true;
  } else {
    const w = [...holder.words!, ...(e && c && !c.shellForm ? c.words! : [])];
    if (SHELLS.test(w[0] ?? '') && w[1] === '-c' && w[2] !== undefined) {
      words = shellCommandWords(w[2]);
      shell = true;
    } else {
      // An exec-form CMD after an exec-form ENTRYPOINT adds its words (a shell-form one adds `/bin/sh -c …`, never the jar).
      words = w.map((x) => ({ value: x, raw: JSON.stringify(x) }));
      shell = false;
    }
  }
  if (!words) return { reason: `the ${holder.instr.keyword} is not one plain command` };
  const prog = words[0]?.value ?? '';
  if (/^(mvn|gradle|(.*\/)?(mvnw|gradlew))$/.test(prog)) {
    return { reason: `the CMD runs the app through ${prog}, which needs the build toolchain; package a jar and run it with \`java -jar\`` };
  }
  if (!RUNTIME_JAVA.includes(prog)) return { reason: `the CMD runs \`${prog || words[0]?.raw || '?'}\`, not \`java -jar <jar>\`` };
  const k = words.findIndex((w) => w.value === '-jar');
  if (k < 0 || !words[k + 1]) return { reason: 'the CMD runs java without `-jar <jar>`' };
  for (let i = 1; i < k; i++) {
    const w = words[i];
    if (w.value === null) {
      // `$JAVA_OPTS` expands to options; `-Dport=$PORT` is one.
      if (OPTION_VARIABLE.test(w.raw) || w.raw.startsWith('-')) continue;
      return { reason: `\`${w.raw}\` before -jar: the CMD may not run a jar` };
    }
    if (/^-(javaagent|agentpath):/.test(w.value)) return { reason: `java loads an agent (\`${w.value}\`) the recipe would not copy` };
    if (w.value.startsWith('-')) continue;
    if (!JAVA_TWO_WORD.has(words[i - 1].value ?? '')) return { reason: `\`${w.value}\` before -jar: the CMD does not run a jar` };
  }
  const jarWord = words[k + 1];
  if (jarWord.value === null) return { reason: `the jar path \`${jarWord.raw}\` holds a variable` };
  const jar = jarWord.value;
  if (GLOB.test(jar)) {
    if (!shell) return { reason: `the exec-form ${holder.instr.keyword} passes \`${jar}\` to java as written: no shell expands the wildcard` };
    if (/["'\\]/.test(jarWord.raw)) return { reason: `the wildcard in \`${jar}\` is quoted, so no shell expands it` };
  }
  const instr = e && !e.shellForm && c && !c.shellForm && k + 1 >= (e.words?.length ?? 0) ? c.instr : holder.instr;
  return { jar, instr };
}

/** `cp|mv <src> <dest>` after the build that puts a built jar at `jar`: its RUN and the project the jar came from. */
function copiedJar(cmds: RunCommand[], from: number, jar: string, outDir: (p: string) => boolean): { instr: Instr; src: string } | null {
  let found: { instr: Instr; src: string } | null = null;
  for (const c of cmds.slice(from)) {
    if (c.cmd.name !== 'cp' && c.cmd.name !== 'mv') continue;
    const ops = c.cmd.args.map((a) => a.value);
    if (ops.some((o) => o === null)) continue;
    const words = ops as string[];
    if (words.some((w) => w.startsWith('-') && !/^-[fvpa]+$/.test(w))) continue;
    const operands = words.filter((w) => !w.startsWith('-'));
    if (operands.length !== 2 || !c.dir) continue;
    const src = absPath(c.dir, operands[0]);
    const dest = absPath(c.dir, operands[1]);
    if (!src || !dest || GLOB.test(dirOf(src)) || !outDir(dirOf(src))) continue;
    const intoDir = /\/$|^\.$/.test(operands[1]) && !GLOB.test(baseOf(src));
    if (dest === jar || (intoDir && `${dest.replace(/\/$/, '')}/${baseOf(src)}` === jar)) found = { instr: c.instr, src: dirOf(dirOf(src)) };
  }
  return found;
}

/** The jar names the workspace's build files give for the project built in `projectDir` of the image. */
function jarNames(model: Model, stage: Stage, tool: Tool, projectDir: string, buildArgs: string[], before: Instr): JarNames | null {
  if (tool === 'maven') {
    const pom = contextFileFor(model, stage, `${projectDir}/pom.xml`, before);
    if (!pom) return null;
    const cli = new Map<string, string>();
    for (const a of buildArgs) {
      const m = /^-D([^=]+)=(.*)$/.exec(a);
      if (m) cli.set(m[1], m[2]);
    }
    return readPom(pom.text, cli);
  }
  const kts = contextFileFor(model, stage, `${projectDir}/build.gradle.kts`, before);
  const groovy = contextFileFor(model, stage, `${projectDir}/build.gradle`, before);
  if (kts && groovy) return { ok: false, reason: 'both build.gradle and build.gradle.kts are present' };
  const build = kts ?? groovy;
  if (!build) return null;
  const read = (n: string) => contextFileFor(model, stage, `${projectDir}/${n}`, before)?.text ?? null;
  const settings = read('settings.gradle.kts') ?? read('settings.gradle');
  if (settings === null && !copiesFollowable(model, stage, before)) return { ok: false, reason: 'whether settings.gradle is in the image is not known (a COPY uses a variable)' };
  return readGradle({ build: build.text, settings, properties: read('gradle.properties'), dirName: baseOf(projectDir) });
}

export const javaRecipe: Recipe = {
  ecosystem: 'java',
  applies(model, stage) {
    const ref = rootImage(stage).ref;
    if (!ref) return false;
    const repo = repoKey(ref);
    return repo === 'maven' || repo === 'gradle' || jdkBuildStage(model, stage);
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref = rootImage(stage).ref!;
    if (ref.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of the matching JRE image is not known here' };
    const jre = jreImageFor(ref);
    if ('reason' in jre) return { ok: false, reason: jre.reason };
    const cmds = runCommands(model, stage);
    const all = cmds.map((c) => ({ c, b: javaBuildOf(c) })).filter((x) => x.b !== null);
    const builds = all.filter((x) => packages(x.b!));
    const last = builds[builds.length - 1];
    if (!last) return { ok: false, reason: all.length ? 'no Maven or Gradle step packages a jar (`mvn package`, `gradle build`, `bootJar`, `shadowJar`)' : 'no Maven or Gradle build in the final stage' };
    const build = last.c;
    const { tool, args } = last.b!;
    if (!build.dir || build.dir === '/') return { ok: false, reason: 'the directory the build runs in is not known' };
    const fileOpt = optionValue(args, tool === 'maven' ? ['-f', '--file'] : ['-p', '--project-dir']);
    if (tool === 'gradle' && optionValue(args, ['-b', '--build-file']) !== null) return { ok: false, reason: 'the Gradle build names its build file with -b' };
    let projectDir = build.dir;
    if (fileOpt !== null) {
      const p = absPath(build.dir, fileOpt);
      if (!p) return { ok: false, reason: 'the project the build runs is not known' };
      projectDir = tool === 'maven' && /\.xml$/.test(p) ? dirOf(p) : p;
    }
    const outDirRe = tool === 'maven' ? /\/target$/ : /\/build\/libs$/;
    const isOutDir = (d: string) => outDirRe.test(d) && coveredBy(d, [build.dir!]);
    const outDir = tool === 'maven' ? `${projectDir}/target` : `${projectDir}/build/libs`;

    const found = jarOfCommand(model, stage);
    if ('reason' in found) return { ok: false, reason: found.reason };
    const wd = workdirAt(model, stage, null);
    const jarPath = absPath(wd, found.jar);
    if (!jarPath) return { ok: false, reason: 'the jar path is relative and the working directory is unknown' };
    if (GLOB.test(dirOf(jarPath))) return { ok: false, reason: `the jar's directory in \`${found.jar}\` is a wildcard` };

    let artifact: string | null = null;
    /** The directory of the pom the jar comes from (for the Class-Path check). */
    let jarProject: string | null = null;
    let buildStep = build.instr;
    const copy = GLOB.test(baseOf(jarPath)) ? null : copiedJar(cmds, cmds.indexOf(build), jarPath, isOutDir);
    if (copy) {
      artifact = jarPath;
      buildStep = copy.instr;
      jarProject = copy.src;
    } else if (!GLOB.test(baseOf(jarPath))) {
      if (!isOutDir(dirOf(jarPath))) return { ok: false, reason: `the CMD runs ${jarPath}, which the build does not show it makes (${tool === 'maven' ? 'target/' : 'build/libs/'})` };
      artifact = jarPath;
      jarProject = dirOf(dirOf(jarPath));
    } else {
      if (dirOf(jarPath) !== outDir) return { ok: false, reason: `the CMD picks a jar by a wildcard outside ${outDir}` };
      const n = jarNames(model, stage, tool, projectDir, args, build.instr);
      const file = tool === 'maven' ? 'pom.xml' : 'build.gradle';
      if (!n) return { ok: false, reason: `the CMD picks the jar by a wildcard (\`${found.jar}\`) and its name is in ${file}, which could not be read; name the jar in the CMD` };
      if (!n.ok) return { ok: false, reason: n.reason };
      const hits = n.jars.filter((j) => globMatches(baseOf(jarPath), j));
      if (hits.length !== 1) {
        return { ok: false, reason: hits.length ? `\`${found.jar}\` matches ${hits.join(' and ')}; name the jar in the CMD` : `\`${found.jar}\` matches none of the jars ${file} makes (${n.jars.join(', ')})` };
      }
      artifact = `${outDir}/${hits[0]}`;
      jarProject = projectDir;
    }
    if (tool === 'maven' && jarProject) {
      const n = jarNames(model, stage, tool, jarProject, args, build.instr);
      if (n && n.ok && n.needsLibs) return { ok: false, reason: `${n.needsLibs}; the recipe copies the jar alone` };
    }
    // Packages the stage installed besides the build tools (fontconfig for AWT, ffmpeg): the JRE image of the same
    // distribution gets them again.
    const system = runtimeReinstalls(model, stageChain(stage));
    if (!system.ok) return system;
    const alpine = /-alpine$/.test(jre.image);
    const runtimeSetup = system.packages.length ? [alpine ? `RUN apk add --no-cache ${system.packages.join(' ')}` : aptInstallLine(system.packages)] : [];
    return {
      ok: true,
      plan: {
        runtimeSetup,
        ecosystem: 'java',
        buildStep,
        artifacts: [artifact],
        runtimeImage: jre.image,
        builderEdits: [],
        buildOnlyEnv: /^(MAVEN_\w*|M2_HOME|GRADLE_\w*|JAVA_HOME|PATH)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms: RUNTIME_JAVA,
        // jarOfCommand read the CMD/ENTRYPOINT, shell forms and `sh -c` included: it runs java on the jar copied.
        mainVerified: true,
      },
    };
  },
};
