/**
 * The order saga: reserve stock -> authorize payment -> create shipment -> capture payment ->
 * commit reservation -> CONFIRMED, then a cancellation window. Runs in Temporal's deterministic
 * sandbox: no Node built-ins, no I/O; activities are imported as types only.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxySinks,
  setHandler,
} from '@temporalio/workflow';
import type { SagaMetricsSinks } from './metrics-sinks';
import type { PaymentStatusName, ShipmentStatusName } from '../activities/types';
import {
  cancelOrderUpdate,
  sagaStateQuery,
  type OrderSagaInput,
  type OrderSagaOptions,
  type SagaState,
} from '../contract';
import { DEFAULT_SAGA_OPTIONS } from '../contract/defaults';
import { localSettings, withBudget } from './activity-options';
import {
  ALREADY_DISPATCHED,
  AUTHORIZATION_EXPIRED,
  CANCELLED_BY_CUSTOMER,
  refundIdOf,
  runForwardSteps,
} from './forward-steps';
import { CompensationStack, ProgressLog, describeFailure, failureType } from './saga-support';

export { AUTHORIZATION_EXPIRED, CANCELLED_BY_CUSTOMER };

const rejectCancel = (reason: string, message: string) =>
  ApplicationFailure.create({ type: reason, message, nonRetryable: true });

/** Outcome counters, recorded by the worker (sinks are not called on replay). */
const metrics = proxySinks<SagaMetricsSinks>().sagaMetrics;

export async function OrderSaga(
  input: OrderSagaInput,
  options: Partial<OrderSagaOptions> = {},
): Promise<SagaState> {
  const { orderId } = input;
  metrics.started();
  const state: SagaState = {
    step: 'STARTED',
    status: 'PENDING',
    cancelRequested: false,
    failedCompensations: [],
  };
  const progress = new ProgressLog(orderId, state);
  progress.started(input);
  const snapshot = (): SagaState => ({
    ...state,
    failedCompensations: state.failedCompensations.map((f) => ({ ...f })),
  });
  let windowClosed = false;
  let dispatched = false;
  let confirmedCancel: Promise<SagaState> | undefined;
  let opts: OrderSagaOptions = { ...DEFAULT_SAGA_OPTIONS, ...options };
  const statuses = () => ({
    paymentStatus: state.paymentStatus as PaymentStatusName | undefined,
    shipmentStatus: state.shipmentStatus as ShipmentStatusName | undefined,
  });

  /** Turns the order into its terminal state after compensating (or failing to). */
  const finish = async (
    reason: string,
    failed: { name: string; error: string }[],
  ): Promise<void> => {
    if (failed.length > 0) {
      const detail = `saga stopped (${reason}); compensation failed: ${failed.map((f) => `${f.name}: ${f.error}`).join('; ')}`;
      log.error('compensation failed: order needs attention', {
        order_id: orderId,
        reason,
        failed,
      });
      await progress.record({
        ...statuses(),
        status: 'ORDER_STATUS_NEEDS_ATTENTION',
        step: 'NEEDS_ATTENTION',
        statusDetail: detail.slice(0, 1000),
      });
      Object.assign(state, {
        status: 'NEEDS_ATTENTION',
        step: 'NEEDS_ATTENTION',
        failedCompensations: failed,
      });
      metrics.needsAttention(reason);
    } else {
      await progress.record({
        ...statuses(),
        status: 'ORDER_STATUS_CANCELLED',
        step: 'CANCELLED',
        cancellationReason: reason,
      });
      Object.assign(state, { status: 'CANCELLED', step: 'CANCELLED' });
      metrics.cancelled(reason);
    }
  };

  /**
   * The saga was stopping (customer cancel, operator, a commit that gave up) after the capture,
   * and the cancel found the shipment dispatched: the goods left and the payment is captured,
   * so the compensations halted before voiding (refunding) or restocking. Nothing is undone;
   * the saga completes the order instead, as a cancel after confirmation would have found it:
   * the reservation is committed (the goods are gone), the order CONFIRMED, and the customer's
   * cancel (and any later one) refused ALREADY_DISPATCHED. A commit that still fails past its
   * budget leaves the order NEEDS_ATTENTION naming it.
   */
  const completeDispatched = async (reason: string): Promise<void> => {
    dispatched = true;
    log.warn('shipment dispatched while the saga stopped: completing the order instead', {
      order_id: orderId,
      reason,
    });
    try {
      await withBudget(opts.compensationBudgetMs).commitReservation(orderId);
    } catch (err) {
      await finish(reason, [{ name: 'commitReservation', error: describeFailure(err) }]);
      return;
    }
    // Captured for sure (the release follows the capture), even if stopped before recording it.
    Object.assign(state, {
      cancelRequested: false,
      cancellationReason: undefined,
      paymentStatus: 'PAYMENT_STATUS_CAPTURED',
      shipmentStatus: 'SHIPMENT_STATUS_DISPATCHED',
    });
    await progress.record({
      ...statuses(),
      status: 'ORDER_STATUS_CONFIRMED',
      step: 'CONFIRMED',
      statusDetail: 'the shipment was dispatched before the order could be stopped',
    });
    Object.assign(state, { status: 'CONFIRMED', step: 'CONFIRMED' });
    metrics.confirmed();
  };

  /** Cancellation after CONFIRMED: the shipment decides (refused once dispatched), then refund and restock. */
  const cancelAfterConfirmation = () =>
    CancellationScope.nonCancellable(async (): Promise<SagaState> => {
      const acts = withBudget(opts.compensationBudgetMs);
      try {
        state.shipmentStatus = await acts.cancelShipment(orderId);
      } catch (err) {
        if (failureType(err) === 'ALREADY_DISPATCHED') {
          dispatched = true;
          state.cancelRequested = false;
          throw rejectCancel('ALREADY_DISPATCHED', 'the shipment is already dispatched');
        }
        // The cancel may or may not have reached shipping: an operator has to look.
        await finish(CANCELLED_BY_CUSTOMER, [
          { name: 'cancelShipment', error: describeFailure(err) },
        ]);
        return snapshot();
      }
      Object.assign(state, {
        cancelRequested: true,
        step: 'COMPENSATING',
        cancellationReason: CANCELLED_BY_CUSTOMER,
      });
      await progress.record({ ...statuses(), step: 'COMPENSATING' });
      const undo = new CompensationStack();
      undo.register('returnReservation', async () => void (await acts.returnReservation(orderId)));
      undo.register('refundPayment', async () => {
        state.paymentStatus = await acts.refundPayment({
          orderId,
          refundId: refundIdOf(orderId),
          amount: input.total,
        });
      });
      await finish(CANCELLED_BY_CUSTOMER, await undo.runAll());
      return snapshot();
    });

  setHandler(sagaStateQuery, snapshot);
  setHandler(
    cancelOrderUpdate,
    async () => {
      if (state.status === 'PENDING') {
        state.cancelRequested = true; // the main flow stops and compensates
        await CancellationScope.nonCancellable(() => condition(() => state.status !== 'PENDING'));
      }
      if (state.status !== 'CONFIRMED') return snapshot(); // cancelled or needs attention: unchanged
      // Stopped too late: the goods left meanwhile and the order was completed instead.
      if (dispatched) throw rejectCancel(ALREADY_DISPATCHED, 'the shipment is already dispatched');
      confirmedCancel ??= cancelAfterConfirmation().catch((err: unknown) => {
        confirmedCancel = undefined; // refused: nothing changed, a later cancel asks again
        throw err;
      });
      return confirmedCancel;
    },
    {
      // Rejections here are not even written to the history: the state cannot change.
      validator: () => {
        if (dispatched)
          throw rejectCancel('ALREADY_DISPATCHED', 'the shipment is already dispatched');
        if (windowClosed && state.status === 'CONFIRMED') {
          throw rejectCancel('CANCELLATION_WINDOW_CLOSED', 'the cancellation window is closed');
        }
      },
    },
  );

  opts = { ...DEFAULT_SAGA_OPTIONS, ...(await localSettings().sagaSettings()), ...options };
  const undo = new CompensationStack();
  const stopReason = await runForwardSteps(input, opts, state, progress, undo);

  if (stopReason !== undefined) {
    await CancellationScope.nonCancellable(async () => {
      Object.assign(state, { step: 'COMPENSATING', cancellationReason: stopReason });
      log.info('compensating', {
        order_id: orderId,
        reason: stopReason,
        compensations: undo.names,
      });
      await progress.record({ step: 'COMPENSATING' });
      const failed = await undo.runAll();
      if (undo.haltedBy === ALREADY_DISPATCHED) await completeDispatched(stopReason);
      else await finish(stopReason, failed);
    });
  } else {
    await progress.record({ status: 'ORDER_STATUS_CONFIRMED', step: 'CONFIRMED' });
    Object.assign(state, { status: 'CONFIRMED', step: 'CONFIRMED' });
    metrics.confirmed();
    try {
      // A timer, not a workflow timeout: the window ends the workflow, it never cuts it short.
      await condition(() => state.status !== 'CONFIRMED', opts.cancellationWindowMs);
    } catch (err) {
      if (!isCancellation(err)) throw err; // an operator cancelling the workflow closes the window early
    }
    windowClosed = true;
  }
  // Let an update in flight (a cancel being carried out) finish before completing.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return snapshot();
}
