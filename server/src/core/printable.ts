/**
 * Text from a Dockerfile, a project file, a config file or a file name, made safe to print in a line of
 * human-readable output (a terminal, a CI log, an editor's log): control characters are written as escapes,
 * so a quoted value cannot start a new line (which a CI runner may read as a command, such as GitHub's
 * `::error …`) or send a terminal escape sequence (title, clearing, clipboard).
 */

/**
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional overrides and
 * isolates (which make a terminal show text in another order than it is read: U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** `s` with every control character as an escape (`\n`, `\x1b`, `\u2028`); other text, backslashes included, unchanged. */
export function printable(s: string): string {
  return s.replace(CONTROL, escape);
}
