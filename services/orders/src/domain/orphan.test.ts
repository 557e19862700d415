import { decideOrphan, orphanBatchOf, type OrphanPolicy } from './orphan';

const policy: OrphanPolicy = { graceMs: 60_000, maxAgeMs: 3_600_000, batchSize: 20 };
const now = new Date('2026-12-06T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const later = (ms: number) => new Date(now.getTime() + ms);

test('an orphan with a live payment method gets its saga started with that method', () => {
  expect(
    decideOrphan(
      { createTime: ago(120_000), paymentMethodId: 'pm_1', paymentMethodExpireTime: later(1) },
      now,
      policy,
    ),
  ).toEqual({ action: 'start', paymentMethodId: 'pm_1' });
  // Expiry unknown (placed before it was kept): payments decides when authorizing.
  expect(
    decideOrphan(
      { createTime: ago(120_000), paymentMethodId: 'pm_1', paymentMethodExpireTime: null },
      now,
      policy,
    ).action,
  ).toBe('start');
});

test.each([
  ['no payment method', { paymentMethodId: null }, 'NO_PAYMENT_METHOD'],
  ['payment method expired', { paymentMethodExpireTime: now }, 'PAYMENT_METHOD_EXPIRED'],
  ['older than the max age', { createTime: ago(3_600_001) }, 'MAX_AGE_EXCEEDED'],
] as const)('cannot start (%s): cancel, saying why', (_what, change, why) => {
  const facts = {
    createTime: ago(120_000),
    paymentMethodId: 'pm_1' as string | null,
    paymentMethodExpireTime: later(60_000) as Date | null,
    ...change,
  };
  expect(decideOrphan(facts, now, policy)).toEqual({ action: 'cancel', why });
});

test('the batch: the request may lower it, never raise it; 0 means the policy', () => {
  expect([0, 5, 20, 500].map((n) => orphanBatchOf(n, policy))).toEqual([20, 5, 20, 20]);
});
