/** CapturePayment and VoidAuthorization: transitions, repeats, refusals, void-before-authorize. */
import { status } from '@grpc/grpc-js';
import { LedgerEntryKind, PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import {
  authorizeRequest,
  eur,
  failure,
  ledgerRows,
  startPayments,
  uid,
  type PaymentsHarness,
} from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ prefix: 'pay_capvoid' });
});
afterAll(() => h.stop());

const authorized = async (over = {}) =>
  (await h.client.authorizePayment(authorizeRequest(over))).payment!;
const reasonOf = async (p: Promise<unknown>) => {
  const e = await failure(p);
  return [e.code, e.reason];
};

test('capture takes the full authorized amount once; repeats answer unchanged', async () => {
  const p = await authorized({ amount: eur(4200) });
  const captured = await h.client.capturePayment({ paymentId: p.paymentId });
  expect(captured.payment).toMatchObject({
    status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
    captured: eur(4200),
    refunded: eur(0),
  });
  expect(captured.payment!.ledger.map((e) => [e.kind, e.amount])).toEqual([
    [LedgerEntryKind.LEDGER_ENTRY_KIND_AUTHORIZATION, eur(4200)],
    [LedgerEntryKind.LEDGER_ENTRY_KIND_CAPTURE, eur(4200)],
  ]);
  expect(await h.client.capturePayment({ paymentId: p.paymentId })).toEqual(captured);
  expect(h.provider.count('capture', p.paymentId)).toBe(1);
  expect(await ledgerRows(h.prisma, p.paymentId)).toHaveLength(2);
});

test('capture refuses unknown, declined, voided and never-authorized payments', async () => {
  expect(await reasonOf(h.client.capturePayment({ paymentId: uid('unknown') }))).toEqual([
    status.NOT_FOUND,
    'PAYMENT_NOT_FOUND',
  ]);

  const declined = authorizeRequest({ paymentToken: 'tok_decline' });
  await failure(h.client.authorizePayment(declined));
  expect(await reasonOf(h.client.capturePayment({ paymentId: declined.paymentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_DECLINED',
  ]);

  const voided = await authorized();
  await h.client.voidAuthorization({ paymentId: voided.paymentId });
  expect(await reasonOf(h.client.capturePayment({ paymentId: voided.paymentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_VOIDED',
  ]);

  // tok_flaky after one failed attempt: the row exists (PENDING) but nothing is authorized.
  const pending = authorizeRequest({ paymentToken: 'tok_flaky' });
  await failure(h.client.authorizePayment(pending));
  expect(await reasonOf(h.client.capturePayment({ paymentId: pending.paymentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_NOT_AUTHORIZED',
  ]);
  // None of these reached the provider; and a PENDING payment does not exist for readers yet.
  for (const id of [declined.paymentId, voided.paymentId, pending.paymentId]) {
    expect(h.provider.count('capture', id)).toBe(0);
  }
  expect(await reasonOf(h.client.getPayment({ paymentId: pending.paymentId }))).toEqual([
    status.NOT_FOUND,
    'PAYMENT_NOT_FOUND',
  ]);
});

test('void releases an authorization once (VOID ledger row); repeats answer unchanged', async () => {
  const p = await authorized({ amount: eur(1500) });
  const voided = await h.client.voidAuthorization({ paymentId: p.paymentId });
  expect(voided.payment).toMatchObject({
    status: PaymentStatus.PAYMENT_STATUS_VOIDED,
    captured: eur(0),
  });
  expect(voided.payment!.ledger.map((e) => e.kind)).toEqual([
    LedgerEntryKind.LEDGER_ENTRY_KIND_AUTHORIZATION,
    LedgerEntryKind.LEDGER_ENTRY_KIND_VOID,
  ]);
  expect(await h.client.voidAuthorization({ paymentId: p.paymentId })).toEqual(voided);
  expect(h.provider.count('void', p.paymentId)).toBe(1);
  // Authorize repeated after the void: refused, never re-authorized.
  expect(
    await reasonOf(
      h.client.authorizePayment(authorizeRequest({ paymentId: p.paymentId, amount: eur(1500) })),
    ),
  ).toEqual([status.FAILED_PRECONDITION, 'PAYMENT_VOIDED']);
});

test('void after capture fails PAYMENT_ALREADY_CAPTURED', async () => {
  const p = await authorized();
  await h.client.capturePayment({ paymentId: p.paymentId });
  expect(await reasonOf(h.client.voidAuthorization({ paymentId: p.paymentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_ALREADY_CAPTURED',
  ]);
});

test('void of a declined payment answers DECLINED (nothing to release)', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_decline' });
  await failure(h.client.authorizePayment(req));
  const { payment } = await h.client.voidAuthorization({ paymentId: req.paymentId });
  expect(payment).toMatchObject({ status: PaymentStatus.PAYMENT_STATUS_DECLINED, ledger: [] });
  expect(h.provider.count('void', req.paymentId)).toBe(0);
});

test('void of an unknown id records a VOIDED tombstone: the late authorize fails and never reaches the provider', async () => {
  const req = authorizeRequest();
  const { payment } = await h.client.voidAuthorization({ paymentId: req.paymentId });
  expect(payment).toMatchObject({
    paymentId: req.paymentId,
    orderId: '',
    status: PaymentStatus.PAYMENT_STATUS_VOIDED,
    amount: undefined,
    ledger: [],
  });
  expect(await h.client.voidAuthorization({ paymentId: req.paymentId })).toEqual({ payment });
  for (let i = 0; i < 2; i++) {
    expect(await reasonOf(h.client.authorizePayment(req))).toEqual([
      status.FAILED_PRECONDITION,
      'PAYMENT_VOIDED',
    ]);
  }
  expect(h.provider.count('authorize', req.paymentId)).toBe(0);
  expect((await h.client.getPayment({ paymentId: req.paymentId })).payment!.status).toBe(
    PaymentStatus.PAYMENT_STATUS_VOIDED,
  );
});

test('void of a payment whose authorize only failed transiently closes it for good', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_flaky' });
  await failure(h.client.authorizePayment(req));
  const { payment } = await h.client.voidAuthorization({ paymentId: req.paymentId });
  expect(payment).toMatchObject({ status: PaymentStatus.PAYMENT_STATUS_VOIDED, ledger: [] });
  expect(await reasonOf(h.client.authorizePayment(req))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_VOIDED',
  ]);
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
});
