/** Payments process: wiring only. `main.ts migrate` applies prisma/migrations and exits. */
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { createLogger, createTokenVerifier, onShutdownSignal, runMain } from '@meshcart/kit';
import { migrate } from '@meshcart/kit/src/db';
import { loadMigrateConfig, loadPaymentsConfig } from './config';
import { createProvider } from './provider/create-provider';
import { buildServer } from './server';
import { createPaymentsDb } from './store/prisma';

const MIGRATIONS_DIR = path.resolve(__dirname, '../prisma/migrations');

runMain(async () => {
  if (process.argv[2] === 'migrate') {
    const config = loadMigrateConfig();
    const logger = createLogger({ service: config.service, level: config.logLevel });
    const result = await migrate({
      url: config.databaseUrl,
      migrationsDir: MIGRATIONS_DIR,
      log: (l) => logger.info(l),
    });
    logger.info(result, 'migrations done');
    return;
  }
  const config = loadPaymentsConfig();
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const db = createPaymentsDb(config.databaseUrl, {
    connectionLimit: config.dbPoolSize,
    lockWaitTimeoutSeconds: Math.ceil(config.providerTimeoutMs / 1000) + 5,
  });
  // Fail fast on a wrong URL or password instead of on the first call.
  await db.$queryRaw`SELECT 1`;
  const provider = createProvider(config);
  const server = buildServer({
    db,
    provider,
    logger,
    verifier: createTokenVerifier({
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      jwks: config.jwtPublicKeys as unknown as JSONWebKeySet,
    }),
    providerTimeoutMs: config.providerTimeoutMs,
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  const port = await server.listen(config.grpcHost, config.grpcPort);
  logger.info({ port, provider: provider.name }, 'payments ready');
  onShutdownSignal(logger, async () => {
    await server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs });
    await db.$disconnect();
  });
});
