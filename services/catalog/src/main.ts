/** catalog service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { catalogConfigSpec } from './config';
import { buildServer } from './server';
import { createCatalogStore } from './store/catalog.store';
import { createDb } from './store/db';

runService({
  spec: catalogConfigSpec,
  dir: __dirname,
  async start({ config, base, onShutdown }) {
    const prisma = createDb(config.databaseUrl);
    onShutdown('database pool', () => prisma.$disconnect());
    await prisma.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
    return buildServer({
      ...base,
      store: createCatalogStore(prisma),
      productCache: { ttlMs: config.productCacheTtlMs, maxEntries: config.productCacheMaxEntries },
    });
  },
});
