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
  /** This workload's own signing key (JWT_PRIVATE_KEY or _FILE): orders mints its own service token for catalog, shipping and payments. */
  ...signingKeySpec(),
};

export type OrdersConfig = ConfigOf<typeof ordersConfigSpec>;

export function loadOrdersConfig(env?: Record<string, string | undefined>): OrdersConfig {
  return loadConfig(ordersConfigSpec, env);
}
