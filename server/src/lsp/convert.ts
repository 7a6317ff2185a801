/** Conversion between the core's plain data and LSP types: the only place the server maps positions and severities. */
import { DiagnosticSeverity, type Diagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver';
import type { Finding, Severity, TextEdit } from '../core/types';
import { docsUrl } from '../core/analyze';
import { SOURCE } from '../protocol';
import { plainText } from '../core/plain-text';
import { middleEdit } from '../fixes/edits';

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

export function toDiagnostic(f: Finding, version: number): Diagnostic {
  const data: DiagnosticData = { rule: f.rule, fixable: f.fixable, version, ...(f.data ? { extra: f.data } : {}) };
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: SOURCE,
    code: f.rule,
    codeDescription: { href: docsUrl(f.rule) },
    message: plainText(f.fixable || !f.reason || f.message.includes(f.reason) ? f.message : `${f.message} (No automatic fix: ${f.reason}.)`),
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
