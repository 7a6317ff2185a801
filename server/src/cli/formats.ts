/**
 * Output formats of `check` besides text and JSON: SARIF 2.1.0 (code scanning), GitHub workflow commands
 * (annotations on a pull request), and the unified diff of `fix --diff`. Pure functions of the findings.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type * as Diff from 'diff';
import type * as Sarif from 'sarif';
import { docsUrl } from '../core/analyze';
import { plainText } from '../core/plain-text';
import type { Finding, Fix, Range, Severity } from '../core/types';
import { RULES } from '../rules/index';

export const TOOL_NAME = 'dockerfile-lean';
export const INFORMATION_URI = 'https://github.com/dockerfile-lean/dockerfile-lean';

/** One finding of one file, with the fix `fix` would apply for it (SARIF carries it). */
export interface Reported {
  file: string;
  finding: Finding;
  fix: Fix | null;
}

/**
 * How a file is named to tools that resolve paths against the checkout (SARIF, GitHub): relative to `cwd`
 * with `/` separators when inside it, else absolute. Standard input is `-`.
 */
export function repoPath(file: string, cwd: string): string {
  if (file === '-') return '-';
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return abs.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}

/** A SARIF artifact URI: a relative reference with each segment percent-encoded, or a file: URI outside `cwd`. */
export function artifactUri(file: string, cwd: string): string {
  if (file === '-') return '-';
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return pathToFileURL(abs).href;
  return rel.split(path.sep).map(encodeURIComponent).join('/');
}

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** 1-based SARIF region; `endColumn` is one past the last character, as SARIF counts. */
function region(r: Range): Sarif.Region {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function sarifLog(reported: Reported[], version: string, cwd: string): Sarif.Log {
  const index = new Map<string, number>(RULES.map((r, k) => [r.id, k]));
  const rules: Sarif.ReportingDescriptor[] = RULES.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.meta.title },
    fullDescription: { text: r.meta.rationale },
    helpUri: docsUrl(r.id),
    help: { text: `${r.meta.rationale} See ${docsUrl(r.id)}` },
    defaultConfiguration: { level: LEVEL[r.meta.defaultSeverity] },
    properties: { fixable: r.meta.fixable, ...(r.meta.hadolint.length ? { hadolint: [...r.meta.hadolint] } : {}) },
  }));
  const results: Sarif.Result[] = reported.map(({ file, finding: f, fix }) => {
    const uri = artifactUri(file, cwd);
    const result: Sarif.Result = {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule) ?? -1,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: { uri }, region: region(f.range) } }],
      properties: { severity: f.severity, fixable: f.fixable, ...(f.reason ? { notFixableBecause: f.reason } : {}) },
    };
    if (fix && fix.edits.length) {
      result.fixes = [
        {
          description: { text: fix.title },
          artifactChanges: [
            {
              artifactLocation: { uri },
              replacements: fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
            },
          ],
        },
      ];
    }
    return result;
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version, semanticVersion: version, informationUri: INFORMATION_URI, rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

/** A workflow command's message: `%`, CR and LF are escaped. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as the message, and `:` and `,` too. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/**
 * `::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. Columns are given only for a
 * range on one line (GitHub ignores them otherwise); `endColumn` is the last character's column.
 */
export function githubAnnotation(file: string, f: Finding): string {
  const { start, end } = f.range;
  const props = [`file=${escapeProperty(file)}`, `line=${start.line + 1}`];
  if (start.line === end.line) props.push(`col=${start.character + 1}`, `endLine=${end.line + 1}`, `endColumn=${Math.max(end.character, start.character + 1)}`);
  else props.push(`endLine=${end.line + 1}`);
  props.push(`title=${escapeProperty(`${TOOL_NAME} ${f.rule}`)}`);
  const why = !f.fixable && f.reason ? ` (No automatic fix: ${f.reason}.)` : '';
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(plainText(f.message + why))}`;
}

// ---------------------------------------------------------------------------------------------
// fix --diff

/** A unified diff (`--- a/…`, `+++ b/…`, three lines of context) from `before` to `after`; '' when equal. */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  // Loaded on first use: only `fix --diff` needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = require('diff') as typeof Diff;
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
}
