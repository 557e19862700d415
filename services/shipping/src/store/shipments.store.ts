/**
 * Repository over shop_shipping. No explicit locks: a create is one INSERT (the primary key
 * decides which of several parallel creates wins), and every transition is one conditional
 * UPDATE ... WHERE status = 'CREATED', atomic on its own.
 */
import { mapDbError, prismaCode } from '@meshcart/kit';
import type { Shipment, ShipmentRequest, ShipmentStatus } from '../domain/shipment';
import type { Prisma } from './generated/prisma/client';
import type { Db } from './db';

type Row = Prisma.ShipmentGetPayload<{ include: { items: true } }>;
const withItems = { items: { orderBy: { lineNo: 'asc' } } } as const;

export type CreateResult =
  | { kind: 'created'; shipment: Shipment }
  | { kind: 'exists'; shipment: Shipment }
  /** The random tracking number collided with another shipment's: try another. */
  | { kind: 'tracking-taken' };

export type ShipmentStore = ReturnType<typeof createShipmentStore>;

export function createShipmentStore(db: Db) {
  const store = {
    async get(id: string): Promise<Shipment | null> {
      const row = await db.shipment
        .findUnique({ where: { id }, include: withItems })
        .catch(rethrow);
      return row && toShipment(row);
    },

    async create(
      req: ShipmentRequest,
      requestHash: string,
      trackingNumber: string,
    ): Promise<CreateResult> {
      const { address: a } = req;
      try {
        const row = await db.shipment.create({
          data: {
            id: req.shipmentId,
            orderId: req.orderId,
            status: 'CREATED',
            recipient: a.recipient,
            addressLine1: a.lines[0] ?? null,
            addressLine2: a.lines[1] ?? null,
            addressLine3: a.lines[2] ?? null,
            city: a.city,
            postalCode: a.postalCode,
            countryCode: a.countryCode,
            trackingNumber,
            requestHash,
            items: {
              createMany: {
                data: req.items.map((i, lineNo) => ({ lineNo, sku: i.sku, quantity: i.quantity })),
              },
            },
          },
          include: withItems,
        });
        return { kind: 'created', shipment: toShipment(row) };
      } catch (e) {
        if (prismaCode(e) !== 'P2002') rethrow(e);
        const existing = await store.get(req.shipmentId);
        return existing ? { kind: 'exists', shipment: existing } : { kind: 'tracking-taken' };
      }
    },

    /** CREATED -> to, atomically; a shipment in any other state (or none) is left alone. */
    async transitionFromCreated(id: string, to: Exclude<ShipmentStatus, 'CREATED'>): Promise<void> {
      await db.shipment
        .updateMany({ where: { id, status: 'CREATED' }, data: { status: to } })
        .catch(rethrow);
    },

    /** Records a CANCELLED tombstone unless the id exists (INSERT IGNORE). */
    async insertTombstoneIfAbsent(id: string): Promise<void> {
      await db.shipment
        .createMany({ data: [{ id, status: 'CANCELLED' }], skipDuplicates: true })
        .catch(rethrow);
    },
  };
  return store;
}

function rethrow(e: unknown): never {
  throw mapDbError(e);
}

function toShipment(row: Row): Shipment {
  const lines = [row.addressLine1, row.addressLine2, row.addressLine3].filter(
    (l): l is string => l !== null,
  );
  const details =
    row.orderId !== null && row.trackingNumber !== null && row.requestHash !== null
      ? {
          orderId: row.orderId,
          address: {
            recipient: row.recipient ?? '',
            lines,
            city: row.city ?? '',
            postalCode: row.postalCode ?? '',
            countryCode: row.countryCode ?? '',
          },
          items: row.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
          trackingNumber: row.trackingNumber,
          requestHash: row.requestHash,
        }
      : null;
  return {
    id: row.id,
    status: row.status,
    details,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
