/**
 * Repository over shop_shipping. No explicit locks: a create is one INSERT (the primary key
 * decides which of several parallel creates wins), and every transition is one conditional
 * UPDATE ... WHERE status = 'CREATED' (dispatch: AND released_at IS NOT NULL; release: AND
 * released_at IS NULL), atomic on its own. So a cancel and a dispatch racing each other, or a
 * release racing either, can never both take effect in a contradictory way.
 */
import { mapDbError, prismaCode } from '@meshcart/kit';
import type { Shipment, ShipmentRequest } from '../domain/shipment';
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

    /** CREATED -> CANCELLED, released or not; a shipment in any other state (or none) is left alone. */
    async cancelIfCreated(id: string): Promise<void> {
      await db.shipment
        .updateMany({ where: { id, status: 'CREATED' }, data: { status: 'CANCELLED' } })
        .catch(rethrow);
    },

    /** CREATED and released -> DISPATCHED; anything else is left alone (the caller reads why). */
    async dispatchIfReleased(id: string): Promise<void> {
      await db.shipment
        .updateMany({
          where: { id, status: 'CREATED', releasedAt: { not: null } },
          data: { status: 'DISPATCHED' },
        })
        .catch(rethrow);
    },

    /** Stamps released_at on a CREATED shipment not yet released; anything else is left alone. */
    async releaseIfCreated(id: string, at: Date): Promise<void> {
      await db.shipment
        .updateMany({
          where: { id, status: 'CREATED', releasedAt: null },
          data: { releasedAt: at },
        })
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
    releasedAt: row.releasedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
