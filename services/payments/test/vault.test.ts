/** VaultPaymentMethod and AuthorizePayment.payment_method_id: the card token at rest only encrypted. */
import { status } from '@grpc/grpc-js';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import {
  authorizeRequest,
  failure,
  fieldsOf,
  startPayments,
  uid,
  vaultedRequest,
  type PaymentsHarness,
} from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ prefix: 'pay_vault' });
});
afterAll(() => h.stop());

const vaultReq = (over: { paymentToken?: string } = {}) => ({
  customerId: uid('cust'),
  vaultRequestId: uid('vr'),
  paymentToken: 'tok_visa',
  ...over,
});

test('vaults a token as pm_<uuid> expiring in an hour; a repeat gets the same id', async () => {
  const req = vaultReq();
  const before = Date.now();
  const first = await h.ordersClient.vaultPaymentMethod(req);
  expect(first.paymentMethodId).toMatch(/^pm_[0-9a-f-]{36}$/);
  const expireMs = Number(first.expireTime!.seconds) * 1000;
  expect(expireMs).toBeGreaterThan(before + 3_590_000);
  expect(expireMs).toBeLessThan(Date.now() + 3_610_000);
  expect(await h.ordersClient.vaultPaymentMethod(req)).toEqual(first);
});

test('the stored row holds only ciphertext, with its key id (AES-256-GCM, 12-byte IV)', async () => {
  const { paymentMethodId } = await h.ordersClient.vaultPaymentMethod(vaultReq());
  const row = await h.prisma.paymentMethod.findUniqueOrThrow({ where: { id: paymentMethodId } });
  expect(row.keyId).toMatch(/^vk-[0-9a-f]{12}$/);
  expect(row.iv).toHaveLength(12);
  expect(row.authTag).toHaveLength(16);
  const dump = JSON.stringify(row, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
  );
  expect(dump).not.toContain('tok_');
});

test('the same vault request with another token is IDEMPOTENCY_KEY_REUSED', async () => {
  const req = vaultReq();
  await h.ordersClient.vaultPaymentMethod(req);
  const err = await failure(
    h.ordersClient.vaultPaymentMethod({ ...req, paymentToken: 'tok_decline' }),
  );
  expect([err.code, err.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
});

test('validation: a token the provider does not accept, bad ids', async () => {
  const err = await failure(
    h.ordersClient.vaultPaymentMethod({
      customerId: '',
      vaultRequestId: 'bad id!',
      paymentToken: 'tok_mastercard',
    }),
  );
  expect(err.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldsOf(err)).toEqual(['customerId', 'paymentToken', 'vaultRequestId']);
});

test('only orders may vault (call graph): the saga worker is refused', async () => {
  const err = await failure(h.client.vaultPaymentMethod(vaultReq()));
  expect([err.code, err.reason]).toEqual([status.PERMISSION_DENIED, 'METHOD_NOT_IN_CALL_GRAPH']);
});

test('AuthorizePayment resolves a payment method inside payments', async () => {
  const req = await vaultedRequest(h, 'tok_visa');
  const { payment } = await h.client.authorizePayment(req);
  expect(payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(h.provider.count('authorize', req.paymentId)).toBe(1);
  const declined = await vaultedRequest(h, 'tok_decline');
  const err = await failure(h.client.authorizePayment(declined));
  expect([err.code, err.reason]).toEqual([status.FAILED_PRECONDITION, 'PAYMENT_DECLINED']);
});

test('an unknown payment method is NOT_FOUND PAYMENT_METHOD_NOT_FOUND, nothing authorized', async () => {
  const req = authorizeRequest({
    paymentToken: '',
    paymentMethodId: 'pm_00000000-0000-4000-8000-000000000000',
  });
  const err = await failure(h.client.authorizePayment(req));
  expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'PAYMENT_METHOD_NOT_FOUND']);
  expect(h.provider.count('authorize', req.paymentId)).toBe(0);
});

test('an expired payment method is FAILED_PRECONDITION PAYMENT_METHOD_EXPIRED; an authorized payment still answers its repeats', async () => {
  const authorized = await vaultedRequest(h);
  await h.client.authorizePayment(authorized);
  const late = await vaultedRequest(h);
  await h.prisma.paymentMethod.updateMany({
    where: { id: { in: [authorized.paymentMethodId, late.paymentMethodId] } },
    data: { expireTime: new Date(Date.now() - 1000) },
  });
  const err = await failure(h.client.authorizePayment(late));
  expect([err.code, err.reason]).toEqual([status.FAILED_PRECONDITION, 'PAYMENT_METHOD_EXPIRED']);
  expect(h.provider.count('authorize', late.paymentId)).toBe(0);
  const again = await h.client.authorizePayment(authorized);
  expect(again.payment!.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
  expect(h.provider.count('authorize', authorized.paymentId)).toBe(1);
});

test('payment_method_id and payment_token together, or a malformed id, are INVALID_ARGUMENT', async () => {
  for (const req of [
    authorizeRequest({ paymentMethodId: 'pm_00000000-0000-4000-8000-000000000000' }),
    authorizeRequest({ paymentToken: '', paymentMethodId: 'tok_visa' }),
  ]) {
    const err = await failure(h.client.authorizePayment(req));
    expect([err.code, fieldsOf(err)]).toEqual([status.INVALID_ARGUMENT, ['paymentMethodId']]);
  }
});
