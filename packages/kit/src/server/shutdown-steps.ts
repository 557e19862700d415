/**
 * The steps of a process's shutdown, run in order under one overall deadline. A step that
 * never settles (a pool closing towards a frozen database, a Temporal connection that does not
 * answer) must not keep the process alive: when the deadline passes we report what was still
 * unfinished and the caller exits anyway.
 */

export interface ShutdownStep {
  /** What the step releases, as it should read in the log: 'grpc server', 'database pool'. */
  name: string;
  run: () => Promise<void> | void;
  /** How long the step may legitimately take (drain + grace); only used to check the plan. */
  budgetMs?: number;
}

export interface ShutdownOutcome {
  /** Every step settled before the deadline. */
  completed: boolean;
  /** The step running when the deadline passed, then those never started (in order). */
  gaveUpOn: string[];
  /** Steps that rejected (the others still ran). */
  failed: { name: string; err: unknown }[];
  elapsedMs: number;
}

/**
 * Runs `steps` one after the other (a database closes only after the server stopped using
 * it); a failing step is recorded and the next one still runs. Resolves at the latest
 * `deadlineMs` after the call, never rejects.
 */
export function runShutdownSteps(
  steps: readonly ShutdownStep[],
  deadlineMs: number,
): Promise<ShutdownOutcome> {
  const started = Date.now();
  const failed: ShutdownOutcome['failed'] = [];
  let next = 0; // index of the step running or about to run
  let timer: NodeJS.Timeout | undefined;
  const elapsed = () => Date.now() - started;

  const all = (async () => {
    for (; next < steps.length; next++) {
      const step = steps[next]!;
      try {
        await step.run();
      } catch (err) {
        failed.push({ name: step.name, err });
      }
    }
  })();
  const finished = all.then((): ShutdownOutcome => ({
    completed: true,
    gaveUpOn: [],
    failed,
    elapsedMs: elapsed(),
  }));
  const expired = new Promise<ShutdownOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          completed: false,
          gaveUpOn: steps.slice(next).map((s) => s.name),
          failed: [...failed],
          elapsedMs: elapsed(),
        }),
      deadlineMs,
    );
  });
  return Promise.race([finished, expired]).finally(() => clearTimeout(timer));
}

/** Sum of the declared budgets, to warn at start-up when the plan cannot fit the deadline. */
export function plannedShutdownMs(steps: readonly ShutdownStep[]): number {
  return steps.reduce((sum, s) => sum + (s.budgetMs ?? 0), 0);
}
