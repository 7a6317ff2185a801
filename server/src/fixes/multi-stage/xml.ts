/**
 * A small element tree for the build files recipes read (pom.xml, *.csproj), parsed by `sax` in strict
 * mode: null when the text is not well-formed XML, so a broken file makes a recipe decline, never crash.
 */
import * as sax from 'sax';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), not its children's. */
  text: string;
}

const MAX_DEPTH = 200;

export function parseXml(text: string): XmlElement | null {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let failed = false;
  const p = sax.parser(true, { trim: false });
  p.onerror = () => {
    failed = true;
    throw new Error('not well-formed');
  };
  p.onopentag = (t) => {
    const el: XmlElement = { name: t.name, attrs: { ...t.attributes }, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    stack.push(el);
    if (stack.length > MAX_DEPTH) {
      failed = true;
      throw new Error('too deep');
    }
  };
  p.onclosetag = () => {
    stack.pop();
  };
  p.ontext = (s) => {
    stack[stack.length - 1].text += s;
  };
  p.oncdata = p.ontext;
  try {
    p.write(text).close();
  } catch {
    return null;
  }
  if (failed || root.children.length !== 1) return null;
  return root.children[0];
}

/** The direct children named `name`. */
export function children(el: XmlElement | null, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The element at a path of child names (the first of each), or null. */
export function at(el: XmlElement | null, ...path: string[]): XmlElement | null {
  let cur = el;
  for (const name of path) {
    cur = children(cur, name)[0] ?? null;
    if (!cur) return null;
  }
  return cur;
}

/** The trimmed text of the element at a path, or null when it is absent. */
export function textAt(el: XmlElement | null, ...path: string[]): string | null {
  const e = at(el, ...path);
  return e ? e.text.trim() : null;
}

/** Every element named `name` anywhere below `el`. */
export function descendants(el: XmlElement | null, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement, depth: number) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      if (depth < MAX_DEPTH) walk(c, depth + 1);
    }
  };
  if (el) walk(el, 0);
  return out;
}
