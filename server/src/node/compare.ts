/**
 * Build and compare: builds the Dockerfile as it is and as the fixes leave it, with the user's own container
 * engine (node/engine.ts), and measures both images: size, layers, the user and uid they run as, whether the
 * toolchain paths the conversion meant to drop are gone, and a short smoke start. A fixed file that fails to
 * build is reported with its failing step, its log and the rewrite that made the step, and an issue text.
 *
 * Used by the CLI (`dockerfile-lean compare`) and the VS Code client, which hand it the texts (the analysis
 * itself stays in the core: analysis/compare-inputs.ts). Nothing here runs unless asked; images are tagged under
 * `localhost/dockerfile-lean-compare/` and removed afterwards unless kept; no build argument or secret is added,
 * and the smoke container gets no network (unless allowed), no environment and no mounts of the user's.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Engine, ImageFacts, SmokeResult } from './engine';

export const TAG_PREFIX = 'localhost/dockerfile-lean-compare';

// Loaded when a comparison runs, not when the CLI starts for another command.
const os = (): typeof import('os') => require('os');
const randomHex = (bytes: number): string => (require('crypto') as typeof import('crypto')).randomBytes(bytes).toString('hex');

export interface CompareLimits {
  /** Each build's time limit. */
  buildTimeoutSeconds: number;
  /** A build is not started, and a running one is stopped, when the engine's storage has less free space. */
  minFreeDiskMB: number;
}
export const DEFAULT_LIMITS: CompareLimits = { buildTimeoutSeconds: 1200, minFreeDiskMB: 2048 };

export interface SmokeOptions {
  seconds: number;
  network: boolean;
  command?: string[];
  port?: number;
  urlPath?: string;
}
export const DEFAULT_SMOKE: SmokeOptions = { seconds: 5, network: false };

export interface CompareInput {
  /** The Dockerfile as the user has it (for names in the report; the text is `before`). */
  dockerfile: string;
  before: string;
  after: string;
  /** The rules whose fixes the after text applies, in order. */
  rules: string[];
  /** Each of those rules' fixes alone on the before text: which rewrite made a failing step. */
  perRule: Record<string, string>;
  /** Paths of the toolchain the conversion meant to drop; null when no plan says (then "not checked"). */
  toolchainPaths: string[] | null;
  /** The ecosystem the conversion planned for (go, c, …), when there is one. */
  ecosystem?: string | null;
  context: string;
}

export interface CompareOptions {
  engine: Engine;
  /** Extra arguments for both builds (`--pull=never`, `--network=host`): given by the user, never made up. */
  buildArgs?: string[];
  limits?: Partial<CompareLimits>;
  smoke?: Partial<SmokeOptions>;
  keep?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onLine?: (side: Side, line: string) => void;
  tool?: { version: string; repository: string };
}

export type Side = 'before' | 'after';

export interface BuildFailure {
  /** The step line as the engine printed it (`STEP 4/6: RUN …`, `[build 3/4] RUN …`). */
  step: string | null;
  /** The instruction the step runs, as the engine quoted it. */
  instruction: string | null;
  /** 1-based line of that instruction in the file built, when found. */
  line: number | null;
  exitCode: number | null;
  timedOut: boolean;
  logTail: string;
  /** Which rewrites made this step or what it depends on, and how sure that is. */
  cause?: { rules: string[]; how: 'made-the-step' | 'only-rewrite' | 'changed-before-it' | 'unknown'; text: string };
}

export interface SideReport {
  built: boolean;
  tag: string;
  buildSeconds: number | null;
  facts: ImageFacts | null;
  uid: number | null;
  /** How the uid was learnt (the image config, its /etc/passwd), or why not. */
  uidSource: string;
  smoke: SmokeResult | null;
  failure?: BuildFailure;
}

export interface PathCheck {
  path: string;
  before: boolean | null;
  after: boolean | null;
  /** gone: in the original, not in the fixed image; kept: still there; not-in-original: nothing to drop. */
  verdict: 'gone' | 'kept' | 'not-in-original' | 'unknown';
}

export interface CompareReport {
  version: 1;
  dockerfile: string;
  context: string;
  engine: { name: string; version: string };
  rules: string[];
  /** ok: both built and the fixed one did no worse; worse: it failed to build or did worse; no-baseline: the original did not build. */
  verdict: 'ok' | 'worse' | 'no-baseline' | 'nothing-to-compare' | 'cancelled' | 'stopped';
  reasons: string[];
  before: SideReport;
  after: SideReport;
  saving: { bytes: number; pct: number } | null;
  toolchain: { checked: boolean; reason?: string; paths: PathCheck[] };
  /** The tags still in the engine's storage (kept on request, or could not be removed). */
  kept: string[];
  /** Markdown the user may copy into an issue when the fixed file did not build. */
  issueText?: string;
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// reading the build log

/** A step line of buildah/podman (`STEP 2/5: RUN …`), docker's classic builder (`Step 2/5 : RUN …`) or BuildKit (`#7 [build 2/4] RUN …`). */
export function stepOf(line: string): { label: string; instruction: string } | null {
  let m = /^(\[\d+\/\d+\] )?STEP (\d+(?:\/\d+)?): (.*)$/.exec(line);
  if (m) return { label: `${m[1] ?? ''}STEP ${m[2]}`, instruction: m[3].trim() };
  m = /^Step (\d+\/\d+) : (.*)$/.exec(line);
  if (m) return { label: `Step ${m[1]}`, instruction: m[2].trim() };
  m = /^#\d+ \[([^\]]*)\] (.*)$/.exec(line);
  if (m && /^\d+\/\d+$/.test(m[1].split(' ').pop() ?? '')) return { label: `[${m[1]}]`, instruction: m[2].trim() };
  return null;
}

/** The instruction an engine names in its error line, when it does (buildah: `error building at STEP "RUN …": …`). */
function failedInstruction(log: string): string | null {
  const m = /building at STEP "((?:[^"\\]|\\.)*)"/.exec(log);
  return m ? m[1].replace(/\\"/g, '"') : null;
}

/** Instructions of a Dockerfile: keyword line, logical text (continuations joined). Comments and blank lines skipped. */
export function instructionsOf(text: string): { line: number; text: string }[] {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*`/im.test(lines.slice(0, 5).join('\n')) ? '`' : '\\';
  const out: { line: number; text: string }[] = [];
  let cur: { line: number; text: string } | null = null;
  let heredoc: string | null = null;
  for (const [k, raw] of lines.entries()) {
    if (heredoc !== null) {
      if (raw.trim() === heredoc) heredoc = null;
      continue;
    }
    if (!cur && (/^\s*#/.test(raw) || !raw.trim())) continue;
    if (cur && /^\s*#/.test(raw)) continue;
    const t = raw.trimEnd();
    const continued = t.endsWith(escape);
    const part = continued ? t.slice(0, -1) : t;
    if (cur) cur.text += ' ' + part.trim();
    else cur = { line: k + 1, text: part.trim() };
    if (!continued) {
      const h = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(cur.text);
      if (h && /^(RUN|COPY|ADD)\b/i.test(cur.text)) heredoc = h[1];
      out.push(cur);
      cur = null;
    }
  }
  if (cur) out.push(cur);
  return out;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

function lineOf(text: string, instruction: string | null): number | null {
  if (!instruction) return null;
  const want = norm(instruction);
  const all = instructionsOf(text);
  const hit = all.find((i) => norm(i.text) === want) ?? all.find((i) => norm(i.text).startsWith(want) || want.startsWith(norm(i.text)));
  return hit?.line ?? null;
}

/** Which rewrite made the failing step (its text is new) or, when the step is the user's own, which changed what comes before it. */
export function causeOf(input: CompareInput, instruction: string | null): BuildFailure['cause'] {
  const rules = input.rules;
  const has = (text: string) => instruction !== null && instructionsOf(text).some((i) => norm(i.text) === norm(instruction));
  if (instruction && !has(input.before)) {
    const makers = rules.filter((r) => input.perRule[r] !== undefined && has(input.perRule[r]));
    if (makers.length) return { rules: makers, how: 'made-the-step', text: `The failing step was written by the ${list(makers)} rewrite${makers.length > 1 ? 's' : ''}.` };
  }
  if (rules.length === 1) return { rules, how: 'only-rewrite', text: `The ${rules[0]} rewrite is the only one applied, so it caused the failure${instruction && has(input.before) ? ' (the step itself is as you wrote it: the rewrite changed what it runs on)' : ''}.` };
  if (instruction && has(input.before)) {
    const line = lineOf(input.before, instruction) ?? Infinity;
    const changed = rules.filter((r) => {
      const t = input.perRule[r];
      if (t === undefined) return false;
      const a = input.before.split(/\r?\n/).slice(0, line);
      const b = t.split(/\r?\n/).slice(0, line);
      return a.join('\n') !== b.join('\n');
    });
    if (changed.length) return { rules: changed, how: 'changed-before-it', text: `The failing step is as you wrote it; the ${list(changed)} rewrite${changed.length > 1 ? 's change' : ' changes'} what comes before it.` };
  }
  return { rules, how: 'unknown', text: `Which of the rewrites (${list(rules)}) caused it is not known: build with one rule at a time (--rule) to find out.` };
}

const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

// ---------------------------------------------------------------------------------------------
// the image's user

/** The uid an image runs as: from Config.User, through the image's /etc/passwd for a name. */
async function uidOf(engine: Engine, tag: string, facts: ImageFacts, signal?: AbortSignal): Promise<{ uid: number | null; source: string }> {
  const user = facts.user.split(':')[0];
  if (user === '') return { uid: 0, source: 'no USER in the image config: root' };
  if (/^\d+$/.test(user)) return { uid: Number(user), source: `USER ${facts.user} in the image config` };
  const passwd = await engine.readFile(tag, '/etc/passwd', signal);
  if (!passwd) return { uid: null, source: `USER ${facts.user}: the image has no readable /etc/passwd to look the name up` };
  for (const l of passwd.toString('utf8').split('\n')) {
    const f = l.split(':');
    if (f[0] === user && /^\d+$/.test(f[2] ?? '')) return { uid: Number(f[2]), source: `USER ${facts.user}, uid from the image's /etc/passwd` };
  }
  return { uid: null, source: `USER ${facts.user} is not in the image's /etc/passwd (the container would not start)` };
}

// ---------------------------------------------------------------------------------------------
// disk

/** Free MB on the file system holding `dir`, or null when it cannot be read. */
function freeMB(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return Math.floor((Number(s.bavail) * Number(s.bsize)) / 1e6);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// the run

function slug(context: string): string {
  const name = path.basename(path.resolve(context)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  // A repository name starts and ends with a letter or digit.
  let a = 0, b = name.length;
  while (a < b && '-._'.includes(name[a])) a++;
  while (b > a && '-._'.includes(name[b - 1])) b--;
  return (name.slice(a, b) || 'project').slice(0, 40);
}

const secs = (ms: number) => Math.round(ms / 100) / 10;
const tail = (s: string, n: number) => s.trimEnd().split('\n').slice(-n).join('\n');

export async function compareBuilds(input: CompareInput, opts: CompareOptions): Promise<CompareReport> {
  const t0 = Date.now();
  const engine = opts.engine;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const smokeOpts = { ...DEFAULT_SMOKE, ...opts.smoke };
  const progress = opts.onProgress ?? (() => {});
  const id = randomHex(4);
  const repo = `${TAG_PREFIX}/${slug(input.context)}`;
  const tags: Record<Side, string> = { before: `${repo}:before-${id}`, after: `${repo}:after-${id}` };
  const side = (s: Side): SideReport => ({ built: false, tag: tags[s], buildSeconds: null, facts: null, uid: null, uidSource: '', smoke: null });
  const report: CompareReport = {
    version: 1,
    dockerfile: input.dockerfile,
    context: input.context,
    engine: { name: engine.name, version: engine.version },
    rules: input.rules,
    verdict: 'ok',
    reasons: [],
    before: side('before'),
    after: side('after'),
    saving: null,
    toolchain: { checked: false, paths: [] },
    kept: [],
    seconds: 0,
  };
  if (input.after === input.before) {
    report.verdict = 'nothing-to-compare';
    report.reasons.push('the fixes change nothing in this Dockerfile: there is nothing to compare');
    report.seconds = secs(Date.now() - t0);
    return report;
  }

  // The texts go to a private scratch folder; the build context stays the user's folder, read by the engine.
  const scratch = fs.mkdtempSync(path.join(os().tmpdir(), 'dockerfile-lean-compare-'));
  const built: string[] = [];
  // A stop of our own (disk limit) is told apart from the user's cancel.
  const stopper = new AbortController();
  let stopReason: string | null = null;
  const onUserAbort = () => stopper.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  const signal = stopper.signal;
  const cancelled = () => opts.signal?.aborted === true;
  try {
    const storage = limits.minFreeDiskMB > 0 ? await engine.storagePath() : null;
    const diskOk = (): string | null => {
      if (!storage) return null;
      const free = freeMB(storage);
      return free !== null && free < limits.minFreeDiskMB ? `only ${free} MB free on the engine's storage (${storage}), less than the ${limits.minFreeDiskMB} MB limit` : null;
    };
    if (limits.minFreeDiskMB > 0 && !storage) report.reasons.push(`the disk limit was not checked: ${engine.name} did not say where it stores images on this machine`);

    for (const s of ['before', 'after'] as Side[]) {
      if (signal.aborted) break;
      const low = diskOk();
      if (low) {
        stopReason = `not built: ${low}`;
        break;
      }
      const file = path.join(scratch, `${s}.Dockerfile`);
      fs.writeFileSync(file, s === 'before' ? input.before : input.after);
      const what = s === 'before' ? 'the current Dockerfile' : 'the fixed Dockerfile';
      progress(`Building ${what}…`);
      let last: string | null = null;
      const watch = setInterval(() => {
        const l = diskOk();
        if (l && !stopReason) {
          stopReason = `stopped: ${l}`;
          stopper.abort();
        }
      }, 2000);
      const b0 = Date.now();
      const r = await engine.build({
        file,
        context: input.context,
        tag: tags[s],
        extraArgs: opts.buildArgs ?? [],
        signal,
        timeoutMs: limits.buildTimeoutSeconds * 1000,
        onLine: (line) => {
          opts.onLine?.(s, line);
          const st = stepOf(line);
          if (st) {
            last = line.replace(/^#\d+ /, '');
            progress(`Building ${what}: ${last.length > 120 ? last.slice(0, 119) + '…' : last}`);
          }
        },
      });
      clearInterval(watch);
      const rep = report[s];
      rep.buildSeconds = secs(Date.now() - b0);
      if (r.code === 0 && !r.aborted) {
        rep.built = true;
        built.push(tags[s]);
        continue;
      }
      if (r.aborted) break;
      const log = r.out + r.err;
      const lastStep = last as string | null;
      const instruction = failedInstruction(log) ?? (lastStep ? stepOf(lastStep)?.instruction ?? null : null);
      rep.failure = {
        step: lastStep,
        instruction,
        line: lineOf(s === 'before' ? input.before : input.after, instruction),
        exitCode: r.code,
        timedOut: r.timedOut,
        logTail: tail(r.spawnError ?? log, 40),
      };
      if (r.timedOut) report.reasons.push(`the ${s === 'before' ? 'current' : 'fixed'} Dockerfile's build passed the ${limits.buildTimeoutSeconds} s limit`);
      if (s === 'before') {
        report.verdict = 'no-baseline';
        report.reasons.push(`the current Dockerfile does not build with ${engine.name} here${instruction ? ` (${instruction})` : ''}, so there is nothing to compare against`);
        break;
      }
      report.verdict = 'worse';
      rep.failure.cause = causeOf(input, instruction);
      report.reasons.push(`the fixed Dockerfile does not build${instruction ? `: ${instruction}` : ''}${rep.failure.line ? ` (line ${rep.failure.line})` : ''}`);
      report.issueText = issueText(input, report, opts.tool);
    }

    // Measure what was built.
    for (const s of ['before', 'after'] as Side[]) {
      const rep = report[s];
      if (!rep.built || signal.aborted) continue;
      progress(`Reading the ${s === 'before' ? 'current' : 'fixed'} image…`);
      rep.facts = await engine.inspect(tags[s], signal);
      if (rep.facts) {
        const u = await uidOf(engine, tags[s], rep.facts, signal);
        rep.uid = u.uid;
        rep.uidSource = u.source;
      }
    }
    const b = report.before.facts, a = report.after.facts;
    if (b?.size && a?.size) report.saving = { bytes: b.size - a.size, pct: Math.round((1000 * (b.size - a.size)) / b.size) / 10 };

    // Toolchain paths: judged only where the original image had them.
    if (!(report.before.built && report.after.built)) report.toolchain = { checked: false, reason: 'both images are needed', paths: [] };
    if (report.before.built && report.after.built && !signal.aborted) {
      if (!input.toolchainPaths) report.toolchain = { checked: false, reason: input.rules.includes('multi-stage') ? 'the conversion plan names no toolchain paths for this ecosystem' : 'no multi-stage conversion: no toolchain is meant to drop', paths: [] };
      else {
        progress('Looking for the toolchain in both images…');
        const inB = await engine.pathsExist(tags.before, input.toolchainPaths, signal);
        const inA = await engine.pathsExist(tags.after, input.toolchainPaths, signal);
        const paths: PathCheck[] = input.toolchainPaths.map((p) => {
          const before = inB.get(p) ?? null, after = inA.get(p) ?? null;
          const verdict = before === null || after === null ? 'unknown' : !before ? 'not-in-original' : after ? 'kept' : 'gone';
          return { path: p, before, after, verdict };
        });
        const judged = paths.filter((p) => p.verdict === 'gone' || p.verdict === 'kept');
        report.toolchain = judged.length ? { checked: true, paths } : { checked: false, reason: 'none of the toolchain paths the plan names is in the original image', paths };
        const kept = paths.filter((p) => p.verdict === 'kept');
        if (kept.length) {
          report.verdict = 'worse';
          report.reasons.push(`the fixed image still has ${kept.map((p) => p.path).join(', ')}`);
        }
      }
    }

    // Smoke start: each image with its own CMD (or the user's command) for a few seconds, no network.
    for (const s of ['before', 'after'] as Side[]) {
      if (!report[s].built || signal.aborted) continue;
      progress(`Starting the ${s === 'before' ? 'current' : 'fixed'} image for ${smokeOpts.seconds} s…`);
      report[s].smoke = await engine.smoke(tags[s], { name: `dockerfile-lean-compare-${id}-${s}`, seconds: smokeOpts.seconds, network: smokeOpts.network, command: smokeOpts.command, port: smokeOpts.port, urlPath: smokeOpts.urlPath, signal });
    }
    const sb = report.before.smoke, sa = report.after.smoke;
    const good = (x: SmokeResult | null) => !!x && (x.state === 'running' || (x.state === 'exited' && x.exitCode === 0)) && (!x.http || (x.http.status !== null && x.http.status < 400));
    if (sa && sb && good(sb) && !good(sa)) {
      report.verdict = 'worse';
      report.reasons.push(`the fixed image ${sa.state === 'exited' ? `exited with code ${sa.exitCode}` : sa.state === 'failed' ? 'could not start' : 'did not answer'} where the current one ${sb.state === 'running' ? 'kept running' : 'exited 0'}`);
    }
    if (report.after.uid === 0 && report.before.uid === 0 && input.rules.includes('non-root-user')) report.reasons.push('the fixed image still runs as root');
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
    if (cancelled()) {
      report.verdict = 'cancelled';
      report.reasons.unshift('cancelled: the build processes were ended');
    } else if (stopReason) {
      report.verdict = 'stopped';
      report.reasons.unshift(stopReason);
    }
    // Cleanup runs after a cancel too (its own processes, not the cancelled ones).
    if (!opts.keep || cancelled()) {
      progress('Removing the images…');
      const all = [tags.before, tags.after];
      await engine.removeImages(built);
      for (const t of all) if (built.includes(t) && (await engine.inspect(t))) report.kept.push(t);
    } else report.kept.push(...built);
    fs.rmSync(scratch, { recursive: true, force: true });
    report.seconds = secs(Date.now() - t0);
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// the issue text

/** The file without comment-only and blank lines (parser directives at the top kept): as small as it can be made. */
export function minimalDockerfile(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let head = true;
  for (const l of lines) {
    if (head && /^#\s*[a-z]+\s*=/i.test(l)) {
      out.push(l);
      continue;
    }
    head = false;
    if (!l.trim() || /^\s*#/.test(l)) continue;
    out.push(l);
  }
  return out.join('\n') + '\n';
}

function fence(text: string, lang = ''): string {
  const ticks = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

export function issueText(input: CompareInput, report: CompareReport, tool?: { version: string; repository: string }): string {
  const f = report.after.failure!;
  const culprit = f.cause && f.cause.rules.length === 1 ? f.cause.rules[0] : null;
  // The smallest after: only the rewrite that caused it, when one did.
  const after = culprit && input.perRule[culprit] !== undefined ? input.perRule[culprit] : input.after;
  const where = tool?.repository ? `\n\nTo report it: ${tool.repository.replace(/\.git$/, '')}/issues (check both files for anything private first; the build context is not included).` : '';
  return [
    `### The fixed Dockerfile does not build${culprit ? ` (${culprit})` : ''}`,
    '',
    `- dockerfile-lean ${tool?.version ?? ''}, ${report.engine.name} ${report.engine.version}, ${process.platform}`,
    `- rewrites applied: ${report.rules.join(', ') || '-'}${culprit && report.rules.length > 1 ? ` (below: ${culprit} alone)` : ''}`,
    `- failing step: ${f.step ? `\`${f.step.replace(/`/g, "'")}\`` : 'not known'}${f.line ? ` (line ${f.line} of the fixed file)` : ''}`,
    f.cause ? `- ${f.cause.text}` : '',
    '',
    '**Before** (builds):',
    '',
    fence(minimalDockerfile(input.before), 'dockerfile'),
    '',
    `**After**${culprit && report.rules.length > 1 ? ` (${culprit} only)` : ''} (fails):`,
    '',
    fence(minimalDockerfile(after), 'dockerfile'),
    '',
    '**Build log (end)**:',
    '',
    fence(tail(f.logTail, 25)),
  ]
    .filter((l, k, a) => !(l === '' && a[k - 1] === ''))
    .join('\n') + where + '\n';
}
