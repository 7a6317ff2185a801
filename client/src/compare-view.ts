/**
 * The Build and Compare report as a webview page. Everything the engine or the files said is escaped: shown as
 * text, never as markup or script. The page's one script only posts button clicks back to the extension.
 */
import { randomBytes } from 'crypto';
import type { CompareReport, SideReport } from '../../server/src/node/compare';
import { VERDICTS, savingText, sizeText, smokeText, uidText, userText } from '../../server/src/node/compare-format';

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function builtCell(s: SideReport, cancelled: boolean): string {
  if (s.built) return '<span class="ok">built</span>';
  if (s.failure) return '<span class="bad">failed</span>';
  return s.buildSeconds === null ? '-' : cancelled ? 'cancelled' : 'stopped';
}

function smokeCell(s: SideReport): string {
  const t = esc(smokeText(s.smoke));
  const x = s.smoke;
  const good = !!x && (x.state === 'running' || (x.state === 'exited' && x.exitCode === 0));
  return x ? `<span class="${good ? 'ok' : 'bad'}">${t}</span>` : t;
}

export function renderReport(r: CompareReport, opts: { canApply: boolean; cspSource?: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const cancelled = r.verdict === 'cancelled';
  const rows: [string, string, string][] = [
    ['Build', builtCell(r.before, cancelled), builtCell(r.after, cancelled)],
    ['Image size', esc(sizeText(r.before)), esc(sizeText(r.after))],
    ['Layers', esc(r.before.facts?.layers ?? '-'), esc(r.after.facts?.layers ?? '-')],
    ['Runs as user', esc(userText(r.before)), esc(userText(r.after))],
    ['uid', `<span title="${esc(r.before.uidSource)}">${esc(uidText(r.before))}</span>`, `<span title="${esc(r.after.uidSource)}">${esc(uidText(r.after))}</span>`],
    ['Smoke start', smokeCell(r.before), smokeCell(r.after)],
    ['Build time', esc(r.before.buildSeconds === null ? '-' : `${r.before.buildSeconds} s`), esc(r.after.buildSeconds === null ? '-' : `${r.after.buildSeconds} s`)],
  ];
  const tc = r.toolchain.checked
    ? `<table class="paths"><tr><th>Path</th><th>Current</th><th>Fixed</th><th></th></tr>${r.toolchain.paths
        .map((p) => `<tr><td><code>${esc(p.path)}</code></td><td>${p.before === null ? '?' : p.before ? 'present' : 'absent'}</td><td>${p.after === null ? '?' : p.after ? 'present' : 'absent'}</td><td class="${p.verdict === 'gone' ? 'ok' : p.verdict === 'kept' ? 'bad' : 'dim'}">${esc({ gone: 'gone', kept: 'still there', 'not-in-original': 'not in the current image', unknown: 'could not tell' }[p.verdict])}</td></tr>`)
        .join('')}</table>`
    : `<p class="dim">Not checked: ${esc(r.toolchain.reason ?? 'no plan names the toolchain')}.</p>`;
  const f = r.after.failure ?? r.before.failure;
  const failure = f
    ? `<h2>${r.after.failure ? 'The fixed Dockerfile does not build' : 'The current Dockerfile does not build'}</h2>
<p>Failing step: <code>${esc(f.step ?? 'not known')}</code>${f.line ? ` (line ${f.line})` : ''}${f.exitCode !== null ? `, exit ${esc(f.exitCode)}` : ''}${f.timedOut ? ', time limit reached' : ''}.</p>
${f.cause ? `<p><strong>${esc(f.cause.text)}</strong></p>` : ''}
<pre class="log">${esc(f.logTail)}</pre>
${r.issueText ? '<p>This is where the tool learns it was wrong: the issue text has the failing step, the log\u2019s end and both Dockerfiles, as small as they can be made (check them for anything private first).</p><p><button data-m="issue">Open issue text</button> <button data-m="copy">Copy issue text</button></p>' : ''}`
    : '';
  const verdictClass = r.verdict === 'ok' ? 'ok' : r.verdict === 'worse' ? 'bad' : 'dim';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build and Compare</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 1.2em 2em; }
h1 { font-size: 1.35em; margin: 0.8em 0 0.2em; } h2 { font-size: 1.1em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0; } th, td { text-align: left; padding: 0.3em 1.1em 0.3em 0; border-bottom: 1px solid var(--vscode-panel-border, #8884); vertical-align: top; }
th { font-weight: 600; } .ok { color: var(--vscode-testing-iconPassed, #3a3); } .bad { color: var(--vscode-errorForeground, #d33); } .dim { color: var(--vscode-descriptionForeground, #888); }
.saving { font-size: 1.15em; margin: 0.6em 0; } code { font-family: var(--vscode-editor-font-family); }
pre.log { background: var(--vscode-textCodeBlock-background, #8881); padding: 0.6em; overflow: auto; max-height: 24em; white-space: pre-wrap; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 0.35em 0.9em; margin-right: 0.4em; cursor: pointer; }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
.meta { color: var(--vscode-descriptionForeground); margin: 0 0 0.8em; }
</style></head><body>
<h1>Build and Compare: ${esc(r.dockerfile)}</h1>
<p class="meta">${esc(r.engine.name)} ${esc(r.engine.version)} \u00b7 context <code>${esc(r.context)}</code> \u00b7 rewrites: ${esc(r.rules.join(', ') || 'none')} \u00b7 ${esc(r.seconds)} s</p>
<p class="${verdictClass}"><strong>${esc(VERDICTS[r.verdict])}</strong></p>
${r.reasons.length ? `<ul>${r.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<table><tr><th></th><th>Current</th><th>Fixed</th></tr>${rows.map(([k, a, b]) => `<tr><th>${k}</th><td>${a}</td><td>${b}</td></tr>`).join('')}</table>
<p class="saving">Saving: <strong>${esc(savingText(r))}</strong></p>
<h2>Toolchain the conversion meant to drop</h2>
${tc}
${failure}
${r.kept.length ? `<p class="dim">Images kept: ${r.kept.map((t) => `<code>${esc(t)}</code>`).join(' ')}</p>` : '<p class="dim">The images built were removed.</p>'}
<p>${opts.canApply ? '<button data-m="apply">Apply the fixed Dockerfile</button> ' : ''}<button class="secondary" data-m="output">Show the engine output</button></p>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
for (const b of document.querySelectorAll('button[data-m]')) b.addEventListener('click', () => vscode.postMessage({ type: b.dataset.m }));
</script>
</body></html>`;
}
