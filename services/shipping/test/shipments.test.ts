/**
 * CreateShipment, CancelShipment, GetShipment, ReleaseShipment, MarkDispatched: transitions,
 * repeats, refusals.
 */
import { status } from '@grpc/grpc-js';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import {
  berlin,
  createRequest,
  failure,
  fieldsOf,
  reasonOf,
  startShipping,
  uid,
  type ShippingHarness,
} from './harness';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping('ship_rpc');
});
afterAll(() => h.stop());

test('create books a CREATED shipment with a tracking number; repeats answer the same', async () => {
  const req = createRequest();
  const first = await h.client.createShipment(req);
  expect(first.shipment).toMatchObject({
    shipmentId: req.shipmentId,
    orderId: req.orderId,
    status: ShipmentStatus.SHIPMENT_STATUS_CREATED,
    address: req.address,
    items: req.items,
    trackingNumber: expect.stringMatching(/^MC[0-9A-Z]{12}$/),
  });
  expect(await h.client.createShipment(req)).toEqual(first);
  expect(await h.client.getShipment({ shipmentId: req.shipmentId })).toEqual(first);
  expect(await h.prisma.shipment.count({ where: { id: req.shipmentId } })).toBe(1);
});

test('the same shipment_id with another order, address or items fails IDEMPOTENCY_KEY_REUSED', async () => {
  const req = createRequest();
  await h.client.createShipment(req);
  const variants = [
    { orderId: 'other' },
    { address: berlin({ postalCode: '10118' }) },
    { address: berlin({ lines: ['Unter den Linden 1'] }) },
    { items: [{ sku: 'MUG-1', quantity: 3 }, req.items[1]!] },
    { items: [...req.items].reverse() },
  ];
  for (const v of variants) {
    expect(await reasonOf(h.client.createShipment({ ...req, ...v }))).toEqual([
      status.ALREADY_EXISTS,
      'IDEMPOTENCY_KEY_REUSED',
    ]);
  }
});

test('create to AQ fails DESTINATION_NOT_SERVED and books nothing', async () => {
  const req = createRequest({ address: berlin({ countryCode: 'AQ' }) });
  expect(await reasonOf(h.client.createShipment(req))).toEqual([
    status.FAILED_PRECONDITION,
    'DESTINATION_NOT_SERVED',
  ]);
  expect(await reasonOf(h.client.getShipment({ shipmentId: req.shipmentId }))).toEqual([
    status.NOT_FOUND,
    'SHIPMENT_NOT_FOUND',
  ]);
});

test('create validation: ids, address and items', async () => {
  const e = await failure(
    h.client.createShipment({ shipmentId: 'a/b', orderId: '', address: undefined, items: [] }),
  );
  expect(e.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldsOf(e)).toEqual(['address', 'items', 'orderId', 'shipmentId']);
  const q = await failure(
    h.client.createShipment(
      createRequest({
        items: [
          { sku: 'MUG-1', quantity: 1 },
          { sku: 'TEA-7', quantity: 0 },
        ],
      }),
    ),
  );
  expect(fieldsOf(q)).toEqual(['items[1].quantity']);
});

test('cancel: CREATED -> CANCELLED, repeats harmless, a later create is refused', async () => {
  const req = createRequest();
  await h.client.createShipment(req);
  const cancelled = await h.client.cancelShipment({ shipmentId: req.shipmentId });
  expect(cancelled.shipment).toMatchObject({
    status: ShipmentStatus.SHIPMENT_STATUS_CANCELLED,
    orderId: req.orderId,
  });
  expect(await h.client.cancelShipment({ shipmentId: req.shipmentId })).toEqual(cancelled);
  expect(await reasonOf(h.client.createShipment(req))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
  expect(await reasonOf(h.carrier.markDispatched({ shipmentId: req.shipmentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
});

test('cancel of an unknown id records a tombstone: the late create fails SHIPMENT_CANCELLED', async () => {
  const req = createRequest();
  const { shipment } = await h.client.cancelShipment({ shipmentId: req.shipmentId });
  expect(shipment).toMatchObject({
    shipmentId: req.shipmentId,
    orderId: '',
    status: ShipmentStatus.SHIPMENT_STATUS_CANCELLED,
    address: undefined,
    items: [],
    trackingNumber: '',
  });
  expect(await h.client.cancelShipment({ shipmentId: req.shipmentId })).toEqual({ shipment });
  expect(await reasonOf(h.client.createShipment(req))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
  expect((await h.client.getShipment({ shipmentId: req.shipmentId })).shipment!.status).toBe(
    ShipmentStatus.SHIPMENT_STATUS_CANCELLED,
  );
});

test('dispatch: released CREATED -> DISPATCHED, repeats harmless; cancel is then refused ALREADY_DISPATCHED', async () => {
  const req = createRequest();
  await h.client.createShipment(req);
  await h.client.releaseShipment({ shipmentId: req.shipmentId });
  const dispatched = await h.carrier.markDispatched({ shipmentId: req.shipmentId });
  expect(dispatched.shipment!.status).toBe(ShipmentStatus.SHIPMENT_STATUS_DISPATCHED);
  expect(await h.carrier.markDispatched({ shipmentId: req.shipmentId })).toEqual(dispatched);
  for (let i = 0; i < 2; i++) {
    expect(await reasonOf(h.client.cancelShipment({ shipmentId: req.shipmentId }))).toEqual([
      status.FAILED_PRECONDITION,
      'ALREADY_DISPATCHED',
    ]);
  }
  // A late repeat of the create (or of the release) still answers the (dispatched) shipment.
  expect((await h.client.createShipment(req)).shipment).toEqual(dispatched.shipment);
  expect((await h.client.releaseShipment({ shipmentId: req.shipmentId })).shipment).toEqual(
    dispatched.shipment,
  );
});

test('dispatch before release (payment not captured): FAILED_PRECONDITION NOT_RELEASED_FOR_DISPATCH, nothing changes', async () => {
  const req = createRequest();
  const created = (await h.client.createShipment(req)).shipment!;
  expect(created.releaseTime).toBeUndefined();
  for (let i = 0; i < 2; i++) {
    expect(await reasonOf(h.carrier.markDispatched({ shipmentId: req.shipmentId }))).toEqual([
      status.FAILED_PRECONDITION,
      'NOT_RELEASED_FOR_DISPATCH',
    ]);
  }
  expect((await h.client.getShipment({ shipmentId: req.shipmentId })).shipment).toEqual(created);
  // The order can still be called off: the cancel works and the refusal becomes the usual one.
  await h.client.cancelShipment({ shipmentId: req.shipmentId });
  expect(await reasonOf(h.carrier.markDispatched({ shipmentId: req.shipmentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
});

test('release: stamps release_time once (idempotent), status stays CREATED until dispatch', async () => {
  const req = createRequest();
  await h.client.createShipment(req);
  const released = (await h.client.releaseShipment({ shipmentId: req.shipmentId })).shipment!;
  expect(released.status).toBe(ShipmentStatus.SHIPMENT_STATUS_CREATED);
  expect(released.releaseTime).toBeDefined();
  expect(await h.client.releaseShipment({ shipmentId: req.shipmentId })).toEqual({
    shipment: released,
  });
  expect((await h.client.getShipment({ shipmentId: req.shipmentId })).shipment).toEqual(released);
  // The operator's path (admin) answers the same.
  expect(
    (await h.operator.releaseShipment({ shipmentId: req.shipmentId })).shipment!.releaseTime,
  ).toEqual(released.releaseTime);
});

test('cancel of a released, not yet dispatched shipment still works; release after cancel is refused', async () => {
  const req = createRequest();
  await h.client.createShipment(req);
  await h.client.releaseShipment({ shipmentId: req.shipmentId });
  const { shipment } = await h.client.cancelShipment({ shipmentId: req.shipmentId });
  expect(shipment!.status).toBe(ShipmentStatus.SHIPMENT_STATUS_CANCELLED);
  expect(await reasonOf(h.carrier.markDispatched({ shipmentId: req.shipmentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
  expect(await reasonOf(h.client.releaseShipment({ shipmentId: req.shipmentId }))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
  // A tombstone (cancel before create) cannot be released either.
  const ghost = uid('ghost');
  await h.client.cancelShipment({ shipmentId: ghost });
  expect(await reasonOf(h.client.releaseShipment({ shipmentId: ghost }))).toEqual([
    status.FAILED_PRECONDITION,
    'SHIPMENT_CANCELLED',
  ]);
});

test('NOT_FOUND SHIPMENT_NOT_FOUND for unknown ids on get, release and dispatch', async () => {
  expect(await reasonOf(h.client.getShipment({ shipmentId: uid('none') }))).toEqual([
    status.NOT_FOUND,
    'SHIPMENT_NOT_FOUND',
  ]);
  expect(await reasonOf(h.carrier.markDispatched({ shipmentId: uid('none') }))).toEqual([
    status.NOT_FOUND,
    'SHIPMENT_NOT_FOUND',
  ]);
  expect(await reasonOf(h.client.releaseShipment({ shipmentId: uid('none') }))).toEqual([
    status.NOT_FOUND,
    'SHIPMENT_NOT_FOUND',
  ]);
  const bad = await failure(h.client.releaseShipment({ shipmentId: 'no spaces' }));
  expect([bad.code, fieldsOf(bad)]).toEqual([status.INVALID_ARGUMENT, ['shipmentId']]);
  const e = await failure(h.client.getShipment({ shipmentId: '' }));
  expect([e.code, fieldsOf(e)]).toEqual([status.INVALID_ARGUMENT, ['shipmentId']]);
});
