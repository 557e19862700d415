/** RefundPayment: partial and full refunds, limits, idempotency on refund_id. */
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
  h = await startPayments({ prefix: 'pay_refund' });
});
afterAll(() => h.stop());

async function captured(minor: number): Promise<string> {
  const req = authorizeRequest({ amount: eur(minor) });
  await h.client.authorizePayment(req);
  await h.client.capturePayment({ paymentId: req.paymentId });
  return req.paymentId;
}
const reasonOf = async (p: Promise<unknown>) => {
  const e = await failure(p);
  return [e.code, e.reason];
};

test('partial then full refund: PARTIALLY_REFUNDED, then REFUNDED, one REFUND row each', async () => {
  const paymentId = await captured(1000);
  const r1 = uid('ref');
  const first = await h.client.refundPayment({ refundId: r1, paymentId, amount: eur(300) });
  expect(first.payment).toMatchObject({
    status: PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
    captured: eur(1000),
    refunded: eur(300),
  });
  const r2 = uid('ref');
  const second = await h.client.refundPayment({ refundId: r2, paymentId, amount: eur(700) });
  expect(second.payment).toMatchObject({
    status: PaymentStatus.PAYMENT_STATUS_REFUNDED,
    refunded: eur(1000),
  });
  const refunds = second.payment!.ledger.filter(
    (e) => e.kind === LedgerEntryKind.LEDGER_ENTRY_KIND_REFUND,
  );
  expect(refunds.map((e) => [e.reference, e.amount])).toEqual([
    [r1, eur(300)],
    [r2, eur(700)],
  ]);
  // Capture repeated after refunds: still answered, nothing moves.
  expect((await h.client.capturePayment({ paymentId })).payment!.status).toBe(
    PaymentStatus.PAYMENT_STATUS_REFUNDED,
  );
  expect(h.provider.count('refund', paymentId)).toBe(2);
});

test('a repeated refund_id answers the payment as it is, with no second refund', async () => {
  const paymentId = await captured(1000);
  const req = { refundId: uid('ref'), paymentId, amount: eur(250) };
  const first = await h.client.refundPayment(req);
  await h.client.refundPayment({ refundId: uid('ref'), paymentId, amount: eur(100) });
  const again = await h.client.refundPayment(req);
  expect(again.payment!.refunded).toEqual(eur(350));
  expect(again.payment!.ledger).toHaveLength(first.payment!.ledger.length + 1);
  expect(h.provider.count('refund', paymentId)).toBe(2);
  expect((await ledgerRows(h.prisma, paymentId)).filter((r) => r.kind === 'REFUND')).toHaveLength(
    2,
  );
});

test('the same refund_id with another amount or payment fails IDEMPOTENCY_KEY_REUSED', async () => {
  const paymentId = await captured(1000);
  const other = await captured(1000);
  const refundId = uid('ref');
  await h.client.refundPayment({ refundId, paymentId, amount: eur(100) });
  expect(await reasonOf(h.client.refundPayment({ refundId, paymentId, amount: eur(101) }))).toEqual(
    [status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED'],
  );
  expect(
    await reasonOf(h.client.refundPayment({ refundId, paymentId: other, amount: eur(100) })),
  ).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
  expect(h.provider.count('refund', other)).toBe(0);
});

test('refunding more than captured minus refunded fails REFUND_EXCEEDS_CAPTURED', async () => {
  const paymentId = await captured(1000);
  const err = await failure(
    h.client.refundPayment({ refundId: uid('ref'), paymentId, amount: eur(1001) }),
  );
  expect([err.code, err.reason, err.metadata.refundable]).toEqual([
    status.FAILED_PRECONDITION,
    'REFUND_EXCEEDS_CAPTURED',
    '1000',
  ]);
  await h.client.refundPayment({ refundId: uid('ref'), paymentId, amount: eur(600) });
  expect(
    await reasonOf(h.client.refundPayment({ refundId: uid('ref'), paymentId, amount: eur(401) })),
  ).toEqual([status.FAILED_PRECONDITION, 'REFUND_EXCEEDS_CAPTURED']);
  await h.client.refundPayment({ refundId: uid('ref'), paymentId, amount: eur(400) });
  expect(
    await reasonOf(h.client.refundPayment({ refundId: uid('ref'), paymentId, amount: eur(1) })),
  ).toEqual([status.FAILED_PRECONDITION, 'REFUND_EXCEEDS_CAPTURED']);
  const { payment } = await h.client.getPayment({ paymentId });
  expect([payment!.captured, payment!.refunded]).toEqual([eur(1000), eur(1000)]);
});

test('refund refuses uncaptured, voided, declined and unknown payments, and another currency', async () => {
  const auth = authorizeRequest();
  await h.client.authorizePayment(auth);
  const refund = (paymentId: string, amount = eur(100)) =>
    h.client.refundPayment({ refundId: uid('ref'), paymentId, amount });
  expect(await reasonOf(refund(auth.paymentId))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_NOT_CAPTURED',
  ]);
  await h.client.voidAuthorization({ paymentId: auth.paymentId });
  expect(await reasonOf(refund(auth.paymentId))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_VOIDED',
  ]);
  const declined = authorizeRequest({ paymentToken: 'tok_decline' });
  await failure(h.client.authorizePayment(declined));
  expect(await reasonOf(refund(declined.paymentId))).toEqual([
    status.FAILED_PRECONDITION,
    'PAYMENT_DECLINED',
  ]);
  expect(await reasonOf(refund(uid('unknown')))).toEqual([status.NOT_FOUND, 'PAYMENT_NOT_FOUND']);
  const paymentId = await captured(1000);
  expect(await reasonOf(refund(paymentId, { currencyCode: 'USD', amountMinor: '100' }))).toEqual([
    status.FAILED_PRECONDITION,
    'CURRENCY_MISMATCH',
  ]);
});

test('refund validation: ids and amount', async () => {
  const err = await failure(
    h.client.refundPayment({ refundId: '', paymentId: 'a b', amount: eur(0) }),
  );
  expect(err.code).toBe(status.INVALID_ARGUMENT);
  expect(err.violations.map((v) => v.field).sort()).toEqual([
    'amount.amountMinor',
    'paymentId',
    'refundId',
  ]);
});
