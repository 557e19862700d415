/** shipping service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { orderCorrelation } from '@meshcart/saga/correlation';
import { shippingConfigSpec } from './config';
import { buildServer } from './server';
import { createDb } from './store/db';

runService({
  spec: shippingConfigSpec,
  dir: __dirname,
  correlations: [orderCorrelation],
  async start({ config, base, onShutdown }) {
    // Transitions are single conditional UPDATEs: a short lock wait is plenty.
    const db = createDb(config.databaseUrl, {
      connectionLimit: config.dbPoolSize,
      lockWaitTimeoutSeconds: 5,
    });
    onShutdown('database pool', () => db.$disconnect());
    await db.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
    return buildServer({ ...base, db });
  },
});
