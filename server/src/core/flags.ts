/**
 * Tests on shell words that would otherwise be regexes with two stars around a letter
 * (`/^-[a-zA-Z]*e[a-zA-Z]*$/` backtracks quadratically on a long run of letters).
 */

/** Whether `word` is a cluster of short options (`-e`, `-eux`, `-yq`) that holds `letter`. */
export function isShortFlagsWith(word: string, letter: string): boolean {
  return /^-[a-zA-Z]+$/.test(word) && word.includes(letter, 1);
}
