import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  createClient,
  createLogger,
  createTokenSigner,
  createTokenVerifier,
  migrate,
  onShutdownSignal,
  runMain,
  serviceToken,
} from '@meshcart/kit';
import { temporalClientInterceptors } from '@meshcart/kit/src/telemetry/temporal-client';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import { loadMigrateConfig, loadOrdersConfig } from './config';
import { catalogAdapter } from './downstream/catalog.adapter';
import { shippingAdapter } from './downstream/shipping.adapter';
import { temporalSagaGateway } from './saga/temporal-saga-gateway';
import { buildServer } from './server';
import { createOrdersStore } from './store/orders.store';
import { createOrdersDb } from './store/prisma';

const MIGRATIONS_DIR = path.resolve(__dirname, '../prisma/migrations');

runMain(async () => {
  if (process.argv[2] === 'migrate') {
    const { databaseUrl } = loadMigrateConfig();
    const result = await migrate({
      url: databaseUrl,
      migrationsDir: MIGRATIONS_DIR,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(
      `orders migrations: ${result.applied.length} applied, ${result.skipped.length} already applied\n`,
    );
    process.exit(0);
  }

  const config = loadOrdersConfig();
  const logger = createLogger({ service: config.service, level: config.logLevel });
  const jwt = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  const verifier = createTokenVerifier({
    ...jwt,
    jwks: config.jwtPublicKeys as unknown as Parameters<typeof createTokenVerifier>[0]['jwks'],
  });
  const signer = await createTokenSigner({
    ...jwt,
    privateKeyPem: config.jwtPrivateKey,
    keyId: config.jwtKeyId,
  });
  const token = serviceToken(signer, 'orders');
  const catalog = createClient(CatalogServiceService, config.catalogAddr, {
    caller: 'orders',
    token,
  });
  const shipping = createClient(ShippingServiceService, config.shippingAddr, {
    caller: 'orders',
    token,
  });
  const db = createOrdersDb(config.databaseUrl);
  // Lazy: the service serves reads while Temporal is still coming up; starts fail UNAVAILABLE meanwhile.
  const connection = Connection.lazy({ address: config.temporalAddress });
  // The tracing interceptor writes the caller's trace into the workflow headers: the saga joins it.
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: temporalClientInterceptors(),
  });

  const server = buildServer({
    logger,
    verifier,
    store: createOrdersStore(db),
    catalog: catalogAdapter(catalog),
    shipping: shippingAdapter(shipping),
    saga: temporalSagaGateway(temporal, { taskQueue: config.temporalTaskQueue }),
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  await server.listen(config.grpcHost, config.grpcPort);
  onShutdownSignal(logger, async () => {
    await server.shutdown({ drainMs: config.shutdownDrainMs, graceMs: config.shutdownGraceMs });
    catalog.close();
    shipping.close();
    await connection.close();
    await db.$disconnect();
  });
});
