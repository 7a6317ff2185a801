/** multi-stage: the final image still carries the toolchain that built it. */
import type { Model, Stage } from '../core/model';
import { baseInfo, rootImage } from '../core/stage-info';
import type { Fix, Finding } from '../core/types';
import { parseImageRef, repoKey } from '../knowledge/base-images';
import { BUILD_PACKAGES_SIZE_MB, COMPOSER_SIZE_MB, INSTALLROOT_HOST_SIZE_MB, IMAGES_WITH_COMPILERS, JDK_TOOLCHAIN, cRuntimeFor, lookupToolchain, type ToolchainEntry } from '../knowledge/toolchains';
import type { ImageRef } from '../knowledge/base-images';
import { applyOffsetEdits, middleEdit, toTextEdits } from '../core/edits';
import { planConversion, type Conversion } from '../fixes/multi-stage/index';
import { buildModel } from '../core/model';
import { withoutOwnUserBlock, withUser } from './shared/user-block';
import { bare, buildPackagesShipped } from '../fixes/multi-stage/build-packages';
import { nodeBuildStep, nodeRuntimeImage } from '../fixes/multi-stage/node';
import { toolchainIsThePoint } from '../fixes/multi-stage/purpose';
import { slimTag } from '../fixes/multi-stage/common';
import { dotnetRuntimeTag } from '../fixes/multi-stage/dotnet';
import { composerInstall } from '../fixes/multi-stage/php';
import { installrootInstalls } from '../fixes/multi-stage/rpm-installroot';
import { jdkBuildStage, jreImageFor } from '../fixes/multi-stage/java';
import { fitted, lines, message as joinMessage, oneLine } from '../core/message';
import type { RawFinding, Rule } from './types';

const NAMES: Record<ToolchainEntry['ecosystem'], string> = {
  go: 'Go', rust: 'Rust', node: 'Node.js', python: 'Python build', java: 'Java build', dotnet: '.NET SDK', ruby: 'Ruby build', c: 'C/C++', php: 'PHP build', r: 'R build',
};
/**
 * The runtime a conversion of this toolchain image would use, from the image's own tag: the same version's slim
 * variant, the same distribution release. Null when the tag does not say (then the message names none).
 */
function runtimeFor(tc: ToolchainEntry, ref: ImageRef): string | null {
  const tag = ref.tag;
  // Pinned by digest alone: the version and release are not written down.
  if (ref.digest && !tag && tc.ecosystem !== 'go') return null;
  switch (tc.ecosystem) {
    case 'node':
      return nodeRuntimeImage(tag);
    case 'python':
      return `python:${slimTag(tag, true)}`;
    case 'ruby':
      return `ruby:${slimTag(tag, true)}`;
    case 'c':
      return cRuntimeFor(repoKey(ref), tag);
    case 'rust':
      return /(^|-)alpine/.test(tag ?? '') ? null : cRuntimeFor('gcc', tag);
    case 'java': {
      const jre = jreImageFor(ref);
      return 'image' in jre ? jre.image : null;
    }
    case 'dotnet': {
      const rt = dotnetRuntimeTag(tag);
      return 'tag' in rt ? `mcr.microsoft.com/dotnet/aspnet:${rt.tag}` : null;
    }
    default:
      return tc.runtime;
  }
}

/** What toolchain the stage carries: a toolchain image (with evidence where the image alone does not say), or build packages. */
function toolchainOf(model: Model, stage: Stage): { what: string; /** What ships, for the first sentence. */ short: string; sizeMb: number; runtime: string | null; tableRuntime?: string; runtimeSizeMb: number; ecosystem: string } | null {
  const { ref, text } = rootImage(stage);
  if (!ref) return null;
  const tc = lookupToolchain(repoKey(ref)) ?? (jdkBuildStage(model, stage) ? JDK_TOOLCHAIN : null);
  const runtimeTag = /(^|-)(slim|alpine)/.test(ref.tag ?? '');
  if (tc && tc.ecosystem === 'node') {
    // Only a build step makes a builder stage worth it; dependencies alone are npm-hygiene's `--omit=dev`.
    // On an alpine or slim tag the image is already the runtime: what a builder leaves behind is the dev dependencies,
    // whose size the file does not tell.
    if (nodeBuildStep(model, stage) && runtimeTag) return { what: `is ${text}, already a runtime image: the dev dependencies the build used ship`, short: 'the dev dependencies the build used', sizeMb: tc.runtimeSizeMb, runtime: runtimeFor(tc, ref), tableRuntime: tc.runtime, runtimeSizeMb: tc.runtimeSizeMb, ecosystem: tc.ecosystem };
    // An install of the production dependencies alone (`yarn install --production`) leaves no dev dependencies to ship.
    const prodOnly = stage.instructions.some((i) => i.keyword === 'RUN' && PRODUCTION_INSTALL.test(i.run?.body ?? ''));
    const what = prodOnly ? 'Node.js toolchain' : 'Node.js toolchain and dev dependencies';
    if (nodeBuildStep(model, stage)) return { what: `is ${text}: its ${what} (about ${runtimeTag ? tc.runtimeSizeMb : tc.sizeMb} MB) ship${prodOnly ? 's' : ''}`, short: `${prodOnly ? 'Node.js' : 'Node.js and the dev dependencies'} (about ${runtimeTag ? tc.runtimeSizeMb : tc.sizeMb} MB)`, sizeMb: runtimeTag ? tc.runtimeSizeMb : tc.sizeMb, runtime: runtimeFor(tc, ref), tableRuntime: tc.runtime, runtimeSizeMb: tc.runtimeSizeMb, ecosystem: tc.ecosystem };
  } else if (tc && !((tc.ecosystem === 'python' || tc.ecosystem === 'ruby') && (runtimeTag || (ref.digest && !ref.tag)))) {
    // (A python or ruby image pinned by digest alone may be the slim variant: nothing says it is the full one.)
    return { what: `is ${text}: its ${NAMES[tc.ecosystem]} toolchain (about ${tc.sizeMb} MB) ships`, short: `the ${NAMES[tc.ecosystem]} toolchain (about ${tc.sizeMb} MB)`, sizeMb: tc.sizeMb, runtime: runtimeFor(tc, ref), tableRuntime: tc.runtime, runtimeSizeMb: tc.runtimeSizeMb, ecosystem: tc.ecosystem };
  }
  const root = installrootInstalls(model, stage)[0];
  if (root) return { what: `(${text}) fills ${root.root ?? 'a directory'} with \`${root.cmd.cmd.name} --installroot\`, yet the whole distribution image (about ${INSTALLROOT_HOST_SIZE_MB} MB, its package manager and RPM database) ships`, short: `the whole distribution image (about ${INSTALLROOT_HOST_SIZE_MB} MB) around its --installroot`, sizeMb: INSTALLROOT_HOST_SIZE_MB, runtime: 'scratch', runtimeSizeMb: 0, ecosystem: 'rpm' };
  if (composerInstall(model, stage)) return { what: `(${text}) runs \`composer install\`: Composer and what it fetches with (git, unzip: about ${COMPOSER_SIZE_MB} MB) ship`, short: `Composer, git and unzip (about ${COMPOSER_SIZE_MB} MB)`, sizeMb: COMPOSER_SIZE_MB, runtime: text ?? '', runtimeSizeMb: 0, ecosystem: 'php' };
  const pkgs = buildPackagesShipped(model, stage);
  // Headers alone (`libpq-dev`, no compiler kept) build nothing here: the advice is their run-time library, not a builder stage.
  // Kept firing where the image brings its own compilers (the full language images, rocker, PHP's phpize deps).
  if (pkgs.length && pkgs.every((p) => /-(dev|devel)$/.test(bare(p))) && !(tc || (ref && IMAGES_WITH_COMPILERS.test(repoKey(ref))))) return null;
  // The one measured figure is Debian's: on Alpine, UBI or anything else the message names no size it has not measured.
  const measured = baseInfo(stage)?.family === 'debian' ? `; build-essential alone is about ${BUILD_PACKAGES_SIZE_MB} MB on bookworm` : '';
  if (pkgs.length) return { what: `(${text}) installs build packages (${pkgs.join(', ')}${measured}) that ship`, short: `build packages (${pkgs.length > 2 ? `${pkgs.slice(0, 2).join(', ')}, …` : pkgs.join(', ')})`, sizeMb: BUILD_PACKAGES_SIZE_MB, runtime: text ?? '', runtimeSizeMb: 0, ecosystem: tc?.ecosystem ?? 'c' };
  return null;
}

/**
 * The conversion of a model. After the non-root fix (rules/shared/user-block.ts) the builder would keep the user
 * block; the fix takes it out and gives the runtime its user as fix-all does (convert, then the non-root fix):
 * either order of the two fixes ends in the same file. The check (every analysis) looks for the block only when
 * the plain conversion declines (its RUN after the build step); the runtime it names is the same either way.
 * Planned again for the fix, within the fix's own time budget.
 */
function conversion(model: Model, forFix: boolean): Conversion {
  const plain = forFix ? null : planConversion(model);
  if (plain?.ok) return plain;
  const own = withoutOwnUserBlock(model);
  const stripped = own && planConversion(buildModel(own.text, { files: model.files, path: model.path }));
  if (own && stripped?.ok) {
    const converted = applyOffsetEdits(own.text, stripped.edits);
    const edit = middleEdit(model.doc.text, withUser(converted, model, own.user) ?? converted);
    if (edit) return { ok: true, edits: [edit], plan: stripped.plan };
  }
  return plain ?? planConversion(model);
}

/** The quick fix's title, naming the runtime: computed in check() too, so an editor can show it before it resolves the edit. */
export function conversionTitle(ecosystem: string, runtimeImage: string, manual = false): string {
  return `Convert to a multi-stage build (${ecosystem} → ${runtimeImage}${manual ? '; check the run-time libraries' : ''})`;
}

/** An npm, yarn or pnpm install of the production dependencies alone. */
const PRODUCTION_INSTALL = /\b(npm|yarn|pnpm)\s+(install|i|ci)\b[^\n;&|]*\s(--production|--prod|--omit=dev|--only=prod(uction)?)\b/;

export const multiStage: Rule<'multi-stage'> = {
  id: 'multi-stage',
  meta: {
    title: 'Keep the build toolchain out of the final image',
    rationale:
      'Compilers, SDKs and package caches are needed to build, not to run. A builder stage and a slim runtime stage that copies only the artifacts make the image smaller and leave less to attack.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: [],
  },
  check(model) {
    const stage = model.stages[model.stages.length - 1];
    if (!stage) return [];
    const tc = toolchainOf(model, stage);
    if (!tc) return [];
    // A development environment or a toolchain image for others: the toolchain is what it ships for.
    if (toolchainIsThePoint(model, stage)) return [];
    const conv = conversion(model, false);
    // A builder stage that would ship the same files on the same image: the finding's claim does not hold.
    if (!conv.ok && conv.quiet) return [];
    const runtime = conv.ok ? conv.plan.runtimeImage : tc.runtime;
    // The size table knows the ecosystem's usual runtime image; another one (cgo's Debian slim) gets no figure.
    const sizeMb = runtime && tc.tableRuntime && repoKey(parseImageRef(runtime)) === repoKey(parseImageRef(tc.tableRuntime)) ? tc.runtimeSizeMb : 0;
    // The same image as the final stage's (an alpine or slim one): what goes is what it carries, not the image's size.
    const sameImage = tc.ecosystem === 'node' && !!runtime && runtime === rootImage(stage).text;
    const runtimeText = !runtime
      ? 'a slim runtime of the same release without them'
      : sameImage
        ? `a runtime on the same ${runtime} with the production dependencies alone`
        : sizeMb
        ? `${/^[aeiou]/i.test(runtime) ? 'an' : 'a'} ${runtime} runtime (about ${sizeMb} MB)`
        : runtime === rootImage(stage).text
          ? 'a runtime on the same image without them'
          : `a runtime on ${runtime} without them`;
    const declined = conv.ok ? conv.manual : conv.reason;
    // Why this runtime, where the image's tag does not say it (maven:latest: the JDK the tag carries today).
    const rootRef = rootImage(stage).ref;
    const jre = tc.ecosystem === 'java' && rootRef ? jreImageFor(rootRef) : null;
    const why = conv.ok && jre && 'why' in jre && jre.why && runtime === jre.image ? jre.why : null;
    // The decline reason is a line of its own after the detail: what the user reads before converting by hand.
    const message = lines(
      joinMessage(
        fitted(`The final image ships ${tc.short}: build in a builder stage, ship only the artifacts.`, `The final image ships ${tc.short}: use a builder stage.`, 'The final image ships what builds the program: use a builder stage.'),
        `The final image ${tc.what} with the program. A builder stage and ${runtimeText} would ship only the artifacts.`,
      ),
      conv.ok && !!conv.plan.note && oneLine(conv.plan.note),
      !!why && oneLine(`${why}.`),
      !!declined && oneLine(`Not converted automatically: ${declined}.`),
    );
    const r = stage.fromInstr;
    // A conversion that rests on an assumption the build context cannot confirm is only offered as a quick fix.
    // The title travels with the finding so an editor can show it before it resolves the edit.
    const data = {
      ecosystem: tc.ecosystem,
      ...(conv.ok ? { title: conversionTitle(conv.plan.ecosystem, conv.plan.runtimeImage, !!conv.manual) } : {}),
      ...(conv.ok && conv.manual ? { quickFixOnly: true } : {}),
    };
    return [{ start: r.start, end: r.end, message, fixable: !declined, reason: declined, data } satisfies RawFinding];
  },
  fixes(model, finding: Finding): Fix[] {
    const conv = conversion(model, true);
    if (!conv.ok) return [];
    if (conv.manual) {
      if (finding.data?.quickFixOnly !== true) return [];
      return [{ title: conversionTitle(conv.plan.ecosystem, conv.plan.runtimeImage, true), edits: toTextEdits(model.doc, conv.edits), preferred: false, manual: true }];
    }
    return [{ title: conversionTitle(conv.plan.ecosystem, conv.plan.runtimeImage), edits: toTextEdits(model.doc, conv.edits), preferred: true }];
  },
};
