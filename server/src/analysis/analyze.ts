/** Text and settings in, findings and fixes out. The only entry points the adapters use. */
import { buildModel, firstInstructionEndingAt, type Model } from '../core/model';
import { DOCS_BASE, type Rule } from '../rules/types';
import { RULES, getRule } from '../rules/index';
import { applyOffsetEdits } from '../core/edits';
import { ignoreFixes } from '../core/ignore';
import { resolveOptions } from '../rules/options';
import type { AnalysisContext, Finding, Fix, Settings, Severity } from '../core/types';
import { DEFAULT_SETTINGS } from '../core/types';
import { pollDeadline, within } from '../core/deadline';
import { foldOverlaps } from '../core/overlaps';

const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

/** The rules a run uses: enabled by settings, and (when given) only those named. */
export function activeRules(settings: Settings, only?: readonly string[]): Rule[] {
  if (!settings.enable) return [];
  return (RULES as readonly Rule[]).filter((r) => settings.rules[r.id] !== 'off' && (!only || only.length === 0 || only.includes(r.id)));
}

export interface Analysis {
  model: Model;
  findings: Finding[];
}

/** The findings of the enabled rules. `context.deadline` bounds the multi-stage planning (see core/deadline.ts). */
export function analyze(input: string | Model, settings: Settings = DEFAULT_SETTINGS, only?: readonly string[], context: AnalysisContext = {}): Analysis {
  return within(context.deadline, () => analyzeNow(input, settings, only, context));
}

function analyzeNow(input: string | Model, settings: Settings, only: readonly string[] | undefined, context: AnalysisContext): Analysis {
  const model = typeof input === 'string' ? buildModel(input, context) : input;
  const findings: Finding[] = [];
  for (const rule of activeRules(settings, only)) {
    pollDeadline();
    if (ignoredBy(model.globalIgnores, rule)) continue;
    let raw;
    try {
      raw = rule.check(model, resolveOptions(rule, settings.options?.[rule.id]));
    } catch (err) {
      // One rule failing must not take the others down; the adapters log it.
      reportRuleError(rule.id, err);
      continue;
    }
    const configured = settings.rules[rule.id];
    for (const f of raw) {
      if (suppressed(model, rule, f.start, f.end)) continue;
      let severity: Severity = configured && configured !== 'off' ? configured : rule.meta.defaultSeverity;
      // A finding the rule itself rates lower (a hint, an info) stays lower under the rule's own severity; a
      // severity the user set applies to every finding of the rule.
      if (f.severityCap && !(configured && configured !== 'off') && RANK[f.severityCap] < RANK[severity]) severity = f.severityCap;
      findings.push({
        rule: rule.id,
        severity,
        message: f.message,
        range: model.doc.rangeAt(f.start, f.end),
        fixable: f.fixable,
        ...(f.reason ? { reason: f.reason } : {}),
        ...(f.data ? { data: f.data } : {}),
      });
    }
  }
  const open = openEnd(model);
  if (open !== null) {
    // Text inserted after an unterminated heredoc or a final line continuation would become part of it.
    for (const f of findings) {
      const quickFixOnly = f.data?.quickFixOnly === true;
      if ((f.fixable || quickFixOnly) && fixesFor(model, f).length === 0) {
        f.fixable = false;
        f.reason = open.reason;
        if (quickFixOnly) f.data = { ...f.data, quickFixOnly: false };
      }
    }
  }
  const reported = foldOverlaps(findings, settings);
  reported.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { model, findings: reported };
}

/** Whether an ignore comment above any instruction the finding covers silences the rule. */
/** Whether a set of ignored names (from comments) names the rule, by its id or one of its hadolint codes. */
function ignoredBy(names: ReadonlySet<string>, rule: Rule): boolean {
  return names.size > 0 && (names.has(rule.id) || rule.meta.hadolint.some((code) => names.has(code)));
}

function suppressed(model: Model, rule: Rule, start: number, end: number): boolean {
  const list = model.instructions;
  // From the first instruction that ends at or after `start`, forward.
  for (let k = firstInstructionEndingAt(model, start); k < list.length && list[k].start <= end; k++) {
    if (ignoredBy(list[k].ignores, rule)) return true;
    const stage = list[k].stage;
    if (stage && ignoredBy(stage.ignores, rule)) return true;
  }
  return false;
}

/** The fixes for one finding. `context.deadline` bounds the multi-stage planning (see core/deadline.ts). */
export function fixesFor(model: Model, finding: Finding, context: AnalysisContext = {}): Fix[] {
  return within(context.deadline, () => fixesNow(model, finding));
}

function fixesNow(model: Model, finding: Finding): Fix[] {
  if (!finding.fixable && finding.data?.quickFixOnly !== true) return [];
  const rule = getRule(finding.rule);
  if (!rule) return [];
  try {
    return outsideOpenEnd(model, rule.fixes(model, finding).filter((fix) => fix.edits.length > 0));
  } catch (err) {
    reportRuleError(rule.id, err);
    return [];
  }
}

/** The fixes whose edits stay above where the file is left open (see openEnd). */
function outsideOpenEnd(model: Model, fixes: Fix[]): Fix[] {
  const open = openEnd(model);
  if (open === null) return fixes;
  const limit = open.at;
  return fixes.filter((fix) => fix.edits.every((e) => model.doc.offsetAt(e.range.end) <= limit && model.doc.offsetAt(e.range.start) < limit));
}

/**
 * For any finding of a known rule, fixable or not: the comments that silence it, for its instruction and for the
 * file (core/ignore.ts).
 */
export function ignoreFixesFor(model: Model, finding: Finding): Fix[] {
  if (!getRule(finding.rule)) return [];
  return outsideOpenEnd(model, ignoreFixes(model, finding));
}

const openEnds = new WeakMap<Model, { at: number; reason: string } | null>();

/**
 * Where the file is left open: an unterminated heredoc, or an instruction whose last line (comment and blank
 * lines after it aside) ends in the escape character: the last one, or one the parser ended there although the
 * builder may continue it. Anything inserted at or after that offset would become part
 * of that instruction, so no fix may edit there.
 */
function openEnd(model: Model): { at: number; reason: string } | null {
  let open = openEnds.get(model);
  if (open !== undefined) return open;
  open = null;
  if (model.unterminatedHeredoc !== null) {
    open = { at: model.unterminatedHeredoc, reason: 'a heredoc above is not closed, so anything added below it would become part of it' };
  } else {
    const doc = model.doc;
    const list = model.instructions;
    // The next escape character at or after the current instruction (instructions are in order: one pass).
    let nextEscape = -1;
    for (let k = 0; k < list.length; k++) {
      const ins = list[k];
      if (nextEscape !== Infinity && nextEscape < ins.start) {
        nextEscape = doc.text.indexOf(model.escape, ins.start);
        if (nextEscape === -1) nextEscape = Infinity;
      }
      // Only an instruction whose text holds the escape character can end in it.
      if (nextEscape >= ins.end) continue;
      // The instruction's last line that is not a comment or blank line inside it.
      let line = ins.endLine;
      while (line > ins.line && /^[ \t]*(#.*)?$/.test(doc.lineText(line))) line--;
      const text = doc.lineText(line);
      let end = text.length;
      while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
      if (end === 0 || text[end - 1] !== model.escape) continue;
      const at = doc.lineStarts[line] + end;
      if (k === list.length - 1 && /^\s*$/.test(doc.text.slice(ins.end))) {
        open = { at, reason: 'the last instruction ends in a line continuation, so anything added below it would become part of it' };
      } else {
        // The parser ended the instruction on a line that ends in the escape character (after an escaped
        // character such as `\`` + space): the builder may read the next line as part of it.
        open = { at: ins.start, reason: `line ${line + 1} ends in the escape character but the parser ends the instruction there; the builder may join the next line to it, so neither it nor anything below is changed` };
      }
      break;
    }
  }
  openEnds.set(model, open);
  return open;
}

type ErrorSink = (ruleId: string, err: unknown) => void;
let errorSink: ErrorSink = () => {};

/** Adapters register where rule failures are logged (never with file content). */
export function onRuleError(sink: ErrorSink): void {
  errorSink = sink;
}

function reportRuleError(ruleId: string, err: unknown): void {
  errorSink(ruleId, err);
}

export interface FixAllResult {
  text: string;
  /** How many fixes were applied. */
  applied: number;
}

/**
 * Applies the preferred fix of every fixable finding at warning or error until none is left (a fixed point), in
 * the registry's priority order; fixes whose edits overlap wait for the next round. A hint or an info is advice
 * the user weighs (a merge that only saves a layer, `--no-install-recommends` where the recommended packages may
 * be what the program loads): its fix is a quick fix in the editor, applied when the user picks it, or by fix-all
 * once the user sets the rule's severity.
 */
export function fixAll(text: string, settings: Settings = DEFAULT_SETTINGS, only?: readonly string[], context: AnalysisContext = {}, maxRounds = 50): FixAllResult {
  // One budget for every round: past it, the rounds go on without the multi-stage conversion.
  return within(context.deadline, () => fixAllNow(text, settings, only, context, maxRounds));
}

/**
 * Whether fix-all applies a finding's fix: fixable, and rated warning or error by its rule, or of a rule whose
 * severity the user set (then every finding of the rule is at that severity, and the user chose to act on it).
 */
export function appliedByFixAll(f: Finding, settings: Settings): boolean {
  if (!f.fixable) return false;
  const configured = settings.rules[f.rule];
  return (configured !== undefined && configured !== 'off') || f.severity === 'warning' || f.severity === 'error';
}

function fixAllNow(text: string, settings: Settings, only: readonly string[] | undefined, context: AnalysisContext, maxRounds: number): FixAllResult {
  let current = text;
  let applied = 0;
  const order = new Map((RULES as readonly Rule[]).map((r, k) => [r.id, k]));
  for (let round = 0; round < maxRounds; round++) {
    const { model, findings } = analyze(current, settings, only, context);
    const fixable = findings.filter((f) => appliedByFixAll(f, settings)).sort((a, b) => (order.get(a.rule) ?? 99) - (order.get(b.rule) ?? 99));
    const chosen: { start: number; end: number; text: string }[] = [];
    const taken: [number, number][] = [];
    for (const f of fixable) {
      const fixes = fixesFor(model, f).filter((x) => !x.manual);
      const fix = fixes.find((x) => x.preferred) ?? fixes[0];
      if (!fix || fix.edits.length === 0) continue;
      const offs = fix.edits.map((e) => ({ start: model.doc.offsetAt(e.range.start), end: model.doc.offsetAt(e.range.end), text: e.newText }));
      const lo = Math.min(...offs.map((o) => o.start));
      const hi = Math.max(...offs.map((o) => o.end));
      // Whole fixes only: a fix whose span touches another chosen fix waits for the next round.
      if (taken.some(([a, b]) => lo <= b && a <= hi)) continue;
      taken.push([lo, hi]);
      chosen.push(...offs);
      // A structural rewrite changes what the other findings mean: apply it alone.
      if (f.rule === 'multi-stage') break;
    }
    if (chosen.length === 0) break;
    const next = applyOffsetEdits(current, chosen);
    if (next === current) break;
    current = next;
    applied += taken.length;
  }
  return { text: current, applied };
}
