import { Violations } from '@meshcart/kit';
import {
  TERMINAL_STATUSES,
  type OrderStatus,
  type PaymentStatus,
  type ShipmentStatus,
} from './order';

/** A saga progress record; undefined fields leave the order unchanged. */
export interface ProgressRecord {
  sequence: bigint;
  status?: OrderStatus;
  cancellationReason?: string;
  paymentStatus?: PaymentStatus;
  shipmentStatus?: ShipmentStatus;
  step?: string;
  statusDetail?: string;
}

/** The part of an order the decision depends on (read under a row lock). */
export interface ProgressState {
  status: OrderStatus;
  lastSequence: bigint;
}

export type IgnoredBecause = 'STALE_SEQUENCE' | 'TERMINAL_ORDER' | 'ILLEGAL_TRANSITION';

/** What to write: the record's fields that change something and the new sequence. */
export interface ProgressChanges extends Omit<ProgressRecord, 'sequence'> {
  lastSequence: bigint;
}

export type ProgressDecision =
  { applied: false; because: IgnoredBecause } | { applied: true; changes: ProgressChanges };

/** Status moves the saga may record; staying on the same status is always fine. */
export const ALLOWED_MOVES: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED', 'NEEDS_ATTENTION'],
  CONFIRMED: ['CANCELLED', 'NEEDS_ATTENTION'],
  CANCELLED: [],
  NEEDS_ATTENTION: [],
};

/**
 * Monotonic progress: a record not above the last applied sequence is ignored, a terminal
 * order (CANCELLED, NEEDS_ATTENTION) ignores everything, an illegal status move is ignored
 * as a whole. Ignoring is harmless, so repeats and reordering never hurt.
 */
export function decideProgress(state: ProgressState, record: ProgressRecord): ProgressDecision {
  if (record.sequence <= state.lastSequence) return { applied: false, because: 'STALE_SEQUENCE' };
  if (TERMINAL_STATUSES.has(state.status)) return { applied: false, because: 'TERMINAL_ORDER' };
  const next = record.status ?? state.status;
  if (next !== state.status && !ALLOWED_MOVES[state.status].includes(next)) {
    return { applied: false, because: 'ILLEGAL_TRANSITION' };
  }
  const { sequence, ...fields } = record;
  return {
    applied: true,
    changes: { ...fields, lastSequence: sequence },
  };
}

/** A record as it arrives: enums already named, `UNSPECIFIED` meaning "unchanged", `UNRECOGNIZED` unknown. */
export interface RawProgressRecord {
  orderId: string;
  sequence: string;
  status: OrderStatus | 'UNSPECIFIED' | 'UNRECOGNIZED';
  cancellationReason: string;
  paymentStatus: PaymentStatus | 'UNSPECIFIED' | 'UNRECOGNIZED';
  shipmentStatus: ShipmentStatus | 'UNSPECIFIED' | 'UNRECOGNIZED';
  step: string;
  statusDetail: string;
}

const SEQUENCE = /^[1-9]\d{0,18}$/;
/** Column sizes: longer texts are cut, not refused (a refused final record would strand the order). */
const MAX_REASON = 64;
const MAX_STEP = 32;
const MAX_DETAIL = 1000;

/** At most `max` characters (code points, as MySQL counts), surrounding blanks removed. */
const clip = (s: string, max: number): string => [...s.trim()].slice(0, max).join('');

/**
 * Validates a raw record and drops the "unchanged" fields. Refused (INVALID_ARGUMENT) only for
 * what makes a record meaningless: no order, a bad sequence, unknown enum values, or CANCELLED
 * without a reason. Texts are clipped to their columns; a reason without CANCELLED is ignored.
 */
export function validateProgress(raw: RawProgressRecord): ProgressRecord {
  const v = new Violations();
  if (raw.orderId === '') v.add('orderId', 'is required');
  const sequence = SEQUENCE.test(raw.sequence) ? BigInt(raw.sequence) : 0n;
  if (sequence <= 0n || sequence > 2n ** 63n - 1n) v.add('sequence', 'must be a positive int64');
  for (const f of ['status', 'paymentStatus', 'shipmentStatus'] as const) {
    if (raw[f] === 'UNRECOGNIZED') v.add(f, 'unknown enum value');
  }
  const reason = clip(raw.cancellationReason, MAX_REASON);
  if (raw.status === 'CANCELLED' && reason === '') {
    v.add('cancellationReason', 'required with status CANCELLED');
  }
  v.throwIfAny();
  const given = <T extends string>(
    x: T | 'UNSPECIFIED' | 'UNRECOGNIZED',
  ): Exclude<T, 'UNSPECIFIED' | 'UNRECOGNIZED'> | undefined =>
    x === 'UNSPECIFIED' || x === 'UNRECOGNIZED'
      ? undefined
      : (x as Exclude<T, 'UNSPECIFIED' | 'UNRECOGNIZED'>);
  const step = clip(raw.step, MAX_STEP);
  const statusDetail = clip(raw.statusDetail, MAX_DETAIL);
  return {
    sequence,
    status: given(raw.status),
    cancellationReason: raw.status === 'CANCELLED' ? reason : undefined,
    paymentStatus: given(raw.paymentStatus),
    shipmentStatus: given(raw.shipmentStatus),
    step: step === '' ? undefined : step,
    statusDetail: statusDetail === '' ? undefined : statusDetail,
  };
}
