/** Who may call what: service workloads only; operators may read; customers never. */
import { status } from '@grpc/grpc-js';
import { createClient } from '@meshcart/kit';
import { createTestAuth } from '@meshcart/kit/testkit';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import {
  authorizeRequest,
  eur,
  failure,
  startPayments,
  uid,
  type PaymentsHarness,
} from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ prefix: 'pay_access' });
});
afterAll(() => h.stop());

const calls = (c: ReturnType<typeof anonymous>, md?: Record<string, string>) => {
  const opts = md ? { metadata: md } : {};
  return {
    authorizePayment: () => c.authorizePayment(authorizeRequest(), opts),
    capturePayment: () => c.capturePayment({ paymentId: uid() }, opts),
    voidAuthorization: () => c.voidAuthorization({ paymentId: uid() }, opts),
    refundPayment: () =>
      c.refundPayment({ refundId: uid(), paymentId: uid(), amount: eur(1) }, opts),
    getPayment: () => c.getPayment({ paymentId: uid() }, opts),
    vaultPaymentMethod: () =>
      c.vaultPaymentMethod(
        { customerId: uid('c'), vaultRequestId: uid('v'), paymentToken: 'tok_visa' },
        opts,
      ),
  };
};
const anonymous = () => createClient(PaymentServiceService, h.address, { caller: null });

test('no token: UNAUTHENTICATED TOKEN_MISSING on every RPC', async () => {
  const c = anonymous();
  for (const [name, call] of Object.entries(calls(c))) {
    const e = await failure(call());
    expect([name, e.code, e.reason]).toEqual([name, status.UNAUTHENTICATED, 'TOKEN_MISSING']);
  }
  c.close();
});

test('a customer token: PERMISSION_DENIED ROLE_REQUIRED on every RPC', async () => {
  const c = anonymous();
  const md = h.auth.bearer(await h.auth.userToken('u-1'));
  for (const [name, call] of Object.entries(calls(c, md))) {
    const e = await failure(call());
    expect([name, e.code, e.reason]).toEqual([name, status.PERMISSION_DENIED, 'ROLE_REQUIRED']);
  }
  c.close();
});

test('an admin may read payments but not move money', async () => {
  const c = anonymous();
  const md = h.auth.bearer(await h.auth.adminToken());
  const { getPayment, ...moves } = calls(c, md);
  expect((await failure(getPayment())).code).toBe(status.NOT_FOUND); // past the access check
  for (const [name, call] of Object.entries(moves)) {
    const e = await failure(call());
    expect([name, e.code, e.reason]).toEqual([name, status.PERMISSION_DENIED, 'ROLE_REQUIRED']);
  }
  c.close();
});

test('a forged token (other signing key) is UNAUTHENTICATED', async () => {
  const other = await createTestAuth('other-key');
  const c = anonymous();
  const e = await failure(
    c.getPayment(
      { paymentId: uid() },
      { metadata: other.bearer(await other.serviceToken('saga-worker')) },
    ),
  );
  expect([e.code, e.reason]).toEqual([status.UNAUTHENTICATED, 'TOKEN_INVALID']);
  c.close();
});
