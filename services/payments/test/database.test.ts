/** The database side: migrations in step with schema.prisma, and the connection dying mid-call. */
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift } from '@meshcart/kit';
import { killConnectionMidCall } from '@meshcart/kit/testkit';
import { PaymentStatus } from '@meshcart/proto/shop/payments/v1/payments';
import { authorizeRequest, SERVICE_DIR, startPayments, type PaymentsHarness } from './harness';

test('schema.prisma and the migrations describe the same database', async () => {
  await expectNoSchemaDrift(SERVICE_DIR);
});

describe('the database connection killed mid-call', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPayments({ prefix: 'pay_db' });
  });
  afterAll(() => h?.stop());

  test('CapturePayment answers UNAVAILABLE DB_UNAVAILABLE (retryable), never INTERNAL; the retry captures once', async () => {
    const req = authorizeRequest();
    await h.client.authorizePayment(req);
    const e = await killConnectionMidCall(
      h.db,
      'SELECT payment_id FROM payments WHERE payment_id = ? FOR UPDATE',
      [req.paymentId],
      () => h.client.capturePayment({ paymentId: req.paymentId }),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DB_UNAVAILABLE' });
    const { payment } = await h.client.getPayment({ paymentId: req.paymentId });
    expect(payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    const retried = await h.client.capturePayment({ paymentId: req.paymentId });
    expect(retried.payment?.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
  });
});
