import path from 'node:path';
import {
  createClient,
  createLogger,
  createTestDatabase,
  migrate,
  serviceToken,
  silentLogger,
  type CallOptions,
  type Logger,
  type TestDatabase,
  type TypedClient,
} from '@meshcart/kit';
import { createTestAuth, startTestServer, type TestAuth } from '@meshcart/kit/testkit';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  OrderSagaServiceService,
  OrderServiceService,
  type PlaceOrderRequest,
} from '@meshcart/proto/shop/orders/v1/orders';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import { catalogAdapter } from '../../src/downstream/catalog.adapter';
import { shippingAdapter } from '../../src/downstream/shipping.adapter';
import type { SagaGateway } from '../../src/saga/saga-gateway';
import { buildServer } from '../../src/server';
import { createOrdersStore, type OrdersStore } from '../../src/store/orders.store';
import { createOrdersDb, type OrdersDb } from '../../src/store/prisma';
import { startFakeDownstream, type FakeDownstream } from './fake-downstream';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../prisma/migrations');

/** One orders server on port 0 over its own throwaway database, with fake catalog + shipping. */
export interface Harness {
  auth: TestAuth;
  db: TestDatabase;
  prisma: OrdersDb;
  store: OrdersStore;
  downstream: FakeDownstream;
  orders: TypedClient<typeof OrderServiceService>;
  saga: TypedClient<typeof OrderSagaServiceService>;
  /** Call options carrying a customer token for `userId`. */
  asUser(userId: string): Promise<CallOptions>;
  /** Call options carrying the saga worker's service token. */
  asSagaWorker(): Promise<CallOptions>;
  stop(): Promise<void>;
}

/** A debug-level logger whose output the test can read (to prove secrets never reach logs). */
export function captureLogs(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'orders-test',
    level: 'debug',
    destination: { write: (l: string) => void lines.push(l) },
  });
  return { logger, text: () => lines.join('') };
}

export async function startHarness(
  name: string,
  sagaGateway: SagaGateway,
  opts: { logger?: Logger } = {},
): Promise<Harness> {
  const auth = await createTestAuth();
  const db = await createTestDatabase(`orders_${name}`);
  await migrate({ url: db.url, migrationsDir: MIGRATIONS_DIR });
  const downstream = await startFakeDownstream(auth.verifier);
  const token = serviceToken(auth.signer, 'orders');
  const catalog = createClient(CatalogServiceService, downstream.catalogAddr, {
    caller: 'orders',
    token,
  });
  const shipping = createClient(ShippingServiceService, downstream.shippingAddr, {
    caller: 'orders',
    token,
  });
  const prisma = createOrdersDb(db.url);
  const store = createOrdersStore(prisma);
  const server = buildServer({
    logger: opts.logger ?? silentLogger(),
    verifier: auth.verifier,
    store,
    catalog: catalogAdapter(catalog),
    shipping: shippingAdapter(shipping),
    saga: sagaGateway,
  });
  const { address, stop } = await startTestServer(server);
  const orders = createClient(OrderServiceService, address, {
    caller: null,
    defaultTimeoutMs: 20_000,
  });
  const saga = createClient(OrderSagaServiceService, address, {
    caller: null,
    defaultTimeoutMs: 20_000,
  });
  return {
    auth,
    db,
    prisma,
    store,
    downstream,
    orders,
    saga,
    asUser: async (userId) => ({ metadata: auth.bearer(await auth.userToken(userId)) }),
    asSagaWorker: async () => ({ metadata: auth.bearer(await auth.serviceToken('saga-worker')) }),
    stop: async () => {
      orders.close();
      saga.close();
      await stop();
      catalog.close();
      shipping.close();
      await downstream.stop();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}

/** A valid PlaceOrder request; override what a test is about. */
export function placeRequest(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    requestId: `req-${Math.random().toString(36).slice(2, 12)}`,
    items: [
      { sku: 'MUG-1', quantity: 2 },
      { sku: 'TEE-1', quantity: 1 },
    ],
    shippingAddress: {
      recipient: 'Ada Lovelace',
      lines: ['12 St James Square'],
      city: 'London',
      postalCode: 'SW1Y 4JH',
      countryCode: 'GB',
    },
    paymentToken: 'tok_visa',
    ...overrides,
  };
}
