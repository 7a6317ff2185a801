/** multi-stage: the final image still carries the toolchain that built it. */
import { rootImage } from '../core/stage-info';
import type { Fix, Finding } from '../core/types';
import { repoKey } from '../knowledge/base-images';
import { lookupToolchain } from '../knowledge/toolchains';
import { toTextEdits } from '../fixes/edits';
import { planConversion } from '../fixes/multi-stage/index';
import type { RawFinding, Rule } from './types';

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
    const { ref, text } = rootImage(stage);
    if (!ref) return [];
    const tc = lookupToolchain(repoKey(ref));
    if (!tc) return [];
    const conv = planConversion(model);
    const runtime = conv.ok ? conv.plan.runtimeImage : tc.runtime;
    const message =
      `The final image is ${text}: its ${tc.ecosystem === 'go' ? 'Go' : tc.ecosystem} toolchain (about ${tc.sizeMb} MB) ships with the program. ` +
      `A builder stage and a ${runtime} runtime (about ${tc.runtimeSizeMb} MB) would ship only the artifacts.` +
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
