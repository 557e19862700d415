/**
 * The behavioural contract every payment provider must keep, run over real sockets (the gRPC
 * server, its database, and the provider's own transport) against `simulated` and against
 * `stripe` on stripe-mock: authorize, capture, void, partial and full refunds, idempotent
 * repeats (no second provider call), declines, and transient failures.
 */
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
import type { PaymentProvider } from '../src/domain/payment-provider';
import {
  simulatedFixture,
  stripeFixture,
  type ContractProvider,
} from './support/provider-fixtures';
import { STRIPE_MOCK_START_TIMEOUT_MS } from './support/stripe-mock';

describe.each([simulatedFixture, stripeFixture])('provider contract: $name', (fixture) => {
  let h: PaymentsHarness<PaymentProvider>;
  let p: ContractProvider;
  beforeAll(async () => {
    p = await fixture.start(3_000);
    h = await startPayments({
      prefix: 'pay_contract',
      provider: p.provider,
      providerTimeoutMs: 3_000,
    });
  }, STRIPE_MOCK_START_TIMEOUT_MS);
  afterAll(async () => {
    await h?.stop();
    await p?.stop();
  });

  const authorized = async (minor = 1000) => {
    const req = authorizeRequest({ paymentToken: p.approveToken, amount: eur(minor) });
    const { payment } = await h.client.authorizePayment(req);
    expect(payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    return req.paymentId;
  };

  test('authorize approves once; a repeat answers the stored payment without a provider call', async () => {
    const req = authorizeRequest({ paymentToken: p.approveToken, amount: eur(2599) });
    const first = await h.client.authorizePayment(req);
    expect(first.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      amount: eur(2599),
      providerReference: expect.stringMatching(p.reference),
    });
    expect(await h.client.authorizePayment(req)).toEqual(first);
    expect(p.count('authorize', req.paymentId)).toBe(1);
    expect((await ledgerRows(h.prisma, req.paymentId)).map((r) => r.kind)).toEqual([
      'AUTHORIZATION',
    ]);
  });

  test('a decline is FAILED_PRECONDITION PAYMENT_DECLINED, final, and repeats without a call', async () => {
    const req = authorizeRequest({ paymentToken: p.declineToken });
    for (let i = 0; i < 3; i++) {
      const err = await failure(h.client.authorizePayment(req));
      expect([err.code, err.reason]).toEqual([status.FAILED_PRECONDITION, 'PAYMENT_DECLINED']);
    }
    expect(p.count('authorize', req.paymentId)).toBe(1);
    const { payment } = await h.client.getPayment({ paymentId: req.paymentId });
    expect(payment).toMatchObject({ status: PaymentStatus.PAYMENT_STATUS_DECLINED, ledger: [] });
  });

  test('transient failures answer UNAVAILABLE (retryable), then the retry authorizes once', async () => {
    const req = authorizeRequest({ paymentToken: p.flakyTwice() });
    for (let i = 0; i < 2; i++) {
      const err = await failure(h.client.authorizePayment(req));
      expect([err.code, err.reason]).toEqual([status.UNAVAILABLE, 'PROVIDER_UNAVAILABLE']);
    }
    const ok = await h.client.authorizePayment(req);
    expect(ok.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(p.count('authorize', req.paymentId)).toBe(3);
    expect(await ledgerRows(h.prisma, req.paymentId)).toHaveLength(1);
  });

  test('capture once; a repeat answers without a second capture', async () => {
    const paymentId = await authorized(1500);
    const first = await h.client.capturePayment({ paymentId });
    expect(first.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_CAPTURED,
      captured: eur(1500),
    });
    expect(await h.client.capturePayment({ paymentId })).toEqual(first);
    expect(p.count('capture', paymentId)).toBe(1);
  });

  test('void releases the authorization once; a repeat answers without a call', async () => {
    const paymentId = await authorized();
    const first = await h.client.voidAuthorization({ paymentId });
    expect(first.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
    expect(first.payment!.ledger.map((e) => e.kind)).toEqual([
      LedgerEntryKind.LEDGER_ENTRY_KIND_AUTHORIZATION,
      LedgerEntryKind.LEDGER_ENTRY_KIND_VOID,
    ]);
    expect(await h.client.voidAuthorization({ paymentId })).toEqual(first);
    expect(p.count('void', paymentId)).toBe(1);
  });

  test('partial then full refund; a repeated refund id answers without a call', async () => {
    const paymentId = await authorized(1000);
    await h.client.capturePayment({ paymentId });
    const r1 = { paymentId, refundId: uid('rf'), amount: eur(400) };
    const part = await h.client.refundPayment(r1);
    expect(part.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
      refunded: eur(400),
    });
    expect(await h.client.refundPayment(r1)).toEqual(part);
    const full = await h.client.refundPayment({ paymentId, refundId: uid('rf'), amount: eur(600) });
    expect(full.payment).toMatchObject({
      status: PaymentStatus.PAYMENT_STATUS_REFUNDED,
      refunded: eur(1000),
    });
    expect(p.count('refund', paymentId)).toBe(2);
  });

  test("another provider's token is INVALID_ARGUMENT on paymentToken, before any call", async () => {
    const req = authorizeRequest({ paymentToken: p.foreignToken });
    const err = await failure(h.client.authorizePayment(req));
    expect([err.code, fieldsOf(err)]).toEqual([status.INVALID_ARGUMENT, ['paymentToken']]);
    expect(p.count('authorize', req.paymentId)).toBe(0);
  });
});
