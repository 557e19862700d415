/**
 * Shipments, pure: CREATED -> DISPATCHED | CANCELLED, and a CANCELLED tombstone for a cancel
 * that overtook its create. Both end states are final, so every transition can be one
 * conditional UPDATE (... WHERE status = 'CREATED') with no lock held across calls.
 *
 * Dispatch only after capture: a CREATED shipment is booked but not paid for. The saga releases
 * it (releasedAt) once the payment is captured, and only a released shipment may leave the
 * warehouse (UPDATE ... WHERE status = 'CREATED' AND released_at IS NOT NULL). Release is a
 * stamp, not a status: it is never undone, a released shipment can still be cancelled until it
 * is dispatched, and the statuses (and every consumer of them) stay as they were.
 */
import { createHash, randomInt } from 'node:crypto';
import { ErrorReason, errors, type PostalAddress } from '@meshcart/kit';

export type ShipmentStatus = 'CREATED' | 'DISPATCHED' | 'CANCELLED';

/** A postal address: the kit's vocabulary type (one definition for every service). */
export type Address = PostalAddress;

export interface ShipmentItem {
  sku: string;
  quantity: number;
}

/** What a CreateShipment fixes for good; a repeat must carry exactly the same. */
export interface ShipmentRequest {
  shipmentId: string;
  orderId: string;
  address: Address;
  items: ShipmentItem[];
}

export interface Shipment {
  id: string;
  status: ShipmentStatus;
  /** null only for a CANCELLED tombstone. */
  details: {
    orderId: string;
    address: Address;
    items: ShipmentItem[];
    trackingNumber: string;
    requestHash: string;
  } | null;
  /** When it was released for dispatch (payment captured); null until then. */
  releasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fingerprint of a create request (order, address, items in order) to recognise repeats. */
export function requestHash(r: ShipmentRequest): string {
  const canonical = JSON.stringify([
    r.orderId,
    r.address.recipient,
    r.address.lines,
    r.address.city,
    r.address.postalCode,
    r.address.countryCode,
    r.items.map((i) => [i.sku, i.quantity]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

const TRACKING_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'; // no I or O: read over the phone

/** A carrier tracking number: MC + 12 characters (~61 bits of randomness). */
export function newTrackingNumber(): string {
  let out = 'MC';
  for (let i = 0; i < 12; i++) out += TRACKING_ALPHABET[randomInt(TRACKING_ALPHABET.length)];
  return out;
}

const refused = (reason: ErrorReason, s: Shipment) =>
  errors.failedPrecondition(reason, { metadata: { shipmentId: s.id, status: s.status } });
const notFound = (id: string) =>
  errors.notFound(ErrorReason.ERROR_REASON_SHIPMENT_NOT_FOUND, { metadata: { shipmentId: id } });

/** A create whose id exists already: answer the stored shipment, or refuse. */
export function answerExistingCreate(existing: Shipment, hash: string): Shipment {
  if (existing.details && existing.details.requestHash !== hash) {
    throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
      metadata: { shipmentId: existing.id },
    });
  }
  if (existing.status === 'CANCELLED')
    throw refused(ErrorReason.ERROR_REASON_SHIPMENT_CANCELLED, existing);
  return existing;
}

/** After `UPDATE ... SET CANCELLED WHERE status = CREATED`: what the cancel answers. */
export function answerCancel(s: Shipment): Shipment {
  if (s.status === 'DISPATCHED') throw refused(ErrorReason.ERROR_REASON_ALREADY_DISPATCHED, s);
  return s;
}

/**
 * After `UPDATE ... SET DISPATCHED WHERE status = CREATED AND released_at IS NOT NULL`: what
 * the dispatch answers. Still CREATED means it was not released when the UPDATE ran.
 */
export function answerDispatch(s: Shipment | null, id: string): Shipment {
  if (!s) throw notFound(id);
  if (s.status === 'CANCELLED') throw refused(ErrorReason.ERROR_REASON_SHIPMENT_CANCELLED, s);
  if (s.status === 'CREATED') throw refused(ErrorReason.ERROR_REASON_NOT_RELEASED_FOR_DISPATCH, s);
  return s;
}

/**
 * After `UPDATE ... SET released_at WHERE status = CREATED AND released_at IS NULL`: what the
 * release answers. A released or dispatched shipment is answered as it is (idempotent); a
 * cancelled one cannot be released.
 */
export function answerRelease(s: Shipment | null, id: string): Shipment {
  if (!s) throw notFound(id);
  if (s.status === 'CANCELLED') throw refused(ErrorReason.ERROR_REASON_SHIPMENT_CANCELLED, s);
  return s;
}

/** True when the carrier may take it: released and still waiting (not dispatched, not cancelled). */
export const isDispatchable = (s: Shipment): boolean =>
  s.status === 'CREATED' && s.releasedAt !== null;

export function found(s: Shipment | null, id: string): Shipment {
  if (!s) throw notFound(id);
  return s;
}
