import type { Model } from '../core/model';
import type { Fix, Finding, RuleOptions, Severity } from '../core/types';

export interface RuleMeta {
  title: string;
  /** Why it matters, in one or two sentences (docs and SARIF). */
  rationale: string;
  defaultSeverity: Severity;
  fixable: boolean;
  /** hadolint codes whose ignore comments also silence this rule. */
  hadolint: string[];
  /** The options a project config file may set for this rule (see rules/options.ts). */
  options?: Record<string, OptionSpec>;
}

/** One rule option: its type, default, and what values it accepts. */
export type OptionSpec = {
  description: string;
} & (
  | { type: 'integer'; default: number; min: number; max: number }
  | { type: 'string'; default: string; pattern: RegExp; /** Values the pattern allows that are still refused, with why. */ refuse?: Record<string, string> }
  | { type: 'boolean'; default: boolean }
);

/** A finding as a rule reports it: offsets into the document; analyze() turns them into positions. */
export interface RawFinding {
  start: number;
  end: number;
  message: string;
  fixable: boolean;
  reason?: string;
  data?: Record<string, unknown>;
  /** Lowers the rule's own severity for this finding (a hint, an info); a severity the user sets for the rule applies instead. */
  severityCap?: Severity;
}

export interface Rule<Id extends string = string> {
  id: Id;
  meta: RuleMeta;
  /** `options` holds every option in `meta.options`, valid values only (defaults fill the rest). */
  check(model: Model, options: RuleOptions): RawFinding[];
  /** The fixes for one of this rule's findings, computed against the same model. */
  fixes(model: Model, finding: Finding): Fix[];
}

export const DOCS_BASE = 'https://github.com/dockerfile-lean/dockerfile-lean/blob/main/docs/rules/';
