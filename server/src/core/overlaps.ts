/**
 * Findings that one fix resolves together are reported once: the count a user sees is the count of things to do.
 * A finding folds into another only when the other's fix resolves it too, both rules are on and neither is
 * ignored there (folding runs on the findings that survived settings and ignore comments: turn the carrying rule
 * off, or ignore it, and the folded finding is reported on its own again). A finding that needs a fix of its own
 * (a missing flag, a cache to clean) is never folded, and `fix --rule R` runs R alone, so it sees R's findings.
 *
 * Folded today, into the merge-run finding whose group holds both RUNs: `apt-get update` in a RUN of its own
 * (apt-hygiene) with the RUN after it, which apt-hygiene's own fix merges it with; and an install whose only fault
 * is the package lists its RUN leaves (apt-hygiene), when a later RUN of the group removes them (merged, the lists
 * are removed in the same RUN). The merge-run finding carries the other in `related` and takes the higher severity of
 * the two, so a threshold (`--severity-threshold`, the Problems panel's filters) sees what it saw before. Where the
 * user set merge-run's severity below the update's, nothing is folded: the setting stands and the update stays seen.
 */
import { detailOf, lines, summaryOf } from './message';
import type { Finding, Settings, Severity } from './types';

const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

/** The findings with the ones another finding's fix resolves folded into it (in place; the list is returned without them). */
export function foldOverlaps(findings: Finding[], settings: Settings): Finding[] {
  // Each RUN's line to the merge-run finding whose group holds it (groups do not share RUNs): one pass, not one per update.
  let mergeAt: Map<number, Finding> | null = null;
  const folded = new Set<Finding>();
  for (const f of findings) {
    if (f.rule !== 'apt-hygiene') continue;
    // The RUN that, merged with this finding's, resolves it: the install after a lone update, or the later RUN
    // that removes the lists an install left (when the lists are all it left).
    const update = f.data?.kind === 'update';
    const other = update ? f.data?.into : f.data?.kind === 'install' ? f.data.listsRemovedBy : undefined;
    if (typeof other !== 'number' && !update) continue;
    mergeAt ??= mergesByLine(findings);
    // The merge-run finding whose group holds both RUNs; for an update with no install right after it, one whose
    // group installs later (merged, the update runs in the same RUN as that install).
    const line = update ? f.range.start.line : f.data?.run;
    const m = typeof line === 'number' ? mergeAt.get(line) : undefined;
    if (!m) continue;
    const resolves = typeof other === 'number' ? mergeAt.get(other) === m : Array.isArray(m.data?.loneUpdates) && m.data.loneUpdates.includes(line);
    if (!resolves) continue;
    // A merge that cannot be applied while the update's own (smaller) merge can: the update keeps its finding.
    if (!m.fixable && f.fixable) continue;
    // A severity the user set for merge-run below the update's: raising the merge would override it, and folding
    // the update into a lower one would hide it. Both stay.
    const set = settings.rules['merge-run'];
    if (set && set !== 'off' && RANK[set] < RANK[f.severity]) continue;
    fold(m, f, update ? `apt-get update on line ${f.range.start.line + 1} runs in a RUN of its own` : `the apt lists line ${(line as number) + 1} downloads are removed only on line ${(other as number) + 1}`);
    folded.add(f);
  }
  return folded.size === 0 ? findings : findings.filter((f) => !folded.has(f));
}

function mergesByLine(findings: readonly Finding[]): Map<number, Finding> {
  const at = new Map<number, Finding>();
  for (const m of findings) {
    const lines = m.rule === 'merge-run' ? m.data?.lines : undefined;
    if (Array.isArray(lines)) for (const l of lines) if (typeof l === 'number') at.set(l, m);
  }
  return at;
}

/**
 * Puts `other` into `into`: the first sentence says why the merge matters most (`why`, of the first finding folded
 * in), the detail keeps both findings' detail, and `related` points at each folded one.
 */
function fold(into: Finding, other: Finding, why: string): void {
  if (!into.related?.length) {
    const n = Array.isArray(into.data?.lines) ? into.data.lines.length : 2;
    // Each finding's detail stays a line of its own.
    // A merge that removes nothing would say merging only cuts the layer count, which the folded finding contradicts.
    const own = typeof into.data?.layersOnly === 'string' ? [into.data.layersOnly] : detailOf(into.message);
    into.message = lines(`Merge these ${n} RUN instructions: ${why}.`, ...detailOf(other.message), ...own);
  }
  (into.related ??= []).push({ rule: other.rule, message: `${summaryOf(other.message)} (${other.rule}; this merge resolves it)`, range: other.range });
  if (RANK[other.severity] > RANK[into.severity]) into.severity = other.severity;
}
