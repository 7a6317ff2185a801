/** Messages for places that show text as it is (editor diagnostics and quick-fix titles, terminal output). */

/**
 * A message as plain text: editors show diagnostic messages and quick-fix titles as they are, and so does a
 * terminal, so the backticks the rules put around names (`svc`, `apt-get install`) would show. Code spans
 * become plain quotes (double quotes when the name holds a single one). Markdown outputs (SARIF, JSON) keep them.
 */
export function plainText(message: string): string {
  return message.replace(/`([^`\n]*)`/g, (_, inner: string) => (inner.includes("'") ? `"${inner}"` : `'${inner}'`)).replace(/`/g, "'");
}

