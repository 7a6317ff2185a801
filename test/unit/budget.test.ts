/**
 * The time budget of an analysis (core/deadline.ts): past it, the multi-stage conversion is not planned, the
 * other rules still report and fix. The clock here is the tests' own: it moves only when a project file is read
 * or when the planner reads it, so the results do not depend on the machine's speed.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, fixAll, fixesFor } from '../../server/src/analysis/analyze';
import { Deadline, OutOfTime, abandonable, checkDeadline, pollDeadline, within } from '../../server/src/core/deadline';
import { buildModel } from '../../server/src/core/model';
import { initShell } from '../../server/src/core/shell';
import { DEFAULT_SETTINGS, type WorkspaceFiles } from '../../server/src/core/types';
import { planConversion } from '../../server/src/fixes/multi-stage/index';

before(() => initShell());

/** A Go service whose binary name comes from go.mod (the recipe reads it), with apt-get findings of its own. */
const GO = [
  'FROM golang:1.22',
  'WORKDIR /src',
  'RUN apt-get update && apt-get install -y git',
  'COPY . .',
  'RUN go build -trimpath',
  'CMD ["./inventory-api"]',
  '',
].join('\n');
const GO_MOD = 'module example.com/inventory-api\n\ngo 1.22\n';

/** A clock in milliseconds that the test moves. */
function fakeClock(): { now: () => number; advance(ms: number): void; reads: number } {
  let t = 0;
  const c = {
    reads: 0,
    now: () => {
      c.reads++;
      return t;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
  return c;
}

/** Workspace files where each read takes `ms` of the fake clock (a slow network file system). */
/**
 * Files whose reads take `ms` each on the fake clock. Only the planner's reads are slow and recorded: the
 * non-root-user rule also looks for a devcontainer.json next to the Dockerfile, which is not planning.
 */
function slowFiles(clock: ReturnType<typeof fakeClock>, ms: number, files: Record<string, string>): WorkspaceFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read(rel: string) {
      if (!rel.endsWith('devcontainer.json')) {
        reads.push(rel);
        clock.advance(ms);
      }
      return files[rel] ?? null;
    },
  };
}

const multiStage = (findings: ReturnType<typeof analyze>['findings']) => findings.find((f) => f.rule === 'multi-stage');

describe('analysis time budget', () => {
  it('a deadline expires after its budget and stays expired', () => {
    const clock = fakeClock();
    const d = new Deadline(1000, { clock: clock.now });
    assert.equal(d.expired, false);
    clock.advance(999);
    assert.equal(d.expired, false);
    assert.doesNotThrow(() => d.check());
    clock.advance(1);
    assert.equal(d.expired, true);
    assert.throws(() => d.check(), (err: unknown) => err instanceof OutOfTime && err.message === 'took longer than 1 s');
    clock.advance(-5000);
    assert.equal(d.expired, true, 'spent is spent');
  });

  it('the poll runs at boundaries at most every pollMs, past the budget too; a short run never polls', () => {
    const clock = fakeClock();
    let polls = 0;
    const d = new Deadline(1000, { clock: clock.now, poll: () => polls++, pollMs: 500 });
    clock.advance(400);
    d.poll();
    d.check();
    assert.equal(polls, 0, 'a run shorter than pollMs never polls');
    clock.advance(100);
    d.poll();
    d.poll();
    assert.equal(polls, 1, 'once per interval');
    clock.advance(499);
    d.check();
    assert.equal(polls, 1);
    clock.advance(1);
    assert.throws(() => d.check(), OutOfTime);
    assert.equal(polls, 2, 'a check polls too');
    clock.advance(5000);
    assert.doesNotThrow(() => within(d, () => pollDeadline()), 'work that is never abandoned goes on past the budget');
    assert.equal(polls, 3);
  });

  it('an analysis polls between rules, so a long one can look at its client', () => {
    const clock = fakeClock();
    let polls = 0;
    // Each read takes as long as the poll interval; the planner reads once, the rules follow.
    const files = slowFiles(clock, 500, { 'go.mod': GO_MOD });
    analyze(GO, DEFAULT_SETTINGS, undefined, { files, deadline: new Deadline(60_000, { clock: clock.now, poll: () => polls++, pollMs: 500 }) });
    assert.equal(polls, 1, 'the boundary after the read');
    polls = 0;
    analyze(GO, DEFAULT_SETTINGS, undefined, { files: slowFiles(clock, 0, { 'go.mod': GO_MOD }), deadline: new Deadline(60_000, { clock: clock.now, poll: () => polls++, pollMs: 500 }) });
    assert.equal(polls, 0, 'a quick analysis never polls');
  });

  it('checks see the budget of the run in progress, and none outside a run', () => {
    const clock = fakeClock();
    const spent = new Deadline(0, { clock: clock.now });
    assert.doesNotThrow(() => checkDeadline(), 'no run, no budget');
    assert.throws(() => within(spent, () => abandonable(() => checkDeadline())), OutOfTime);
    // Outside the work that may be given up (the planner), a spent budget stops nothing: the boundary only polls.
    assert.doesNotThrow(() => within(spent, () => checkDeadline()), 'a rule reading a context file is not abandoned');
    // A run without a budget of its own inside one with a budget keeps the outer one.
    assert.throws(() => within(spent, () => within(null, () => abandonable(() => checkDeadline()))), OutOfTime);
    assert.doesNotThrow(() => checkDeadline(), 'the run is over');
  });

  it('within the budget, the conversion is planned from the project files', () => {
    const clock = fakeClock();
    const files = slowFiles(clock, 100, { 'go.mod': GO_MOD });
    const { findings } = analyze(GO, DEFAULT_SETTINGS, undefined, { files, deadline: new Deadline(2000, { clock: clock.now }) });
    const f = multiStage(findings);
    assert.ok(f?.fixable, f?.reason);
    assert.ok(files.reads.includes('go.mod'));
  });

  it('slow project-file reads: the planning stops at the first read after the budget, the other rules still report', () => {
    const clock = fakeClock();
    // Each read takes longer than the whole budget: the first one spends it, the next boundary stops the plan.
    const files = slowFiles(clock, 5000, { 'go.mod': GO_MOD });
    // The planner alone first, to count its reads (the non-root-user rule reads the start command's file too).
    analyze(GO, DEFAULT_SETTINGS, ['multi-stage'], { files, deadline: new Deadline(2000, { clock: clock.now }) });
    assert.deepEqual(files.reads, ['go.mod'], 'one read, then no more');
    const { findings } = analyze(GO, DEFAULT_SETTINGS, undefined, { files: slowFiles(clock, 5000, { 'go.mod': GO_MOD }), deadline: new Deadline(2000, { clock: clock.now }) });
    const f = multiStage(findings);
    assert.ok(f, 'the toolchain is still reported');
    assert.equal(f.fixable, false);
    assert.equal(f.reason, 'planning the conversion took longer than 2 s');
    assert.match(f.message, /Not converted automatically: planning the conversion took longer than 2 s\./);
    assert.ok(findings.some((x) => x.rule === 'apt-hygiene'), 'the other rules still run');
    assert.ok(findings.some((x) => x.rule === 'non-root-user'), 'a rule that reads context files after the budget is spent still reports');
    // Without a budget the same slow files give the plan.
    const unbounded = analyze(GO, DEFAULT_SETTINGS, undefined, { files: slowFiles(fakeClock(), 5000, { 'go.mod': GO_MOD }) });
    assert.ok(multiStage(unbounded.findings)?.fixable);
  });

  it('a long final stage: the planner checks per instruction and stops once the budget is spent', () => {
    const envs = Array.from({ length: 2000 }, (_, k) => `ENV V${k}=${k}`);
    const text = ['FROM golang:1.22', 'WORKDIR /src', 'COPY . .', 'RUN go build -o /out/app .', ...envs, 'CMD ["/out/app"]', ''].join('\n');
    const model = buildModel(text);
    // Every look at the clock moves it 1 ms: the plan of 2,000 instructions looks thousands of times.
    const ticking = () => {
      let t = 0;
      return () => t++;
    };
    const full = within(new Deadline(1e9, { clock: ticking() }), () => planConversion(model));
    assert.ok(full.ok, full.ok ? '' : full.reason);
    const clock = ticking();
    const cut = within(new Deadline(100, { clock }), () => planConversion(model));
    assert.equal(cut.ok, false);
    assert.equal(cut.ok ? '' : cut.reason, 'planning the conversion took longer than 100 ms');
    assert.ok(clock() <= 102, 'no check after the one that found the budget spent');
  });

  it('fixAll: past the budget, every other fix is still applied, the conversion is not', () => {
    const files = { read: (rel: string) => (rel === 'go.mod' ? GO_MOD : null) };
    const withPlan = fixAll(GO, DEFAULT_SETTINGS, undefined, { files });
    assert.match(withPlan.text, /COPY --from=/, 'converted without a budget');
    const spent = fixAll(GO, DEFAULT_SETTINGS, undefined, { files, deadline: new Deadline(0) });
    assert.doesNotMatch(spent.text, /COPY --from=/);
    assert.match(spent.text, /rm -rf \/var\/lib\/apt\/lists/, 'apt-hygiene fixed');
    assert.ok(spent.applied > 0);
  });

  it('fixesFor (a code action) gives no conversion past the budget', () => {
    const files = { read: (rel: string) => (rel === 'go.mod' ? GO_MOD : null) };
    const { model, findings } = analyze(GO, DEFAULT_SETTINGS, undefined, { files });
    const f = multiStage(findings)!;
    assert.equal(fixesFor(model, f).length, 1);
    assert.equal(fixesFor(model, f, { deadline: new Deadline(0) }).length, 0);
  });
});
