import {
  loadConfig,
  loadTopology,
  localAddress,
  parse,
  serviceConfigSpec,
  temporalConnectionConfigSpec,
  signingKeySpec,
  v,
  type ConfigOf,
} from '@meshcart/kit';
import { ORDER_SAGA_TASK_QUEUE } from '@meshcart/saga/contract';
import { DEFAULT_ORDER_CAPS, type OrderCaps } from './domain/order-caps';
import { DEFAULT_ORPHAN_POLICY, type OrphanPolicy } from './domain/orphan';
import { MAX_QUANTITY } from './domain/place-order.validation';

/** A duration within [min, max] milliseconds. */
const boundedDuration =
  (min: number, max: number) =>
  (raw: string): number => {
    const ms = parse.duration()(raw);
    if (ms < min || ms > max) throw new Error(`must be between ${min} ms and ${max} ms`);
    return ms;
  };

/** Every environment variable the orders service reads. */
export const ordersConfigSpec = {
  ...serviceConfigSpec('orders'),
  databaseUrl: v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true }),
  catalogAddr: v('CATALOG_ADDR', parse.address(), { default: localAddress('catalog') }),
  shippingAddr: v('SHIPPING_ADDR', parse.address(), { default: localAddress('shipping') }),
  /** PaymentService (VaultPaymentMethod: PlaceOrder hands the card token to the vault). */
  paymentsAddr: v('PAYMENTS_ADDR', parse.address(), { default: localAddress('payments') }),
  temporalAddress: v('TEMPORAL_ADDRESS', parse.address(), {
    default: `127.0.0.1:${loadTopology().servers.temporal!.port}`,
  }),
  /** TEMPORAL_TLS_MODE/_CA/_CERT/_KEY/_SERVER_NAME, TEMPORAL_API_KEY (kit temporal/connection-options.ts). */
  ...temporalConnectionConfigSpec(),
  temporalNamespace: v('TEMPORAL_NAMESPACE', parse.string({ min: 1, max: 255 }), {
    default: 'default',
  }),
  /** Must match the saga worker's TEMPORAL_TASK_QUEUE (the chart sets both from one value). */
  temporalTaskQueue: v('TEMPORAL_TASK_QUEUE', parse.string({ min: 1 }), {
    default: ORDER_SAGA_TASK_QUEUE,
  }),
  /**
   * Open-order cap (abuse): at most this many PENDING orders per user (orders whose saga still
   * holds stock and card authorizations); one more answers RESOURCE_EXHAUSTED
   * OPEN_ORDER_LIMIT_REACHED. Checked under a per-user lock, so concurrent placements cannot
   * slip past it.
   */
  maxOpenOrdersPerUser: v('MAX_OPEN_ORDERS_PER_USER', parse.int({ min: 1, max: 1000 }), {
    default: DEFAULT_ORDER_CAPS.maxOpenOrdersPerUser,
  }),
  /** Units of one sku per order line (the contract's hard bound is 1000). */
  maxUnitsPerLine: v('MAX_UNITS_PER_LINE', parse.int({ min: 1, max: MAX_QUANTITY }), {
    default: DEFAULT_ORDER_CAPS.maxUnitsPerLine,
  }),
  /**
   * The orphan reconciler (ReconcileOrphanOrders) only looks at PENDING orders older than this:
   * far above PlaceOrder's own saga start (bounded by its deadline), so an order whose start
   * is merely in flight is never taken for an orphan.
   */
  orphanGraceMs: v('ORPHAN_GRACE', boundedDuration(1_000, 10 * 60_000), {
    default: DEFAULT_ORPHAN_POLICY.graceMs,
  }),
  /**
   * An orphan older than this is cancelled (SAGA_NOT_STARTED) rather than started: the
   * customer has long moved on. Default 1 h, the vault's default payment method lifetime.
   * Its lower bound is above ORPHAN_GRACE's upper one, so the two can never cross.
   */
  orphanMaxAgeMs: v('ORPHAN_MAX_AGE', boundedDuration(15 * 60_000, 30 * 86_400_000), {
    default: DEFAULT_ORPHAN_POLICY.maxAgeMs,
  }),
  /** Orders examined per ReconcileOrphanOrders call (the request may ask for fewer). */
  orphanBatchSize: v('ORPHAN_BATCH_SIZE', parse.int({ min: 1, max: 500 }), {
    default: DEFAULT_ORPHAN_POLICY.batchSize,
  }),
  /** This workload's own signing key (JWT_PRIVATE_KEY or _FILE): orders mints its own service token for catalog, shipping and payments. */
  ...signingKeySpec(),
};

export type OrdersConfig = ConfigOf<typeof ordersConfigSpec>;

export function loadOrdersConfig(env?: Record<string, string | undefined>): OrdersConfig {
  return loadConfig(ordersConfigSpec, env);
}

/** The business policies the config sets: PlaceOrder's caps and the orphan reconciler's bounds. */
export const policiesOf = (c: OrdersConfig): { caps: OrderCaps; orphans: OrphanPolicy } => ({
  caps: { maxOpenOrdersPerUser: c.maxOpenOrdersPerUser, maxUnitsPerLine: c.maxUnitsPerLine },
  orphans: { graceMs: c.orphanGraceMs, maxAgeMs: c.orphanMaxAgeMs, batchSize: c.orphanBatchSize },
});

/** The caps and orphan settings in force, for the chassis' `limits in force` start line. */
export const limitsOf = (c: OrdersConfig): Record<string, unknown> => ({
  max_open_orders_per_user: c.maxOpenOrdersPerUser,
  max_units_per_line: c.maxUnitsPerLine,
  orphan_grace_ms: c.orphanGraceMs,
  orphan_max_age_ms: c.orphanMaxAgeMs,
});
