/**
 * How long one workflow activation may run before the SDK's watchdog cuts it off
 * (WorkerOptions.isolateExecutionTimeout), chosen for the runtime the worker is on.
 *
 * Why this is not left at the SDK default (5 s): the SDK runs workflow code in `vm` contexts
 * with `microtaskMode: 'afterEvaluate'` and that timeout, measured in wall-clock time by a
 * watchdog thread. When the whole worker process is paused while an activation runs (SIGSTOP, a
 * frozen container, a stalled VM) for longer than the timeout, the watchdog fires the moment
 * the process resumes and terminates the activation in the middle of a promise reaction.
 * Where AsyncLocalStorage is built on async_hooks (Node < 24; the SDK's cancellation scopes and
 * the OTel workflow interceptors use it in every activation), that reaction's async context is
 * never popped, and the next callback of the workflow thread (the MessagePort carrying the
 * next activation) fails Node's consistency check: "async hook stack has become corrupted",
 * a fatal error that takes the whole worker down (issue 22; nodejs/node#38503,
 * temporalio/sdk-typescript#939). Node 24+ implements AsyncLocalStorage with
 * AsyncContextFrame: no async context stack to corrupt, and a cut-off activation only fails
 * that workflow task, which the server retries (the SDK's deadlock detection working as meant).
 *
 * So: the SDK default where the watchdog is harmless, and on the older runtimes a timeout far
 * above any pause a running worker sees, so that only a workflow that truly never yields can
 * trip it (the price: such a bug is noticed after a minute instead of 5 s).
 */

/** The SDK's own default: deadlock detection after 5 s. */
export const SDK_DEFAULT_ISOLATE_TIMEOUT_MS = 5_000;
/** Where a watchdog termination would corrupt the async hook stack. */
export const HOOK_BASED_RUNTIME_ISOLATE_TIMEOUT_MS = 60_000;

export interface IsolateTimeout {
  ms: number;
  /** False where AsyncLocalStorage uses async_hooks and the watchdog firing is fatal. */
  asyncContextFrame: boolean;
}

/**
 * Whether this process's AsyncLocalStorage uses AsyncContextFrame (default from Node 24,
 * `--no-async-context-frame` turns it off; opt-in on 22/23 with
 * `--experimental-async-context-frame`). Worker threads inherit the process's flags.
 */
export function asyncContextFrameInUse(
  nodeVersion: string = process.versions.node,
  flags: string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): boolean {
  const major = Number(nodeVersion.split('.')[0]);
  if (flags.includes('--no-async-context-frame')) return false;
  if (major >= 24) return true;
  return major >= 22 && flags.includes('--experimental-async-context-frame');
}

/** The activation timeout: `configured` if given (SAGA_WORKFLOW_TASK_DEADLINE), else per runtime. */
export function workflowIsolateTimeout(
  configured?: number,
  asyncContextFrame: boolean = asyncContextFrameInUse(),
): IsolateTimeout {
  const ms =
    configured ??
    (asyncContextFrame ? SDK_DEFAULT_ISOLATE_TIMEOUT_MS : HOOK_BASED_RUNTIME_ISOLATE_TIMEOUT_MS);
  return { ms, asyncContextFrame };
}

/**
 * WorkerOptions.isolateExecutionTimeout: the SDK reads it (worker-options.js spreads the
 * caller's options over its defaults) but leaves it out of its public type ("not exposed at the
 * moment"). createSagaWorker checks the compiled value after Worker.create.
 */
export interface IsolateTimeoutOption {
  isolateExecutionTimeout?: number;
}
