/**
 * A key the provider starts refusing while payments runs: the call answers INTERNAL (never a
 * decline), the server turns NOT_SERVING (readiness fails), and it is SERVING again once the
 * provider accepts the key on a re-check.
 */
import { status } from '@grpc/grpc-js';
import { checkHealth } from '@meshcart/kit';
import { StripePaymentProvider } from '../src/provider/stripe/stripe.provider';
import { authorizeRequest, failure, startPayments, type PaymentsHarness } from './harness';
import type { StripeFaultProxy } from './support/stripe-fault-proxy';
import {
  startFakeStripe,
  STRIPE_MOCK_START_TIMEOUT_MS,
  type FakeStripe,
} from './support/fake-stripe';

const SERVICE = 'shop.payments.v1.PaymentService';
let fake: FakeStripe;
let proxy: StripeFaultProxy;
let h: PaymentsHarness<StripePaymentProvider>;

beforeAll(async () => {
  fake = await startFakeStripe();
  proxy = fake.proxy;
  const provider = fake.provider({
    timeoutMs: 2_000,
  });
  h = await startPayments({ prefix: 'pay_authh', provider, providerAuthRecheckMs: 50 });
}, STRIPE_MOCK_START_TIMEOUT_MS);
afterAll(async () => {
  await h?.stop();
  await fake?.stop();
});

test('a refused key: INTERNAL, NOT_SERVING, then SERVING again once the key is accepted', async () => {
  expect(await checkHealth(h.address, SERVICE)).toBe('SERVING');
  proxy.failNext('authorize', { kind: 'status', status: 401 });
  const req = authorizeRequest({ paymentToken: 'pm_card_visa' });
  const err = await failure(h.client.authorizePayment(req));
  expect(err.code).toBe(status.INTERNAL);
  expect(await checkHealth(h.address, SERVICE)).toBe('NOT_SERVING');
  expect((await h.prisma.payment.findUnique({ where: { id: req.paymentId } }))!.status).toBe(
    'PENDING',
  );
  const deadline = Date.now() + 5_000;
  while ((await checkHealth(h.address, SERVICE)) !== 'SERVING') {
    if (Date.now() > deadline) throw new Error('still NOT_SERVING');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(proxy.count('verify')).toBeGreaterThan(0);
  // The retry then authorizes (same idempotency key: one intent).
  const ok = await h.client.authorizePayment(req);
  expect(ok.payment!.providerReference).toBe(proxy.intentsOf(req.paymentId)[0]!.id);
  expect(proxy.intentsOf(req.paymentId)).toHaveLength(1);
});
