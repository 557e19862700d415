/** Building blocks of the order saga: failure reasons, progress records, the compensation stack. */
import {
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  patched,
  proxySinks,
} from '@temporalio/workflow';
import type { SagaMetricsSinks } from './metrics-sinks';
import type { ProgressRecord } from '../activities/types';
import type { OrderSagaInput, SagaState } from '../contract';
import { legacyProgressRecorder, progressRecorder } from './activity-options';
import { SagaVisibility } from './saga-visibility';

/** Reason when an operator cancels the workflow itself (not a customer cancel). */
export const SAGA_CANCELLED = 'SAGA_CANCELLED';
/** Reason when a step gave up on transient failures (its scheduleToClose elapsed). */
export const STEP_TIMED_OUT = 'STEP_TIMED_OUT';

/** The ApplicationFailure type (= ErrorInfo reason) anywhere in the cause chain. */
export function failureType(err: unknown): string | undefined {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure && e.type) return e.type;
    if (e instanceof TimeoutFailure) return STEP_TIMED_OUT;
  }
  return undefined;
}

/** Why a forward step ended the saga: the reason the service gave, else a generic one. */
export function stepFailureReason(err: unknown): string {
  if (isCancellation(err)) return SAGA_CANCELLED;
  return failureType(err) ?? 'STEP_FAILED';
}

/** One line for operators: type and message of the deepest useful failure. */
export function describeFailure(err: unknown): string {
  const type = failureType(err);
  let message = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof ApplicationFailure) message = e.message;
  }
  return type ? `${type}: ${message}` : message;
}

/**
 * Workflow patch: progress records became local activities. Sagas started before it recorded
 * them as regular activities and replay that way (test/histories/v1-progress-activities).
 */
export const PROGRESS_LOCAL_ACTIVITY_PATCH = 'progress-local-activity';

/**
 * Workflow patch: dispatch only after capture. Sagas reaching the capture's end since it release
 * the shipment for dispatch (shipping refuses to dispatch an unreleased one). Decided where the
 * release happens, not at the start, so a saga started before the change that is still waiting
 * for its capture at deploy time releases its shipment too; a saga that captured before the
 * change replays without it (test/histories/v2-dispatch-before-capture).
 */
export const RELEASE_AFTER_CAPTURE_PATCH = 'release-shipment-after-capture';

/**
 * RecordOrderProgress with the saga's strictly increasing sequence; mirrors statuses into state
 * and into the saga's search attributes (every step and status change passes through here).
 */
export class ProgressLog {
  private sequence = 0;
  /**
   * Decided once, when the saga starts (before its first local activity): a patch marker
   * written in the middle of a workflow task that was completed early (a query arriving while
   * a local activity runs) did not replay.
   */
  private readonly acts = patched(PROGRESS_LOCAL_ACTIVITY_PATCH)
    ? progressRecorder()
    : legacyProgressRecorder();
  /** After the progress patch: patch markers keep the order they were first written in. */
  private readonly visibility = new SagaVisibility();

  constructor(
    private readonly orderId: string,
    private readonly state: SagaState,
  ) {}

  /** The saga started: index its customer, total and first step. */
  started(input: OrderSagaInput): void {
    this.visibility.started(input, this.state);
  }

  async record(r: Omit<ProgressRecord, 'orderId' | 'sequence'>): Promise<void> {
    if (r.paymentStatus) this.state.paymentStatus = r.paymentStatus;
    if (r.shipmentStatus) this.state.shipmentStatus = r.shipmentStatus;
    this.visibility.moved(r.step, r.status, this.state.paymentStatus);
    this.sequence += 1;
    await this.acts.recordOrderProgress({ orderId: this.orderId, sequence: this.sequence, ...r });
  }
}

const metrics = proxySinks<SagaMetricsSinks>().sagaMetrics;

/**
 * Thrown by a compensation to say that what is left must not be undone: e.g. the shipment was
 * dispatched after the capture, so the goods left and the payment and stock stay as they are.
 * The stack stops there (runAll) and the saga decides what to do instead (haltedBy).
 */
export class HaltCompensation extends Error {
  constructor(readonly reason: string) {
    super(`compensation halted: ${reason}`);
    this.name = 'HaltCompensation';
  }
}

interface Compensation {
  name: string;
  run: () => Promise<void>;
}

/**
 * Compensations registered before their step runs (a step can take effect and still fail or
 * time out; the services' tombstones make undoing a step that never happened harmless).
 */
export class CompensationStack {
  private readonly stack: Compensation[] = [];
  private halt: string | undefined;

  /** The reason a compensation halted the stack (HaltCompensation), if one did. */
  get haltedBy(): string | undefined {
    return this.halt;
  }

  register(name: string, run: () => Promise<void>): void {
    this.stack.push({ name, run });
  }

  get names(): string[] {
    return this.stack.map((c) => c.name);
  }

  /**
   * Runs them last first, one at a time. One that still fails after its budget is reported
   * and the rest still run: undo as much as possible, then let an operator look. One that
   * halts (HaltCompensation) ends the run: the rest are dropped, not run (see haltedBy).
   */
  async runAll(): Promise<{ name: string; error: string }[]> {
    const failed: { name: string; error: string }[] = [];
    for (const c of this.stack.splice(0).reverse()) {
      try {
        await c.run();
        metrics.compensation(c.name, true);
      } catch (err) {
        metrics.compensation(c.name, false);
        if (err instanceof HaltCompensation) {
          this.halt = err.reason;
          this.stack.length = 0;
          break;
        }
        failed.push({ name: c.name, error: describeFailure(err) });
      }
    }
    return failed;
  }
}
