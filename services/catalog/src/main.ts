/** catalog service process: wiring only. `main.ts migrate` applies the migrations and exits. */
import {
  createLogger,
  createTokenVerifier,
  loadConfig,
  migrate,
  onShutdownSignal,
  runMain,
} from '@meshcart/kit';
import type { JSONWebKeySet } from 'jose';
import { catalogConfigSpec, migrateConfigSpec } from './config';
import { buildServer } from './server';
import { createCatalogStore } from './store/catalog.store';
import { createPrismaClient } from './store/prisma-client';

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
  const config = loadConfig(catalogConfigSpec);
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const verifier = createTokenVerifier({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    jwks: config.jwtPublicKeys as unknown as JSONWebKeySet,
  });
  const prisma = createPrismaClient(config.databaseUrl);
  await prisma.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
  const server = buildServer({
    logger,
    verifier,
    store: createCatalogStore(prisma),
    productCache: {
      ttlMs: config.productCacheTtlMs,
      maxEntries: config.productCacheMaxEntries,
    },
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  await server.listen(config.grpcHost, config.grpcPort);
  onShutdownSignal(logger, async () => {
    await server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs });
    await prisma.$disconnect();
  });
}

runMain(process.argv[2] === 'migrate' ? runMigrations : serve);
