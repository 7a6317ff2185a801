/** non-root-user: the image's final stage runs its process as root. */
import { isPosixShell, type Instr, type Model, type Stage } from '../core/model';
import { appFramework, baseInfo, lastUserInstr, rootImage, userValue, workdirAt } from '../core/stage-info';
import type { Fix, Finding, RuleOptions } from '../core/types';
import { familyHasShell, isRootUser, type Family } from '../knowledge/base-images';
import { appendCommandEdit, toTextEdits, type OffsetEdit } from '../fixes/edits';
import type { Rule } from './types';

/** The user the fix creates when the image has none: the `name` and `uid` options, these by default. */
const CREATED_UID = 10001;
const CREATED_NAME = 'app';

interface NewUser {
  name: string;
  uid: number;
}

function newUser(options: RuleOptions | Record<string, unknown> | undefined): NewUser {
  const name = options?.name;
  const uid = options?.uid;
  return { name: typeof name === 'string' ? name : CREATED_NAME, uid: typeof uid === 'number' ? uid : CREATED_UID };
}

interface UserPlan {
  /** The USER value to set. */
  user: string;
  /** `--chown=` value for app files. */
  owner: string;
  /** A RUN body to run before switching: create the user when the image lacks one, give it the WORKDIR. */
  create: string | null;
  why: string;
  /** Set when no safe fix exists: why not. */
  declined?: string;
  /** Copies before this instruction keep their owner (the user does not exist yet when they run). */
  ownerFrom?: Instr;
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

/** Users the Dockerfile itself creates in a stage chain (useradd / adduser), with the RUN that creates each. */
function createdUsers(stage: Stage): { name: string; instr: Instr }[] {
  const found: { name: string; instr: Instr }[] = [];
  const chain: Stage[] = [];
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) chain.unshift(s);
  for (const s of chain) {
    for (const i of s.instructions) {
      const script = i.run && /useradd|adduser/.test(i.run.body) ? i.run.script() : null;
      if (!script) continue;
      for (const c of script.commands) {
        if (c.name !== 'useradd' && c.name !== 'adduser') continue;
        const last = c.args[c.args.length - 1]?.value;
        if (last && !last.startsWith('-')) found.push({ name: last, instr: i });
      }
    }
  }
  return found;
}

/** Non-root users named by earlier USER instructions of the stage. */
function usedUsers(model: Model, stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'USER')
    .map((i) => userValue(model, i))
    .filter((u): u is string => !!u && !isRootUser(u));
}

/** The family's own commands to create the user (uid and gid alike, no home directory), or null. */
function createCommand(family: Family, groups: string[], as: NewUser): string | null {
  const n = as.name;
  const id = as.uid;
  switch (family) {
    case 'debian':
    case 'rhel': {
      const extra = groups.length ? ` --groups ${groups.join(',')}` : '';
      return `groupadd --system --gid ${id} ${n} && useradd --system --uid ${id} --gid ${n}${extra} --no-log-init --no-create-home ${n}`;
    }
    case 'alpine':
      // busybox: `addgroup USER GROUP` adds an existing user to an existing group.
      return `addgroup -S -g ${id} ${n} && adduser -S -D -H -u ${id} -G ${n} ${n}${groups.map((g) => ` && addgroup ${n} ${g}`).join('')}`;
    default:
      return null;
  }
}

/**
 * What the user must own, as shell commands (run as root): the WORKDIR itself (not recursively; builders keep
 * an existing directory root-owned on COPY --chown), and the directories a known framework writes at run time.
 */
function ownershipCommands(model: Model, stage: Stage, owner: string): string[] {
  const wd = workdirAt(model, stage, null);
  // Only a path the shell takes as one plain word: no blanks, quotes, expansions or redirections to escape.
  if (!wd || wd === '/' || !/^[A-Za-z0-9_./@%+=:,-]+$/.test(wd)) return [];
  const out = [`chown ${owner} ${wd}`];
  const fw = appFramework(stage);
  if (fw) {
    const dirs = fw.writable.map((d) => `${wd.replace(/\/$/, '')}/${d}`).join(' ');
    out.push(`mkdir -p ${dirs}`, `chown -R ${owner} ${dirs}`);
  }
  return out;
}

function joinCommands(cmds: (string | null)[]): string | null {
  const c = cmds.filter((x): x is string => !!x);
  return c.length ? c.join(' && ') : null;
}

/** Whether the stage keeps the image's own start command (no CMD/ENTRYPOINT of its own, or one that runs /init). */
function keepsImageStart(stage: Stage): boolean {
  for (let s: Stage | null = stage, d = 0; s && d < 64; d++, s = s.baseStage) {
    const starts = s.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
    if (starts.length) return starts.some((i) => /(^|[\s"'\[])\/init\b/.test(i.node.getArgumentsContent() ?? ''));
  }
  return true;
}

function planUser(model: Model, stage: Stage, as: NewUser): UserPlan {
  const info = baseInfo(stage);
  const family = info?.family ?? 'unknown';
  const shell = familyHasShell(family);
  if (info?.startsAsRoot && keepsImageStart(stage)) {
    return { user: '', owner: '', create: null, why: info.startsAsRoot, declined: "the image's own start command must run as root; a USER belongs only after a CMD or ENTRYPOINT of your own" };
  }
  const used = usedUsers(model, stage);
  if (used.length) return { user: used[used.length - 1], owner: used[used.length - 1], create: null, why: `the file already uses user \`${used[used.length - 1]}\`` };
  const created = createdUsers(stage);
  if (created.length) {
    const { name: u, instr } = created[created.length - 1];
    return { user: u, owner: `${u}:${u}`, create: null, why: `the file already creates user \`${u}\``, ownerFrom: instr };
  }
  if (info?.shipsUser) {
    const s = info.shipsUser;
    // Without a shell the user is set by number: no RUN can give it a directory, and runAsNonRoot can verify it.
    if (!shell) return { user: `${s.uid}:${s.gid}`, owner: `${s.uid}:${s.gid}`, create: null, why: `the image ships user \`${s.name}\` (${s.uid})` };
    const owner = `${s.name}:${s.group}`;
    return { user: s.name, owner, create: joinCommands(ownershipCommands(model, stage, owner)), why: `the image ships user \`${s.name}\`` };
  }
  if (family === 'scratch' || family === 'distroless') return { user: '65532:65532', owner: '65532:65532', create: null, why: 'the image has no shell to create a user; a numeric user (65532) needs none' };
  const groups = info?.userGroups ?? [];
  const create = createCommand(family, groups, as);
  if (create) {
    const inGroups = groups.length ? `, in group ${groups.join(', ')}` : '';
    return {
      user: as.name,
      owner: `${as.uid}:${as.uid}`,
      create: joinCommands([create, ...ownershipCommands(model, stage, `${as.name}:${as.name}`)]),
      why: `a system user \`${as.name}\` (uid ${as.uid}${inGroups}) can be created`,
    };
  }
  const numeric = `${as.uid}:${as.uid}`;
  if (family === 'rhel-minimal') {
    // ubi-minimal has no useradd (shadow-utils); a numeric user needs no /etc/passwd entry, and chown is there.
    return { user: numeric, owner: numeric, create: joinCommands(ownershipCommands(model, stage, numeric)), why: `the image has no useradd; a numeric user (${as.uid}) needs no entry in /etc/passwd` };
  }
  if (family === 'rhel-micro') return { user: numeric, owner: numeric, create: null, why: `the image has no shell to create a user; a numeric user (${as.uid}) needs none` };
  return { user: numeric, owner: numeric, create: null, why: `a numeric user (${as.uid}) needs no entry in /etc/passwd` };
}

const NEEDS_ROOT = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR', 'USER', 'ONBUILD']);

/** Where the user block goes: after the stage's last instruction that may need root. */
function anchorOf(stage: Stage): Instr {
  let anchor: Instr = stage.fromInstr;
  for (const i of stage.instructions) if (NEEDS_ROOT.has(i.keyword)) anchor = i;
  return anchor;
}

/** Whether a RUN placed right after `instr` runs in a POSIX shell: the last SHELL up to there decides, else the stage it builds on. */
function posixShellAfter(stage: Stage, instr: Instr): boolean {
  let shell: Instr | null = null;
  for (const i of stage.instructions) {
    if (i.start > instr.start) break;
    if (i.keyword === 'SHELL') shell = i;
  }
  return shell ? isPosixShell(shell.node) : (stage.baseStage?.posixShell ?? true);
}

/** The plan, declined when its user-creation RUN would run under a SHELL that is not a POSIX shell. */
function planFor(model: Model, stage: Stage, as: NewUser): UserPlan {
  const plan = planUser(model, stage, as);
  if (plan.create && !plan.declined && !posixShellAfter(stage, anchorOf(stage))) {
    return { ...plan, declined: 'the SHELL in effect where the user would be created is not a POSIX shell, so the commands that create it would not run' };
  }
  return plan;
}

/** COPY/ADD into the working directory the file sets (relative or absolute paths under it) that lack an owner. */
function appCopies(model: Model, stage: Stage, after: Instr | undefined): Instr[] {
  const out: Instr[] = [];
  for (const i of stage.instructions) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    if (after && after.stage === stage && i.start < after.start) continue;
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
    // Only app files: copies into a WORKDIR the file sets (not into `/`, not before any WORKDIR).
    if (wd === null || wd === '/') continue;
    const underWorkdir = !dest.startsWith('/') || dest === wd || dest.startsWith(wd.replace(/\/$/, '') + '/');
    if (underWorkdir) out.push(i);
  }
  return out;
}

function fixEdits(model: Model, stage: Stage, plan: UserPlan, rootUser: Instr | null): OffsetEdit[] {
  const doc = model.doc;
  const edits: OffsetEdit[] = [];
  const rootAfter = rootUser ? stage.instructions.some((i) => i.start > rootUser.start && NEEDS_ROOT.has(i.keyword)) : false;
  if (rootUser && plan.create === null && !rootAfter) {
    // Switch the last `USER root` to the user the file already has or the image ships (nothing after it needs root).
    const r = rootUser.node.getArgumentsRange();
    if (r) edits.push({ start: doc.offsetAt(r.start), end: doc.offsetAt(r.end), text: plan.user });
  } else {
    const anchor = anchorOf(stage);
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
  for (const c of appCopies(model, stage, plan.ownerFrom)) {
    const at = c.start + c.node.getKeyword().length;
    edits.push({ start: at, end: at, text: ` --chown=${plan.owner}` });
  }
  return edits;
}

/** The image of a stage's chain as written in its FROM, variables unresolved. */
function imageAsWritten(model: Model, stage: Stage): string {
  let s: Stage = stage;
  for (let d = 0; s.baseStage && d < 64; d++) s = s.baseStage;
  const r = s.from.getImageRange();
  return r ? model.doc.text.slice(model.doc.offsetAt(r.start), model.doc.offsetAt(r.end)) : 'the base image';
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
    options: {
      name: {
        type: 'string',
        default: CREATED_NAME,
        // The portable subset of user names (shadow-utils' default NAME_REGEX, busybox adduser).
        pattern: /^[a-z_][a-z0-9_-]{0,31}$/,
        refuse: { root: 'the point is a user other than root' },
        description: 'name of the user the fix creates when the image has no user of its own',
      },
      uid: {
        type: 'integer',
        default: CREATED_UID,
        // Above 65535 an id falls outside the subordinate id range rootless engines map by default.
        min: 1,
        max: 65535,
        description: 'uid and gid of the user the fix creates, and of the numeric user it sets where no user can be created',
      },
    },
  },
  check(model, options) {
    const stage = finalStage(model);
    if (!stage) return [];
    const { user, instr } = effectiveUser(model, stage);
    if (user === null || !isRootUser(user)) return [];
    const root = rootImage(stage);
    const img = root.text ?? `${imageAsWritten(model, stage)} (a variable without a value)`;
    const as = newUser(options);
    const plan = planFor(model, stage, as);
    const target = instr && instr.stage === stage ? instr : stage.fromInstr;
    const known = baseInfo(stage)?.known ?? false;
    const message = instr
      ? `The final stage ends as USER ${user}: the container's process runs as root. Switch back to a non-root user: ${plan.why}.`
      : known
        ? `${img} runs as root and the final stage sets no USER; ${plan.why}.`
        : `${img} is not a known base image, so it is taken to run as root, and the final stage sets no USER; ${plan.why}.`;
    if (plan.declined) return [{ start: target.start, end: target.end, message, fixable: false, reason: plan.declined }];
    // The fix reads the user to create from the finding, so it builds what the message announced.
    return [{ start: target.start, end: target.end, message, fixable: true, data: { user: plan.user, name: as.name, uid: as.uid } }];
  },
  fixes(model, finding: Finding): Fix[] {
    const stage = finalStage(model);
    if (!stage) return [];
    const { user, instr } = effectiveUser(model, stage);
    if (user === null || !isRootUser(user)) return [];
    const plan = planFor(model, stage, newUser(finding.data));
    if (plan.declined) return [];
    const rootUser = instr && instr.stage === stage ? instr : null;
    const edits = fixEdits(model, stage, plan, rootUser);
    return [{ title: `Run as non-root user \`${plan.user}\``, edits: toTextEdits(model.doc, edits), preferred: true }];
  },
};
