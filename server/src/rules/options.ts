/** Rule options: checking what a config file sets against each rule's `meta.options`, and filling in defaults. */
import type { RuleOptions } from '../core/types';
import type { OptionSpec, Rule } from './types';

/** Why `value` is not acceptable for `spec`, or null when it is. */
export function optionProblem(spec: OptionSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `expected an integer, got ${describe(value)}`;
      if (value < spec.min || value > spec.max) return `expected an integer from ${spec.min} to ${spec.max}, got ${value}`;
      return null;
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${describe(value)}`;
      if (!spec.pattern.test(value)) return `${JSON.stringify(value)} does not match ${spec.pattern.source}`;
      if (spec.refuse && Object.prototype.hasOwnProperty.call(spec.refuse, value)) return `${JSON.stringify(value)} is not allowed: ${spec.refuse[value]}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected true or false, got ${describe(value)}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

/** Every option of the rule: the given value where it is valid, else the default. Unknown names are dropped. */
export function resolveOptions(rule: Rule, given: RuleOptions | undefined): RuleOptions {
  const specs = rule.meta.options;
  if (!specs) return NO_OPTIONS;
  const out: Record<string, string | number | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const v = given && Object.prototype.hasOwnProperty.call(given, name) ? given[name] : undefined;
    out[name] = v !== undefined && optionProblem(spec, v) === null ? v : spec.default;
  }
  return out;
}

export const NO_OPTIONS: RuleOptions = Object.freeze({});
