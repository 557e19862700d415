/**
 * inventory service process: wiring only. `main.ts migrate` applies prisma/migrations to
 * DATABASE_URL and exits; without arguments it serves gRPC until SIGTERM/SIGINT.
 */
import type { JSONWebKeySet } from 'jose';
import {
  createLogger,
  createTokenVerifier,
  loadConfig,
  migrate,
  onShutdownSignal,
  runMain,
} from '@meshcart/kit';
import { inventoryConfigSpec, migrateConfigSpec } from './config';
import { buildServer } from './server';
import { createDb } from './store/db';

async function runMigrations(): Promise<void> {
  const config = loadConfig(migrateConfigSpec);
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const result = await migrate({
    url: config.databaseUrl,
    migrationsDir: config.migrationsDir,
    log: (line) => logger.info(line),
  });
  logger.info({ applied: result.applied, skipped: result.skipped.length }, 'migrations up to date');
}

async function serve(): Promise<void> {
  const config = loadConfig(inventoryConfigSpec);
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const verifier = createTokenVerifier({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    // The config parser checks only that it is JSON; jose validates each key.
    jwks: config.jwtPublicKeys as unknown as JSONWebKeySet,
  });
  const db = createDb(config.databaseUrl, {
    poolSize: config.dbPoolSize,
    lockWaitTimeoutSeconds: Math.max(1, Math.round(config.dbLockWaitTimeoutMs / 1000)),
  });
  await db.pool.query('SELECT 1'); // fail fast on a wrong URL or password
  const server = buildServer({
    logger,
    db,
    verifier,
    defaultDeadlineMs: config.defaultDeadlineMs,
    stockCache: { ttlMs: config.stockCacheTtlMs, maxEntries: config.stockCacheMaxEntries },
  });
  await server.listen(config.grpcHost, config.grpcPort);
  onShutdownSignal(logger, async () => {
    await server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs });
    await db.close();
  });
}

runMain(process.argv[2] === 'migrate' ? runMigrations : serve);
