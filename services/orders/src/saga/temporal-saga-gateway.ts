import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ErrorReason, errors, reasonFromWire } from '@meshcart/kit';
import {
  cancelOrderUpdate,
  ORDER_SAGA_TASK_QUEUE,
  ORDER_SAGA_WORKFLOW,
  orderWorkflowId,
} from '@meshcart/saga/contract';
import type { SagaGateway } from './saga-gateway';

/** Update rejections the saga documents; each becomes FAILED_PRECONDITION with the same reason. */
export const CANCEL_REFUSALS: ReadonlySet<ErrorReason> = new Set([
  ErrorReason.ERROR_REASON_ALREADY_DISPATCHED,
  ErrorReason.ERROR_REASON_CANCELLATION_WINDOW_CLOSED,
]);

export interface TemporalSagaGatewayOptions {
  /** Defaults to the contract's queue; tests use their own so no shared worker picks their sagas up. */
  taskQueue?: string;
  /** Bound on a start or cancel round trip when the caller gave no deadline. */
  timeoutMs?: number;
}

/**
 * SagaGateway on Temporal. start: workflow id `order-<id>`, conflict policy USE_EXISTING (a
 * running saga is reused) and reuse policy REJECT_DUPLICATE (a closed one is never re-run);
 * no execution timeout (it would skip compensations). cancel: the saga's `cancelOrder` update.
 * exists: describe `order-<id>` (not found: false).
 */
export function temporalSagaGateway(
  client: Client,
  opts: TemporalSagaGatewayOptions = {},
): SagaGateway {
  const taskQueue = opts.taskQueue ?? ORDER_SAGA_TASK_QUEUE;
  const bounded = <T>(deadline: Date | undefined, fn: () => Promise<T>): Promise<T> =>
    client.withDeadline(deadline ?? new Date(Date.now() + (opts.timeoutMs ?? 10_000)), fn);
  return {
    async start(input, { deadline } = {}) {
      try {
        await bounded(deadline, () =>
          client.workflow.start(ORDER_SAGA_WORKFLOW, {
            taskQueue,
            workflowId: orderWorkflowId(input.orderId),
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) return; // its saga already ran: never a second one
        throw errors.unavailable(ErrorReason.ERROR_REASON_SAGA_UNAVAILABLE, {
          message: 'could not start the order saga',
          cause: e,
        });
      }
    },

    async exists(orderId, { deadline } = {}) {
      try {
        await bounded(deadline, () =>
          client.workflow.getHandle(orderWorkflowId(orderId)).describe(),
        );
        return true;
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) return false; // Temporal's own answer: no saga
        throw errors.unavailable(ErrorReason.ERROR_REASON_SAGA_UNAVAILABLE, {
          message: 'could not ask Temporal about the order saga',
          cause: e,
        });
      }
    },

    async cancel(orderId, { deadline } = {}) {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      try {
        await bounded(deadline, () => handle.executeUpdate(cancelOrderUpdate));
      } catch (e) {
        throw cancelError(e);
      }
    },
  };
}

/** Update failure types meaning "no saga left to cancel" (the server's own for a workflow that ended meanwhile). */
const CLOSED_TYPES: ReadonlySet<string> = new Set(['AcceptedUpdateCompletedWorkflow']);

function cancelError(e: unknown): Error {
  const closed = errors.failedPrecondition(ErrorReason.ERROR_REASON_CANCELLATION_WINDOW_CLOSED, {
    message: 'the order can no longer be cancelled',
    cause: e,
  });
  if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
    const type = e.cause.type ?? '';
    // The saga rejects with the reason's wire form as the failure type.
    const refusal = reasonFromWire(type);
    if (CANCEL_REFUSALS.has(refusal)) {
      return errors.failedPrecondition(refusal, {
        message: 'the order can no longer be cancelled',
      });
    }
    if (CLOSED_TYPES.has(type)) return closed;
  }
  // No saga (never started, or closed): nothing can undo the order any more.
  if (e instanceof WorkflowNotFoundError) return closed;
  if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return errors.deadlineExceeded(ErrorReason.ERROR_REASON_SAGA_TIMEOUT, {
      message: 'the order saga did not answer in time',
      cause: e,
    });
  }
  // An undocumented refusal is a contract bug between orders and the saga: INTERNAL, logged.
  if (e instanceof WorkflowUpdateFailedError) return e;
  return errors.unavailable(ErrorReason.ERROR_REASON_SAGA_UNAVAILABLE, {
    message: 'could not reach the order saga',
    cause: e,
  });
}
