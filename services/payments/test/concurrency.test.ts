/** 50 parallel repeats of one call: exactly one provider call and one ledger row, one answer for all. */
import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { createPaymentStore } from '../src/store/payments.store';
import { createDb } from '../src/store/db';
import {
  authorizeRequest,
  eur,
  failure,
  ledgerRows,
  startPayments,
  uid,
  type PaymentsHarness,
} from './harness';

const PARALLEL = 50;
let h: PaymentsHarness;
beforeAll(async () => {
  // Provider latency widens the window in which repeats overlap the first call.
  h = await startPayments({ prefix: 'pay_conc', latencyMs: 25 });
});
afterAll(() => h.stop());

const times = <T>(n: number, fn: () => Promise<T>) => Promise.all(Array.from({ length: n }, fn));

test('50 parallel AuthorizePayment repeats: one provider call, one AUTHORIZATION row, identical answers', async () => {
  const req = authorizeRequest({ amount: eur(1999) });
  const answers = await times(PARALLEL, () =>
    h.client.authorizePayment(req, { timeoutMs: 20_000 }),
  );
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
  expect((await ledgerRows(h.prisma, req.paymentId)).map((r) => r.kind)).toEqual(['AUTHORIZATION']);
  for (const a of answers) expect(a).toEqual(answers[0]);
  expect(answers[0]!.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
});

test('50 parallel declines: one provider call, all PAYMENT_DECLINED', async () => {
  const req = authorizeRequest({ paymentToken: 'tok_decline' });
  const errs = await times(PARALLEL, () =>
    failure(h.client.authorizePayment(req, { timeoutMs: 20_000 })),
  );
  expect(new Set(errs.map((e) => e.reason))).toEqual(new Set(['PAYMENT_DECLINED']));
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
});

test('50 parallel captures and 50 parallel repeats of one refund: one provider call and one row each', async () => {
  const req = authorizeRequest({ amount: eur(5000) });
  await h.client.authorizePayment(req);
  const paymentId = req.paymentId;
  const captures = await times(PARALLEL, () =>
    h.client.capturePayment({ paymentId }, { timeoutMs: 20_000 }),
  );
  for (const c of captures) expect(c).toEqual(captures[0]);
  const refund = { refundId: uid('ref'), paymentId, amount: eur(1200) };
  const refunds = await times(PARALLEL, () =>
    h.client.refundPayment(refund, { timeoutMs: 20_000 }),
  );
  for (const r of refunds) expect(r).toEqual(refunds[0]);
  expect([h.provider.count('capture', paymentId), h.provider.count('refund', paymentId)]).toEqual([
    1, 1,
  ]);
  expect((await ledgerRows(h.prisma, paymentId)).map((r) => r.kind)).toEqual([
    'AUTHORIZATION',
    'CAPTURE',
    'REFUND',
  ]);
});

test('parallel distinct refunds never exceed the captured amount', async () => {
  const req = authorizeRequest({ amount: eur(1000) });
  await h.client.authorizePayment(req);
  await h.client.capturePayment({ paymentId: req.paymentId });
  // 20 refunds of 100 race for 1000: exactly 10 succeed.
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, () =>
      h.client.refundPayment(
        { refundId: uid('ref'), paymentId: req.paymentId, amount: eur(100) },
        { timeoutMs: 20_000 },
      ),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
  const { payment } = await h.client.getPayment({ paymentId: req.paymentId });
  expect([payment!.status, payment!.refunded]).toEqual([
    PaymentStatus.PAYMENT_STATUS_REFUNDED,
    eur(1000),
  ]);
});

test('void racing its authorize: always ends VOIDED, never with a live authorization', async () => {
  for (let i = 0; i < 5; i++) {
    const req = authorizeRequest();
    const [auth] = await Promise.allSettled([
      h.client.authorizePayment(req),
      h.client.voidAuthorization({ paymentId: req.paymentId }),
    ]);
    const { payment } = await h.client.getPayment({ paymentId: req.paymentId });
    expect(payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
    const kinds = (await ledgerRows(h.prisma, req.paymentId)).map((r) => r.kind);
    // Either the authorize won (and was voided after) or the void's tombstone stopped it.
    expect(kinds).toEqual(auth.status === 'fulfilled' ? ['AUTHORIZATION', 'VOID'] : []);
  }
});

test('a lock held too long turns into ABORTED DB_CONFLICT (retryable), not INTERNAL', async () => {
  const req = authorizeRequest();
  await h.client.authorizePayment(req);
  const impatient = createDb(h.db.url, { connectionLimit: 2, lockWaitTimeoutSeconds: 1 });
  let release = () => {};
  let locked = () => {};
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = h.prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT payment_id FROM payments WHERE payment_id = ${req.paymentId} FOR UPDATE`;
      locked();
      await new Promise<void>((r) => (release = r));
    },
    { timeout: 20_000 },
  );
  try {
    await isLocked;
    const err = await createPaymentStore(impatient, 10_000)
      .withLock(req.paymentId, async () => 'got it')
      .catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect([err.code, err.reason]).toEqual([status.ABORTED, 'DB_CONFLICT']);
  } finally {
    release();
    await holder;
    await impatient.$disconnect();
  }
});
