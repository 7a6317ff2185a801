/**
 * The jar names a Maven or Gradle build leaves in `target/` or `build/libs/`, read from pom.xml and
 * build.gradle(.kts) / settings.gradle(.kts) / gradle.properties. Only literal values are evaluated; anything
 * computed (a property set in a parent pom, a Groovy expression, a string template) makes the reader
 * decline with a reason instead of guessing. Malformed files decline too.
 */
import { lastAtOrBefore } from '../../core/document';
import { at, children, descendants, parseXml, textAt, type XmlElement } from './xml';

export type JarNames = { ok: true; jars: string[]; main: string; needsLibs?: string } | { ok: false; reason: string };

/** A jar name a build tool writes and a COPY line can carry as it is: no blanks, line breaks, quotes or `$`. */
const JAR_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/** The names as read, or a decline when one is not a plain file name (it goes into the converted Dockerfile). */
function checkedNames(source: string, names: JarNames & { ok: true }): JarNames {
  for (const j of names.jars) {
    if (j.length > 255 || !JAR_NAME.test(j)) {
      return { ok: false, reason: `the jar's name in ${source} has characters other than letters, digits and \`._+-\` (or is too long for a file name); name the jar in the CMD` };
    }
  }
  return names;
}

// ---------------------------------------------------------------- Maven

function pluginsOf(project: XmlElement): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const p of children(at(project, 'build', 'plugins'), 'plugin')) {
    const id = textAt(p, 'artifactId');
    if (id) out.set(id, p);
  }
  return out;
}

/** `${name}` references resolved against the pom's own values and properties; null when one is set elsewhere. */
function resolver(project: XmlElement, cliProps: Map<string, string>): (s: string) => string | null {
  const props = new Map<string, string>();
  for (const p of at(project, 'properties')?.children ?? []) props.set(p.name, p.text.trim());
  const own = (k: string) => textAt(project, k) ?? textAt(project, 'parent', k);
  for (const k of ['artifactId', 'version', 'groupId', 'packaging']) {
    const v = k === 'artifactId' || k === 'packaging' ? textAt(project, k) : own(k);
    if (v !== null) {
      props.set(`project.${k}`, v);
      props.set(`pom.${k}`, v);
    }
  }
  const pv = textAt(project, 'parent', 'version');
  if (pv !== null) props.set('project.parent.version', pv);
  for (const [k, v] of cliProps) props.set(k, v);
  return (s: string) => {
    let cur = s;
    for (let n = 0; n < 10 && cur.includes('${'); n++) {
      // `${name}` found with indexOf: a regex with `[^}]*` rescans the rest of the text from every `${`.
      let out = '';
      let from = 0;
      for (let i = cur.indexOf('${'); i >= 0; i = cur.indexOf('${', from)) {
        const close = cur.indexOf('}', i + 2);
        if (close < 0) break;
        const v = props.get(cur.slice(i + 2, close));
        if (v === undefined) return null;
        out += cur.slice(from, i) + v;
        from = close + 1;
      }
      cur = out + cur.slice(from);
    }
    return cur.includes('${') ? null : cur;
  };
}

/**
 * Reads pom.xml: the jar `mvn package` makes (`<finalName>` or `<artifactId>-<version>`), and the other
 * jars plugins leave beside it (shade's `original-*.jar`, assembly's `-jar-with-dependencies.jar`, sources,
 * javadoc). `cliProps` are the `-Dname=value` given on the mvn command line.
 */
export function readPom(text: string, cliProps: Map<string, string> = new Map()): JarNames {
  const project = parseXml(text);
  if (!project || project.name !== 'project') return { ok: false, reason: 'pom.xml is not a well-formed Maven project file' };
  const resolve = resolver(project, cliProps);
  const packaging = textAt(project, 'packaging') ?? 'jar';
  if (packaging !== 'jar' && packaging !== 'war') return { ok: false, reason: `pom.xml has packaging \`${packaging}\`, not a runnable jar` };
  if (at(project, 'build', 'directory')) return { ok: false, reason: 'pom.xml moves the build directory (`<build><directory>`)' };
  const artifactId = textAt(project, 'artifactId');
  const version = textAt(project, 'version') ?? textAt(project, 'parent', 'version');
  const rawFinal = textAt(project, 'build', 'finalName');
  const finalRaw = rawFinal ?? (artifactId && version ? `${artifactId}-${version}` : null);
  if (!finalRaw) return { ok: false, reason: 'pom.xml names no artifactId and version' };
  const base = resolve(finalRaw);
  if (!base) return { ok: false, reason: `the jar's name in pom.xml (\`${finalRaw}\`) uses a property set outside it` };
  const ext = packaging;
  const main = `${base}.${ext}`;
  const jars = [main];
  const plugins = pluginsOf(project);
  const conf = (p: XmlElement, ...path: string[]) => descendants(p, 'configuration').map((c) => textAt(c, ...path)).find((v) => v !== null) ?? null;
  const shade = plugins.get('maven-shade-plugin');
  if (shade) {
    if (conf(shade, 'outputFile') !== null || conf(shade, 'finalName') !== null) return { ok: false, reason: 'maven-shade-plugin writes its jar under a name set in its configuration' };
    if (conf(shade, 'shadedArtifactAttached') === 'true') jars.push(`${base}-${conf(shade, 'shadedClassifierName') ?? 'shaded'}.${ext}`);
    else jars.push(`original-${main}`);
  }
  const assembly = plugins.get('maven-assembly-plugin');
  if (assembly) {
    const refs = descendants(assembly, 'descriptorRef').map((d) => d.text.trim());
    if (!refs.length || refs.some((r) => r !== 'jar-with-dependencies') || descendants(assembly, 'descriptor').length || conf(assembly, 'appendAssemblyId') === 'false') {
      return { ok: false, reason: 'maven-assembly-plugin builds archives from descriptors the recipe does not read' };
    }
    jars.push(`${base}-jar-with-dependencies.jar`);
  }
  const boot = plugins.get('spring-boot-maven-plugin');
  const bootClassifier = boot ? conf(boot, 'classifier') : null;
  if (bootClassifier) jars.push(`${base}-${bootClassifier}.${ext}`);
  if (plugins.has('maven-source-plugin')) jars.push(`${base}-sources.jar`);
  if (plugins.has('maven-javadoc-plugin')) jars.push(`${base}-javadoc.jar`);
  let needsLibs: string | undefined;
  const dep = plugins.get('maven-dependency-plugin');
  if (dep && descendants(dep, 'goal').some((g) => /^copy-dependencies$/.test(g.text.trim()))) needsLibs = 'maven-dependency-plugin copies the dependencies beside the jar';
  const jar = plugins.get('maven-jar-plugin');
  if (jar && conf(jar, 'archive', 'manifest', 'addClasspath') === 'true') needsLibs = 'maven-jar-plugin writes a Class-Path of library jars into the manifest';
  return checkedNames('pom.xml', { ok: true, jars, main, needsLibs });
}

// ---------------------------------------------------------------- Gradle

/** The script with comments blanked out (strings kept), so braces and names can be found by position. */
export function stripGradleComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j) && (triple || src[j] !== '\n')) j += src[j] === '\\' ? 2 : 1;
      const stop = Math.min(src.length, j + q.length);
      out += src.slice(i, stop);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** What is known at an offset of a Gradle script about the blocks around it. */
interface Enclosing {
  /** How many blocks enclose the offset. */
  depth: number;
  /** The header (`tasks.shadowJar`, `allprojects`) of the innermost block, or null at the top level. */
  inner: string | null;
  /** Whether every enclosing block is `allprojects` or `subprojects`. */
  onlyProjects: boolean;
  /** Whether some enclosing block is a jar task (`tasksOfHeader`). */
  inTask: boolean;
}

const TOP: Enclosing = { depth: 0, inner: null, onlyProjects: true, inTask: false };

/**
 * The block nesting of a script (comments stripped), computed in one pass: a stack of the open blocks,
 * string literals skipped. A block's header is the text before its `{` back to the last newline, `;`,
 * `{` or `}`. Returns a lookup of the blocks enclosing an offset (a binary search over the offsets where
 * the nesting changes).
 */
function blockNesting(code: string): (offset: number) => Enclosing {
  const offsets: number[] = [0];
  const state: Enclosing[] = [TOP];
  const stack: Enclosing[] = [TOP];
  let sep = -1;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'") {
      const triple = code.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < code.length && !code.startsWith(q, j) && (triple || code[j] !== '\n')) {
        const d = code[j];
        if (d === '\n' || d === ';' || d === '{' || d === '}') sep = j;
        j += d === '\\' ? 2 : 1;
      }
      i = Math.min(code.length, j + q.length) - 1;
      continue;
    }
    if (c === '{') {
      const header = code.slice(sep + 1, i).trim();
      const outer = stack[stack.length - 1];
      const inner: Enclosing = {
        depth: outer.depth + 1,
        inner: header,
        onlyProjects: outer.onlyProjects && (header === 'allprojects' || header === 'subprojects'),
        inTask: outer.inTask || tasksOfHeader(header) !== null,
      };
      stack.push(inner);
      offsets.push(i + 1);
      state.push(inner);
    } else if (c === '}' && stack.length > 1) {
      stack.pop();
      offsets.push(i + 1);
      state.push(stack[stack.length - 1]);
    }
    if (c === '\n' || c === ';' || c === '{' || c === '}') sep = i;
  }
  return (offset: number) => state[lastAtOrBefore(offsets, offset)];
}

type Task = 'jar' | 'bootJar' | 'shadowJar';
const ARCHIVE_PROPS = ['archiveFileName', 'archiveBaseName', 'archiveAppendix', 'archiveVersion', 'archiveClassifier', 'archiveExtension'] as const;
type ArchiveProp = (typeof ARCHIVE_PROPS)[number];

function tasksOfHeader(h: string): Task[] | null {
  if (/shadowJar|ShadowJar/.test(h)) return ['shadowJar'];
  if (/bootJar|BootJar/.test(h)) return ['bootJar'];
  if (/withType\s*(<\s*Jar\s*>|\(\s*Jar\s*\))/.test(h)) return ['jar', 'bootJar', 'shadowJar'];
  if (/^(tasks\.)?jar$|(named|getByName)\s*(<\s*Jar\s*>\s*)?\(\s*["']jar["']/.test(h)) return ['jar'];
  return null;
}

/** A literal string value (`"x"`, `'x'`), or null when computed. */
function literal(expr: string): string | null {
  const m = /^(?:"([^"'$\\\n]*)"|'([^"'$\\\n]*)')(\s*\))?$/.exec(expr.trim());
  return m ? (m[1] ?? m[2]) : null;
}

/** Whether a `plugins {` block names `war` before its first `}`. */
function pluginsApplyWar(code: string): boolean {
  let checkedTo = -1;
  // The first `}` after a `plugins {`, searched again only when the last one found is behind it.
  let close = -2;
  for (const m of code.matchAll(/\bplugins\s*\{/g)) {
    const from = m.index + m[0].length;
    if (close !== -1 && close < from) close = code.indexOf('}', from);
    const end = close < 0 ? code.length : close;
    // A later `plugins {` before the same `}` looks at part of the text already looked at.
    if (end === checkedTo) continue;
    checkedTo = end;
    if (/(?<![\w.-])war(?![\w.-])/.test(code.slice(from, end))) return true;
  }
  return false;
}

/** The value of `key` in a .properties file (`key=value`, `key: value`, the first one), blanks around it dropped. */
function propertiesValue(text: string, key: string): string | null {
  for (const line of text.split(/\r\n|[\n\r\u2028\u2029]/)) {
    let i = 0;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (!line.startsWith(key, i)) continue;
    i += key.length;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== '=' && line[i] !== ':') continue;
    return trimBlanks(line.slice(i + 1));
  }
  return null;
}

/** `s` without the spaces and tabs at either end. */
function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--;
  return s.slice(a, b);
}

const SHADOW = /com\.github\.johnrengelman\.shadow|com\.gradleup\.shadow|io\.github\.goooler\.shadow/;
const SPRING_BOOT = /org\.springframework\.boot['"]/;

export interface GradleFiles {
  build: string;
  settings: string | null;
  properties: string | null;
  /** The name of the project directory in the image (the root project's name when settings does not set one). */
  dirName: string;
}

/**
 * Reads a Gradle build: the jars in build/libs (`jar`, Spring Boot's `bootJar` with the plain jar beside it,
 * shadow's `shadowJar` with classifier `all`), named from `rootProject.name`, `version`, `base.archivesName`
 * and the `archive*` properties of those tasks.
 */
export function readGradle(files: GradleFiles): JarNames {
  const code = stripGradleComments(files.build);
  if (/\bbuildDir\b|layout\.buildDirectory|destinationDirectory|destinationDir\b/.test(code)) return { ok: false, reason: 'the Gradle build moves its output directory' };
  if (/['"]war['"]|\bbootWar\b/.test(code) || pluginsApplyWar(code)) return { ok: false, reason: 'the Gradle build makes a war' };
  if (/\b(classifier|baseName|archiveName|appendix|extension)\s*=/.test(code)) return { ok: false, reason: 'the Gradle build sets archive names through properties the recipe does not evaluate' };
  if (/Class-Path/.test(code)) return { ok: false, reason: 'the Gradle build writes a Class-Path of library jars into the manifest' };

  // The project's name.
  let name = files.dirName;
  if (files.settings !== null) {
    const s = stripGradleComments(files.settings);
    const m = /rootProject\.name\s*=\s*([^\n;}]*)/.exec(s);
    if (m) {
      const v = literal(m[1]);
      if (v === null) return { ok: false, reason: 'settings.gradle computes rootProject.name' };
      name = v;
    } else if (/rootProject\.name/.test(s)) return { ok: false, reason: 'settings.gradle sets rootProject.name in a way the recipe does not read' };
  }
  if (!name) return { ok: false, reason: 'the root project\'s name is not known' };

  // The project's version: gradle.properties, then the build script.
  let version: string | null = null;
  if (files.properties !== null) {
    version = propertiesValue(files.properties, 'version');
  }
  const enclosing = blockNesting(code);
  for (const m of code.matchAll(/(?<![\w.])(?:project\.)?version(\s*=|\s*\.set\s*\(|[ \t]+(?=["']))\s*([^\n;}]*)/g)) {
    const heads = enclosing(m.index);
    if (m[1].trim() === '' && heads.depth) continue; // `id 'x' version '1.0'` inside plugins {}
    if (!heads.onlyProjects) {
      if (heads.inTask) return { ok: false, reason: 'a jar task sets its own `version`' };
      continue;
    }
    const v = literal(m[2]);
    if (v === null) return { ok: false, reason: 'the Gradle build computes its version' };
    version = v;
  }
  if (version === 'unspecified' || version === '') version = null;

  // base { archivesName = … } / archivesBaseName = …
  let archivesName = name;
  for (const m of code.matchAll(/\b(archivesBaseName|archivesName)\s*(=|\.set\s*\()\s*([^\n;}]*)/g)) {
    const v = literal(m[3]);
    if (v === null) return { ok: false, reason: 'the Gradle build computes archivesName' };
    archivesName = v;
  }

  const tasks: Task[] = ['jar'];
  const boot = SPRING_BOOT.test(code);
  if (boot) tasks.push('bootJar');
  if (SHADOW.test(code)) tasks.push('shadowJar');
  const props = new Map<Task, Map<ArchiveProp, string>>(tasks.map((t) => [t, new Map()]));
  for (const m of code.matchAll(/\b(archive(?:FileName|BaseName|Appendix|Version|Classifier|Extension))\s*(=|\.set\s*\()\s*([^\n;}]*)/g)) {
    const inner = enclosing(m.index).inner;
    const owners = inner !== null ? tasksOfHeader(inner) : null;
    if (!owners) return { ok: false, reason: `\`${m[1]}\` is set outside a jar, bootJar or shadowJar task block the recipe recognises` };
    const v = literal(m[3]);
    if (v === null) return { ok: false, reason: `\`${m[1]}\` is computed` };
    for (const t of owners) props.get(t)?.set(m[1] as ArchiveProp, v);
  }
  const defaults: Record<Task, string> = { jar: boot ? 'plain' : '', bootJar: '', shadowJar: 'all' };
  const fileName = (t: Task): string => {
    const p = props.get(t)!;
    const fixed = p.get('archiveFileName');
    if (fixed !== undefined) return fixed;
    const parts = [p.get('archiveBaseName') ?? archivesName, p.get('archiveAppendix') ?? '', p.get('archiveVersion') ?? version ?? '', p.get('archiveClassifier') ?? defaults[t]];
    return parts.filter((x) => x !== '').join('-') + '.' + (p.get('archiveExtension') ?? 'jar');
  };
  const jars = tasks.map(fileName);
  const main = fileName(tasks[tasks.length - 1]);
  return checkedNames('the Gradle build', { ok: true, jars: [...new Set(jars)], main });
}
