/**
 * Property: over random sequences of authorize / capture / void / refund (random amounts,
 * repeats, illegal steps), against the real service and database, after every step
 *   - captures minus refunds in the ledger == captured - refunded on the payment,
 *   - 0 <= refunded <= captured <= amount,
 *   - the status is legal for the amounts and ledger, and only moves along the state machine,
 *   - ledger rows are only ever appended (earlier rows never change or disappear),
 *   - failures are business or transient codes, never INTERNAL.
 */
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import type { GrpcCallError } from '@meshcart/kit';
import { invariantProblems, type Payment, type PaymentStatus } from '../src/domain/payment';
import { createPaymentStore, type PaymentStore } from '../src/store/payments.store';
import { eur, ledgerRows, startPayments, uid, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
let store: PaymentStore;
beforeAll(async () => {
  h = await startPayments({ prefix: 'pay_prop' });
  store = createPaymentStore(h.prisma, 10_000);
});
afterAll(() => h.stop());

// One call may pass through PENDING (authorize inserts it, then decides in the same call).
const NEXT: Record<PaymentStatus | 'NONE', PaymentStatus[]> = {
  NONE: ['PENDING', 'AUTHORIZED', 'DECLINED', 'VOIDED'],
  PENDING: ['AUTHORIZED', 'DECLINED', 'VOIDED'],
  AUTHORIZED: ['CAPTURED', 'VOIDED'],
  CAPTURED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['REFUNDED'],
  REFUNDED: [],
  VOIDED: [],
  DECLINED: [],
};
const ALLOWED_FAILURES = new Set([
  status.FAILED_PRECONDITION,
  status.ALREADY_EXISTS,
  status.NOT_FOUND,
  status.UNAVAILABLE,
]);

type Op =
  | { op: 'authorize'; sameTerms: boolean }
  | { op: 'capture' }
  | { op: 'void' }
  | { op: 'refund'; key: number; minor: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('authorize' as const), sameTerms: fc.boolean() }),
  fc.record({ op: fc.constant('capture' as const) }),
  fc.record({ op: fc.constant('void' as const) }),
  // Few refund keys, so refund ids repeat (sometimes with another amount).
  fc.record({
    op: fc.constant('refund' as const),
    key: fc.integer({ min: 0, max: 3 }),
    minor: fc.integer({ min: 1, max: 1200 }),
  }),
);

const scenarioArb = fc.record({
  token: fc.constantFrom('tok_visa', 'tok_visa', 'tok_flaky', 'tok_decline'),
  amount: fc.integer({ min: 1, max: 1000 }),
  ops: fc.array(opArb, { minLength: 1, maxLength: 10 }),
});

async function run(paymentId: string, token: string, amount: number, o: Op): Promise<void> {
  switch (o.op) {
    case 'authorize': {
      const terms = o.sameTerms
        ? { amount: eur(amount), paymentToken: token }
        : { amount: eur(amount + 1), paymentToken: token };
      await h.client.authorizePayment({
        paymentId,
        orderId: paymentId,
        paymentMethodId: '',
        ...terms,
      });
      return;
    }
    case 'capture':
      await h.client.capturePayment({ paymentId });
      return;
    case 'void':
      await h.client.voidAuthorization({ paymentId });
      return;
    case 'refund':
      await h.client.refundPayment({
        refundId: `${paymentId}-r${o.key}`,
        paymentId,
        amount: eur(o.minor),
      });
  }
}

async function check(paymentId: string, before: Payment | null): Promise<Payment | null> {
  const p = await store.get(paymentId);
  if (!p) {
    expect(before).toBeNull();
    return null;
  }
  expect(invariantProblems(p)).toEqual([]);
  const rows = await ledgerRows(h.prisma, paymentId);
  const net = rows.reduce(
    (s, r) =>
      s + (r.kind === 'CAPTURE' ? r.amountMinor : r.kind === 'REFUND' ? -r.amountMinor : 0n),
    0n,
  );
  expect(net).toBe(p.captured - p.refunded);
  expect(
    p.refunded >= 0n && p.refunded <= p.captured && p.captured <= (p.terms?.amount.minor ?? 0n),
  ).toBe(true);
  const from = before?.status ?? 'NONE';
  if (p.status !== from) expect(NEXT[from]).toContain(p.status);
  // Append-only: what was there before is still there, unchanged, in the same order.
  expect(p.ledger.slice(0, before?.ledger.length ?? 0)).toEqual(before?.ledger ?? []);
  return p;
}

test('ledger, amounts and status stay consistent over random operation sequences', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ token, amount, ops }) => {
      const paymentId = uid('prop');
      let before: Payment | null = null;
      for (const o of [{ op: 'authorize', sameTerms: true } as Op, ...ops]) {
        try {
          await run(paymentId, token, amount, o);
        } catch (e) {
          const err = e as GrpcCallError;
          if (!ALLOWED_FAILURES.has(err.code)) throw e;
        }
        before = await check(paymentId, before);
      }
    }),
    { numRuns: 30 },
  );
}, 120_000);
