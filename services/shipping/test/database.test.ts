/** The database side: migrations in step with schema.prisma, and the connection dying mid-call. */
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift } from '@meshcart/kit';
import { killConnectionMidCall } from '@meshcart/kit/testkit';
import { ShipmentStatus } from '@meshcart/proto/shop/shipping/v1/shipping';
import { createRequest, SERVICE_DIR, startShipping, type ShippingHarness } from './harness';

test('schema.prisma and the migrations describe the same database', async () => {
  await expectNoSchemaDrift(SERVICE_DIR);
});

describe('the database connection killed mid-call', () => {
  let h: ShippingHarness;
  beforeAll(async () => {
    h = await startShipping('ship_db');
  });
  afterAll(() => h?.stop());

  test('CancelShipment answers UNAVAILABLE DB_UNAVAILABLE (retryable), never INTERNAL, and changes nothing', async () => {
    const req = createRequest();
    await h.client.createShipment(req);
    const e = await killConnectionMidCall(
      h.database,
      'SELECT shipment_id FROM shipments WHERE shipment_id = ? FOR UPDATE',
      [req.shipmentId],
      () => h.client.cancelShipment({ shipmentId: req.shipmentId }),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DB_UNAVAILABLE' });
    const { shipment } = await h.client.getShipment({ shipmentId: req.shipmentId });
    expect(shipment?.status).not.toBe(ShipmentStatus.SHIPMENT_STATUS_CANCELLED);
  });
});
