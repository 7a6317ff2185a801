/**
 * Shell wildcard matching of file names (`*`, `?`, `[…]`, `\x`), as COPY sources and `java -jar *.jar`
 * use them. No regular expression is built from the pattern: a pattern is split into path segments, and
 * each segment is matched by the two-pointer wildcard algorithm (a run of `*` is one star; on a mismatch
 * the last star takes one more character). With the name segment capped at NAME_MAX, a match costs at
 * most the pattern's length plus 255² steps, whatever the pattern.
 */

/** The longest file name Linux file systems store (NAME_MAX); a longer segment names no file. */
const NAME_MAX = 255;

type Token = { star: true } | { star: false; any: true } | { star: false; any: false; negate: boolean; ranges: [number, number][] };

const STAR: Token = { star: true };
const ANY: Token = { star: false, any: true };

function literal(c: number): Token {
  return { star: false, any: false, negate: false, ranges: [[c, c]] };
}

/** The tokens of one segment (no `/` in it): runs of `*` become one star. */
function tokens(seg: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') {
      if (out[out.length - 1] !== STAR) out.push(STAR);
    } else if (c === '?') out.push(ANY);
    else if (c === '\\' && i + 1 < seg.length) out.push(literal(seg.charCodeAt(++i)));
    else if (c === '[') {
      const cls = bracket(seg, i);
      if (cls) {
        out.push(cls.token);
        i = cls.end;
      } else out.push(literal(c.charCodeAt(0)));
    } else out.push(literal(seg.charCodeAt(i)));
  }
  return out;
}

/** A bracket expression starting at `start` (`[abc]`, `[!a-z]`, `[^x]`, `[]a]`), or null when it is not closed. */
function bracket(seg: string, start: number): { token: Token; end: number } | null {
  let i = start + 1;
  const negate = seg[i] === '!' || seg[i] === '^';
  if (negate) i++;
  const ranges: [number, number][] = [];
  const first = i;
  for (; i < seg.length; i++) {
    if (seg[i] === ']' && i > first) return { token: { star: false, any: false, negate, ranges }, end: i };
    let lo = seg.charCodeAt(i);
    if (seg[i] === '\\' && i + 1 < seg.length) lo = seg.charCodeAt(++i);
    let hi = lo;
    if (seg[i + 1] === '-' && i + 2 < seg.length && seg[i + 2] !== ']') {
      i += 2;
      hi = seg[i] === '\\' && i + 1 < seg.length ? seg.charCodeAt(++i) : seg.charCodeAt(i);
    }
    ranges.push([lo, hi]);
  }
  return null;
}

function matchesOne(t: Token, c: number): boolean {
  if (t.star) return true;
  if (t.any) return true;
  const inside = t.ranges.some(([lo, hi]) => c >= lo && c <= hi);
  return inside !== t.negate;
}

function segmentMatches(toks: Token[], name: string): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const t = toks[p];
    if (t !== undefined && t.star) {
      starP = p++;
      starN = n;
    } else if (t !== undefined && matchesOne(t, name.charCodeAt(n))) {
      p++;
      n++;
    } else if (starP >= 0) {
      p = starP + 1;
      n = ++starN;
    } else return false;
  }
  while (p < toks.length && toks[p].star) p++;
  return p === toks.length;
}

/**
 * Whether `name` (a path or a file name) matches the shell wildcard `pattern`. A wildcard never matches
 * `/`: segments are matched one to one. A name with a control character (a line break) matches nothing.
 */
export function globMatches(pattern: string, name: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return false;
  const pats = pattern.split('/');
  const names = name.split('/');
  if (pats.length !== names.length) return false;
  for (let k = 0; k < pats.length; k++) {
    if (names[k].length > NAME_MAX) return false;
    if (!segmentMatches(tokens(pats[k]), names[k])) return false;
  }
  return true;
}
