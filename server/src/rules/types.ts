import type { Model } from '../core/model';
import type { Fix, Finding, Severity } from '../core/types';

export interface RuleMeta {
  title: string;
  /** Why it matters, in one or two sentences (docs and SARIF). */
  rationale: string;
  defaultSeverity: Severity;
  fixable: boolean;
  /** hadolint codes whose ignore comments also silence this rule. */
  hadolint: string[];
}

/** A finding as a rule reports it: offsets into the document; analyze() turns them into positions. */
export interface RawFinding {
  start: number;
  end: number;
  message: string;
  fixable: boolean;
  reason?: string;
  data?: Record<string, unknown>;
  /** Overrides the configured severity downwards (e.g. a hint in a builder stage). */
  severityCap?: Severity;
}

export interface Rule<Id extends string = string> {
  id: Id;
  meta: RuleMeta;
  check(model: Model): RawFinding[];
  /** The fixes for one of this rule's findings, computed against the same model. */
  fixes(model: Model, finding: Finding): Fix[];
}

export const DOCS_BASE = 'https://github.com/dockerfile-lean/dockerfile-lean/blob/main/docs/rules/';
