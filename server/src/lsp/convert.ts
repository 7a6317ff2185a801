/** Conversion between the core's plain data and LSP types: the only place the server maps positions and severities. */
import { DiagnosticSeverity, type Diagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver';
import type { Finding, Severity, TextEdit } from '../core/types';
import { docsUrl } from '../analysis/analyze';
import { SOURCE } from '../protocol';
import { plainText } from '../core/plain-text';
import { middleEdit } from '../core/edits';
import { withReason } from '../core/message';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What travels in Diagnostic.data: enough to find the finding again in the same document version. */
export interface DiagnosticData {
  rule: string;
  fixable: boolean;
  version: number;
  extra?: Record<string, unknown>;
}

/**
 * The finding's message as an editor shows it: its first line is the Problems panel's row (VS Code shows the other
 * lines below it, and all of them in the hover), then the detail, then why there is no automatic fix.
 */
export function diagnosticMessage(f: Finding): string {
  return plainText(withReason(f));
}

/**
 * `uri` is the document's: findings of other rules that the same fix resolves (`Finding.related`) become related
 * information there, when the client shows it (`related`); the message names them either way.
 */
export function toDiagnostic(f: Finding, version: number, uri: string, related: boolean): Diagnostic {
  const data: DiagnosticData = { rule: f.rule, fixable: f.fixable, version, ...(f.data ? { extra: f.data } : {}) };
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.rule,
    codeDescription: { href: docsUrl(f.rule) },
    message: diagnosticMessage(f),
    ...(related && f.related?.length ? { relatedInformation: f.related.map((r) => ({ location: { uri, range: r.range }, message: plainText(r.message) })) } : {}),
    data,
  };
}

export function toLspEdits(edits: TextEdit[]): LspTextEdit[] {
  return edits.map((e) => ({ range: e.range, newText: e.newText }));
}

/** One edit that turns `before` into `after`: the changed middle between their common prefix and suffix. */
export function minimalEdit(before: string, after: string, positionAt: (offset: number) => { line: number; character: number }): LspTextEdit | null {
  const e = middleEdit(before, after);
  return e && { range: { start: positionAt(e.start), end: positionAt(e.end) }, newText: e.text };
}
