/** payments service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { orderCorrelation } from '@meshcart/saga/correlation';
import { paymentsConfigSpec, serverSettings } from './config';
import { startProvider } from './provider/provider-runtime';
import { buildServer } from './server';
import { createDb } from './store/db';

runService({
  spec: paymentsConfigSpec,
  dir: __dirname,
  correlations: [orderCorrelation],
  async start({ config, base, logger, onShutdown }) {
    const settings = serverSettings(config); // reads the vault key: fails fast when bad
    const db = createDb(config.databaseUrl, {
      connectionLimit: config.dbPoolSize,
      lockWaitTimeoutSeconds: Math.ceil(config.providerTimeoutMs / 1000) + 5,
    });
    onShutdown('database pool', () => db.$disconnect());
    await db.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
    const provider = await startProvider({ config, db, logger, onShutdown }); // + reconciler, webhooks
    logger.info({ provider: provider.name, vault_key_id: settings.vaultKey.keyId }, 'started');
    return buildServer({ ...base, ...settings, db, provider });
  },
});
