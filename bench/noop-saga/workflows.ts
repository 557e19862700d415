/**
 * The no-op saga: the floor the real order saga is measured against. Same shape as
 * saga/src/workflow/order-saga.workflow.ts on its happy path, with the *same* activity
 * options (imported from the real saga's activity-options.ts, so retry policies and timeouts
 * cannot drift apart) and the real saga's ProgressLog (progress records as local activities,
 * behind the same patch marker):
 *   patch marker, 1 local activity (sagaSettings), then in sequence:
 *   record RESERVE_STOCK (local), reserveStock, record AUTHORIZE_PAYMENT (local), authorizePayment,
 *   [authorization-validity timer started], record CREATE_SHIPMENT (local), createShipment,
 *   record CAPTURE_PAYMENT (local), capturePayment, [timer cancelled], record COMMIT_RESERVATION
 *   (local), commitReservation, record CONFIRMED (local); then the cancellation-window timer.
 * The activities (./activities.ts) return at once and call nothing.
 */
import { CancellationScope, condition, setHandler, sleep } from '@temporalio/workflow';
import {
  sagaStateQuery,
  type OrderSagaInput,
  type OrderSagaOptions,
  type SagaState,
} from '@meshcart/saga/contract';
import { DEFAULT_SAGA_OPTIONS } from '@meshcart/saga/saga-parts';
import {
  beforeAuthorization,
  beforeCapture,
  localSettings,
  withBudget,
} from '@meshcart/saga/saga-parts';
import { ProgressLog } from '@meshcart/saga/saga-parts';

export const NOOP_SAGA_WORKFLOW = 'NoopOrderSaga';

export async function NoopOrderSaga(
  input: OrderSagaInput,
  options: Partial<OrderSagaOptions> = {},
): Promise<SagaState> {
  const { orderId, items } = input;
  const state: SagaState = {
    step: 'STARTED',
    status: 'PENDING',
    cancelRequested: false,
    failedCompensations: [],
  };
  setHandler(sagaStateQuery, () => ({ ...state }));
  const progress = new ProgressLog(orderId, state);
  const opts: OrderSagaOptions = {
    ...DEFAULT_SAGA_OPTIONS,
    ...(await localSettings().sagaSettings()),
    ...options,
  };
  const record = async (r: Parameters<ProgressLog['record']>[0]) => {
    if (r.step) state.step = r.step as SagaState['step'];
    await progress.record(r);
  };
  const early = beforeAuthorization();
  const late = beforeCapture();
  const budget = withBudget(opts.compensationBudgetMs);

  await record({ step: 'RESERVE_STOCK' });
  await early.reserveStock({ orderId, items });
  await record({ step: 'AUTHORIZE_PAYMENT' });
  const authorized = await early.authorizePayment({
    orderId,
    amount: input.total,
    paymentToken: input.paymentToken,
  });
  const authTimer = new CancellationScope();
  void authTimer.run(() => sleep(opts.authValidityMs)).catch(() => undefined);
  await record({ step: 'CREATE_SHIPMENT', paymentStatus: authorized });
  const shipped = await late.createShipment({ orderId, address: input.shippingAddress, items });
  await record({ step: 'CAPTURE_PAYMENT', shipmentStatus: shipped });
  const captured = await late.capturePayment(orderId);
  authTimer.cancel();
  await record({ step: 'COMMIT_RESERVATION', paymentStatus: captured });
  await budget.commitReservation(orderId);
  await record({ status: 'ORDER_STATUS_CONFIRMED', step: 'CONFIRMED' });
  Object.assign(state, { status: 'CONFIRMED', step: 'CONFIRMED' });
  // The cancellation window: a timer, exactly like the real saga (nobody cancels here).
  await condition(() => state.status !== 'CONFIRMED', opts.cancellationWindowMs);
  return { ...state };
}
