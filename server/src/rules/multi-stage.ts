/** multi-stage: the final image still carries the toolchain that built it. */
import type { Model, Stage } from '../core/model';
import { rootImage } from '../core/stage-info';
import type { Fix, Finding } from '../core/types';
import { parseImageRef, repoKey } from '../knowledge/base-images';
import { BUILD_PACKAGES_SIZE_MB, COMPOSER_SIZE_MB, INSTALLROOT_HOST_SIZE_MB, JDK_TOOLCHAIN, TOOLCHAIN_PACKAGE, lookupToolchain, type ToolchainEntry } from '../knowledge/toolchains';
import { toTextEdits } from '../fixes/edits';
import { planConversion } from '../fixes/multi-stage/index';
import { runCommands } from '../fixes/multi-stage/common';
import { nodeToolchainEvidence } from '../fixes/multi-stage/node';
import { composerInstall } from '../fixes/multi-stage/php';
import { installrootInstalls } from '../fixes/multi-stage/rpm-installroot';
import { jdkBuildStage } from '../fixes/multi-stage/java';
import type { RawFinding, Rule } from './types';

const NAMES: Record<ToolchainEntry['ecosystem'], string> = {
  go: 'Go', rust: 'Rust', node: 'Node.js', python: 'Python build', java: 'Java build', dotnet: '.NET SDK', ruby: 'Ruby build', c: 'C/C++', php: 'PHP build', r: 'R build',
};
const PACKAGE_MANAGERS = new Set(['apt-get', 'apt', 'apk', 'dnf', 'yum', 'microdnf']);

/** Build-only packages (compilers, make, -dev headers) the stage installs itself. */
function buildPackagesInstalled(model: Model, stage: Stage): string[] {
  const out: string[] = [];
  for (const c of runCommands(model, stage)) {
    if (!c.cmd.name || !PACKAGE_MANAGERS.has(c.cmd.name)) continue;
    const a = c.cmd.args.map((x) => x.value);
    if (!a.includes('install') && !a.includes('add')) continue;
    for (const p of a) if (p && TOOLCHAIN_PACKAGE.test(p) && !out.includes(p)) out.push(p);
  }
  return out;
}

/** What toolchain the stage carries: a toolchain image (with evidence where the image alone does not say), or build packages. */
function toolchainOf(model: Model, stage: Stage): { what: string; sizeMb: number; runtime: string; runtimeSizeMb: number; ecosystem: string } | null {
  const { ref, text } = rootImage(stage);
  if (!ref) return null;
  const tc = lookupToolchain(repoKey(ref)) ?? (jdkBuildStage(model, stage) ? JDK_TOOLCHAIN : null);
  const runtimeTag = /(^|-)(slim|alpine)/.test(ref.tag ?? '');
  if (tc && tc.ecosystem === 'node') {
    if (nodeToolchainEvidence(model, stage)) return { what: `is ${text}: its Node.js toolchain and dev dependencies (about ${runtimeTag ? tc.runtimeSizeMb : tc.sizeMb} MB) ship`, sizeMb: runtimeTag ? tc.runtimeSizeMb : tc.sizeMb, runtime: tc.runtime, runtimeSizeMb: tc.runtimeSizeMb, ecosystem: tc.ecosystem };
  } else if (tc && !((tc.ecosystem === 'python' || tc.ecosystem === 'ruby') && runtimeTag)) {
    return { what: `is ${text}: its ${NAMES[tc.ecosystem]} toolchain (about ${tc.sizeMb} MB) ships`, sizeMb: tc.sizeMb, runtime: tc.runtime, runtimeSizeMb: tc.runtimeSizeMb, ecosystem: tc.ecosystem };
  }
  const root = installrootInstalls(model, stage)[0];
  if (root) return { what: `(${text}) fills ${root.root ?? 'a directory'} with \`${root.cmd.cmd.name} --installroot\`, yet the whole distribution image (about ${INSTALLROOT_HOST_SIZE_MB} MB, its package manager and RPM database) ships`, sizeMb: INSTALLROOT_HOST_SIZE_MB, runtime: 'scratch', runtimeSizeMb: 0, ecosystem: 'rpm' };
  if (composerInstall(model, stage)) return { what: `(${text}) runs \`composer install\`: Composer and what it fetches with (git, unzip: about ${COMPOSER_SIZE_MB} MB) ship`, sizeMb: COMPOSER_SIZE_MB, runtime: text ?? '', runtimeSizeMb: 0, ecosystem: 'php' };
  const pkgs = buildPackagesInstalled(model, stage);
  if (pkgs.length) return { what: `(${text}) installs build packages (${pkgs.join(', ')}; build-essential alone is about ${BUILD_PACKAGES_SIZE_MB} MB on bookworm) that ship`, sizeMb: BUILD_PACKAGES_SIZE_MB, runtime: text ?? '', runtimeSizeMb: 0, ecosystem: tc?.ecosystem ?? 'c' };
  return null;
}

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
    const conv = planConversion(model);
    const runtime = conv.ok ? conv.plan.runtimeImage : tc.runtime;
    // The size table knows the ecosystem's usual runtime image; another one (cgo's Debian slim) gets no figure.
    const sizeMb = repoKey(parseImageRef(runtime)) === repoKey(parseImageRef(tc.runtime)) ? tc.runtimeSizeMb : 0;
    const message =
      `The final image ${tc.what} with the program. ` +
      `A builder stage and ${sizeMb ? `a ${runtime} runtime (about ${sizeMb} MB)` : `a runtime on ${runtime} without them`} would ship only the artifacts.` +
      (conv.ok ? '' : ` Not converted automatically: ${conv.reason}.`);
    const r = stage.fromInstr;
    return [{ start: r.start, end: r.end, message, fixable: conv.ok, reason: conv.ok ? undefined : conv.reason, data: { ecosystem: tc.ecosystem } } satisfies RawFinding];
  },
  fixes(model, _finding: Finding): Fix[] {
    const conv = planConversion(model);
    if (!conv.ok) return [];
    return [{ title: `Convert to a multi-stage build (${conv.plan.ecosystem} → ${conv.plan.runtimeImage})`, edits: toTextEdits(model.doc, conv.edits), preferred: true }];
  },
};
