/** Shipping configuration: the shared service keys plus its database. */
import { parse, serviceConfigSpec, v, type ConfigOf } from '@meshcart/kit';

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

export const shippingConfigSpec = {
  ...serviceConfigSpec('shipping'),
  databaseUrl,
  dbPoolSize: v('DB_POOL_SIZE', parse.int({ min: 1, max: 500 }), { default: 10 }),
};

export type ShippingConfig = ConfigOf<typeof shippingConfigSpec>;
