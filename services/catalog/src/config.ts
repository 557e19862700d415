/** Configuration of the catalog service: the only place that reads its environment. */
import path from 'node:path';
import { parse, serviceConfigSpec, v, type ConfigOf } from '@meshcart/kit';

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

export const catalogConfigSpec = {
  ...serviceConfigSpec('catalog', 50052),
  databaseUrl,
};
export type CatalogConfig = ConfigOf<typeof catalogConfigSpec>;

/** `main.ts migrate` needs only the database (Helm migration Jobs have nothing else). */
export const migrateConfigSpec = {
  service: v('SERVICE_NAME', parse.string(), { default: 'catalog' }),
  logLevel: catalogConfigSpec.logLevel,
  databaseUrl,
  migrationsDir: v('MIGRATIONS_DIR', parse.string(), {
    default: path.resolve(__dirname, '../prisma/migrations'),
  }),
};
