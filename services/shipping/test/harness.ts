/** A shipping server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import { failure, startServiceHarness, uniqueId, type TestAuth } from '@meshcart/kit/testkit';
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import {
  ShippingCarrierServiceService,
  ShippingServiceService,
  type CreateShipmentRequest,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import { buildServer } from '../src/server';
import { createDb, type Db } from '../src/store/db';

export { failure, fieldsOf } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');

export interface ShippingHarness {
  /** Calls as the saga worker (a `service` token on every call). */
  client: TypedClient<typeof ShippingServiceService>;
  /** Calls as orders (QuoteShipping is orders' method in the call graph). */
  quoter: TypedClient<typeof ShippingServiceService>;
  /** Calls as an operator (an `admin` token on every call). */
  carrier: TypedClient<typeof ShippingCarrierServiceService>;
  /** ShippingService as an operator (reads; releases of orders paid before the release step). */
  operator: TypedClient<typeof ShippingServiceService>;
  address: string;
  auth: TestAuth;
  prisma: Db;
  database: TestDatabase;
  stop(): Promise<void>;
}

export async function startShipping(prefix: string): Promise<ShippingHarness> {
  const h = await startServiceHarness({
    serviceDir: SERVICE_DIR,
    prefix,
    openDb: (url) => createDb(url, { connectionLimit: 8, lockWaitTimeoutSeconds: 5 }),
    closeDb: (prisma) => prisma.$disconnect(),
    build: ({ db, auth }) =>
      buildServer({ db, logger: silentLogger(), verifier: auth.verifier, reflection: false }),
  });
  // Minted once: signing a token per call would cost more CPU than the call itself.
  return {
    client: h.client(ShippingServiceService, { token: await h.auth.serviceToken('saga-worker') }),
    // Quotes are for orders (the call graph); the saga worker creates and cancels shipments.
    quoter: h.client(ShippingServiceService, { token: await h.auth.serviceToken('orders') }),
    carrier: h.client(ShippingCarrierServiceService, { token: await h.auth.adminToken() }),
    operator: h.client(ShippingServiceService, { token: await h.auth.adminToken() }),
    address: h.address,
    auth: h.auth,
    prisma: h.db,
    database: h.database,
    stop: h.stop,
  };
}

/** [code, reason] of a call that must fail. */
export const reasonOf = async (p: Promise<unknown>) => {
  const e = await failure(p);
  return [e.code, e.reason];
};

/** A unique id per call (tests share a database but never an id). */
export const uid = (tag = 's') => uniqueId(tag);

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
