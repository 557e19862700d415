/** One orders server on port 0 over its own throwaway database, with fake catalog, shipping and payments (vault). */
import path from 'node:path';
import {
  createClient,
  createLogger,
  serviceToken,
  silentLogger,
  type CallOptions,
  type Logger,
  type TestDatabase,
  type TypedClient,
} from '@meshcart/kit';
import { startServiceHarness, type TestAuth } from '@meshcart/kit/testkit';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  OrderAdminServiceService,
  OrderSagaServiceService,
  OrderServiceService,
  type PlaceOrderRequest,
} from '@meshcart/proto/shop/orders/v1/orders';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import { catalogAdapter } from '../src/downstream/catalog.adapter';
import { paymentVaultAdapter } from '../src/downstream/payments.adapter';
import { shippingAdapter } from '../src/downstream/shipping.adapter';
import type { SagaGateway } from '../src/saga/saga-gateway';
import { DEFAULT_ORDER_CAPS, type OrderCaps } from '../src/domain/order-caps';
import type { OrphanPolicy } from '../src/domain/orphan';
import { buildServer } from '../src/server';
import { createOrdersStore, type OrdersStore } from '../src/store/orders.store';
import { createDb, type Db } from '../src/store/db';
import { startFakeDownstream, type FakeDownstream } from './support/fake-downstream';

export const SERVICE_DIR = path.resolve(__dirname, '..');

/**
 * The service's caps, but room for the suites that place many orders for one user (their fake
 * saga keeps every order PENDING); caps.test.ts checks the caps themselves.
 */
const HARNESS_CAPS: OrderCaps = { ...DEFAULT_ORDER_CAPS, maxOpenOrdersPerUser: 100 };

export interface Harness {
  auth: TestAuth;
  db: TestDatabase;
  prisma: Db;
  store: OrdersStore;
  downstream: FakeDownstream;
  orders: TypedClient<typeof OrderServiceService>;
  saga: TypedClient<typeof OrderSagaServiceService>;
  admin: TypedClient<typeof OrderAdminServiceService>;
  /** Call options carrying an operator's admin token. */
  asAdmin(): Promise<CallOptions>;
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
  opts: { logger?: Logger; caps?: OrderCaps; orphans?: OrphanPolicy } = {},
): Promise<Harness> {
  let downstream: FakeDownstream | undefined;
  let store: OrdersStore | undefined;
  const h = await startServiceHarness({
    serviceDir: SERVICE_DIR,
    prefix: `orders_${name}`,
    openDb: (url) => createDb(url),
    closeDb: (prisma) => prisma.$disconnect(),
    build: async ({ db, auth, onStop }) => {
      const fakes = (downstream = await startFakeDownstream(auth.verifier));
      onStop(() => fakes.stop());
      const as = { caller: 'orders', token: serviceToken(auth.signer, 'orders') };
      const catalog = createClient(CatalogServiceService, fakes.catalogAddr, as);
      const shipping = createClient(ShippingServiceService, fakes.shippingAddr, as);
      const payments = createClient(PaymentServiceService, fakes.paymentsAddr, as);
      onStop(() => [catalog, shipping, payments].forEach((c) => c.close()));
      store = createOrdersStore(db);
      return buildServer({
        logger: opts.logger ?? silentLogger(),
        verifier: auth.verifier,
        store,
        catalog: catalogAdapter(catalog),
        shipping: shippingAdapter(shipping),
        vault: paymentVaultAdapter(payments),
        saga: sagaGateway,
        caps: opts.caps ?? HARNESS_CAPS,
        ...(opts.orphans && { orphans: opts.orphans }),
      });
    },
  });
  const { auth } = h;
  return {
    auth,
    db: h.database,
    prisma: h.db,
    store: store!,
    downstream: downstream!,
    orders: h.client(OrderServiceService, { defaultTimeoutMs: 20_000 }),
    saga: h.client(OrderSagaServiceService, { defaultTimeoutMs: 20_000 }),
    admin: h.client(OrderAdminServiceService, { defaultTimeoutMs: 20_000 }),
    asAdmin: async () => ({ metadata: auth.bearer(await auth.adminToken()) }),
    asUser: async (userId) => ({ metadata: auth.bearer(await auth.userToken(userId)) }),
    asSagaWorker: async () => ({ metadata: auth.bearer(await auth.serviceToken('saga-worker')) }),
    stop: h.stop,
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
