/**
 * A time budget for one run of the analysis (one analyze(), one fixAll(), one fixesFor()). The expensive and
 * optional part of an analysis, planning the multi-stage conversion and reading the project files behind it,
 * checks it at its boundaries (each recipe tried, each project file read, each instruction the planner walks)
 * and is abandoned once the budget is spent; the planner then declines with a reason, and every other rule
 * still runs. A check cannot stop a step that is already running (one regex, one parse): it bounds how many
 * steps run after the budget is gone.
 *
 * The same boundaries, and the ones between rules, also give the adapter a moment on a thread that is otherwise
 * busy: the deadline's `poll` runs there at most every `pollMs` (the server asks whether its client still
 * exists, and exits if not). A run shorter than `pollMs` never polls.
 *
 * The adapters choose the budget and pass it in the AnalysisContext. The entry points in analyze.ts hold it for
 * the run (which is synchronous), so the checks deep in the recipes reach it without a parameter of their own.
 */

/** Thrown by a check once the budget is spent; caught by whoever planned the work (the multi-stage planner). */
export class OutOfTime extends Error {
  constructor(readonly budgetMs: number) {
    super(`took longer than ${formatBudget(budgetMs)}`);
    this.name = 'OutOfTime';
  }
}

export interface DeadlineOptions {
  /** Milliseconds, increasing (tests pass their own); performance.now() by default. */
  clock?: () => number;
  /** Run at boundaries at most every `pollMs` while the run lasts. */
  poll?: () => void;
  pollMs?: number;
}

export class Deadline {
  private readonly end: number;
  private spent = false;
  private readonly clock: () => number;
  private readonly onPoll: (() => void) | null;
  private readonly pollMs: number;
  private nextPoll: number;

  constructor(
    readonly budgetMs: number,
    options: DeadlineOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.onPoll = options.poll ?? null;
    this.pollMs = options.pollMs ?? 500;
    const now = this.clock();
    this.end = now + budgetMs;
    this.nextPoll = now + this.pollMs;
  }

  /** Whether the budget is spent (it stays spent). */
  get expired(): boolean {
    return this.look() >= this.end || this.spent;
  }

  /** A boundary of abandonable work: throws OutOfTime once the budget is spent. */
  check(): void {
    if (this.expired) {
      this.spent = true;
      throw new OutOfTime(this.budgetMs);
    }
  }

  /** A boundary of work that is never abandoned (between rules): only the poll may run. */
  poll(): void {
    this.look();
  }

  private look(): number {
    const now = this.clock();
    if (now >= this.end) this.spent = true;
    if (this.onPoll && now >= this.nextPoll) {
      this.nextPoll = now + this.pollMs;
      this.onPoll();
    }
    return now;
  }
}

let current: Deadline | null = null;

/** Runs `work` with `deadline` as the budget the checks see; without one, the budget already in force stays. */
export function within<T>(deadline: Deadline | null | undefined, work: () => T): T {
  if (!deadline || deadline === current) return work();
  const outer = current;
  current = deadline;
  try {
    return work();
  } finally {
    current = outer;
  }
}

/** Inside `abandonable` work (the conversion planner): only there does a spent budget stop the work. */
let abandoning = false;

/**
 * Runs work that may be given up when the budget is spent (the conversion plan, which catches OutOfTime). Outside
 * such work the boundaries only poll: a rule that reads a context file through the planner's helpers (the
 * non-root-user rule does) must not lose its findings because the planner spent the budget.
 */
export function abandonable<T>(work: () => T): T {
  const outer = abandoning;
  abandoning = true;
  try {
    return work();
  } finally {
    abandoning = outer;
  }
}

/** A boundary of the budgeted work: throws OutOfTime when the run's budget is spent inside abandonable work (never without a budget). */
export function checkDeadline(): void {
  if (abandoning) current?.check();
  else current?.poll();
}

/** A boundary of work that always runs to the end: lets the run's poll run (see Deadline.poll). */
export function pollDeadline(): void {
  current?.poll();
}

function formatBudget(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
