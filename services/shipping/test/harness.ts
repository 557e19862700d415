/** Starts a shipping server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { createClient, silentLogger, type GrpcCallError, type TypedClient } from '@meshcart/kit';
import { createTestDatabase, migrate, type TestDatabase } from '@meshcart/kit/src/db';
import { createTestAuth, startTestServer, type TestAuth } from '@meshcart/kit/testkit';
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import {
  ShippingCarrierServiceService,
  ShippingServiceService,
  type CreateShipmentRequest,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import { buildServer } from '../src/server';
import { createShippingDb, type ShippingDb } from '../src/store/prisma';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const MIGRATIONS_DIR = path.join(SERVICE_DIR, 'prisma', 'migrations');

export interface ShippingHarness {
  /** Calls as the saga worker (a `service` token on every call). */
  client: TypedClient<typeof ShippingServiceService>;
  /** Calls as an operator (an `admin` token on every call). */
  carrier: TypedClient<typeof ShippingCarrierServiceService>;
  address: string;
  auth: TestAuth;
  prisma: ShippingDb;
  stop(): Promise<void>;
}

export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await migrate({ url: db.url, migrationsDir: MIGRATIONS_DIR });
  return db;
}

export async function startShipping(prefix: string): Promise<ShippingHarness> {
  const db = await migratedDatabase(prefix);
  const auth = await createTestAuth();
  // Minted once: signing a token per call would cost more CPU than the call itself.
  const [serviceToken, adminToken] = [
    await auth.serviceToken('saga-worker'),
    await auth.adminToken(),
  ];
  const prisma = createShippingDb(db.url, { connectionLimit: 8 });
  const server = buildServer({
    db: prisma,
    logger: silentLogger(),
    verifier: auth.verifier,
    reflection: false,
  });
  const running = await startTestServer(server);
  const client = createClient(ShippingServiceService, running.address, {
    caller: null,
    token: async () => serviceToken,
  });
  const carrier = createClient(ShippingCarrierServiceService, running.address, {
    caller: null,
    token: async () => adminToken,
  });
  return {
    client,
    carrier,
    address: running.address,
    auth,
    prisma,
    async stop() {
      client.close();
      carrier.close();
      await running.stop();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}

/** Awaits a call that must fail and returns its GrpcCallError. */
export async function failure(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (e) {
    return e as GrpcCallError;
  }
  throw new Error('expected the call to fail');
}

/** [code, reason] of a call that must fail. */
export const reasonOf = async (p: Promise<unknown>) => {
  const e = await failure(p);
  return [e.code, e.reason];
};

/** Field paths of an INVALID_ARGUMENT error, sorted. */
export const fieldsOf = (e: GrpcCallError): string[] => e.violations.map((v) => v.field).sort();

let counter = 0;
/** A unique id per call (tests share a database but never an id). */
export const uid = (tag = 's') => `${tag}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

export const berlin = (over: Partial<Address> = {}): Address => ({
  recipient: 'Ada Lovelace',
  lines: ['Unter den Linden 1', 'Hinterhaus'],
  city: 'Berlin',
  postalCode: '10117',
  countryCode: 'DE',
  ...over,
});

/** A CreateShipment request for a fresh shipment id. */
export function createRequest(over: Partial<CreateShipmentRequest> = {}): CreateShipmentRequest {
  const shipmentId = over.shipmentId ?? uid('ship');
  return {
    shipmentId,
    orderId: shipmentId,
    address: berlin(),
    items: [
      { sku: 'MUG-1', quantity: 2 },
      { sku: 'TEA-7', quantity: 1 },
    ],
    ...over,
  };
}
