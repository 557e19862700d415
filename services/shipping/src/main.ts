/** shipping service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { shippingConfigSpec } from './config';
import { buildServer } from './server';
import { createShippingDb } from './store/prisma';

runService({
  spec: shippingConfigSpec,
  dir: __dirname,
  async start({ config, base, onShutdown }) {
    const db = createShippingDb(config.databaseUrl, { connectionLimit: config.dbPoolSize });
    onShutdown('database pool', () => db.$disconnect());
    await db.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
    return buildServer({ ...base, db });
  },
});
