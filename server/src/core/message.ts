/**
 * How a finding's message is laid out: its first line is one sentence of at most SUMMARY_MAX characters that says
 * what is wrong and what would fix it (the Problems panel's row, the CLI's finding line, SARIF's "first sentence");
 * the lines after it are the detail (sizes, reasons, the recipe), shown in the hover and below the finding line.
 */

/** The longest first line a message may have (a Problems-panel row, a terminal line with the file name before it). */
export const SUMMARY_MAX = 100;

const LINE_BREAKS = /[\r\n\u2028\u2029]/g;

/**
 * Text on one line of a message: the line breaks of quoted file text (a CMD's JSON string, a pom.xml value) as
 * escapes (`\n`, as core/printable.ts writes them), so that a message's own line breaks are its layout only.
 */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16)}`));
}

/** A message from its first sentence and its detail: the detail's parts joined as one paragraph on the next line. */
export function message(summary: string, ...detail: (string | false | null | undefined)[]): string {
  const rest = detail.filter((d): d is string => typeof d === 'string' && d.length > 0).join(' ');
  return rest ? `${oneLine(summary)}\n${oneLine(rest)}` : oneLine(summary);
}

/** A message's lines joined: each already laid out (see `message`), the line breaks of quoted text escaped. */
export function lines(...parts: (string | false | null | undefined)[]): string {
  return parts.filter((d): d is string => typeof d === 'string' && d.length > 0).join('\n');
}

/** The first line of a message: what is wrong and what would fix it. */
export function summaryOf(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

/** The lines of a message after its first. */
export function detailOf(text: string): string[] {
  const nl = text.indexOf('\n');
  return nl < 0 ? [] : text.slice(nl + 1).split('\n');
}

/** The first of the candidates that fits on a summary line, else the last (the shortest, by the caller's order). */
export function fitted(...candidates: string[]): string {
  return candidates.find((c) => c.length <= SUMMARY_MAX) ?? candidates[candidates.length - 1];
}

/** An image reference for a summary line: a digest shortened to its first 12 hex digits. */
export function shortImage(image: string): string {
  return image.replace(/@(sha256|sha512):([0-9a-f]{12})[0-9a-f]+/i, '@$1:$2…');
}

/** `a`, `a and b`, `a, b and c`; clauses that hold an `and` of their own: `add a and b, and run c`. */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  const and = items.some((i) => i.includes(' and ')) ? ', and ' : ' and ';
  return `${items.slice(0, -1).join(', ')}${and}${items[items.length - 1]}`;
}

/** The text with its first letter in upper case. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The message with why there is no automatic fix on a line of its own (when the message does not say it already). */
export function withReason(f: { message: string; fixable: boolean; reason?: string }): string {
  return f.fixable || !f.reason || f.message.includes(oneLine(f.reason)) ? f.message : `${f.message}\nNo automatic fix: ${oneLine(f.reason)}.`;
}
