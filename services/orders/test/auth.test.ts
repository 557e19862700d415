import { createTestAuth } from '@meshcart/kit/testkit';
import type { CallOptions } from '@meshcart/kit';
import { fakeSaga } from './support/fake-saga';
import { codeAndReason, failure } from './support/expect';
import { placeRequest, startHarness, type Harness } from './harness';
import { progress } from './support/progress';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('auth', fakeSaga());
});
afterAll(() => h.stop());

const customerCalls: Record<string, (o: CallOptions) => Promise<unknown>> = {
  PlaceOrder: (o) => h.orders.placeOrder(placeRequest(), o),
  GetOrder: (o) => h.orders.getOrder({ orderId: 'x' }, o),
  ListOrders: (o) => h.orders.listOrders({ pageSize: 0, pageToken: '' }, o),
  CancelOrder: (o) => h.orders.cancelOrder({ orderId: 'x' }, o),
};

describe.each(Object.keys(customerCalls))(
  'OrderService/%s needs a valid customer token',
  (method) => {
    const call = (o: CallOptions) => customerCalls[method]!(o);
    test('no token: UNAUTHENTICATED TOKEN_MISSING', async () => {
      expect(codeAndReason(await failure(call({})))).toEqual(['UNAUTHENTICATED', 'TOKEN_MISSING']);
    });
    test('expired or forged: UNAUTHENTICATED', async () => {
      const expired = { metadata: h.auth.bearer(await h.auth.userToken('u1', -60)) };
      expect(codeAndReason(await failure(call(expired)))).toEqual([
        'UNAUTHENTICATED',
        'TOKEN_EXPIRED',
      ]);
      const other = await createTestAuth('other-key');
      const forged = { metadata: other.bearer(await other.userToken('u1')) };
      expect(codeAndReason(await failure(call(forged)))).toEqual([
        'UNAUTHENTICATED',
        'TOKEN_INVALID',
      ]);
    });
    test('a service or admin token is no customer: PERMISSION_DENIED', async () => {
      const asWorker = { metadata: h.auth.bearer(await h.auth.serviceToken('saga-worker')) };
      // A workload is refused by the call graph first; a person by the role rule.
      expect(codeAndReason(await failure(call(asWorker)))).toEqual([
        'PERMISSION_DENIED',
        'METHOD_NOT_IN_CALL_GRAPH',
      ]);
      const asAdmin = { metadata: h.auth.bearer(await h.auth.adminToken()) };
      expect(codeAndReason(await failure(call(asAdmin)))).toEqual([
        'PERMISSION_DENIED',
        'ROLE_REQUIRED',
      ]);
    });
  },
);

describe('OrderSagaService/RecordOrderProgress is for the saga worker only', () => {
  const record = (o: CallOptions) => h.saga.recordOrderProgress(progress('x', 1), o);
  test('no token: UNAUTHENTICATED; a customer: PERMISSION_DENIED ROLE_REQUIRED', async () => {
    expect(codeAndReason(await failure(record({})))).toEqual(['UNAUTHENTICATED', 'TOKEN_MISSING']);
    expect(codeAndReason(await failure(record(await h.asUser('u1'))))).toEqual([
      'PERMISSION_DENIED',
      'ROLE_REQUIRED',
    ]);
  });
  test('another workload the call graph does not allow: PERMISSION_DENIED METHOD_NOT_IN_CALL_GRAPH', async () => {
    for (const workload of ['orders', 'edge', 'payments']) {
      const o = { metadata: h.auth.bearer(await h.auth.serviceToken(workload)) };
      expect(codeAndReason(await failure(record(o)))).toEqual([
        'PERMISSION_DENIED',
        'METHOD_NOT_IN_CALL_GRAPH',
      ]);
    }
  });
  test('the saga worker gets past authorization (and finds no such order)', async () => {
    expect(codeAndReason(await failure(record(await h.asSagaWorker())))).toEqual([
      'NOT_FOUND',
      'ORDER_NOT_FOUND',
    ]);
  });
});
