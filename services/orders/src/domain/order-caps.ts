/** Business abuse caps on placing orders (config.ts: MAX_OPEN_ORDERS_PER_USER, MAX_UNITS_PER_LINE). */
import { ErrorReason, errors, type DomainError } from '@meshcart/kit';
import type { OrderStatus } from './order';
import type { PlaceOrderLimits } from './place-order.validation';

/** The caps PlaceOrder enforces. */
export interface OrderCaps extends PlaceOrderLimits {
  /** PENDING orders one user may have at once. */
  maxOpenOrdersPerUser: number;
}

/** Defaults (the config's, documented in the README): 5 open orders, 10 units per line. */
export const DEFAULT_ORDER_CAPS: Readonly<OrderCaps> = Object.freeze({
  maxOpenOrdersPerUser: 5,
  maxUnitsPerLine: 10,
});

/**
 * Orders that count against the open-order cap: PENDING only, the orders whose saga still holds
 * stock reservations and card authorizations (what a hoarding client ties up). A CONFIRMED
 * order is bought and paid; counting it would cap honest customers at N purchases a day.
 */
export const OPEN_STATUSES: readonly OrderStatus[] = ['PENDING'];

/**
 * The user already has `limit` open orders. RESOURCE_EXHAUSTED (HTTP 429), not
 * FAILED_PRECONDITION: it is a per-user quota that frees itself as those orders complete, so
 * the same request succeeds later unchanged - the retry-later semantics of 429, and what
 * clients already handle for rate limits.
 */
export const openOrderLimitReached = (limit: number): DomainError =>
  errors.resourceExhausted(ErrorReason.ERROR_REASON_OPEN_ORDER_LIMIT_REACHED, {
    message: `at most ${limit} orders may be in progress at once; retry when one completes`,
    metadata: { limit: String(limit) },
  });
