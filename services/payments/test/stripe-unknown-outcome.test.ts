/**
 * Unknown outcomes with the stripe provider: the provider endpoint stalls (the request is carried
 * out at "Stripe", the answer never comes back). payments never guesses: it looks the payment up
 * before answering, and when the look-up cannot tell either, the reconciler settles the PENDING
 * payment later. Either way: exactly one PaymentIntent, exactly one ledger row, and the saga's
 * retry answers from the row.
 */
import { status } from '@grpc/grpc-js';
import { silentLogger } from '@meshcart/kit';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { createReconciler } from '../src/app/reconciler.app';
import { StripePaymentProvider, authorizeKey } from '../src/provider/stripe/stripe.provider';
import { createPaymentStore } from '../src/store/payments.store';
import {
  authorizeRequest,
  failure,
  ledgerRows,
  startPayments,
  type PaymentsHarness,
} from './harness';
import type { StripeFaultProxy } from './support/stripe-fault-proxy';
import {
  startFakeStripe,
  STRIPE_MOCK_START_TIMEOUT_MS,
  type FakeStripe,
} from './support/fake-stripe';

const TIMEOUT_MS = 300;
let fake: FakeStripe;
let proxy: StripeFaultProxy;
let h: PaymentsHarness<StripePaymentProvider>;

beforeAll(async () => {
  fake = await startFakeStripe();
  proxy = fake.proxy;
  const provider = fake.provider({
    timeoutMs: TIMEOUT_MS,
    searchLagMs: 0,
  });
  h = await startPayments({ prefix: 'pay_stall', provider, providerTimeoutMs: TIMEOUT_MS });
}, STRIPE_MOCK_START_TIMEOUT_MS);
afterEach(() => proxy.releaseStalls());
afterAll(async () => {
  await h?.stop();
  await fake?.stop();
});

const reconciler = () =>
  createReconciler({
    store: createPaymentStore(h.prisma, 10_000),
    provider: h.provider,
    providerTimeoutMs: TIMEOUT_MS,
    graceMs: 0,
    logger: silentLogger(),
  });

test('authorize stalls: the look-up finds the intent and the payment is authorized at once', async () => {
  proxy.failNext('authorize', { kind: 'stall' });
  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  const { payment } = await h.client.authorizePayment(req);
  expect(payment).toMatchObject({
    status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
    providerReference: proxy.intentsOf(req.paymentId)[0]!.id,
  });
  expect(proxy.count('authorize', req.paymentId)).toBe(1);
  expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(1);
});

test('authorize and look-up stall: UNAVAILABLE, PENDING; the reconciler settles it; the retry answers from the row', async () => {
  proxy.failNext('authorize', { kind: 'stall' });
  proxy.failNext('lookup', { kind: 'stall' });
  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  const err = await failure(h.client.authorizePayment(req));
  expect([err.code, err.reason]).toEqual([status.UNAVAILABLE, 'PROVIDER_UNAVAILABLE']);
  expect((await h.prisma.payment.findUnique({ where: { id: req.paymentId } }))!.status).toBe(
    'PENDING',
  );
  expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(0);

  const r = reconciler();
  expect((await r.runOnce())[req.paymentId]).toBe('authorized');
  expect((await r.runOnce())[req.paymentId]).toBeUndefined(); // settled: not looked at again

  const again = await h.client.authorizePayment(req); // the saga's retry
  expect(again.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(proxy.count('authorize', req.paymentId)).toBe(1);
  expect(proxy.intentsOf(req.paymentId)).toHaveLength(1);
  expect((await ledgerRows(h.prisma, req.paymentId)).map((e) => e.kind)).toEqual(['AUTHORIZATION']);
});

test('a declined authorize whose answer was lost settles DECLINED, with no ledger row', async () => {
  proxy.failNext('authorize', { kind: 'stall' });
  proxy.failNext('lookup', { kind: 'stall' });
  const req = authorizeRequest({ paymentToken: 'pm_card_chargeDeclined' });
  expect((await failure(h.client.authorizePayment(req))).code).toBe(status.UNAVAILABLE);
  expect((await reconciler().runOnce())[req.paymentId]).toBe('declined');
  const err = await failure(h.client.authorizePayment(req));
  expect([err.code, err.reason]).toEqual([status.FAILED_PRECONDITION, 'PAYMENT_DECLINED']);
  expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(0);
});

test('a 5xx Stripe saved for our key: once a look-up proves nothing was charged, the retry uses the next key', async () => {
  proxy.failNext('authorize', { kind: 'status', status: 500, saved: true });
  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  expect((await failure(h.client.authorizePayment(req))).code).toBe(status.UNAVAILABLE);
  const row = await h.prisma.payment.findUnique({ where: { id: req.paymentId } });
  expect([row!.status, row!.authorizeKeyGeneration]).toEqual(['PENDING', 1]);
  const ok = await h.client.authorizePayment(req);
  expect(ok.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  const sent = proxy.requests.filter((r) => r.op === 'authorize' && r.paymentId === req.paymentId);
  expect(sent.map((r) => [r.idempotencyKey, r.answer])).toEqual([
    [authorizeKey(req.paymentId, 0), 'fault'],
    [authorizeKey(req.paymentId, 1), 'forwarded'],
  ]);
  expect(proxy.intentsOf(req.paymentId)).toHaveLength(1);
  expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(1);
});

test('nothing at the provider (rejected before execution): the reconciler leaves it for the retry', async () => {
  proxy.failNext('authorize', { kind: 'status', status: 500 });
  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  expect((await failure(h.client.authorizePayment(req))).code).toBe(status.UNAVAILABLE);
  expect((await reconciler().runOnce())[req.paymentId]).toBe('unsettled');
  const ok = await h.client.authorizePayment(req);
  expect(ok.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(1);
});
