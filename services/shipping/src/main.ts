/** Shipping process: wiring only. `main.ts migrate` applies prisma/migrations and exits. */
import path from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { createLogger, createTokenVerifier, onShutdownSignal, runMain } from '@meshcart/kit';
import { migrate } from '@meshcart/kit/src/db';
import { loadMigrateConfig, loadShippingConfig } from './config';
import { buildServer } from './server';
import { createShippingDb } from './store/prisma';

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
  const config = loadShippingConfig();
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const db = createShippingDb(config.databaseUrl, { connectionLimit: config.dbPoolSize });
  // Fail fast on a wrong URL or password instead of on the first call.
  await db.$queryRaw`SELECT 1`;
  const server = buildServer({
    db,
    logger,
    verifier: createTokenVerifier({
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      jwks: config.jwtPublicKeys as unknown as JSONWebKeySet,
    }),
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  const port = await server.listen(config.grpcHost, config.grpcPort);
  logger.info({ port }, 'shipping ready');
  onShutdownSignal(logger, async () => {
    await server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs });
    await db.$disconnect();
  });
});
