/**
 * Output formats of `check` besides text and JSON: SARIF 2.1.0 (code scanning), GitHub workflow commands
 * (annotations on a pull request), and the unified diff of `fix --diff`. Pure functions of the findings.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type * as Diff from 'diff';
import type * as Sarif from 'sarif';
import { docsUrl } from '../analysis/analyze';
import { printable } from '../core/printable';
import { plainText } from '../core/plain-text';
import { withReason } from '../core/message';
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
      // Findings of other rules that this finding's fix resolves too, reported here instead of on their own.
      ...(f.related?.length ? { relatedLocations: f.related.map((r, id) => ({ id, physicalLocation: { artifactLocation: { uri }, region: region(r.range) }, message: { text: r.message } })) } : {}),
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
// Text output

/**
 * Text quoted in a line of text output or of a message on stderr (messages, file names, values): control
 * characters as escapes (core/printable.ts), so it stays on its line and sends no terminal sequence, and
 * `##[` broken as `##\[`, the runner's older command form, which GitHub Actions reads anywhere in a line.
 */
export function shownText(s: string): string {
  return printable(s).replace(/##\[/g, '##\\[');
}

/**
 * A file name at the start of a line of text output: as `shownText`, and with `./` in front when it would
 * begin the line with `::` (leading blanks aside), which GitHub Actions reads as a workflow command.
 */
export function shownFile(file: string): string {
  const s = shownText(file);
  return /^\s*::/.test(s) ? `./${s}` : s;
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
  // The first line is the annotation's headline; the detail and why there is no fix follow on lines of their own.
  return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(plainText(withReason(f)))}`;
}

/**
 * A finding in the text output: `file:line:col severity rule` and the message's first sentence on one line (what
 * a problem matcher reads), then the detail and why there is no automatic fix, indented, one line each.
 */
export function textLines(file: string, f: Finding, severity: string): string {
  const [summary, ...detail] = withReason(f).split('\n');
  const head = `${shownFile(file)}:${f.range.start.line + 1}:${f.range.start.character + 1} ${severity} ${f.rule} ${shownText(plainText(summary))}\n`;
  // A detail line quoting file text must not read as a workflow command either (GitHub reads one after blanks).
  return head + detail.map((d) => `    ${shownText(plainText(d)).replace(/^::/, ':\\:')}\n`).join('');
}

// ---------------------------------------------------------------------------------------------
// fix --diff

/**
 * How many lines, removed plus added, the line diff may spend finding the smallest change. Its work grows
 * with the square of that number (Myers' algorithm): unbounded, a rewrite of 20,000 lines took minutes; at
 * this bound the search gives up after about 80 ms. Past it (a fix that changes more than about 250 lines),
 * the change is shown as one hunk (`wholeHunk`).
 */
const MAX_EDIT_LENGTH = 500;

type DiffModule = typeof Diff;
// Loaded on first use: only `fix --diff` needs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const diffModule = (): DiffModule => require('diff') as DiffModule;

/**
 * A unified diff (`--- a/…`, `+++ b/…`, three lines of context) from `before` to `after`; '' when equal.
 * A change too large to diff within `maxEditLength` is shown as one hunk from the first changed line to the
 * last: as valid, only not the smallest.
 */
export function unifiedDiff(name: string, before: string, after: string, maxEditLength = MAX_EDIT_LENGTH): string {
  if (before === after) return '';
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = diffModule();
  return (
    createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY, maxEditLength }) ??
    wholeHunk(`a/${name}`, `b/${name}`, before, after)
  );
}

/** The lines of `text`, each with its line break (the last one may have none). */
function linesOf(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl + 1;
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

/**
 * One hunk from the first line that differs to the last, with three lines of context on each side, written
 * by the diff module itself (same headers and file-name quoting as any other diff). Linear in the lines.
 */
function wholeHunk(oldName: string, newName: string, before: string, after: string): string {
  const a = linesOf(before);
  const b = linesOf(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - 3);
  const after3 = Math.min(tail, 3);
  const tagged = [
    ...a.slice(from, head).map((l) => ' ' + l),
    ...a.slice(head, a.length - tail).map((l) => '-' + l),
    ...b.slice(head, b.length - tail).map((l) => '+' + l),
    ...a.slice(a.length - tail, a.length - tail + after3).map((l) => ' ' + l),
  ];
  // Lines are written without their line break; one that has none ends its file, which a marker line says.
  const lines: string[] = [];
  for (const l of tagged) {
    if (l.endsWith('\n')) lines.push(l.slice(0, -1));
    else lines.push(l, '\\ No newline at end of file');
  }
  const oldLines = a.length - tail + after3 - from;
  const newLines = b.length - tail + after3 - from;
  const { formatPatch, FILE_HEADERS_ONLY } = diffModule();
  const hunk = { oldStart: from + 1, oldLines, newStart: from + 1, newLines, lines };
  return formatPatch({ oldFileName: oldName, newFileName: newName, oldHeader: undefined, newHeader: undefined, hunks: [hunk] }, FILE_HEADERS_ONLY);
}
