/** Parallel repeats and races: one shipment per id, and no cancel ever beats a dispatch twice. */
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import { createRequest, startShipping, type ShippingHarness } from './harness';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping('ship_conc');
});
afterAll(() => h.stop());

test('50 parallel CreateShipment repeats: one shipment, one tracking number, identical answers', async () => {
  const req = createRequest();
  const answers = await Promise.all(
    Array.from({ length: 50 }, () => h.client.createShipment(req, { timeoutMs: 20_000 })),
  );
  for (const a of answers) expect(a).toEqual(answers[0]);
  expect(await h.prisma.shipment.count({ where: { id: req.shipmentId } })).toBe(1);
  expect(await h.prisma.shipmentItem.count({ where: { shipmentId: req.shipmentId } })).toBe(2);
});

test('cancel racing create: always ends CANCELLED, and a create either won first or was refused', async () => {
  for (let i = 0; i < 5; i++) {
    const req = createRequest();
    const [create, cancel] = await Promise.allSettled([
      h.client.createShipment(req),
      h.client.cancelShipment({ shipmentId: req.shipmentId }),
    ]);
    expect(cancel.status).toBe('fulfilled');
    const { shipment } = await h.client.getShipment({ shipmentId: req.shipmentId });
    expect(shipment!.status).toBe(ShipmentStatus.SHIPMENT_STATUS_CANCELLED);
    if (create.status === 'rejected')
      expect(create.reason).toMatchObject({ reason: 'SHIPMENT_CANCELLED' });
  }
});

test('cancel racing dispatch: exactly one of them wins', async () => {
  for (let i = 0; i < 5; i++) {
    const req = createRequest();
    await h.client.createShipment(req);
    await h.client.releaseShipment({ shipmentId: req.shipmentId });
    const [dispatch, cancel] = await Promise.allSettled([
      h.carrier.markDispatched({ shipmentId: req.shipmentId }),
      h.client.cancelShipment({ shipmentId: req.shipmentId }),
    ]);
    expect([dispatch.status, cancel.status].sort()).toEqual(['fulfilled', 'rejected']);
    const { shipment } = await h.client.getShipment({ shipmentId: req.shipmentId });
    const expected =
      dispatch.status === 'fulfilled'
        ? ShipmentStatus.SHIPMENT_STATUS_DISPATCHED
        : ShipmentStatus.SHIPMENT_STATUS_CANCELLED;
    expect(shipment!.status).toBe(expected);
  }
});

test('release racing dispatch and cancel: a dispatch succeeds only if the release came first, never after a cancel', async () => {
  for (let i = 0; i < 8; i++) {
    const req = createRequest();
    await h.client.createShipment(req);
    const [release, dispatch, cancel] = await Promise.allSettled([
      h.client.releaseShipment({ shipmentId: req.shipmentId }),
      h.carrier.markDispatched({ shipmentId: req.shipmentId }),
      h.client.cancelShipment({ shipmentId: req.shipmentId }),
    ]);
    const { shipment } = await h.client.getShipment({ shipmentId: req.shipmentId });
    if (dispatch.status === 'fulfilled') {
      // Dispatched: it had been released, and the cancel lost.
      expect(shipment!.status).toBe(ShipmentStatus.SHIPMENT_STATUS_DISPATCHED);
      expect(shipment!.releaseTime).toBeDefined();
      expect(release.status).toBe('fulfilled');
      expect(cancel).toMatchObject({
        status: 'rejected',
        reason: { reason: 'ALREADY_DISPATCHED' },
      });
    } else {
      expect(shipment!.status).toBe(ShipmentStatus.SHIPMENT_STATUS_CANCELLED);
      expect(cancel.status).toBe('fulfilled');
      expect(dispatch.reason).toMatchObject({
        reason: expect.stringMatching(/^(NOT_RELEASED_FOR_DISPATCH|SHIPMENT_CANCELLED)$/),
      });
      if (release.status === 'rejected')
        expect(release.reason).toMatchObject({ reason: 'SHIPMENT_CANCELLED' });
    }
  }
});
