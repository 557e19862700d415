/**
 * The whole platform with PAYMENT_PROVIDER=stripe, as README's payment section runs it, but with
 * the payments tests' fault proxy between payments and stripe-mock (stripe-mock is stateless: the
 * proxy gives each PaymentIntent its own id and state, and injects the stall):
 *
 * - a Stripe test payment method (`pm_card_visa`) orders CONFIRMED with the payment CAPTURED;
 * - the provider stalls during authorize (request carried out, no answer) and so does the
 *   look-up: payments answers UNAVAILABLE and leaves the payment PENDING, its reconciler settles
 *   it from Stripe, the saga's retry is answered from the row, and the order ends CONFIRMED with
 *   exactly one PaymentIntent at "Stripe" and one ledger entry per money movement.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openConnection, withDatabase } from '@meshcart/kit/db';
import { freePort } from '@meshcart/kit/testkit';

import type { StripeFaultProxy } from '../services/payments/test/support/stripe-fault-proxy';
import {
  startFakeStripe,
  STRIPE_MOCK_START_TIMEOUT_MS,
  type FakeStripe,
} from '../services/payments/test/support/fake-stripe';
import { edgeClient, orderRequest } from './http-client';
import { startE2EStack } from './stack-fixture';

jest.setTimeout(300_000);

type Stack = Awaited<ReturnType<typeof startE2EStack>>;
type Order = { id: string; status: string; paymentStatus: string; cancellationReason: string };
let fake: FakeStripe;
let proxy: StripeFaultProxy;
let stack: Stack;
let secrets: string;
let api: ReturnType<typeof edgeClient>;
let token: string;
let sku: string;

beforeAll(async () => {
  fake = await startFakeStripe();
  proxy = fake.proxy;
  secrets = mkdtempSync(path.join(tmpdir(), 'meshcart-stripe-e2e-'));
  writeFileSync(path.join(secrets, 'secret-key'), 'sk_test_meshcarte2e00000000\n');
  writeFileSync(path.join(secrets, 'webhook-secret'), 'whsec_meshcarte2e00000000\n');
  stack = await startE2EStack({
    env: {
      PAYMENT_PROVIDER: 'stripe',
      ALLOW_SIMULATED_PAYMENTS: 'false',
      STRIPE_API_BASE: proxy.url,
      STRIPE_SECRET_KEY_FILE: path.join(secrets, 'secret-key'),
      STRIPE_WEBHOOK_SECRET_FILE: path.join(secrets, 'webhook-secret'),
      STRIPE_WEBHOOK_PORT: String(await freePort()),
      STRIPE_SEARCH_LAG: '0s',
      PAYMENT_PROVIDER_TIMEOUT_MS: '1000',
      PAYMENT_RECONCILE_INTERVAL: '1s',
    },
  });
  api = edgeClient(stack.edgeUrl);
  const email = `stripe-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  expect((await api.post('/v1/users', { email, password, displayName: 'Stripe' })).status).toBe(
    200,
  );
  token = (await api.post<{ accessToken: string }>('/v1/sessions', { email, password })).body
    .accessToken;
  sku = (await api.get<{ products: { sku: string }[] }>('/v1/products?pageSize=1')).body
    .products[0]!.sku;
}, STRIPE_MOCK_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  if (secrets) rmSync(secrets, { recursive: true, force: true });
});

async function placeAndSettle(paymentToken: string): Promise<Order> {
  const r = await api.post<{ order: Order }>(
    '/v1/orders',
    orderRequest(sku, `stripe-${randomBytes(6).toString('hex')}`, paymentToken),
    token,
  );
  expect(r.status).toBe(200);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const o = (await api.get<{ order: Order }>(`/v1/orders/${r.body.order.id}`, token)).body.order;
    if (o.status !== 'ORDER_STATUS_PENDING') return o;
    if (Date.now() > deadline)
      throw new Error(`order ${o.id} still PENDING\n${stack.logs().slice(-6000)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function ledgerKinds(paymentId: string): Promise<string[]> {
  const conn = await openConnection(withDatabase(stack.adminUrl, `${stack.dbPrefix}payments`));
  try {
    const rows = (await conn.query(
      'SELECT kind FROM payment_ledger WHERE payment_id = ? ORDER BY sequence',
      [paymentId],
    )) as { kind: string }[];
    return rows.map((r) => r.kind);
  } finally {
    await conn.end();
  }
}

test('pm_card_visa: CONFIRMED, the PaymentIntent captured at Stripe', async () => {
  const order = await placeAndSettle('pm_card_visa');
  expect([order.status, order.paymentStatus]).toEqual([
    'ORDER_STATUS_CONFIRMED',
    'PAYMENT_STATUS_CAPTURED',
  ]);
  expect(proxy.intentsOf(order.id)).toHaveLength(1);
  expect(proxy.count('capture', order.id)).toBeGreaterThanOrEqual(1);
});

test('authorize and its look-up stall: the reconciler settles the payment, the order confirms once', async () => {
  proxy.failNext('authorize', { kind: 'stall' });
  proxy.failNext('lookup', { kind: 'stall' });
  const order = await placeAndSettle('pm_card_visa');
  console.log(
    `[stripe-e2e] stalled order ${order.id}: ${order.status} / ${order.paymentStatus}; ` +
      `authorize requests ${proxy.count('authorize', order.id)}, look-ups ${proxy.count('lookup', order.id)}, ` +
      `intents ${proxy.intentsOf(order.id).length}`,
  );
  expect([order.status, order.paymentStatus]).toEqual([
    'ORDER_STATUS_CONFIRMED',
    'PAYMENT_STATUS_CAPTURED',
  ]);
  // One hold at Stripe, whatever the retries: the authorize key never changed.
  expect(proxy.intentsOf(order.id)).toHaveLength(1);
  const kinds = await ledgerKinds(order.id);
  expect(kinds.filter((k) => /author/i.test(k))).toHaveLength(1);
  expect(kinds.filter((k) => /captur/i.test(k))).toHaveLength(1);
});
