/**
 * .NET: `dotnet publish` in the original SDK image; the publish folder moves to the ASP.NET Core runtime
 * image of the same version (`mcr.microsoft.com/dotnet/aspnet`) or, for a project the .csproj shows is not a
 * web app, the .NET runtime image (`mcr.microsoft.com/dotnet/runtime`). Without `-o` the folder is
 * `bin/<configuration>/<framework>/[<rid>/]publish` under the project, known only when the .csproj is read.
 */
import type { Model, Stage } from '../../core/model';
import { rootImage, workdirAt } from '../../core/stage-info';
import { type ImageRef } from '../../knowledge/base-images';
import { absPath, coveredBy, mainCommand, runCommands, rootRepoIs } from './common';
import { contextFileFor, copiesFollowable, type ContextFile } from './context-files';
import { at, children, parseXml, textAt, type XmlElement } from './xml';
import type { Recipe, RecipeResult } from './types';

const SDK = 'mcr.microsoft.com/dotnet/sdk';
/** `dotnet publish` options that take the next word as their value. */
const VALUE_OPTIONS = new Set(['-c', '--configuration', '-o', '--output', '-r', '--runtime', '-f', '--framework', '--os', '-a', '--arch', '-v', '--verbosity', '--version-suffix', '-s', '--source', '-p', '--property']);
/** MSBuild properties that move the build or publish output. */
const OUTPUT_PROPS = /^(PublishDir|OutDir|OutputPath|BaseOutputPath|BaseIntermediateOutputPath|ArtifactsPath|UseArtifactsOutput|AppendTargetFrameworkToOutputPath|AppendRuntimeIdentifierToOutputPath)$/i;

/** The runtime images' tag for an SDK tag: `8.0` → `8.0`, `8.0.100-alpine` → `8.0-alpine`, `9.0-noble-aot` → `9.0-noble`. */
export function dotnetRuntimeTag(tag: string | null): { tag: string; major: number } | { reason: string } {
  if (!tag || tag === 'latest' || tag === 'lts') return { reason: `the .NET version of sdk:${tag ?? 'latest'} is not written in its tag` };
  if (/nanoserver|windowsservercore/.test(tag)) return { reason: 'Windows images are not converted' };
  const m = /^(\d+)\.(\d+)(\.\d+)?(-.*)?$/.exec(tag);
  if (!m) return { reason: `the .NET version of sdk:${tag} is not written in its tag` };
  const suffix = (m[4] ?? '').replace(/-aot(?=-|$)/, '');
  if (/^-(preview|rc)/.test(suffix)) return { reason: `sdk:${tag} is a preview; the matching runtime tag is not known here` };
  return { tag: `${m[1]}.${m[2]}${suffix}`, major: Number(m[1]) };
}

/** What a .csproj says about the app: web or not, its framework(s), and properties that move the output. */
export interface ProjectInfo {
  web: boolean | 'blazor-wasm';
  targetFramework: string | null;
  multiTarget: boolean;
  runtimeIdentifier: string | null;
  /** Properties the recipe does not evaluate that change where output goes or which configuration publishes. */
  outputProps: string[];
  publishRelease: boolean;
}

function propertyGroups(project: XmlElement): XmlElement[] {
  return children(project, 'PropertyGroup');
}

function prop(project: XmlElement, name: string): string | null {
  let v: string | null = null;
  for (const g of propertyGroups(project)) {
    const t = textAt(g, name);
    if (t !== null) v = t;
  }
  return v;
}

/** Reads a project file (.csproj, .fsproj, .vbproj); null when it is not a well-formed MSBuild project. */
export function readProject(text: string): ProjectInfo | null {
  const project = parseXml(text);
  if (!project || project.name !== 'Project') return null;
  const sdk = (project.attrs.Sdk ?? at(project, 'Sdk')?.attrs.Name ?? '').split('/')[0].trim();
  const aspnetRef = children(project, 'ItemGroup').some((g) => children(g, 'FrameworkReference').some((r) => r.attrs.Include === 'Microsoft.AspNetCore.App'));
  let web: ProjectInfo['web'];
  if (/^Microsoft\.NET\.Sdk\.BlazorWebAssembly$/i.test(sdk)) web = 'blazor-wasm';
  else if (/^Microsoft\.NET\.Sdk\.(Web|Razor)$/i.test(sdk)) web = true;
  else if (/^Microsoft\.NET\.Sdk(\.Worker)?$/i.test(sdk)) web = aspnetRef;
  else web = true; // An SDK the recipe does not know: the ASP.NET Core image runs any framework-dependent app.
  const outputProps: string[] = [];
  for (const g of propertyGroups(project)) for (const c of g.children) if (OUTPUT_PROPS.test(c.name) && !outputProps.includes(c.name)) outputProps.push(c.name);
  const tfms = prop(project, 'TargetFrameworks');
  return {
    web,
    targetFramework: prop(project, 'TargetFramework'),
    multiTarget: tfms !== null,
    runtimeIdentifier: prop(project, 'RuntimeIdentifier'),
    outputProps,
    publishRelease: prop(project, 'PublishRelease') !== null || prop(project, 'Configuration') !== null,
  };
}

/** The framework's major (`net8.0` → 8, `netcoreapp3.1` → 3), or null. */
function tfmMajor(tfm: string): number | null {
  const m = /^net(?:coreapp)?(\d+)\.\d+$/.exec(tfm);
  return m ? Number(m[1]) : null;
}

function optionValue(args: string[], names: string[]): string | null {
  let v: string | null = null;
  for (let k = 0; k < args.length; k++) {
    if (names.includes(args[k])) v = args[k + 1] ?? null;
    for (const n of names) if (args[k].startsWith(n + '=') || args[k].startsWith(n + ':')) v = args[k].slice(n.length + 1);
  }
  return v;
}

/** The project or solution `dotnet publish` names, or null when it uses the one in its directory. */
function projectArg(args: string[]): string | null {
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (VALUE_OPTIONS.has(a)) {
      k++;
      continue;
    }
    if (a === '--self-contained' || a === '--sc') {
      if (/^(true|false)$/i.test(args[k + 1] ?? '')) k++;
      continue;
    }
    // MSBuild switches may be written `/p:Name=Value`; an absolute project path is not one.
    if (!a.startsWith('-') && !/^\/[A-Za-z]+:/.test(a)) return a;
  }
  return null;
}

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

/**
 * Why a CMD's dll in another framework's publish folder (`…/bin/Release/net8.0/publish/App.dll` while the project
 * targets net9.0) is not there: the Dockerfile and the project file disagree, and an SDK older than the framework
 * cannot build the project at all. Null when the path is not such a folder.
 */
function otherFramework(p: string | null, publishDir: string, tfm: string | null, projRel: string | null, sdkMajor: number): string | null {
  if (!p || !tfm || !projRel) return null;
  const at = publishDir.lastIndexOf(`/${tfm}/`);
  if (at < 0) return null;
  const head = publishDir.slice(0, at + 1);
  const m = p.startsWith(head) ? /^([^/]+)\//.exec(p.slice(head.length)) : null;
  if (!m || m[1] === tfm || !p.slice(head.length + m[1].length).startsWith(publishDir.slice(at + tfm.length + 1) + '/')) return null;
  const major = tfmMajor(tfm);
  const unbuildable = major !== null && major > sdkMajor ? `, which the .NET ${sdkMajor} SDK of the image cannot build` : '';
  return `the CMD runs ${p}, built for ${m[1]}, but ${projRel} targets ${tfm}${unbuildable}: the Dockerfile and the project disagree, so what the image runs is not known`;
}

export const dotnetRecipe: Recipe = {
  ecosystem: 'dotnet',
  applies(_model, stage) {
    return rootRepoIs(stage, SDK);
  },
  plan(model: Model, stage: Stage): RecipeResult {
    const ref: ImageRef = rootImage(stage).ref!;
    if (ref.digest) return { ok: false, reason: 'the image is pinned by digest; the digest of the matching runtime image is not known here' };
    const rt = dotnetRuntimeTag(ref.tag);
    if ('reason' in rt) return { ok: false, reason: rt.reason };
    const cmds = runCommands(model, stage);
    const publishes = cmds.filter((c) => c.cmd.name === 'dotnet' && c.cmd.args[0]?.value === 'publish');
    const pub = publishes[publishes.length - 1];
    if (!pub) {
      const built = cmds.some((c) => c.cmd.name === 'dotnet' && c.cmd.args[0]?.value === 'build');
      return { ok: false, reason: built ? '`dotnet build` output is not a publish folder; publish with `dotnet publish -c Release -o <dir>`' : 'no `dotnet publish` step in the final stage' };
    }
    if (pub.cmd.args.some((a) => a.value === null)) return { ok: false, reason: '`dotnet publish` takes an argument from a variable' };
    const args = pub.cmd.args.slice(1).map((a) => a.value!);
    if (!pub.dir) return { ok: false, reason: 'the directory `dotnet publish` runs in is not known' };
    const words = mainCommand(model, stage);
    const prog = words?.[0];
    if (!words || !prog) return { ok: false, reason: 'the stage has no plain CMD or ENTRYPOINT naming the app' };
    const wd = workdirAt(model, stage, null);

    // The project file, read when the workspace files allow.
    const proj = projectArg(args);
    const projPath = proj ? absPath(pub.dir, proj) : null;
    if (proj && !projPath) return { ok: false, reason: 'the project `dotnet publish` builds is not known' };
    const isProjFile = !!projPath && /\.(cs|fs|vb)proj$/.test(projPath);
    const isSln = !!projPath && /\.slnx?$/.test(projPath);
    const projDir = isProjFile || isSln ? dirOf(projPath!) : projPath ?? pub.dir;
    const dll = prog === 'dotnet' && words[1] && /\.dll$/i.test(words[1]) ? words[1] : null;
    const guessed = dll ? `${projDir}/${dll.slice(dll.lastIndexOf('/') + 1).replace(/\.dll$/i, '')}.csproj` : null;
    const projFile: ContextFile | null = isProjFile ? contextFileFor(model, stage, projPath!, pub.instr) : !isSln && guessed ? contextFileFor(model, stage, guessed, pub.instr) : null;
    const info = projFile ? readProject(projFile.text) : null;
    if (projFile && !info) return { ok: false, reason: `${projFile.rel} is not a well-formed MSBuild project` };
    if (info?.web === 'blazor-wasm') return { ok: false, reason: 'a Blazor WebAssembly app publishes static files for a web server, not an app for the .NET runtime' };

    // The publish folder.
    const out = optionValue(args, ['-o', '--output']);
    const props = args.flatMap((a, k) => (/^[-/]p(roperty)?[:=]/.test(a) ? [a.replace(/^[-/]p(roperty)?[:=]/, '')] : a === '-p' || a === '--property' ? [args[k + 1] ?? ''] : []));
    const movedBy = props.map((p) => p.split('=')[0]).find((n) => OUTPUT_PROPS.test(n));
    if (movedBy) return { ok: false, reason: `\`dotnet publish\` sets ${movedBy}, which moves the output` };
    let publishDir: string | null;
    /** The framework the project file targets, when the publish folder was worked out from it. */
    let projectTfm: string | null = null;
    if (out !== null) {
      publishDir = absPath(pub.dir, out);
      if (!publishDir) return { ok: false, reason: 'the publish folder is not known' };
    } else {
      if (!info) return { ok: false, reason: '`dotnet publish` without `-o`: the folder is bin/<configuration>/<framework>/publish, and the framework is in the .csproj, which could not be read; publish with `-o <dir>`' };
      if (info.outputProps.length) return { ok: false, reason: `the .csproj sets ${info.outputProps.join(', ')}, which moves the output; publish with \`-o <dir>\`` };
      if (!copiesFollowable(model, stage, pub.instr)) return { ok: false, reason: 'a COPY uses a variable, so whether a Directory.Build.props moves the output is not known' };
      for (let d = projDir; ; d = dirOf(d)) {
        const props = contextFileFor(model, stage, `${d === '/' ? '' : d}/Directory.Build.props`, pub.instr);
        if (props && (!/^\s*</.test(props.text) || /<(PublishDir|OutDir|OutputPath|BaseOutputPath|ArtifactsPath|UseArtifactsOutput|TargetFrameworks?|RuntimeIdentifier|Configuration)\b/i.test(props.text))) {
          return { ok: false, reason: `${props.rel} may set the output path or framework; publish with \`-o <dir>\`` };
        }
        if (d === '/') break;
      }
      const tfm = optionValue(args, ['-f', '--framework']) ?? info.targetFramework;
      if (!tfm || tfm.includes('$') || (info.multiTarget && !optionValue(args, ['-f', '--framework']))) return { ok: false, reason: 'the target framework is not one literal `<TargetFramework>`; publish with `-o <dir>`' };
      const rid = optionValue(args, ['-r', '--runtime']) ?? info.runtimeIdentifier;
      if ((rid && rid.includes('$')) || optionValue(args, ['--os', '-a', '--arch']) !== null) return { ok: false, reason: 'the runtime identifier is not written out; publish with `-o <dir>`' };
      let config = optionValue(args, ['-c', '--configuration']);
      if (!config) {
        if (info.publishRelease) return { ok: false, reason: 'the .csproj sets the configuration `dotnet publish` uses; pass `-c`' };
        const fm = tfmMajor(tfm);
        // From the .NET 8 SDK, publishing a project that targets net8.0 or later uses Release (PublishRelease).
        config = rt.major >= 8 && fm !== null && fm >= 8 ? 'Release' : 'Debug';
      }
      publishDir = `${projDir.replace(/\/$/, '')}/bin/${config}/${tfm}/${rid ? `${rid}/` : ''}publish`;
      projectTfm = tfm;
    }
    if (publishDir === '/') return { ok: false, reason: 'the publish folder is /' };

    // What the image runs must come from the publish folder.
    if (prog === 'dotnet') {
      if (!dll) return { ok: false, reason: words[1] === 'run' || words[1] === 'watch' ? `the CMD runs the app with \`dotnet ${words[1]}\`, which needs the SDK; run \`dotnet <app>.dll\` from the publish folder` : 'the CMD runs dotnet without an app .dll' };
      const p = absPath(wd, dll);
      if (!p || !coveredBy(p, [publishDir])) return { ok: false, reason: otherFramework(p, publishDir, projectTfm, projFile?.rel ?? null, rt.major) ?? `the CMD runs ${p ?? dll}, outside the publish folder ${publishDir}` };
    } else {
      const p = prog.includes('/') ? absPath(wd, prog) : null;
      if (!p || !coveredBy(p, [publishDir])) return { ok: false, reason: `the CMD runs \`${prog}\`, not \`dotnet <app>.dll\` from the publish folder ${publishDir}` };
    }
    const web = info ? info.web === true : true;
    return {
      ok: true,
      plan: {
        ecosystem: 'dotnet',
        buildStep: pub.instr,
        artifacts: [publishDir],
        runtimeImage: `mcr.microsoft.com/dotnet/${web ? 'aspnet' : 'runtime'}:${rt.tag}`,
        builderEdits: [],
        buildOnlyEnv: /^(DOTNET_CLI_\w*|DOTNET_NOLOGO|DOTNET_SKIP_FIRST_TIME_EXPERIENCE|DOTNET_GENERATE_ASPNET_CERTIFICATE|DOTNET_USE_POLLING_FILE_WATCHER|NUGET_\w*|MSBUILD\w*|PATH)$/,
        runtimeNonRoot: false,
        runtimeHasShell: true,
        runtimePrograms: ['dotnet'],
      },
    };
  },
};
