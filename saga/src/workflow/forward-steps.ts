/** The forward half of the order saga: each step with its compensation registered first. */
import { CancellationScope, condition, log, patched, sleep } from '@temporalio/workflow';
import type { ReservationStatusName } from '../activities/types';
import type { OrderSagaInput, OrderSagaOptions, SagaState } from '../contract';
import { beforeAuthorization, beforeCapture, withBudget } from './activity-options';
import {
  type CompensationStack,
  HaltCompensation,
  type ProgressLog,
  RELEASE_AFTER_CAPTURE_PATCH,
  failureType,
  stepFailureReason,
} from './saga-support';

export const CANCELLED_BY_CUSTOMER = 'CANCELLED_BY_CUSTOMER';
export const AUTHORIZATION_EXPIRED = 'AUTHORIZATION_EXPIRED';

/** Halt reason: the shipment left the warehouse after the capture; nothing is undone. */
export const ALREADY_DISPATCHED = 'ALREADY_DISPATCHED';

/** One full refund per order, whichever path asks for it (idempotency key of RefundPayment). */
export const refundIdOf = (orderId: string) => `${orderId}-cancel`;

/**
 * What AuthorizePayment charges: the vaulted payment method, or the card token of a saga
 * started before vaulting (its input in history has no payment method id). Only the activity's
 * argument differs between the two, not the commands: old histories replay unchanged.
 */
export const paymentSourceOf = (
  input: OrderSagaInput,
): { paymentMethodId: string } | { paymentToken: string } =>
  input.paymentMethodId
    ? { paymentMethodId: input.paymentMethodId }
    : { paymentToken: input.paymentToken ?? '' };

/**
 * Runs the forward steps, each with its compensation registered first. Returns undefined when
 * all succeeded, else the reason the saga stops: the failing step's ErrorInfo reason, a
 * customer cancel (which interrupts the step in flight) or the authorization expiring.
 */
export async function runForwardSteps(
  input: OrderSagaInput,
  opts: OrderSagaOptions,
  state: SagaState,
  progress: ProgressLog,
  undo: CompensationStack,
): Promise<string | undefined> {
  const { orderId, items } = input;
  const budget = withBudget(opts.compensationBudgetMs);
  const forward = new CancellationScope();
  const authTimer = new CancellationScope();
  let done = false;
  let stopReason: string | undefined;
  const stop = (reason: string) => {
    if (done || stopReason !== undefined) return;
    stopReason = reason;
    forward.cancel();
  };
  void condition(() => done || state.cancelRequested).then(
    () => stop(CANCELLED_BY_CUSTOMER),
    () => undefined, // the workflow itself was cancelled: the forward scope sees that too
  );

  const step = async <T>(
    name: SagaState['step'],
    record: Parameters<ProgressLog['record']>[0],
    run: () => Promise<T>,
  ) => {
    if (state.cancelRequested) stop(CANCELLED_BY_CUSTOMER); // step boundary
    state.step = name;
    await progress.record({ ...record, step: name });
    return run();
  };

  try {
    await forward.run(async () => {
      const early = beforeAuthorization();
      const late = beforeCapture();
      undo.register(
        'releaseReservation',
        async () => void (await budget.releaseReservation(orderId)),
      );
      await step('RESERVE_STOCK', {}, () => early.reserveStock({ orderId, items }));

      undo.register('voidPayment', async () => {
        state.paymentStatus = await budget.voidPayment({
          orderId,
          refundId: refundIdOf(orderId),
          amount: input.total,
        });
      });
      let paid = await step('AUTHORIZE_PAYMENT', {}, () =>
        early.authorizePayment({ orderId, amount: input.total, ...paymentSourceOf(input) }),
      );
      // From here the authorization is the clock: capture must happen before it expires.
      void authTimer
        .run(() => sleep(opts.authValidityMs))
        .then(
          () => stop(AUTHORIZATION_EXPIRED),
          () => undefined, // cancelled once captured
        );

      let releasing = false; // set once the payment is captured and the release may have landed
      undo.register('cancelShipment', async () => {
        try {
          state.shipmentStatus = await budget.cancelShipment(orderId);
        } catch (err) {
          // Released, then dispatched before the cancel: the goods left and the payment is
          // captured. Voiding (refunding) or restocking now would give away goods and money.
          if (releasing && failureType(err) === ALREADY_DISPATCHED)
            throw new HaltCompensation(ALREADY_DISPATCHED);
          throw err;
        }
      });
      const shipped = await step('CREATE_SHIPMENT', { paymentStatus: paid }, () =>
        late.createShipment({ orderId, address: input.shippingAddress, items }),
      );
      paid = await step('CAPTURE_PAYMENT', { shipmentStatus: shipped }, () =>
        late.capturePayment(orderId),
      );
      authTimer.cancel();
      // Dispatch only after capture: until now the warehouse could not take the goods (shipping
      // refuses an unreleased shipment), so a capture retrying through a provider outage, then
      // cancelled or expired, never lets goods leave unpaid. Part of the capture step (no step
      // or progress record of its own); it must happen, so it has the compensation budget and,
      // failing past it, the saga compensates (cancel shipment, refund, restock). Sagas that
      // captured before the patch keep the old behaviour (their shipments were dispatchable).
      if (patched(RELEASE_AFTER_CAPTURE_PATCH)) {
        releasing = true;
        await budget.releaseShipment(orderId);
      }

      const committed: ReservationStatusName = await step(
        'COMMIT_RESERVATION',
        { paymentStatus: paid },
        () => budget.commitReservation(orderId),
      );
      log.info('forward steps done', { order_id: orderId, reservation: committed });
      if (state.cancelRequested) stop(CANCELLED_BY_CUSTOMER); // last boundary before CONFIRMED
    });
  } catch (err) {
    stopReason ??= stepFailureReason(err);
  } finally {
    done = true;
    authTimer.cancel();
  }
  return stopReason;
}
