/** Who may call what: shipments and quotes for service workloads, dispatch for operators only. */
import { status } from '@grpc/grpc-js';
import { createClient } from '@meshcart/kit';
import {
  ShippingCarrierServiceService,
  ShippingServiceService,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import {
  berlin,
  createRequest,
  failure,
  startShipping,
  uid,
  type ShippingHarness,
} from './harness';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping('ship_access');
});
afterAll(() => h.stop());

function allCalls(md?: Record<string, string>) {
  const opts = md ? { metadata: md } : {};
  const s = createClient(ShippingServiceService, h.address, { caller: null });
  const c = createClient(ShippingCarrierServiceService, h.address, { caller: null });
  const items = [{ sku: 'MUG-1', quantity: 1 }];
  return {
    close: () => (s.close(), c.close()),
    calls: {
      quoteShipping: () => s.quoteShipping({ address: berlin(), items, currencyCode: '' }, opts),
      createShipment: () => s.createShipment(createRequest(), opts),
      cancelShipment: () => s.cancelShipment({ shipmentId: uid() }, opts),
      getShipment: () => s.getShipment({ shipmentId: uid() }, opts),
      releaseShipment: () => s.releaseShipment({ shipmentId: uid() }, opts),
      markDispatched: () => c.markDispatched({ shipmentId: uid() }, opts),
    },
  };
}

async function codes(
  md?: Record<string, string>,
): Promise<Record<string, [number, string | undefined]>> {
  const { calls, close } = allCalls(md);
  const out: Record<string, [number, string | undefined]> = {};
  for (const [name, call] of Object.entries(calls)) {
    const e = await call().then(
      () => undefined,
      (err: { code: number; reason?: string }) => err,
    );
    out[name] = e ? [e.code, e.reason] : [status.OK, undefined];
  }
  close();
  return out;
}

const DENIED: [number, string] = [status.PERMISSION_DENIED, 'ROLE_REQUIRED'];

test('no token: UNAUTHENTICATED TOKEN_MISSING everywhere', async () => {
  const missing: [number, string] = [status.UNAUTHENTICATED, 'TOKEN_MISSING'];
  expect(await codes()).toEqual({
    quoteShipping: missing,
    createShipment: missing,
    cancelShipment: missing,
    getShipment: missing,
    releaseShipment: missing,
    markDispatched: missing,
  });
});

test('a customer token: PERMISSION_DENIED everywhere', async () => {
  const md = h.auth.bearer(await h.auth.userToken('u-1'));
  expect(await codes(md)).toEqual({
    quoteShipping: DENIED,
    createShipment: DENIED,
    cancelShipment: DENIED,
    getShipment: DENIED,
    releaseShipment: DENIED,
    markDispatched: DENIED,
  });
});

const NOT_IN_GRAPH: [number, string] = [status.PERMISSION_DENIED, 'METHOD_NOT_IN_CALL_GRAPH'];

test('the saga worker: shipments, but neither quotes (orders) nor the carrier side (ops)', async () => {
  const md = h.auth.bearer(await h.auth.serviceToken('saga-worker'));
  expect(await codes(md)).toEqual({
    quoteShipping: NOT_IN_GRAPH,
    createShipment: [status.OK, undefined],
    cancelShipment: [status.OK, undefined],
    getShipment: [status.NOT_FOUND, 'SHIPMENT_NOT_FOUND'],
    releaseShipment: [status.NOT_FOUND, 'SHIPMENT_NOT_FOUND'],
    markDispatched: NOT_IN_GRAPH,
  });
});

test('orders: quotes only (the call graph)', async () => {
  const md = h.auth.bearer(await h.auth.serviceToken('orders'));
  expect(await codes(md)).toEqual({
    quoteShipping: [status.OK, undefined],
    createShipment: NOT_IN_GRAPH,
    cancelShipment: NOT_IN_GRAPH,
    getShipment: NOT_IN_GRAPH,
    releaseShipment: NOT_IN_GRAPH,
    markDispatched: NOT_IN_GRAPH,
  });
});

test('an admin token: the carrier side, reads and releases, not bookings', async () => {
  const md = h.auth.bearer(await h.auth.adminToken());
  expect(await codes(md)).toEqual({
    quoteShipping: DENIED,
    createShipment: DENIED,
    cancelShipment: DENIED,
    getShipment: [status.NOT_FOUND, 'SHIPMENT_NOT_FOUND'],
    releaseShipment: [status.NOT_FOUND, 'SHIPMENT_NOT_FOUND'],
    markDispatched: [status.NOT_FOUND, 'SHIPMENT_NOT_FOUND'],
  });
  const e = await failure(h.client.getShipment({ shipmentId: uid() }));
  expect(e.domain).toBe('shipping.meshcart');
});
