/** PlaceOrder's abuse caps: open orders per user (race-free) and units per line. */
import { OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import type { GrpcCallError } from '@meshcart/kit';
import { fakeSaga } from './support/fake-saga';
import { codeAndReason, failure } from './support/expect';
import { progress } from './support/progress';
import { placeRequest, startHarness, type Harness } from './harness';

const MAX_OPEN = 3;
let h: Harness;

beforeAll(async () => {
  h = await startHarness('caps', fakeSaga(), {
    caps: { maxOpenOrdersPerUser: MAX_OPEN, maxUnitsPerLine: 10 },
  });
});
afterAll(() => h.stop());

const pendingOf = (userId: string) =>
  h.prisma.order.count({ where: { userId, status: 'PENDING' } });

test('the open-order cap: the (N+1)th PENDING order is RESOURCE_EXHAUSTED OPEN_ORDER_LIMIT_REACHED; a repeat is still answered', async () => {
  const opts = await h.asUser('u-cap');
  const reqs = Array.from({ length: MAX_OPEN }, () => placeRequest());
  const placed = [];
  for (const req of reqs) placed.push((await h.orders.placeOrder(req, opts)).order!);

  const e = await failure(h.orders.placeOrder(placeRequest(), opts));
  expect(codeAndReason(e)).toEqual(['RESOURCE_EXHAUSTED', 'OPEN_ORDER_LIMIT_REACHED']);
  expect(e.metadata).toMatchObject({ limit: String(MAX_OPEN) });
  // Refused before any downstream call: nothing vaulted for it.
  expect(h.downstream.vaultCalls).toHaveLength(MAX_OPEN);

  // An idempotent repeat of an existing order is that order, never a refusal.
  const again = await h.orders.placeOrder(reqs[0]!, opts);
  expect(again.order!.id).toBe(placed[0]!.id);

  // Another user is not affected.
  await h.orders.placeOrder(placeRequest(), await h.asUser('u-cap-other'));

  // One order ends (the saga cancels it): room for one more.
  await h.saga.recordOrderProgress(
    progress(placed[0]!.id, 1, {
      status: OrderStatus.ORDER_STATUS_CANCELLED,
      cancellationReason: 'PAYMENT_DECLINED',
    }),
    await h.asSagaWorker(),
  );
  await h.orders.placeOrder(placeRequest(), opts);
  expect(await pendingOf('u-cap')).toBe(MAX_OPEN);
});

test('concurrent placements by one user never exceed the cap (checked under the user lock, not count-then-insert)', async () => {
  const opts = await h.asUser('u-cap-race');
  const reqs = Array.from({ length: 10 }, () => placeRequest());
  const results = await Promise.allSettled(reqs.map((r) => h.orders.placeOrder(r, opts)));
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => codeAndReason(r.reason as GrpcCallError));
  expect(ok).toHaveLength(MAX_OPEN);
  expect(refused).toEqual(
    Array.from({ length: 10 - MAX_OPEN }, () => ['RESOURCE_EXHAUSTED', 'OPEN_ORDER_LIMIT_REACHED']),
  );
  expect(await pendingOf('u-cap-race')).toBe(MAX_OPEN);
});

test('concurrent twins (same request id) at the cap: every one gets the one order', async () => {
  const opts = await h.asUser('u-cap-twins');
  for (let i = 0; i < MAX_OPEN - 1; i++) await h.orders.placeOrder(placeRequest(), opts);
  const req = placeRequest();
  const answers = await Promise.all(
    Array.from({ length: 6 }, () => h.orders.placeOrder(req, opts)),
  );
  expect(new Set(answers.map((a) => a.order!.id)).size).toBe(1);
  expect(await pendingOf('u-cap-twins')).toBe(MAX_OPEN);
});

test('units per line: over MAX_UNITS_PER_LINE is INVALID_ARGUMENT on that line quantity; the cap itself is fine', async () => {
  const opts = await h.asUser('u-units');
  const e = await failure(
    h.orders.placeOrder(
      placeRequest({
        items: [
          { sku: 'MUG-1', quantity: 10 },
          { sku: 'TEE-1', quantity: 11 },
        ],
      }),
      opts,
    ),
  );
  expect(codeAndReason(e)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  expect(e.violations.map((v) => v.field)).toEqual(['items[1].quantity']);
  const { order } = await h.orders.placeOrder(
    placeRequest({ items: [{ sku: 'MUG-1', quantity: 10 }] }),
    opts,
  );
  expect(order!.items[0]!.quantity).toBe(10);
});
