/**
 * The shape the package-manager hygiene rules share: each finds at most one issue per RUN (anchored on the
 * first call at fault) whose fix is a set of offset edits computed against the same model.
 */
import type { Instr, Model } from '../../core/model';
import type { Fix, Finding, Severity } from '../../core/types';
import { toTextEdits, type OffsetEdit } from '../../core/edits';
import type { RawFinding, Rule, RuleMeta } from '../types';

export interface PackageIssue {
  instr: Instr;
  start: number;
  end: number;
  message: string;
  /** Null when no safe fix exists; `reason` then says why. */
  edits: OffsetEdit[] | null;
  reason?: string;
  severityCap?: Severity;
  /** The fix's title: what its edits do here (the rule's fixed title when absent). */
  title?: string;
}

export const BACKGROUND_REASON = 'the RUN ends in a background job (&); add the cleanup by hand';

export function packageRule<Id extends string>(id: Id, meta: RuleMeta, fixTitle: string, find: (model: Model) => PackageIssue[]): Rule<Id> {
  // Once per model: `fixes` is asked once per finding, and finding every issue again each time was quadratic.
  const memo = new WeakMap<Model, PackageIssue[]>();
  const issues = (model: Model): PackageIssue[] => {
    let found = memo.get(model);
    if (!found) memo.set(model, (found = find(model)));
    return found;
  };
  return {
    id,
    meta,
    check(model) {
      return issues(model).map(
        (issue): RawFinding => ({
          start: issue.start,
          end: issue.end,
          message: issue.message,
          fixable: issue.edits !== null && issue.edits.length > 0,
          reason: issue.edits === null ? issue.reason : undefined,
          severityCap: issue.severityCap,
        }),
      );
    },
    fixes(model, finding: Finding): Fix[] {
      const start = model.doc.offsetAt(finding.range.start);
      const issue = issues(model).find((x) => x.start === start);
      if (!issue || !issue.edits) return [];
      return [{ title: issue.title ?? fixTitle, edits: toTextEdits(model.doc, issue.edits), preferred: true }];
    },
  };
}
