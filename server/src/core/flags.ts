/**
 * Tests on shell words and paths that would otherwise be backtracking regexes (two stars around a letter,
 * `/^-[a-zA-Z]*e[a-zA-Z]*$/`, or an anchored run at the end, `/\/+$/`: both quadratic on a long run).
 */

/** Whether `word` is a cluster of short options (`-e`, `-eux`, `-yq`) that holds `letter`. */
export function isShortFlagsWith(word: string, letter: string): boolean {
  return /^-[a-zA-Z]+$/.test(word) && word.includes(letter, 1);
}

/** `p` without its trailing slashes (`/app//` → `/app`), by a scan: `/\/+$/` backtracks on a long run of slashes. */
export function withoutTrailingSlashes(p: string): string {
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 47 /* '/' */) end--;
  return p.slice(0, end);
}
