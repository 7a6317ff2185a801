/**
 * What "Build and compare" builds, from the analysis: the fixed text (every fix, or the rules asked), each
 * applied rule's fixes alone (to tell which rewrite made a failing step), and the toolchain paths the
 * multi-stage conversion meant to drop (knowledge/toolchain-paths.ts; null when the plan cannot say).
 * Pure: text and settings in, texts out. The builds themselves are the adapters' (node/compare.ts).
 */
import { fixAll } from '../core/analyze';
import { buildModel } from '../core/model';
import type { AnalysisContext, Settings } from '../core/types';
import { TOOLCHAIN_PATHS } from '../knowledge/toolchain-paths';
import { RULE_IDS } from '../rules/index';
import { planConversion } from './multi-stage/index';

export interface CompareTexts {
  after: string;
  /** The rules whose fixes change the text, in the registry's order. */
  rules: string[];
  perRule: Record<string, string>;
  toolchainPaths: string[] | null;
  ecosystem: string | null;
}

/** `context()` gives each analysis its own budget (and the build context's files). */
export function compareTexts(text: string, settings: Settings, only: readonly string[] | undefined, context: () => AnalysisContext): CompareTexts {
  const after = fixAll(text, settings, only, context()).text;
  const rules: string[] = [];
  const perRule: Record<string, string> = {};
  if (after !== text) {
    for (const id of only ?? RULE_IDS) {
      const alone = fixAll(text, settings, [id], context()).text;
      if (alone === text) continue;
      rules.push(id);
      perRule[id] = alone;
    }
  }
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
