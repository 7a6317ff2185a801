/** How the server logs an error: its kind and where it was thrown, never its message (it may quote the document). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `a thrown ${typeof err}`;
  // The stack's first lines repeat the message; the frames below it name only functions and files.
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8)
    .map((l) => l.trim());
  return [err.name || 'Error', ...frames].join('\n  ');
}
