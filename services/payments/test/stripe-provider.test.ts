/**
 * The Stripe adapter over real sockets: every call against stripe-mock (request conformance with
 * Stripe's OpenAPI description) through the fault proxy (declines, 429/5xx, 401, replays, state).
 * No database: the port's answers only. The service-level contract is provider-contract.test.ts.
 */
import {
  ProviderAuthError,
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../src/domain/payment-provider';
import {
  StripePaymentProvider,
  authorizeKey,
  idempotencyKey,
} from '../src/provider/stripe/stripe.provider';
import type { StripeFaultProxy } from './support/stripe-fault-proxy';
import {
  startFakeStripe,
  STRIPE_MOCK_START_TIMEOUT_MS,
  type FakeStripe,
} from './support/fake-stripe';

let fake: FakeStripe;
let proxy: StripeFaultProxy;
let stripe: StripePaymentProvider;
let n = 0;
const pid = () => `pay-sp-${process.pid}-${++n}`;
const eur = (minor: bigint) => ({ currency: 'EUR', minor });

beforeAll(async () => {
  fake = await startFakeStripe();
  proxy = fake.proxy;
  stripe = fake.provider({
    timeoutMs: 2_000,
    searchLagMs: 0,
  });
}, STRIPE_MOCK_START_TIMEOUT_MS);
afterEach(() => proxy.releaseStalls());
afterAll(async () => {
  await fake?.stop();
});

const authorize = (paymentId: string, token = 'pm_card_visa', amount = eur(1000n)) =>
  stripe.authorize({ paymentId, amount, token, attempt: 1, keyGeneration: 0 });

test('authorize creates one manual-capture PaymentIntent with our id as metadata and idempotency key', async () => {
  const id = pid();
  const result = await authorize(id);
  expect(result).toEqual({ kind: 'approved', reference: expect.stringMatching(/^pi_/) });
  const [req] = proxy.requests.filter((r) => r.paymentId === id);
  expect(req!.idempotencyKey).toBe(idempotencyKey(id, 'authorize'));
  expect(Object.fromEntries(req!.params)).toMatchObject({
    amount: '1000',
    currency: 'eur',
    capture_method: 'manual',
    confirm: 'true',
    payment_method: 'pm_card_visa',
    'metadata[meshcart_payment_id]': id,
  });
  // A retried activity re-sends the same key: Stripe replays the first answer, no second intent.
  expect(await authorize(id)).toEqual(result);
  expect(proxy.requests.filter((r) => r.paymentId === id).map((r) => r.answer)).toEqual([
    'forwarded',
    'replayed',
  ]);
  expect(proxy.intentsOf(id)).toHaveLength(1);
});

test('capture, cancel and partial/full refunds send their own idempotency keys and amounts', async () => {
  const id = pid();
  const auth = await authorize(id);
  if (auth.kind !== 'approved') throw new Error('not approved');
  await stripe.capture({ paymentId: id, reference: auth.reference, amount: eur(1000n) });
  await stripe.refund({
    paymentId: id,
    refundId: 'r1',
    reference: auth.reference,
    amount: eur(300n),
  });
  await stripe.refund({
    paymentId: id,
    refundId: 'r2',
    reference: auth.reference,
    amount: eur(700n),
  });
  const sent = proxy.requests.filter((r) => r.paymentId === id && r.op !== 'authorize');
  expect(
    sent.map((r) => [
      r.op,
      r.idempotencyKey,
      r.params.get('amount_to_capture') ?? r.params.get('amount'),
    ]),
  ).toEqual([
    ['capture', `meshcart:${id}:capture`, '1000'],
    ['refund', `meshcart:${id}:refund:r1`, '300'],
    ['refund', `meshcart:${id}:refund:r2`, '700'],
  ]);
  const other = pid();
  const a2 = await authorize(other);
  if (a2.kind !== 'approved') throw new Error('not approved');
  await stripe.void({ paymentId: other, reference: a2.reference });
  expect(proxy.intentsOf(other)[0]!.status).toBe('canceled');
});

test('amounts keep the currency exponent: JPY 0, KWD 3 (a multiple of 10), ISK two-decimal at Stripe', async () => {
  const cases: Array<[string, bigint, string]> = [
    ['JPY', 500n, '500'],
    ['KWD', 1250n, '1250'],
    ['ISK', 990n, '99000'],
    ['USD', 1999n, '1999'],
  ];
  for (const [currency, minor, sent] of cases) {
    const id = pid();
    await authorize(id, 'pm_card_visa', { currency, minor });
    const req = proxy.requests.find((r) => r.paymentId === id)!;
    expect([req.params.get('currency'), req.params.get('amount')]).toEqual([
      currency.toLowerCase(),
      sent,
    ]);
  }
  // Not representable exactly: refused before any request, never rounded.
  const before = proxy.requests.length;
  const err = await authorize(pid(), 'pm_card_visa', { currency: 'KWD', minor: 1255n }).catch(
    (e) => e,
  );
  expect(err).toBeInstanceOf(ProviderRejectedError);
  expect((err as ProviderRejectedError).field).toBe('amount.amountMinor');
  expect(proxy.requests.length).toBe(before);
});

test('a card decline is a decline; its repeat replays the same answer', async () => {
  const id = pid();
  expect(await authorize(id, 'pm_card_chargeDeclined')).toEqual({ kind: 'declined' });
  expect(await authorize(id, 'pm_card_chargeDeclined')).toEqual({ kind: 'declined' });
  expect(proxy.requests.filter((r) => r.paymentId === id).map((r) => r.answer)).toEqual([
    'declined',
    'replayed',
  ]);
});

test('429 is retryable with nothing to look up; 5xx, a dropped connection and a stall are unknown outcomes', async () => {
  const unavailable = async (outcomeUnknown: boolean) => {
    const e = await authorize(pid()).catch((x) => x);
    expect(e).toBeInstanceOf(ProviderUnavailableError);
    expect((e as ProviderUnavailableError).outcomeUnknown).toBe(outcomeUnknown);
  };
  proxy.failNext('authorize', { kind: 'status', status: 429 });
  await unavailable(false);
  proxy.failNext('authorize', { kind: 'status', status: 500 });
  await unavailable(true);
  proxy.failNext('authorize', { kind: 'status', status: 503 });
  await unavailable(true);
  // The SDK retries a closed connection once by itself (same key): one drop is invisible.
  proxy.failNext('authorize', { kind: 'drop' });
  await expect(authorize(pid())).resolves.toMatchObject({ kind: 'approved' });
  proxy.failNext('authorize', { kind: 'drop' }, { kind: 'drop' });
  await unavailable(true);
  const fast = fake.provider({
    timeoutMs: 200,
  });
  proxy.failNext('authorize', { kind: 'stall' });
  const e = await fast
    .authorize({
      paymentId: pid(),
      amount: eur(100n),
      token: 'pm_card_visa',
      attempt: 1,
      keyGeneration: 0,
    })
    .catch((x) => x);
  expect([e instanceof ProviderUnavailableError, e.outcomeUnknown]).toEqual([true, true]);
});

test('a 5xx Stripe saved for the key is replayed to every retry with that key', async () => {
  const id = pid();
  proxy.failNext('authorize', { kind: 'status', status: 500, saved: true });
  for (let i = 0; i < 2; i++) {
    const e = await authorize(id).catch((x) => x);
    expect([e instanceof ProviderUnavailableError, e.outcomeUnknown]).toEqual([true, true]);
  }
  expect(proxy.requests.filter((r) => r.paymentId === id).map((r) => r.answer)).toEqual([
    'fault',
    'replayed',
  ]);
  // The next key generation is a new request (payments moves on only once nothing was charged).
  const next = await stripe.authorize({
    paymentId: id,
    amount: eur(1000n),
    token: 'pm_card_visa',
    attempt: 3,
    keyGeneration: 1,
  });
  expect(next.kind).toBe('approved');
  expect(proxy.requests.filter((r) => r.paymentId === id).at(-1)!.idempotencyKey).toBe(
    authorizeKey(id, 1),
  );
});

test('after an unknown outcome the look-up finds what Stripe holds (or nothing)', async () => {
  const id = pid();
  proxy.failNext('authorize', { kind: 'drop' }, { kind: 'drop' });
  await expect(authorize(id)).rejects.toBeInstanceOf(ProviderUnavailableError);
  const found = await stripe.lookupAuthorization({ paymentId: id, attemptedAt: new Date(0) });
  expect(found).toEqual({ kind: 'approved', reference: proxy.intentsOf(id)[0]!.id });
  expect(await stripe.lookupAuthorization({ paymentId: pid(), attemptedAt: new Date(0) })).toEqual({
    kind: 'none',
  });
  // Within the search index lag "not found" is not proof: ask again later.
  const lagging = fake.provider({
    timeoutMs: 2_000,
    searchLagMs: 60_000,
  });
  expect(await lagging.lookupAuthorization({ paymentId: pid(), attemptedAt: new Date() })).toEqual({
    kind: 'in-progress',
  });
});

test('invalid requests name the field; rejected credentials are an auth error, never a decline', async () => {
  proxy.failNext('authorize', {
    kind: 'status',
    status: 400,
    code: 'resource_missing',
    param: 'payment_method',
  });
  const bad = await authorize(pid()).catch((e) => e);
  expect(bad).toBeInstanceOf(ProviderRejectedError);
  expect((bad as ProviderRejectedError).field).toBe('paymentToken');
  proxy.failNext('authorize', { kind: 'status', status: 401 });
  await expect(authorize(pid())).rejects.toBeInstanceOf(ProviderAuthError);
  proxy.failNext('verify', { kind: 'status', status: 401 });
  await expect(stripe.verify()).rejects.toBeInstanceOf(ProviderAuthError);
  await expect(stripe.verify()).resolves.toBeUndefined();
});

test('only Stripe PaymentMethod ids are accepted as tokens', () => {
  expect(
    ['pm_card_visa', 'pm_card_chargeDeclined', 'pm_1Pgafy'].every((t) => stripe.acceptsToken(t)),
  ).toBe(true);
  expect(
    ['tok_visa', '4242424242424242', 'pm_', 'pm_a b'].some((t) => stripe.acceptsToken(t)),
  ).toBe(false);
});
