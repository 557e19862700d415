/** The shipping use cases over the store; the rules themselves live in domain/. */
import { ErrorReason, errors } from '@meshcart/kit';
import { assertServed, quote } from '../domain/quote';
import {
  answerCancel,
  answerDispatch,
  answerExistingCreate,
  answerRelease,
  found,
  isDispatchable,
  newTrackingNumber,
  requestHash,
  type Shipment,
  type ShipmentItem,
  type ShipmentRequest,
} from '../domain/shipment';
import type { ShipmentStore } from '../store/shipments.store';

export type ShippingApp = ReturnType<typeof createShippingApp>;

const MAX_TRIES = 3;

export function createShippingApp(store: ShipmentStore) {
  return {
    quote: (country: string, items: ShipmentItem[]) =>
      quote(
        country,
        items.map((i) => i.quantity),
      ),

    /** Idempotent on shipment_id: the first create wins, repeats get its answer. */
    async create(req: ShipmentRequest): Promise<Shipment> {
      assertServed(req.address.countryCode);
      const hash = requestHash(req);
      for (let i = 0; i < MAX_TRIES; i++) {
        const r = await store.create(req, hash, newTrackingNumber());
        if (r.kind === 'created') return r.shipment;
        if (r.kind === 'exists') return answerExistingCreate(r.shipment, hash);
      }
      throw new Error('could not allocate a unique tracking number');
    },

    /** CREATED (released or not) -> CANCELLED; unknown ids get a tombstone so a late create fails. */
    async cancel(id: string): Promise<Shipment> {
      for (let i = 0; i < MAX_TRIES; i++) {
        await store.cancelIfCreated(id);
        const s = await store.get(id);
        // CREATED here means a create committed between our UPDATE and read: go again.
        if (s && s.status !== 'CREATED') return answerCancel(s);
        if (!s) await store.insertTombstoneIfAbsent(id);
      }
      throw errors.aborted(ErrorReason.ERROR_REASON_CONCURRENT_UPDATE, {
        metadata: { shipmentId: id },
      });
    },

    /** Payment captured: the shipment may now be dispatched. Idempotent. */
    async release(id: string): Promise<Shipment> {
      await store.releaseIfCreated(id, new Date());
      return answerRelease(await store.get(id), id);
    },

    /** Released -> DISPATCHED; an unreleased shipment is refused NOT_RELEASED_FOR_DISPATCH. */
    async dispatch(id: string): Promise<Shipment> {
      for (let i = 0; i < MAX_TRIES; i++) {
        await store.dispatchIfReleased(id);
        const s = await store.get(id);
        // Released yet still CREATED: the release committed between our UPDATE and read.
        if (!s || !isDispatchable(s)) return answerDispatch(s, id);
      }
      throw errors.aborted(ErrorReason.ERROR_REASON_CONCURRENT_UPDATE, {
        metadata: { shipmentId: id },
      });
    },

    get: async (id: string): Promise<Shipment> => found(await store.get(id), id),
  };
}
