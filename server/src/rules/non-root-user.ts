/** non-root-user: the image's final stage runs its process as root. */
import type { Instr, Model, Stage } from '../core/model';
import { baseInfo, lastUserInstr, rootImage, userValue, workdirAt } from '../core/stage-info';
import type { Fix, Finding } from '../core/types';
import { isRootUser, type Family } from '../knowledge/base-images';
import { appendCommandEdit, toTextEdits, type OffsetEdit } from '../fixes/edits';
import type { Rule } from './types';

const CREATED_UID = 10001;
const CREATED_NAME = 'app';

interface UserPlan {
  /** The USER value to set. */
  user: string;
  /** `--chown=` value for app files. */
  owner: string;
  /** A RUN body to run before switching: create the user when the image lacks one, give it the WORKDIR. */
  create: string | null;
  why: string;
}

function finalStage(model: Model): Stage | null {
  return model.stages.length ? model.stages[model.stages.length - 1] : null;
}

/** The user a stage's process runs as, following `FROM stage` chains; null when unknown (unresolved variable). */
export function effectiveUser(model: Model, stage: Stage): { user: string | null; instr: Instr | null } {
  let s: Stage | null = stage;
  for (let d = 0; s && d < 64; d++, s = s.baseStage) {
    const u = lastUserInstr(s);
    if (u) return { user: userValue(model, u), instr: u };
  }
  const info = baseInfo(stage);
  return { user: info ? info.runsAs : 'root', instr: null };
}

/** Users the Dockerfile itself creates in a stage chain (useradd / adduser). */
function createdUsers(stage: Stage): string[] {
  const names: string[] = [];
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) {
    for (const i of s.instructions) {
      const script = i.run?.script();
      if (!script) continue;
      for (const c of script.commands) {
        if (c.name !== 'useradd' && c.name !== 'adduser') continue;
        const last = c.args[c.args.length - 1]?.value;
        if (last && !last.startsWith('-')) names.push(last);
      }
    }
  }
  return names;
}

/** Non-root users named by earlier USER instructions of the stage. */
function usedUsers(model: Model, stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'USER')
    .map((i) => userValue(model, i))
    .filter((u): u is string => !!u && !isRootUser(u));
}

function createCommand(family: Family, workdir: string | null): string | null {
  const chown = workdir ? ` && chown ${CREATED_NAME}:${CREATED_NAME} ${workdir}` : '';
  switch (family) {
    case 'debian':
    case 'rhel':
      return `groupadd --system --gid ${CREATED_UID} ${CREATED_NAME} && useradd --system --uid ${CREATED_UID} --gid ${CREATED_NAME} --no-log-init --no-create-home ${CREATED_NAME}${chown}`;
    case 'alpine':
      return `addgroup -S -g ${CREATED_UID} ${CREATED_NAME} && adduser -S -D -H -u ${CREATED_UID} -G ${CREATED_NAME} ${CREATED_NAME}${chown}`;
    default:
      return null;
  }
}

function planUser(model: Model, stage: Stage): UserPlan {
  const used = usedUsers(model, stage);
  if (used.length) return { user: used[used.length - 1], owner: used[used.length - 1], create: null, why: `the file already uses user \`${used[used.length - 1]}\`` };
  const created = createdUsers(stage);
  if (created.length) {
    const u = created[created.length - 1];
    return { user: u, owner: `${u}:${u}`, create: null, why: `the file already creates user \`${u}\`` };
  }
  const info = baseInfo(stage);
  if (info?.shipsUser) {
    const s = info.shipsUser;
    // WORKDIR made the directory as root, and builders keep an existing directory's owner on
    // COPY --chown: hand it to the user (not recursively) so the app can write where it runs.
    const wd = workdirAt(model, stage, null);
    const hasShell = info.family !== 'distroless' && info.family !== 'scratch';
    const create = wd && wd !== '/' && hasShell ? `chown ${s.name}:${s.group} ${wd}` : null;
    return { user: s.name, owner: `${s.name}:${s.group}`, create, why: `the image ships user \`${s.name}\`` };
  }
  const family = info?.family ?? 'unknown';
  if (family === 'scratch' || family === 'distroless') return { user: '65532:65532', owner: '65532:65532', create: null, why: 'the image has no shell to create a user; a numeric user needs none' };
  const create = createCommand(family, workdirAt(model, stage, null));
  if (create) return { user: CREATED_NAME, owner: `${CREATED_UID}:${CREATED_UID}`, create, why: `a system user \`${CREATED_NAME}\` (uid ${CREATED_UID}) can be created` };
  return { user: `${CREATED_UID}:${CREATED_UID}`, owner: `${CREATED_UID}:${CREATED_UID}`, create: null, why: 'a numeric user needs no entry in /etc/passwd' };
}

const NEEDS_ROOT = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR', 'USER', 'ONBUILD']);

/** COPY/ADD into the working directory (or a relative path) that lack an owner. */
function appCopies(model: Model, stage: Stage): Instr[] {
  const out: Instr[] = [];
  for (const i of stage.instructions) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    const flags = (i.node as unknown as { getFlags(): { getName(): string }[] }).getFlags();
    if (flags.some((f) => f.getName().toLowerCase() === 'chown')) continue;
    const args = i.node.getArguments();
    if (args.length < 2) continue;
    let dest = args[args.length - 1].getValue();
    if (dest.endsWith(']')) {
      try {
        const arr = JSON.parse((i.node.getArgumentsContent() ?? '').trim());
        dest = Array.isArray(arr) ? String(arr[arr.length - 1]) : dest;
      } catch {
        continue;
      }
    }
    const wd = workdirAt(model, stage, i);
    const underWorkdir = !dest.startsWith('/') || (wd !== null && wd !== '/' && (dest === wd || dest.startsWith(wd.replace(/\/$/, '') + '/')));
    if (underWorkdir) out.push(i);
  }
  return out;
}

function fixEdits(model: Model, stage: Stage, plan: UserPlan, rootUser: Instr | null): OffsetEdit[] {
  const doc = model.doc;
  const edits: OffsetEdit[] = [];
  if (rootUser && plan.create === null) {
    // Switch the last `USER root` to the user the file already has or the image ships.
    const r = rootUser.node.getArgumentsRange();
    if (r) edits.push({ start: doc.offsetAt(r.start), end: doc.offsetAt(r.end), text: plan.user });
  } else {
    let anchor: Instr = stage.fromInstr;
    for (const i of stage.instructions) if (NEEDS_ROOT.has(i.keyword)) anchor = i;
    const at = doc.lineBreakEnd(anchor.endLine);
    const atEnd = at === doc.text.length && !/[\r\n]$/.test(doc.text);
    const eol = doc.eol;
    const indent = doc.indentOf(stage.fromInstr.line);
    let text = atEnd ? eol : '';
    // Right after a RUN, the step joins that RUN: one layer, and no new pair of RUNs to merge.
    const joined = plan.create && anchor.keyword === 'RUN' && anchor.run?.form === 'shell' ? appendCommandEdit(model, anchor, plan.create) : null;
    if (joined) edits.push(joined);
    else if (plan.create) text += `${indent}RUN ${plan.create}${eol}`;
    text += `${indent}USER ${plan.user}`;
    text += atEnd ? '' : eol;
    edits.push({ start: at, end: at, text });
  }
  for (const c of appCopies(model, stage)) {
    const at = c.start + c.node.getKeyword().length;
    edits.push({ start: at, end: at, text: ` --chown=${plan.owner}` });
  }
  return edits;
}

export const nonRootUser: Rule<'non-root-user'> = {
  id: 'non-root-user',
  meta: {
    title: 'Run the final image as a non-root user',
    rationale:
      'A process that runs as root inside the container is root on the host too when it escapes. The image that runs should switch to an unprivileged user after the steps that need root.',
    defaultSeverity: 'warning',
    fixable: true,
    hadolint: ['DL3002'],
  },
  check(model) {
    const stage = finalStage(model);
    if (!stage) return [];
    const { user, instr } = effectiveUser(model, stage);
    if (user === null || !isRootUser(user)) return [];
    const img = rootImage(stage).text ?? 'the base image';
    const plan = planUser(model, stage);
    const target = instr && instr.stage === stage ? instr : stage.fromInstr;
    const message = instr
      ? `The final stage ends as USER ${user}: the container's process runs as root. Switch back to a non-root user: ${plan.why}.`
      : `${img} runs as root and the final stage sets no USER: ${plan.why}. Run the process as that non-root user.`;
    return [{ start: target.start, end: target.end, message, fixable: true, data: { user: plan.user } }];
  },
  fixes(model, _finding: Finding): Fix[] {
    const stage = finalStage(model);
    if (!stage) return [];
    const { user, instr } = effectiveUser(model, stage);
    if (user === null || !isRootUser(user)) return [];
    const plan = planUser(model, stage);
    const rootUser = instr && instr.stage === stage ? instr : null;
    const edits = fixEdits(model, stage, plan, rootUser);
    return [{ title: `Run as non-root user \`${plan.user}\``, edits: toTextEdits(model.doc, edits), preferred: true }];
  },
};
