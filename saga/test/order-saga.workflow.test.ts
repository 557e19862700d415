/**
 * The order saga against the real Temporal dev server with jest.fn activities: call order,
 * compensation order for each failure point, progress records, the auth-expiry timer, budgets.
 */
import { sagaStateQuery } from '../src/contract';
import { FAST, createSagaEnv, runSaga, type SagaEnv } from './support/saga-env';
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

/** Call names with retries of the same activity collapsed. */
const dedupe = (calls: string[]) => calls.filter((c, i) => c !== calls[i - 1]);

/** Sequences strictly increase and the last record carries the final status. */
function expectProgress(acts: ReturnType<typeof mockActivities>, last: object): void {
  const seqs = acts.progress.map((p) => p.sequence);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(acts.progress.at(-1)).toMatchObject(last);
}

test('happy path: every step in order, CONFIRMED, completes when the window closes', async () => {
  const acts = mockActivities();
  const { result } = await runSaga(env, { activities: acts, options: FAST, record: 'happy-path' });
  expect(acts.calls).toEqual(FORWARD);
  expect(result).toMatchObject({
    status: 'CONFIRMED',
    step: 'CONFIRMED',
    cancelRequested: false,
    failedCompensations: [],
  });
  expect(acts.progress.map((p) => p.step)).toEqual([
    'RESERVE_STOCK',
    'AUTHORIZE_PAYMENT',
    'CREATE_SHIPMENT',
    'CAPTURE_PAYMENT',
    'COMMIT_RESERVATION',
    'CONFIRMED',
  ]);
  expectProgress(acts, { status: 'ORDER_STATUS_CONFIRMED' });
  expect(acts.progress.find((p) => p.step === 'COMMIT_RESERVATION')).toMatchObject({
    paymentStatus: 'PAYMENT_STATUS_CAPTURED',
  });
  expect(acts.reserveStock).toHaveBeenCalledWith(
    expect.objectContaining({ items: [{ sku: 'SKU-1', quantity: 2 }] }),
  );
});

test.each([
  ['reserveStock', 'OUT_OF_STOCK', ['reserveStock', 'releaseReservation']],
  [
    'authorizePayment',
    'PAYMENT_DECLINED',
    ['reserveStock', 'authorizePayment', 'voidPayment', 'releaseReservation'],
  ],
  [
    'createShipment',
    'DESTINATION_NOT_SERVED',
    [
      'reserveStock',
      'authorizePayment',
      'createShipment',
      'cancelShipment',
      'voidPayment',
      'releaseReservation',
    ],
  ],
  [
    'capturePayment',
    'PAYMENT_CAPTURE_FAILED',
    [...FORWARD.slice(0, 4), 'cancelShipment', 'voidPayment', 'releaseReservation'],
  ],
  [
    'commitReservation',
    'RESERVATION_RELEASED',
    [...FORWARD, 'cancelShipment', 'voidPayment', 'releaseReservation'],
  ],
] as const)(
  '%s fails %s: compensations run in reverse, order CANCELLED with that reason',
  async (failing, reason, expected) => {
    const acts = mockActivities({ [failing]: async () => Promise.reject(businessFailure(reason)) });
    const { result } = await runSaga(env, {
      activities: acts,
      options: FAST,
      record: `fail-${failing}`,
    });
    expect(acts.calls).toEqual(expected);
    expect(acts[failing]).toHaveBeenCalledTimes(1); // business failures are not retried
    expect(result).toMatchObject({
      status: 'CANCELLED',
      step: 'CANCELLED',
      cancellationReason: reason,
      failedCompensations: [],
    });
    expectProgress(acts, { status: 'ORDER_STATUS_CANCELLED', cancellationReason: reason });
  },
);

test('a declined payment is recorded as DECLINED (what the void answers)', async () => {
  const acts = mockActivities({
    authorizePayment: async () => Promise.reject(businessFailure('PAYMENT_DECLINED')),
    voidPayment: async () => 'PAYMENT_STATUS_DECLINED',
  });
  const { result } = await runSaga(env, { activities: acts, options: FAST });
  expect(result.paymentStatus).toBe('PAYMENT_STATUS_DECLINED');
  expectProgress(acts, {
    status: 'ORDER_STATUS_CANCELLED',
    paymentStatus: 'PAYMENT_STATUS_DECLINED',
  });
});

test('transient failures are retried with the same key until they pass (tok_flaky)', async () => {
  let attempts = 0;
  const acts = mockActivities({
    authorizePayment: async () => {
      attempts += 1;
      if (attempts <= 2) throw transientFailure('PROVIDER_UNAVAILABLE');
      return 'PAYMENT_STATUS_AUTHORIZED';
    },
  });
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    record: 'transient-retry',
  });
  expect(result.status).toBe('CONFIRMED');
  expect(acts.authorizePayment).toHaveBeenCalledTimes(3);
  const ids = acts.authorizePayment.mock.calls.map(([i]) => i.orderId);
  expect(new Set(ids).size).toBe(1);
});

test('authorization expiry: shipment keeps failing, the timer wins, saga compensates AUTHORIZATION_EXPIRED', async () => {
  const acts = mockActivities({ createShipment: async () => Promise.reject(transientFailure()) });
  const { result } = await runSaga(env, {
    activities: acts,
    options: { ...FAST, authValidityMs: 2_000 },
    record: 'authorization-expired',
  });
  expect(result).toMatchObject({
    status: 'CANCELLED',
    cancellationReason: 'AUTHORIZATION_EXPIRED',
  });
  expect(acts.createShipment).toHaveBeenCalled(); // still failing (and retried) when the timer fired
  expect(acts.capturePayment).not.toHaveBeenCalled();
  expect(acts.calls.slice(-3)).toEqual(['cancelShipment', 'voidPayment', 'releaseReservation']);
});

test('a compensation failing past its budget leaves the order NEEDS_ATTENTION, the others still run', async () => {
  const acts = mockActivities({
    createShipment: async () => Promise.reject(businessFailure('DESTINATION_NOT_SERVED')),
    voidPayment: async () => Promise.reject(transientFailure('PROVIDER_UNAVAILABLE')),
  });
  let queried: unknown;
  const { result } = await runSaga(env, {
    activities: acts,
    options: { ...FAST, compensationBudgetMs: 5_000 },
    record: 'needs-attention',
    during: async (handle) => {
      await handle.result().catch(() => undefined);
      queried = await handle.query(sagaStateQuery); // still answerable after completion
    },
  });
  expect(acts.voidPayment.mock.calls.length).toBeGreaterThan(1);
  expect(dedupe(acts.calls).slice(-3)).toEqual([
    'cancelShipment',
    'voidPayment',
    'releaseReservation',
  ]);
  expect(acts.releaseReservation).toHaveBeenCalledTimes(1);
  expect(result.status).toBe('NEEDS_ATTENTION');
  // Temporal fails the activity with its last error once no retry fits in the budget.
  expect(result.failedCompensations).toContainEqual({
    name: 'voidPayment',
    error: expect.stringContaining('PROVIDER_UNAVAILABLE'),
  });
  expect(queried).toEqual(result);
  expectProgress(acts, {
    status: 'ORDER_STATUS_NEEDS_ATTENTION',
    statusDetail: expect.stringContaining('voidPayment'),
  });
});

test('the shipment is released only after the capture, and only once it succeeded', async () => {
  let attempts = 0;
  const acts = mockActivities({
    capturePayment: async () => {
      attempts += 1;
      if (attempts <= 2) throw transientFailure('PROVIDER_UNAVAILABLE');
      return 'PAYMENT_STATUS_CAPTURED';
    },
  });
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    record: 'capture-retried-then-released',
  });
  expect(result.status).toBe('CONFIRMED');
  expect(dedupe(acts.calls)).toEqual(FORWARD);
  expect(acts.capturePayment).toHaveBeenCalledTimes(3);
  expect(acts.releaseShipment).toHaveBeenCalledTimes(1);
  expect(acts.releaseShipment).toHaveBeenCalledWith(acts.capturePayment.mock.calls[0]![0]);
});

test('a release refused (shipment cancelled meanwhile): the saga compensates, the captured payment is refunded', async () => {
  const acts = mockActivities({
    releaseShipment: async () => Promise.reject(businessFailure('SHIPMENT_CANCELLED')),
  });
  const { result } = await runSaga(env, { activities: acts, options: FAST });
  expect(acts.calls).toEqual([
    ...FORWARD.slice(0, 5),
    'cancelShipment',
    'voidPayment', // answers REFUNDED for a captured payment (activity test)
    'releaseReservation',
  ]);
  expect(result).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SHIPMENT_CANCELLED' });
});

test('a non-retryable compensation failure (shipment dispatched meanwhile) is NEEDS_ATTENTION at once', async () => {
  const acts = mockActivities({
    capturePayment: async () => Promise.reject(businessFailure('PAYMENT_CAPTURE_FAILED')),
    cancelShipment: async () => Promise.reject(businessFailure('ALREADY_DISPATCHED')),
  });
  const { result } = await runSaga(env, { activities: acts, options: FAST });
  expect(acts.cancelShipment).toHaveBeenCalledTimes(1);
  expect(result.failedCompensations).toEqual([
    { name: 'cancelShipment', error: expect.stringContaining('ALREADY_DISPATCHED') },
  ]);
  expect(result.status).toBe('NEEDS_ATTENTION');
});

test('an operator cancelling the workflow still compensates (non-cancellable scope)', async () => {
  const held = gate();
  const acts = mockActivities({
    createShipment: async () => {
      await held.promise;
      return 'SHIPMENT_STATUS_CREATED';
    },
  });
  const { result } = await runSaga(env, {
    activities: acts,
    options: FAST,
    during: async (handle) => {
      await eventually(() => acts.createShipment.mock.calls.length > 0);
      await handle.cancel();
      await handle.result().catch(() => undefined);
      held.open();
    },
  });
  expect(result).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SAGA_CANCELLED' });
  expect(acts.calls.slice(-3)).toEqual(['cancelShipment', 'voidPayment', 'releaseReservation']);
  expectProgress(acts, { status: 'ORDER_STATUS_CANCELLED', cancellationReason: 'SAGA_CANCELLED' });
});
