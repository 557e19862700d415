/** AuthorizePayment: approve, decline, flaky provider, idempotent repeats, key reuse, validation. */
import { status } from '@grpc/grpc-js';
import { LedgerEntryKind, PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import {
  authorizeRequest,
  eur,
  failure,
  fieldsOf,
  ledgerRows,
  startPayments,
  uid,
  type PaymentsHarness,
} from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ prefix: 'pay_auth' });
});
afterAll(() => h.stop());

test('tok_visa authorizes once; a repeat answers the same payment without a provider call', async () => {
  const req = authorizeRequest({ amount: eur(2599) });
  const first = await h.client.authorizePayment(req);
  expect(first.payment).toMatchObject({
    paymentId: req.paymentId,
    orderId: req.orderId,
    status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
    amount: eur(2599),
    captured: eur(0),
    refunded: eur(0),
    providerReference: expect.stringMatching(/^sim_auth_/),
  });
  expect(first.payment!.ledger).toEqual([
    expect.objectContaining({
      kind: LedgerEntryKind.LEDGER_ENTRY_KIND_AUTHORIZATION,
      amount: eur(2599),
      reference: '',
    }),
  ]);
  const again = await h.client.authorizePayment(req);
  expect(again).toEqual(first);
  // What the call answered is what was stored (timestamps included).
  expect(await h.client.getPayment({ paymentId: req.paymentId })).toEqual(first);
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
  expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(1);
});

test('tok_decline fails PAYMENT_DECLINED, stays DECLINED, and repeats decline without the provider', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_decline' });
  for (let i = 0; i < 3; i++) {
    const err = await failure(h.client.authorizePayment(req));
    expect([err.code, err.reason, err.domain]).toEqual([
      status.FAILED_PRECONDITION,
      'PAYMENT_DECLINED',
      'payments.meshcart',
    ]);
  }
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
  const { payment } = await h.client.getPayment({ paymentId: req.paymentId });
  expect(payment).toMatchObject({ status: PaymentStatus.PAYMENT_STATUS_DECLINED, ledger: [] });
});

test('tok_flaky: UNAVAILABLE twice, then approved, with one ledger row', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_flaky' });
  for (let i = 0; i < 2; i++) {
    const err = await failure(h.client.authorizePayment(req));
    expect([err.code, err.reason]).toEqual([status.UNAVAILABLE, 'PROVIDER_UNAVAILABLE']);
  }
  const ok = await h.client.authorizePayment(req);
  expect(ok.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(await h.client.authorizePayment(req)).toEqual(ok);
  expect(h.provider.count('authorize', req.paymentId)).toBe(3);
  expect((await ledgerRows(h.prisma, req.paymentId)).map((r) => r.kind)).toEqual(['AUTHORIZATION']);
});

test('tok_flaky attempts are counted in the database: they add up across replicas', async () => {
  const replica = await h.replica();
  const req = authorizeRequest({ paymentToken: 'tok_flaky' });
  expect((await failure(h.client.authorizePayment(req))).code).toBe(status.UNAVAILABLE);
  expect((await failure(replica.client.authorizePayment(req))).code).toBe(status.UNAVAILABLE);
  const ok = await h.client.authorizePayment(req);
  expect(ok.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(
    h.provider.count('authorize', req.paymentId) +
      replica.provider.count('authorize', req.paymentId),
  ).toBe(3);
});

test('the same payment_id with another order, amount, currency or token fails IDEMPOTENCY_KEY_REUSED', async () => {
  const req = authorizeRequest();
  await h.client.authorizePayment(req);
  const variants = [
    { orderId: 'other-order' },
    { amount: eur(1001) },
    { amount: { currencyCode: 'USD', amountMinor: '1000' } },
    { paymentToken: 'tok_flaky' },
  ];
  for (const v of variants) {
    const err = await failure(h.client.authorizePayment({ ...req, ...v }));
    expect([err.code, err.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
  }
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
});

test('a declined payment id cannot be reused with another token either', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_decline' });
  await failure(h.client.authorizePayment(req));
  const err = await failure(h.client.authorizePayment({ ...req, paymentToken: 'tok_visa' }));
  expect(err.reason).toBe('IDEMPOTENCY_KEY_REUSED');
});

test('an unknown token is INVALID_ARGUMENT on paymentToken and stores nothing', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_mastercard' });
  const err = await failure(h.client.authorizePayment(req));
  expect(err.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldsOf(err)).toEqual(['paymentToken']);
  expect(h.provider.count('authorize', req.paymentId)).toBe(0);
  // The id stays usable with a valid token.
  const ok = await h.client.authorizePayment({ ...req, paymentToken: 'tok_visa' });
  expect(ok.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
});

test('validation reports every bad field with its JSON path', async () => {
  const err = await failure(
    h.client.authorizePayment({
      paymentId: 'bad id!',
      orderId: 'x'.repeat(65),
      amount: { currencyCode: 'eur', amountMinor: '0' },
      paymentToken: '',
      paymentMethodId: '',
    }),
  );
  expect(err.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldsOf(err)).toEqual([
    'amount.amountMinor',
    'amount.currencyCode',
    'orderId',
    'paymentId',
    'paymentMethodId',
  ]);
  const cases: Array<[Partial<Parameters<typeof authorizeRequest>[0]>, string]> = [
    [{ amount: undefined }, 'amount'],
    [{ amount: eur(-5) }, 'amount.amountMinor'],
    [{ amount: eur('9000000000000001') }, 'amount.amountMinor'],
    [{ amount: { currencyCode: 'XYZ', amountMinor: '100' } }, 'amount.currencyCode'],
    [{ paymentId: '' }, 'paymentId'],
  ];
  for (const [over, field] of cases) {
    const e = await failure(h.client.authorizePayment({ ...authorizeRequest(), ...over }));
    expect([e.code, fieldsOf(e)]).toEqual([status.INVALID_ARGUMENT, [field]]);
  }
  // The largest accepted amount goes through exactly (no float rounding on the way).
  const big = await h.client.authorizePayment(
    authorizeRequest({ amount: eur('9000000000000000') }),
  );
  expect(big.payment!.amount).toEqual(eur('9000000000000000'));
});

test('GetPayment: NOT_FOUND for an unknown id', async () => {
  const err = await failure(h.client.getPayment({ paymentId: uid('nope') }));
  expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'PAYMENT_NOT_FOUND']);
});
