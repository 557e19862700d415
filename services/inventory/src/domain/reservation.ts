/**
 * Reservation rules: canonical items, what a repeated ReserveStock answers, and the lifecycle
 * ACTIVE -> RELEASED | COMMITTED, COMMITTED -> RETURNED. Pure: no gRPC, no database.
 */
import { type ErrorReason, errors } from '@meshcart/kit';
import { REASONS } from './reasons';

export type ReservationStatus = 'ACTIVE' | 'RELEASED' | 'COMMITTED' | 'RETURNED';

export interface ReservationItem {
  sku: string;
  quantity: number;
}

export interface Reservation {
  id: string;
  status: ReservationStatus;
  /** Canonical order (by sku). Empty only for a release tombstone. */
  items: ReservationItem[];
  createdAt: Date;
  updatedAt: Date;
}

/** Stock of the skus a reservation touches, as read under lock. */
export interface StockRow {
  sku: string;
  onHand: number;
  reserved: number;
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

export type Transition = 'release' | 'commit' | 'return';

/** Items sorted by sku: the form stored, compared and answered. */
export function canonicalItems(items: readonly ReservationItem[]): ReservationItem[] {
  return items
    .map((i) => ({ sku: i.sku, quantity: i.quantity }))
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

/** Same items regardless of order (the idempotency payload of ReserveStock). */
export function sameItems(a: readonly ReservationItem[], b: readonly ReservationItem[]): boolean {
  const x = canonicalItems(a);
  const y = canonicalItems(b);
  return (
    x.length === y.length && x.every((i, n) => i.sku === y[n]!.sku && i.quantity === y[n]!.quantity)
  );
}

/** A RELEASED record with no items: written by a release that arrived before its reserve. */
export function isTombstone(r: Reservation): boolean {
  return r.status === 'RELEASED' && r.items.length === 0;
}

/**
 * What a ReserveStock answers when its id is already stored: the stored reservation (items as
 * first stored, whatever the stock is now), or an error when the id was used for other items
 * or the reservation was released (a late reserve must not hold stock nobody will release).
 */
export function answerRepeat(
  existing: Reservation,
  requested: readonly ReservationItem[],
): Reservation {
  if (isTombstone(existing))
    throw errors.failedPrecondition(REASONS.reservationReleased, {
      metadata: { reservationId: existing.id },
    });
  if (!sameItems(existing.items, requested)) {
    throw errors.alreadyExists(REASONS.idempotencyKeyReused, {
      metadata: { reservationId: existing.id },
    });
  }
  if (existing.status === 'RELEASED') {
    throw errors.failedPrecondition(REASONS.reservationReleased, {
      metadata: { reservationId: existing.id },
    });
  }
  return existing;
}

/**
 * The first item (in canonical order) the stock cannot cover. An unknown sku counts as
 * available 0: the saga treats it like any other shortage (OUT_OF_STOCK).
 */
export function findShortage(
  items: readonly ReservationItem[],
  stock: readonly StockRow[],
): Shortage | undefined {
  const bySku = new Map(stock.map((s) => [s.sku, s]));
  for (const item of canonicalItems(items)) {
    const row = bySku.get(item.sku);
    const available = row ? Math.max(0, row.onHand - row.reserved) : 0;
    if (available < item.quantity) return { sku: item.sku, requested: item.quantity, available };
  }
  return undefined;
}

export function outOfStock(s: Shortage) {
  return errors.failedPrecondition(REASONS.outOfStock, {
    message: `not enough stock of ${s.sku}`,
    metadata: { sku: s.sku, requested: String(s.requested), available: String(s.available) },
  });
}

export type TransitionDecision =
  | { kind: 'apply'; to: ReservationStatus }
  | { kind: 'noop' }
  | { kind: 'reject'; reason: ErrorReason };

const TARGET: Record<Transition, ReservationStatus> = {
  release: 'RELEASED',
  commit: 'COMMITTED',
  return: 'RETURNED',
};

/** The lifecycle table. Repeats are no-ops so every transition is idempotent. */
export function decideTransition(from: ReservationStatus, action: Transition): TransitionDecision {
  const to = TARGET[action];
  if (from === to) return { kind: 'noop' };
  switch (action) {
    case 'release':
      return from === 'ACTIVE'
        ? { kind: 'apply', to }
        : { kind: 'reject', reason: REASONS.reservationCommitted };
    case 'commit':
      if (from === 'ACTIVE') return { kind: 'apply', to };
      // A returned reservation was committed first: committing it again is a harmless repeat.
      if (from === 'RETURNED') return { kind: 'noop' };
      return { kind: 'reject', reason: REASONS.reservationReleased };
    case 'return':
      return from === 'COMMITTED'
        ? { kind: 'apply', to }
        : { kind: 'reject', reason: REASONS.reservationNotCommitted };
  }
}

/** Throws the FAILED_PRECONDITION of a rejected transition. */
export function rejectTransition(id: string, reason: ErrorReason): never {
  throw errors.failedPrecondition(reason, { metadata: { reservationId: id } });
}

/** Per unit of quantity: how on_hand and reserved move when a transition applies (a reserve adds to reserved). */
export function stockEffect(action: Transition): { onHand: number; reserved: number } {
  switch (action) {
    case 'release':
      return { onHand: 0, reserved: -1 };
    case 'commit':
      return { onHand: -1, reserved: -1 };
    case 'return':
      return { onHand: 1, reserved: 0 };
  }
}
