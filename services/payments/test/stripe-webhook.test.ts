/**
 * Stripe webhooks over a real socket: signed with the right secret -> applied once even when
 * delivered three times; wrongly signed, unsigned or 10 minutes old -> 400 and nothing changes;
 * trouble after money moved (a dispute) -> an `attention` event for an operator, ledger untouched.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import pino from 'pino';
import Stripe from 'stripe';
import { createProviderEventsApp } from '../src/app/provider-events.app';
import { StripePaymentProvider } from '../src/provider/stripe/stripe.provider';
import { createPaymentStore } from '../src/store/payments.store';
import {
  WEBHOOK_PATH,
  createStripeWebhookServer,
} from '../src/provider/stripe/stripe-webhook.server';
import {
  authorizeRequest,
  failure,
  ledgerRows,
  startPayments,
  uid,
  type PaymentsHarness,
} from './harness';
import type { StripeFaultProxy } from './support/stripe-fault-proxy';
import {
  startFakeStripe,
  STRIPE_MOCK_START_TIMEOUT_MS,
  type FakeStripe,
} from './support/fake-stripe';

const SECRET = 'whsec_meshcart_test_secret_0123456789';
let fake: FakeStripe;
let proxy: StripeFaultProxy;
let h: PaymentsHarness<StripePaymentProvider>;
let server: ReturnType<typeof createStripeWebhookServer>;
let url: string;
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeStripe();
  proxy = fake.proxy;
  const provider = fake.provider({
    timeoutMs: 300,
    searchLagMs: 0,
  });
  h = await startPayments({ prefix: 'pay_hook', provider, providerTimeoutMs: 300 });
  const logger = pino(
    { level: 'debug' },
    new Writable({ write: (c, _e, cb) => void (logs.push(String(c)), cb()) }),
  );
  const events = createProviderEventsApp({ store: createPaymentStore(h.prisma, 10_000), logger });
  server = createStripeWebhookServer({
    secret: SECRET,
    toleranceSeconds: 300,
    apply: events.apply,
    logger,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
}, STRIPE_MOCK_START_TIMEOUT_MS);
afterEach(() => proxy.releaseStalls());
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.stop();
  await fake?.stop();
});

/** A PENDING payment whose authorize reached "Stripe" but whose answer was lost. */
async function pendingPayment(): Promise<{ paymentId: string; intentId: string }> {
  proxy.failNext('authorize', { kind: 'stall' });
  proxy.failNext('lookup', { kind: 'stall' });
  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  await failure(h.client.authorizePayment(req));
  return { paymentId: req.paymentId, intentId: proxy.intentsOf(req.paymentId)[0]!.id };
}

function event(type: string, object: Record<string, unknown>): string {
  return JSON.stringify({
    id: uid('evt'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });
}

function deliver(
  payload: string,
  opts: { secret?: string; ageSeconds?: number; unsigned?: boolean } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!opts.unsigned)
    headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: opts.secret ?? SECRET,
      timestamp: Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0),
    });
  return fetch(url, { method: 'POST', headers, body: payload });
}

const intentObject = (paymentId: string, intentId: string) => ({
  id: intentId,
  object: 'payment_intent',
  status: 'requires_capture',
  metadata: { meshcart_payment_id: paymentId },
});

test('a signed event is applied once although delivered three times', async () => {
  const { paymentId, intentId } = await pendingPayment();
  const payload = event(
    'payment_intent.amount_capturable_updated',
    intentObject(paymentId, intentId),
  );
  const answers = [];
  for (let i = 0; i < 3; i++) {
    const r = await deliver(payload);
    answers.push([r.status, ((await r.json()) as { outcome: string }).outcome]);
  }
  expect(answers).toEqual([
    [200, 'authorized'],
    [200, 'duplicate'],
    [200, 'duplicate'],
  ]);
  const { payment } = await h.client.getPayment({ paymentId });
  expect(payment).toMatchObject({
    status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
    providerReference: intentId,
  });
  expect(await ledgerRows(h.prisma, paymentId)).toHaveLength(1);
  expect(await h.prisma.providerEvent.count({ where: { paymentId } })).toBe(1);
});

test('wrongly signed, unsigned or 10-minute-old events get 400 and change nothing', async () => {
  const { paymentId, intentId } = await pendingPayment();
  const payload = event(
    'payment_intent.amount_capturable_updated',
    intentObject(paymentId, intentId),
  );
  const statuses = [
    (await deliver(payload, { secret: 'whsec_someone_else' })).status,
    (await deliver(payload, { unsigned: true })).status,
    (await deliver(payload, { ageSeconds: 600 })).status,
    // A valid signature over another body: tampering.
    (
      await fetch(url, {
        method: 'POST',
        headers: {
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
        },
        body: payload.replace('amount_capturable_updated', 'payment_failed'),
      })
    ).status,
  ];
  expect(statuses).toEqual([400, 400, 400, 400]);
  expect((await h.prisma.payment.findUnique({ where: { id: paymentId } }))!.status).toBe('PENDING');
  expect(await ledgerRows(h.prisma, paymentId)).toHaveLength(0);
  expect(await h.prisma.providerEvent.count({ where: { paymentId } })).toBe(0);
  expect(logs.join('')).not.toContain(SECRET);
});

test('a failed authorization settles DECLINED; a dispute after capture asks for attention, ledger untouched', async () => {
  const pending = await pendingPayment();
  const failed = await deliver(
    event('payment_intent.payment_failed', intentObject(pending.paymentId, pending.intentId)),
  );
  expect(((await failed.json()) as { outcome: string }).outcome).toBe('declined');
  expect((await h.prisma.payment.findUnique({ where: { id: pending.paymentId } }))!.status).toBe(
    'DECLINED',
  );

  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  const { payment } = await h.client.authorizePayment(req);
  await h.client.capturePayment({ paymentId: req.paymentId });
  const dispute = await deliver(
    event('charge.dispute.created', {
      id: 'dp_1',
      object: 'dispute',
      payment_intent: payment!.providerReference,
      metadata: {},
    }),
  );
  expect(((await dispute.json()) as { outcome: string }).outcome).toBe('attention');
  expect((await ledgerRows(h.prisma, req.paymentId)).map((e) => e.kind)).toEqual([
    'AUTHORIZATION',
    'CAPTURE',
  ]);
  expect(logs.some((l) => l.includes('needs attention') && l.includes(req.paymentId))).toBe(true);
});

test('other paths and methods are not the endpoint', async () => {
  expect((await fetch(url.replace(WEBHOOK_PATH, '/other'), { method: 'POST' })).status).toBe(404);
  expect((await fetch(url)).status).toBe(405);
});
