/**
 * What "Build and compare" builds, from the analysis: the fixed text (every fix, or the rules asked), each
 * applied rule's fixes alone (to tell which rewrite made a failing step), and the toolchain paths the
 * multi-stage conversion meant to drop (knowledge/toolchain-paths.ts; null when the plan cannot say).
 * Pure: text and settings in, texts out. The builds themselves are the adapters' (node/compare.ts).
 */
import { fixAll } from './analyze';
import { buildModel } from '../core/model';
import type { AnalysisContext, Settings } from '../core/types';
import { TOOLCHAIN_PATHS } from '../knowledge/toolchain-paths';
import { RULE_IDS } from '../rules/index';
import { planConversion } from '../fixes/multi-stage/index';

export interface CompareTexts {
  after: string;
  /** The rules whose fixes make the fixed text, in the registry's order. */
  rules: string[];
  perRule: Record<string, string>;
  toolchainPaths: string[] | null;
  ecosystem: string | null;
}

/** `context()` gives each analysis its own budget (and the build context's files). */
export function compareTexts(text: string, settings: Settings, only: readonly string[] | undefined, context: () => AnalysisContext): CompareTexts {
  const after = fixAll(text, settings, only, context()).text;
  const changing: string[] = [];
  const perRule: Record<string, string> = {};
  if (after !== text) {
    for (const id of only ?? RULE_IDS) {
      const alone = fixAll(text, settings, [id], context()).text;
      if (alone === text) continue;
      changing.push(id);
      perRule[id] = alone;
    }
  }
  // A rule counts as applied when the fixed text is another without it (the non-root user is not added where
  // the conversion's runtime already runs as a non-root user); two rules making the same change both count.
  const applied = changing.length > 1 ? changing.filter((id) => fixAll(text, settings, changing.filter((x) => x !== id), context()).text !== after) : changing;
  const rules = applied.length ? applied : changing;
  for (const id of changing) if (!rules.includes(id)) delete perRule[id];
  let toolchainPaths: string[] | null = null;
  let ecosystem: string | null = null;
  if (rules.includes('multi-stage')) {
    const conv = planConversion(buildModel(text, context()));
    if (conv.ok) {
      ecosystem = conv.plan.ecosystem;
      toolchainPaths = TOOLCHAIN_PATHS[ecosystem]?.paths ?? null;
    }
  }
  return { after, rules, perRule, toolchainPaths, ecosystem };
}
