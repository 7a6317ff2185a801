/**
 * The non-root fix's own user block, recognised in the final stage of a file the fix ran on before the conversion.
 * Fix-all converts first and then gives the runtime its user; a user who applied the non-root fix first has the
 * block in what becomes the builder, where it does nothing for the running image. The conversion takes it out and
 * adds the user to the runtime as fix-all would, so either order ends in the same file.
 */
import { buildModel, type Instr, type Model } from '../../core/model';
import { isRootUser } from '../../knowledge/base-images';
import { applyOffsetEdits, applyTextEdits, type OffsetEdit } from '../../core/edits';
import { nonRootUser } from '../non-root-user';

export interface UserBlock {
  /** The text without the block. */
  text: string;
  /** The name and uid the block was made with (the rule's options then). */
  user: { name: string; uid: number };
}

/**
 * The file without the non-root fix's block in its final stage: the USER it added, the `--chown=` it put on the
 * copies and the commands it added to (or the RUN it wrote before) that USER. Only when the non-root fix, run on
 * the text without them, writes exactly this text back: a block written by hand, or changed since, is not one.
 */
export function withoutOwnUserBlock(model: Model): UserBlock | null {
  const stage = model.stages[model.stages.length - 1];
  if (!stage) return null;
  const list = stage.instructions;
  let k = list.length - 1;
  while (k >= 0 && list[k].keyword !== 'USER') k--;
  if (k < 0) return null;
  const userInstr = list[k];
  const name = (userInstr.node.getArgumentsContent() ?? '').trim();
  if (!name || isRootUser(name) || name.includes('$')) return null;
  const doc = model.doc;
  const text = doc.text;
  const edits: OffsetEdit[] = [{ start: doc.lineStarts[userInstr.line], end: doc.lineBreakEnd(userInstr.endLine), text: '' }];
  // The fix writes `--chown=OWNER` right after the keyword, one owner for every copy.
  let owner: string | null = null;
  for (const i of list) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    const at = i.start + i.node.getKeyword().length;
    const m = /^ --chown=(\S+)(?= )/.exec(text.slice(at, i.end));
    if (!m) continue;
    if (owner !== null && m[1] !== owner) return null;
    owner = m[1];
    edits.push({ start: at, end: at + m[0].length, text: '' });
  }
  // Where the commands may start, the longest cut first: the whole RUN right before the USER (a RUN of its own),
  // then any `&&` (with the line continuation and blanks before it) whose rest names the user, in the RUN the fix
  // adds its commands to (the one right before the USER, else the last RUN before that), none.
  const blocks: (OffsetEdit | null)[] = [];
  const shellRun = (i: Instr | undefined): i is Instr => !!i && i.keyword === 'RUN' && i.run?.form === 'shell';
  let r = k - 1;
  if (shellRun(list[r])) blocks.push({ start: doc.lineStarts[list[r].line], end: doc.lineBreakEnd(list[r].endLine), text: '' });
  else while (r >= 0 && !shellRun(list[r])) r--;
  const host = list[r];
  if (shellRun(host)) {
    const token = /^\d/.test(name) ? name.split(':')[0] : name;
    const body = text.slice(host.start, host.end);
    for (let at = body.indexOf('&&'); at >= 0; at = body.indexOf('&&', at + 2)) {
      if (body.includes(token, at)) blocks.push({ start: backOverBreaks(text, host.start + at, model.escape, host.start), end: host.end, text: '' });
    }
  }
  blocks.push(null);
  const numeric = /^(\d+)(:\d+)?$/.exec(name);
  for (const b of blocks) {
    const cut = b ? text.slice(b.start, b.end) : '';
    const uid = Number(/(?:--uid|-u) (\d+)/.exec(cut)?.[1] ?? numeric?.[1] ?? 10001);
    const user = { name: numeric ? 'app' : name, uid };
    if (uid < 1 || uid > 65535) continue;
    const stripped = applyOffsetEdits(text, b ? [...edits, b] : edits);
    if (withUser(stripped, model, user) === text) return { text: stripped, user };
  }
  return null;
}

/** From `at`, back over blanks and line continuations (escape + line break), not before `min`. */
function backOverBreaks(text: string, at: number, escape: string, min: number): number {
  let p = at;
  for (;;) {
    while (p > min && (text[p - 1] === ' ' || text[p - 1] === '\t')) p--;
    let q = p;
    if (text[q - 1] === '\n') q--;
    if (text[q - 1] === '\r') q--;
    if (q < p && q - 1 >= min && text[q - 1] === escape) p = q - 1;
    else return p;
  }
}

/**
 * The text with the non-root fix applied (as fix-all applies it: only a fix it would apply, not a guessed user),
 * or null when the rule does not fire or offers no such fix. `like` gives the build context and the path.
 */
export function withUser(text: string, like: Model, user: { name: string; uid: number }): string | null {
  const model = buildModel(text, { files: like.files, path: like.path });
  const raw = nonRootUser.check(model, user).find((f) => f.fixable);
  if (!raw) return null;
  const finding = { rule: 'non-root-user', severity: 'warning' as const, message: raw.message, range: model.doc.rangeAt(raw.start, raw.end), fixable: true, data: raw.data };
  const fix = nonRootUser.fixes(model, finding).find((f) => f.preferred && !f.manual);
  return fix ? applyTextEdits(model.doc, fix.edits) : null;
}
