/** The rule registry: the only place a rule is added. */
import { apkHygiene } from './apk-hygiene';
import { aptHygiene } from './apt-hygiene';
import { dnfHygiene } from './dnf-hygiene';
import { mergeRun } from './merge-run';
import { multiStage } from './multi-stage';
import { nonRootUser } from './non-root-user';
import { npmHygiene } from './npm-hygiene';
import { pipHygiene } from './pip-hygiene';
import type { Rule } from './types';

/** In fix priority order: structural rewrites first, then layer merges, then per-command fixes, then the user. */
export const RULES = [multiStage, mergeRun, aptHygiene, apkHygiene, dnfHygiene, pipHygiene, npmHygiene, nonRootUser] as const satisfies readonly Rule[];

export type RuleId = (typeof RULES)[number]['id'];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);

export function getRule(id: string): Rule | undefined {
  return (RULES as readonly Rule[]).find((r) => r.id === id);
}
