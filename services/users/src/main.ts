/** users service process: wiring only. `main.ts migrate` applies the migrations and exits. */
import {
  createLogger,
  createTokenSigner,
  createTokenVerifier,
  loadConfig,
  migrate,
  onShutdownSignal,
  runMain,
} from '@meshcart/kit';
import type { JSONWebKeySet } from 'jose';
import { resolveKeyId } from './auth/signing-key';
import { primeDummyHash } from './domain/password';
import { migrateConfigSpec, usersConfigSpec } from './config';
import { buildServer } from './server';
import { createPrismaClient } from './store/prisma-client';
import { createUsersStore } from './store/users.store';

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
  const config = loadConfig(usersConfigSpec);
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const jwt = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  const keyId = resolveKeyId(config.jwtPrivateKey, config.jwtPublicKeys, config.jwtKeyId);
  const signer = await createTokenSigner({ ...jwt, privateKeyPem: config.jwtPrivateKey, keyId });
  const verifier = createTokenVerifier({
    ...jwt,
    jwks: config.jwtPublicKeys as unknown as JSONWebKeySet,
  });
  const prisma = createPrismaClient(config.databaseUrl);
  await prisma.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
  await primeDummyHash(); // so the first unknown-email login costs no more than later ones
  const server = buildServer({
    logger,
    verifier,
    signer,
    store: createUsersStore(prisma),
    sessionTtlSeconds: Math.floor(config.sessionTtlMs / 1000),
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  await server.listen(config.grpcHost, config.grpcPort);
  onShutdownSignal(logger, async () => {
    await server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs });
    await prisma.$disconnect();
  });
}

runMain(process.argv[2] === 'migrate' ? runMigrations : serve);
