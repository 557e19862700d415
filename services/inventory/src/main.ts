/** inventory service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { orderCorrelation } from '@meshcart/saga/correlation';
import { inventoryConfigSpec } from './config';
import { buildServer } from './server';
import { createDb } from './store/db';

runService({
  spec: inventoryConfigSpec,
  dir: __dirname,
  correlations: [orderCorrelation],
  async start({ config, base, onShutdown }) {
    const db = createDb(config.databaseUrl, {
      poolSize: config.dbPoolSize,
      lockWaitTimeoutSeconds: Math.max(1, Math.round(config.dbLockWaitTimeoutMs / 1000)),
    });
    onShutdown('database pool', () => db.close());
    await db.pool.query('SELECT 1'); // fail fast on a wrong URL or password
    return buildServer({
      ...base,
      db,
      stockCache: { ttlMs: config.stockCacheTtlMs, maxEntries: config.stockCacheMaxEntries },
    });
  },
});
