/**
 * Customer cancellation through cancelOrderUpdate, with jest.fn activities on the real dev
 * server: while running, after CONFIRMED (within the window), after dispatch (refused).
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { cancelOrderUpdate, sagaStateQuery, type SagaState } from '../src/contract';
import { FAST, createSagaEnv, runSaga, sagaInput, type SagaEnv } from './support/saga-env';
import {
  businessFailure,
  eventually,
  gate,
  mockActivities,
  transientFailure,
} from './support/mock-activities';

// Real time on a shared server: generous, the tests themselves take seconds.
jest.setTimeout(180_000);

let env: SagaEnv;
beforeAll(async () => {
  env = await createSagaEnv();
});
afterAll(async () => {
  await env?.close();
});

const FORWARD = [
  'reserveStock',
  'authorizePayment',
  'createShipment',
  'capturePayment',
  'releaseShipment',
  'commitReservation',
];

/** The ApplicationFailure type a rejected update carries. */
async function rejectionType(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

test('cancel while running: the step in flight is abandoned, compensations run, CANCELLED_BY_CUSTOMER', async () => {
  const held = gate();
  const acts = mockActivities({
    createShipment: async () => {
      await held.promise;
      return 'SHIPMENT_STATUS_CREATED';
    },
  });
  let answers: SagaState[] = [];
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    record: 'cancel-while-running',
    during: async (handle) => {
      await eventually(() => acts.createShipment.mock.calls.length > 0);
      // Two customers' clicks at once: both get the one outcome, compensations run once.
      answers = await Promise.all([
        handle.executeUpdate(cancelOrderUpdate),
        handle.executeUpdate(cancelOrderUpdate),
      ]);
      held.open();
    },
  });
  for (const a of answers)
    expect(a).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'CANCELLED_BY_CUSTOMER',
      cancelRequested: true,
    });
  expect(acts.calls).toEqual([
    'reserveStock',
    'authorizePayment',
    'createShipment',
    'cancelShipment',
    'voidPayment',
    'releaseReservation',
  ]);
  expect(acts.capturePayment).not.toHaveBeenCalled();
  expect(result).toMatchObject({
    status: 'CANCELLED',
    cancellationReason: 'CANCELLED_BY_CUSTOMER',
  });
  expect(acts.progress.at(-1)).toMatchObject({
    status: 'ORDER_STATUS_CANCELLED',
    cancellationReason: 'CANCELLED_BY_CUSTOMER',
  });
});

test('cancel after CONFIRMED within the window: cancel shipment, full refund, return stock', async () => {
  const acts = mockActivities();
  const input = sagaInput();
  const started = Date.now();
  let answer: SagaState | undefined;
  const { result } = await runSaga(env, {
    activities: acts,
    input,
    options: { ...FAST, cancellationWindowMs: 30_000 },
    record: 'cancel-after-confirm',
    during: async (handle) => {
      await eventually(async () => (await handle.query(sagaStateQuery)).status === 'CONFIRMED');
      answer = await handle.executeUpdate(cancelOrderUpdate);
    },
  });
  expect(Date.now() - started).toBeLessThan(30_000); // the cancel ends the workflow, not the window
  expect(answer).toMatchObject({
    status: 'CANCELLED',
    cancellationReason: 'CANCELLED_BY_CUSTOMER',
  });
  expect(result).toEqual(answer);
  expect(acts.calls).toEqual([...FORWARD, 'cancelShipment', 'refundPayment', 'returnReservation']);
  expect(acts.refundPayment).toHaveBeenCalledWith({
    orderId: input.orderId,
    refundId: `${input.orderId}-cancel`,
    amount: input.total,
  });
  expect(acts.progress.at(-1)).toMatchObject({
    status: 'ORDER_STATUS_CANCELLED',
    cancellationReason: 'CANCELLED_BY_CUSTOMER',
    paymentStatus: 'PAYMENT_STATUS_REFUNDED',
    shipmentStatus: 'SHIPMENT_STATUS_CANCELLED',
  });
});

test('cancel after dispatch: refused ALREADY_DISPATCHED, nothing changes, the window still ends it', async () => {
  const acts = mockActivities({
    cancelShipment: async () => Promise.reject(businessFailure('ALREADY_DISPATCHED')),
  });
  let before: SagaState | undefined;
  let after: SagaState | undefined;
  const types: (string | undefined)[] = [];
  const { result } = await runSaga(env, {
    activities: acts,
    options: { ...FAST, cancellationWindowMs: 4_000 },
    record: 'cancel-after-dispatch',
    during: async (handle) => {
      await eventually(async () => (await handle.query(sagaStateQuery)).status === 'CONFIRMED');
      before = await handle.query(sagaStateQuery);
      types.push(await rejectionType(handle.executeUpdate(cancelOrderUpdate)));
      types.push(await rejectionType(handle.executeUpdate(cancelOrderUpdate))); // refused by the validator
      after = await handle.query(sagaStateQuery);
    },
  });
  expect(types).toEqual(['ALREADY_DISPATCHED', 'ALREADY_DISPATCHED']);
  expect(after).toEqual(before);
  expect(acts.cancelShipment).toHaveBeenCalledTimes(1);
  expect(acts.refundPayment).not.toHaveBeenCalled();
  expect(acts.returnReservation).not.toHaveBeenCalled();
  expect(result).toMatchObject({ status: 'CONFIRMED', cancelRequested: false });
  expect(acts.progress.at(-1)).toMatchObject({ status: 'ORDER_STATUS_CONFIRMED' });
});

test('cancel while the capture keeps failing (provider outage): never released, compensated in full', async () => {
  const acts = mockActivities({
    capturePayment: async () => Promise.reject(transientFailure('PROVIDER_UNAVAILABLE')),
  });
  let answer: SagaState | undefined;
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    record: 'cancel-during-capture-outage',
    during: async (handle) => {
      await eventually(() => acts.capturePayment.mock.calls.length >= 2);
      answer = await handle.executeUpdate(cancelOrderUpdate);
    },
  });
  expect(answer).toMatchObject({
    status: 'CANCELLED',
    cancellationReason: 'CANCELLED_BY_CUSTOMER',
  });
  expect(result).toEqual(answer);
  expect(acts.releaseShipment).not.toHaveBeenCalled();
  expect(acts.calls.filter((c) => c !== 'capturePayment')).toEqual([
    'reserveStock',
    'authorizePayment',
    'createShipment',
    'cancelShipment',
    'voidPayment',
    'releaseReservation',
  ]);
});

test('cancel racing the dispatch after the release: nothing is undone, CONFIRMED, the cancel refused ALREADY_DISPATCHED', async () => {
  const held = gate();
  const acts = mockActivities({
    // The carrier takes the released goods while the commit is still running.
    commitReservation: async () => {
      await held.promise;
      return 'RESERVATION_STATUS_COMMITTED';
    },
    cancelShipment: async () => Promise.reject(businessFailure('ALREADY_DISPATCHED')),
  });
  const types: (string | undefined)[] = [];
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    record: 'cancel-after-release-dispatched',
    during: async (handle) => {
      await eventually(() => acts.commitReservation.mock.calls.length > 0);
      const cancel = rejectionType(handle.executeUpdate(cancelOrderUpdate));
      await eventually(() => acts.cancelShipment.mock.calls.length > 0);
      held.open(); // the abandoned commit attempt finishes too; harmless (idempotent)
      types.push(await cancel);
    },
  });
  // Nothing can be cancelled any more, so no window: the workflow completes at once (a later
  // cancel finds it closed).
  expect(types).toEqual(['ALREADY_DISPATCHED']);
  // Halted at the shipment: neither voided/refunded nor restocked; the stock is committed.
  expect(acts.voidPayment).not.toHaveBeenCalled();
  expect(acts.refundPayment).not.toHaveBeenCalled();
  expect(acts.releaseReservation).not.toHaveBeenCalled();
  expect(acts.returnReservation).not.toHaveBeenCalled();
  expect(acts.calls.slice(-2)).toEqual(['cancelShipment', 'commitReservation']);
  expect(result).toMatchObject({
    status: 'CONFIRMED',
    step: 'CONFIRMED',
    cancelRequested: false,
    failedCompensations: [],
    paymentStatus: 'PAYMENT_STATUS_CAPTURED',
    shipmentStatus: 'SHIPMENT_STATUS_DISPATCHED',
  });
  expect(result.cancellationReason).toBeUndefined();
  expect(acts.progress.at(-1)).toMatchObject({
    status: 'ORDER_STATUS_CONFIRMED',
    shipmentStatus: 'SHIPMENT_STATUS_DISPATCHED',
  });
});

test('cancel during the release, the carrier quicker than the cancel: completed as captured and dispatched', async () => {
  const held = gate();
  const acts = mockActivities({
    releaseShipment: async () => {
      await held.promise; // took effect at shipping; the answer is late
      return 'SHIPMENT_STATUS_CREATED';
    },
    cancelShipment: async () => Promise.reject(businessFailure('ALREADY_DISPATCHED')),
  });
  let type: string | undefined;
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    during: async (handle) => {
      await eventually(() => acts.releaseShipment.mock.calls.length > 0);
      const cancel = rejectionType(handle.executeUpdate(cancelOrderUpdate));
      await eventually(() => acts.cancelShipment.mock.calls.length > 0);
      held.open();
      type = await cancel;
    },
  });
  expect(type).toBe('ALREADY_DISPATCHED');
  expect(acts.calls.slice(-2)).toEqual(['cancelShipment', 'commitReservation']);
  expect(acts.voidPayment).not.toHaveBeenCalled();
  expect(acts.releaseReservation).not.toHaveBeenCalled();
  expect(result).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'PAYMENT_STATUS_CAPTURED' });
  // The capture's answer was never recorded (stopped in the release): the last record says it.
  expect(acts.progress.at(-1)).toMatchObject({
    status: 'ORDER_STATUS_CONFIRMED',
    paymentStatus: 'PAYMENT_STATUS_CAPTURED',
    shipmentStatus: 'SHIPMENT_STATUS_DISPATCHED',
  });
});

test('after the window the workflow is closed: a cancel can no longer reach it', async () => {
  const acts = mockActivities();
  const { result, handle } = await runSaga(env, {
    activities: acts,
    options: { ...FAST, cancellationWindowMs: 500 },
  });
  expect(result.status).toBe('CONFIRMED');
  // orders maps this (workflow closed) to CANCELLATION_WINDOW_CLOSED.
  await expect(handle.executeUpdate(cancelOrderUpdate)).rejects.toThrow();
  expect(acts.cancelShipment).not.toHaveBeenCalled();
});

test('a cancel that cannot complete in its budget after confirmation leaves NEEDS_ATTENTION', async () => {
  const acts = mockActivities({
    refundPayment: async () => Promise.reject(businessFailure('REFUND_EXCEEDS_CAPTURED')),
  });
  let answer: SagaState | undefined;
  await runSaga(env, {
    activities: acts,
    options: { ...FAST, cancellationWindowMs: 30_000 },
    during: async (handle) => {
      await eventually(async () => (await handle.query(sagaStateQuery)).status === 'CONFIRMED');
      answer = await handle.executeUpdate(cancelOrderUpdate);
    },
  });
  expect(answer).toMatchObject({
    status: 'NEEDS_ATTENTION',
    failedCompensations: [{ name: 'refundPayment' }],
  });
  expect(acts.returnReservation).toHaveBeenCalledTimes(1); // the stock still goes back
  expect(acts.progress.at(-1)).toMatchObject({ status: 'ORDER_STATUS_NEEDS_ATTENTION' });
});
