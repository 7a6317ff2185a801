/**
 * "Turn <rule> off in the project config": the new text of a `.dockerfilelean.yaml`/`.yml`/`.json` with
 * `rules.<rule>` set to `off`, changed as little as the format allows. YAML goes through the `yaml` package's
 * Document API, which keeps comments, key order and styles; JSON (strict, no comments) is rewritten with the
 * file's own indentation and final line break.
 */
import { yaml } from './config';

/** The text of a new config file that turns `rule` off. */
export function newConfigText(rule: string, json: boolean, eol = '\n'): string {
  return json ? `{${eol}  "rules": {${eol}    ${JSON.stringify(rule)}: "off"${eol}  }${eol}}${eol}` : `rules:${eol}  ${rule}: off${eol}`;
}

/**
 * `text` with `rules.<rule>` (or `rules.<rule>.severity` where the rule has a mapping) set to `off`; null when the
 * text does not parse or has a shape the edit cannot make sense of (the user fixes the file first).
 */
export function turnRuleOff(text: string, rule: string, json: boolean): string | null {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const src = text.slice(bom.length);
  const eol = /\r\n/.test(src) ? '\r\n' : '\n';
  if (src.trim() === '') return bom + newConfigText(rule, json, eol);
  if (json) {
    let data: unknown;
    try {
      data = JSON.parse(src);
    } catch {
      return null;
    }
    if (!isPlainObject(data)) return null;
    const rules = data.rules ?? {};
    if (!isPlainObject(rules)) return null;
    const current = rules[rule];
    if (isPlainObject(current)) current.severity = 'off';
    else rules[rule] = 'off';
    data.rules = rules;
    const indent = /^[{[][ \t]*\r?\n([ \t]+)/.exec(src)?.[1] ?? '  ';
    const out = JSON.stringify(data, null, indent).replace(/\n/g, eol);
    return bom + out + (/\r?\n$/.test(src) ? eol : '');
  }
  const { parseDocument, isMap } = yaml();
  const doc = parseDocument(src, { uniqueKeys: true });
  if (doc.errors.length > 0) return null;
  const top = doc.contents;
  if (top !== null && !isMap(top) && !(yaml().isScalar(top) && top.value === null)) return null;
  if (top === null || !isMap(top)) doc.contents = doc.createNode({}) as typeof doc.contents;
  const rules = doc.get('rules', true);
  if (rules !== undefined && rules !== null && !isMap(rules) && !(yaml().isScalar(rules) && rules.value === null)) return null;
  if (isMap(doc.getIn(['rules', rule], true))) doc.setIn(['rules', rule, 'severity'], 'off');
  else if (isMap(rules)) doc.setIn(['rules', rule], 'off');
  else doc.set('rules', doc.createNode({ [rule]: 'off' }));
  let out = doc.toString({ lineWidth: 0 });
  if (eol === '\r\n') out = out.replace(/\r?\n/g, '\r\n');
  return bom + out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
