/** The compare report as a terminal table (the CLI) and the figures each view shows, in the same words. */
import type { CompareReport, SideReport } from './compare';
import type { SmokeResult } from './engine';

export const mb = (bytes: number | null | undefined): string => (bytes == null ? '-' : bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);

export function sizeText(s: SideReport): string {
  if (!s.facts) return '-';
  return `${s.facts.sizeExact ? '' : '≈ '}${mb(s.facts.size)}`;
}

export function savingText(r: CompareReport): string {
  if (!r.saving) return '-';
  const { bytes, pct } = r.saving;
  return bytes >= 0 ? `${mb(bytes)} smaller (${pct.toFixed(1)} %)` : `${mb(-bytes)} larger (${(-pct).toFixed(1)} %)`;
}

export function userText(s: SideReport): string {
  if (!s.facts) return '-';
  return s.facts.user || '(root, no USER)';
}

export function uidText(s: SideReport): string {
  if (!s.facts) return '-';
  return s.uid === null ? 'unknown' : s.uid === 0 ? '0 (root)' : String(s.uid);
}

export function smokeText(x: SmokeResult | null): string {
  if (!x) return '-';
  const http = x.http ? `; GET ${x.http.url}: ${x.http.status ?? x.http.error ?? 'no answer'}` : '';
  switch (x.state) {
    case 'running':
      return `still running after ${x.seconds} s${http}`;
    case 'exited':
      return `exited ${x.exitCode}${x.exitCode === 0 ? ' (ok)' : ''} after ${x.seconds} s${http}`;
    case 'failed':
      return `could not start: ${x.detail ?? ''}`;
    default:
      return `not run: ${x.detail ?? ''}`;
  }
}

export function toolchainText(r: CompareReport): string[] {
  if (!r.toolchain.checked) return [`not checked: ${r.toolchain.reason ?? 'no plan names the toolchain'}`];
  return r.toolchain.paths.map((p) => `${p.path}: ${p.verdict === 'gone' ? 'gone' : p.verdict === 'kept' ? 'STILL THERE' : p.verdict === 'not-in-original' ? 'not in the original image' : 'could not tell'}`);
}

export const VERDICTS: Record<CompareReport['verdict'], string> = {
  ok: 'Both images built; the fixed one did no worse.',
  worse: 'The fixed Dockerfile did worse than the current one.',
  'no-baseline': 'The current Dockerfile does not build here: nothing to compare against.',
  'nothing-to-compare': 'Nothing to compare: the fixes change nothing.',
  cancelled: 'Cancelled.',
  stopped: 'Stopped.',
};

export function reportText(r: CompareReport): string {
  const out: string[] = [];
  out.push(`Build and compare: ${r.dockerfile} (context ${r.context}, ${r.engine.name} ${r.engine.version})`);
  out.push(`Rewrites: ${r.rules.join(', ') || 'none'}`);
  if (r.verdict !== 'nothing-to-compare' && (r.before.buildSeconds !== null || r.after.buildSeconds !== null)) {
    const rows: string[][] = [
      ['', 'current', 'fixed'],
      ['built', r.before.built ? 'yes' : r.before.buildSeconds === null ? '-' : 'FAILED', r.after.built ? 'yes' : r.after.buildSeconds === null ? '-' : 'FAILED'],
      ['image size', sizeText(r.before), sizeText(r.after)],
      ['layers', String(r.before.facts?.layers ?? '-'), String(r.after.facts?.layers ?? '-')],
      ['user', userText(r.before), userText(r.after)],
      ['uid', uidText(r.before), uidText(r.after)],
      ['smoke start', smokeText(r.before.smoke), smokeText(r.after.smoke)],
      ['build time', r.before.buildSeconds === null ? '-' : `${r.before.buildSeconds} s`, r.after.buildSeconds === null ? '-' : `${r.after.buildSeconds} s`],
    ];
    const w = [0, 1, 2].map((k) => Math.max(...rows.map((row) => row[k].length)));
    out.push('');
    for (const row of rows) out.push(row.map((c, k) => c.padEnd(w[k])).join('   ').trimEnd());
    out.push('');
    out.push(`saving: ${savingText(r)}`);
    const tc = toolchainText(r);
    out.push(tc.length === 1 ? `toolchain: ${tc[0]}` : 'toolchain (what the conversion meant to drop):');
    if (tc.length > 1) for (const l of tc) out.push(`  ${l}`);
  }
  const f = r.after.failure ?? r.before.failure;
  if (f) {
    out.push('');
    out.push(`${r.after.failure ? 'The fixed' : 'The current'} Dockerfile failed at ${f.step ?? 'an unknown step'}${f.line ? ` (line ${f.line})` : ''}${f.exitCode !== null ? `, exit ${f.exitCode}` : ''}${f.timedOut ? ', time limit' : ''}.`);
    if (f.cause) out.push(f.cause.text);
    out.push('--- build log (end) ---');
    out.push(f.logTail);
    out.push('---');
  }
  out.push('');
  out.push(VERDICTS[r.verdict]);
  for (const x of r.reasons) out.push(`- ${x}`);
  if (r.kept.length) out.push(`images kept: ${r.kept.join(' ')}`);
  return out.join('\n') + '\n';
}
