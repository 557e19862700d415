import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  OrderStatus,
  type Order,
  type RecordOrderProgressRequest,
} from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import type { CallOptions } from '@meshcart/kit';
import { fakeSaga } from './support/fake-saga';
import { codeAndReason, expectNoSecret, failure } from './support/expect';
import { placeRequest, startHarness, type Harness } from './harness';
import { progress } from './support/progress';

const {
  ORDER_STATUS_PENDING: PENDING,
  ORDER_STATUS_CONFIRMED: CONFIRMED,
  ORDER_STATUS_CANCELLED: CANCELLED,
  ORDER_STATUS_NEEDS_ATTENTION: NEEDS_ATTENTION,
} = OrderStatus;
const TERMINAL = new Set([CANCELLED, NEEDS_ATTENTION]);
const ALLOWED = new Set([
  `${PENDING}>${CONFIRMED}`,
  `${PENDING}>${CANCELLED}`,
  `${PENDING}>${NEEDS_ATTENTION}`,
  `${CONFIRMED}>${CANCELLED}`,
  `${CONFIRMED}>${NEEDS_ATTENTION}`,
]);

let h: Harness;
let worker: CallOptions;
let template: Awaited<ReturnType<Harness['store']['getOwn']>>;

beforeAll(async () => {
  h = await startHarness('progress', fakeSaga());
  worker = await h.asSagaWorker();
  const { order } = await h.orders.placeOrder(placeRequest(), await h.asUser('u-progress'));
  template = await h.store.getOwn('u-progress', order!.id);
});
afterAll(() => h.stop());

/** A fresh PENDING order straight in the store (faster than PlaceOrder, for the many property runs). */
async function freshOrder(): Promise<string> {
  const id = randomUUID();
  await h.store.insert({
    ...template,
    id,
    requestId: id,
    fingerprint: 'f'.repeat(64),
    paymentMethodId: 'pm_progress',
    paymentMethodExpireTime: null,
  });
  return id;
}

const record = async (r: RecordOrderProgressRequest) => {
  const res = await h.saga.recordOrderProgress(r, worker);
  expectNoSecret(res, 'pm_progress');
  return { order: res.order!, applied: res.applied };
};

const cancelled = (reason = 'PAYMENT_DECLINED') => ({
  status: CANCELLED,
  cancellationReason: reason,
});

test('records update status and the fields given, keep the rest, and the sequence moves on', async () => {
  const id = await freshOrder();
  const a = await record(progress(id, 1, { step: 'RESERVE_STOCK' }));
  expect(a).toMatchObject({ applied: true, order: { status: PENDING, step: 'RESERVE_STOCK' } });
  const b = await record(
    progress(id, 2, {
      paymentStatus: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      step: 'AUTHORIZE_PAYMENT',
    }),
  );
  const c = await record(
    progress(id, 3, { status: CONFIRMED, shipmentStatus: ShipmentStatus.SHIPMENT_STATUS_CREATED }),
  );
  expect(b.order.paymentStatus).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(c).toMatchObject({
    applied: true,
    order: {
      status: CONFIRMED,
      step: 'AUTHORIZE_PAYMENT',
      paymentStatus: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      shipmentStatus: ShipmentStatus.SHIPMENT_STATUS_CREATED,
    },
  });
});

test('a stale sequence and a repeated record are ignored (applied=false, order unchanged)', async () => {
  const id = await freshOrder();
  const five = await record(progress(id, 5, { step: 'CREATE_SHIPMENT' }));
  expect(await record(progress(id, 5, { step: 'CREATE_SHIPMENT' }))).toEqual({
    ...five,
    applied: false,
  });
  expect(
    await record(
      progress(id, 3, {
        step: 'RESERVE_STOCK',
        status: CANCELLED,
        cancellationReason: 'OUT_OF_STOCK',
      }),
    ),
  ).toEqual({ ...five, applied: false });
});

test.each([
  ['CANCELLED', cancelled()],
  ['NEEDS_ATTENTION', { status: NEEDS_ATTENTION, statusDetail: 'void failed' }],
])('a %s order is terminal: later records are ignored, whatever they say', async (_name, end) => {
  const id = await freshOrder();
  const ended = await record(progress(id, 1, end));
  expect(ended.applied).toBe(true);
  for (const [seq, fields] of [
    [2, { status: CONFIRMED }],
    [3, { status: PENDING, step: 'RESERVE_STOCK' }],
    [4, { paymentStatus: PaymentStatus.PAYMENT_STATUS_CAPTURED }],
    [5, cancelled('CANCELLED_BY_CUSTOMER')],
  ] as const) {
    expect(await record(progress(id, seq, fields))).toEqual({ ...ended, applied: false });
  }
});

test('an illegal move (CONFIRMED -> PENDING) is ignored as a whole and does not use up its sequence', async () => {
  const id = await freshOrder();
  const confirmed = await record(progress(id, 1, { status: CONFIRMED }));
  expect(await record(progress(id, 2, { status: PENDING, step: 'RESERVE_STOCK' }))).toEqual({
    ...confirmed,
    applied: false,
  });
  expect((await record(progress(id, 2, { step: 'CONFIRMED' }))).applied).toBe(true);
});

test('malformed records are refused with field violations; an unknown order is NOT_FOUND', async () => {
  const id = await freshOrder();
  const violations = async (r: RecordOrderProgressRequest) =>
    (await failure(h.saga.recordOrderProgress(r, worker))).violations.map((v) => v.field);
  expect(await violations(progress(id, 1, { status: CANCELLED }))).toEqual(['cancellationReason']);
  expect(await violations({ ...progress(id, 1), sequence: '0' })).toEqual(['sequence']);
  expect(
    await violations(progress(id, 1, { status: 42 as OrderStatus, step: 'any step' })),
  ).toEqual(['status']);
  expect(await violations({ ...progress('', 1), sequence: '-1' })).toEqual(['orderId', 'sequence']);
  expect(
    codeAndReason(await failure(h.saga.recordOrderProgress(progress(randomUUID(), 1), worker))),
  ).toEqual(['NOT_FOUND', 'ORDER_NOT_FOUND']);
});

test('concurrent deliveries serialize on the row lock: the highest sequence wins', async () => {
  const id = await freshOrder();
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => record(progress(id, i + 1, { step: `STEP_${i + 1}` }))),
  );
  const stored = await h.prisma.order.findUniqueOrThrow({ where: { id } });
  expect([stored.lastSequence, stored.step]).toEqual([12n, 'STEP_12']);
  expect(results[11]!.applied).toBe(true);
});

/** A legal saga history: PENDING steps, maybe CONFIRMED steps, maybe a terminal record at the end. */
const legalHistory = fc
  .tuple(
    fc.array(fc.constantFrom('RESERVE_STOCK', 'AUTHORIZE_PAYMENT', 'CREATE_SHIPMENT'), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.array(fc.constantFrom('CAPTURE_PAYMENT', 'COMMIT_RESERVATION', 'CONFIRMED'), {
      maxLength: 2,
    }),
    fc.constantFrom(undefined, cancelled('OUT_OF_STOCK'), cancelled('CANCELLED_BY_CUSTOMER'), {
      status: NEEDS_ATTENTION,
      statusDetail: 'refund failed',
    }),
  )
  .map(([pending, confirmed, end]) => [
    ...pending.map((step) => ({ status: PENDING, step })),
    ...confirmed.map((step) => ({ status: CONFIRMED, step })),
    ...(end ? [{ ...end, step: 'COMPENSATING' }] : []),
  ]);

test('property: a legal history delivered in any order, with repeats, ends where in-order delivery ends', async () => {
  const deliveries = legalHistory.chain((history) =>
    fc.tuple(
      fc.constant(history),
      fc.shuffledSubarray([...history.keys()], { minLength: history.length }),
      fc.array(fc.nat({ max: history.length - 1 }), { maxLength: 4 }),
    ),
  );
  await fc.assert(
    fc.asyncProperty(deliveries, async ([history, order, repeats]) => {
      const id = await freshOrder();
      let maxApplied = 0;
      let last: Order | undefined;
      for (const i of [...order, ...repeats]) {
        const res = await record(progress(id, i + 1, history[i]));
        expect(res.applied).toBe(i + 1 > maxApplied); // forward along a legal path is always allowed
        if (res.applied) maxApplied = i + 1;
        last = res.order;
      }
      // The operator-facing detail is stored, never served on the order (OrderAdminService has it).
      const { statusDetail, ...final } = history.at(-1)! as (typeof history)[number] & {
        statusDetail?: string;
      };
      expect(last).toMatchObject({
        ...final,
        cancellationReason: 'cancellationReason' in final ? final.cancellationReason : '',
        statusDetail: '',
      });
      expect((await h.store.get(id)).statusDetail).toBe(statusDetail ?? '');
    }),
    { numRuns: 10 },
  );
});

test('property: whatever arrives, status only moves along allowed edges and never leaves a terminal state', async () => {
  const anyRecord = fc.record({
    sequence: fc.integer({ min: 1, max: 8 }),
    status: fc.constantFrom(0, PENDING, CONFIRMED, CANCELLED, NEEDS_ATTENTION),
    step: fc.constantFrom('', 'A', 'B'),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(anyRecord, { minLength: 1, maxLength: 10 }), async (records) => {
      const id = await freshOrder();
      let prev = { status: PENDING, seq: 0, order: undefined as Order | undefined };
      for (const r of records) {
        const res = await record(
          progress(id, r.sequence, {
            status: r.status,
            step: r.step,
            ...(r.status === CANCELLED && { cancellationReason: 'X' }),
          }),
        );
        if (r.sequence <= prev.seq || TERMINAL.has(prev.status)) expect(res.applied).toBe(false);
        if (!res.applied && prev.order) expect(res.order).toEqual(prev.order);
        if (res.order.status !== prev.status)
          expect(ALLOWED.has(`${prev.status}>${res.order.status}`)).toBe(true);
        prev = {
          status: res.order.status,
          seq: res.applied ? r.sequence : prev.seq,
          order: res.order,
        };
      }
    }),
    { numRuns: 10 },
  );
});
