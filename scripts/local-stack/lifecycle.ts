/**
 * The local platform's lifecycle, shared by `npm start` and every other stack entry point.
 *
 * Signal handlers are installed the moment this object is made - the first statement of a
 * stack's main - so Ctrl-C, SIGTERM or a closed terminal (SIGHUP) during ANY phase (MariaDB and
 * Temporal start, migrations, spawning, health waits, seeding) aborts the phase in progress and
 * undoes, in reverse order, what the earlier phases started. Each phase registers its undo step
 * BEFORE it starts its effect (the saga's rule: a step can take effect and still fail), so an
 * interrupted phase is cleaned up too. A second signal forces: `onForce` kills what is running
 * at once and the process exits, still leaving no orphan (the reaper and the lifelines see to
 * that).
 */
export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly undo: { name: string; run: () => Promise<void> }[] = [];
  private signals = 0;
  private failure = false;
  private unwinding?: Promise<void>;
  /** Called on the second signal, before the process exits. */
  onForce: () => void = () => undefined;

  constructor(
    private readonly log: (line: string) => void,
    private readonly exit: (code: number) => never = (code) => process.exit(code),
  ) {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => this.onSignal(sig));
    }
  }

  /** Aborted on the first signal, or by `fail` (e.g. a child died unexpectedly). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Resolves when the lifecycle is aborted (after boot: waits for Ctrl-C). */
  whenAborted(): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) =>
      this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }

  /** Stop the run because something went wrong (the first reason wins): exit status 1. */
  fail(reason: string): void {
    if (this.aborted) return;
    this.failure = true;
    this.stop(reason);
  }

  /** True when the run was stopped by a failure rather than asked to stop. */
  get failed(): boolean {
    return this.failure;
  }

  private stop(reason: string): void {
    if (this.aborted) return;
    this.log(`${reason}: stopping everything`);
    this.controller.abort(new Error(reason));
  }

  /** Registers how to undo the effect of the phase about to start. */
  onUnwind(name: string, run: () => Promise<void>): void {
    this.undo.push({ name, run });
  }

  /** Throws the abort reason when the run is being stopped (between steps of a phase). */
  check(): void {
    if (this.aborted) throw abortError(this.controller.signal);
  }

  /** Undoes every registered step, last first; each failure is logged and the rest still run. */
  unwind(): Promise<void> {
    this.unwinding ??= (async () => {
      for (const step of this.undo.splice(0).reverse()) {
        try {
          await step.run();
        } catch (e) {
          this.log(`stopping ${step.name} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    })();
    return this.unwinding;
  }

  private onSignal(sig: NodeJS.Signals): void {
    this.signals += 1;
    if (this.signals === 1) {
      this.stop(sig === 'SIGINT' ? 'Ctrl-C' : sig);
      return;
    }
    this.log(`${sig} again: forcing everything down now`);
    this.onForce();
    this.exit(130);
  }
}

/** An Error carrying the abort reason, recognisable with `isAbort`. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const err = new Error(reason instanceof Error ? reason.message : 'aborted');
  err.name = 'AbortError';
  return err;
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

/** Sleeps `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
