/** Starts a payments server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { createClient, silentLogger, type GrpcCallError, type TypedClient } from '@meshcart/kit';
import { createTestDatabase, migrate, type TestDatabase } from '@meshcart/kit/src/db';
import { createTestAuth, startTestServer, type TestAuth } from '@meshcart/kit/testkit';
import type { Money } from '@meshcart/proto/shop/common/v1/money';
import {
  PaymentServiceService,
  type AuthorizePaymentRequest,
} from '@meshcart/proto/shop/payments/v1/payments';
import { SimulatedPaymentProvider } from '../src/provider/simulated.provider';
import { buildServer } from '../src/server';
import { createPaymentsDb, type PaymentsDb } from '../src/store/prisma';

export const SERVICE_DIR = path.resolve(__dirname, '..');
export const MIGRATIONS_DIR = path.join(SERVICE_DIR, 'prisma', 'migrations');

export type PaymentsClient = TypedClient<typeof PaymentServiceService>;

export interface PaymentsHarness {
  /** Calls as the saga worker (a `service` token on every call). */
  client: PaymentsClient;
  address: string;
  auth: TestAuth;
  db: TestDatabase;
  prisma: PaymentsDb;
  provider: SimulatedPaymentProvider;
  /** Another server (replica) over the same database, with its own provider and pool. */
  replica(): Promise<{
    client: PaymentsClient;
    provider: SimulatedPaymentProvider;
    stop(): Promise<void>;
  }>;
  stop(): Promise<void>;
}

export async function migratedDatabase(prefix: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await migrate({ url: db.url, migrationsDir: MIGRATIONS_DIR });
  return db;
}

export async function startPayments(opts: {
  prefix: string;
  latencyMs?: number;
}): Promise<PaymentsHarness> {
  const db = await migratedDatabase(opts.prefix);
  const auth = await createTestAuth();
  // Minted once: signing a token per call would cost more CPU than the call itself.
  const serviceToken = await auth.serviceToken('saga-worker');
  const token = async () => serviceToken;
  const serve = async () => {
    const prisma = createPaymentsDb(db.url, { connectionLimit: 8, lockWaitTimeoutSeconds: 10 });
    const provider = new SimulatedPaymentProvider({ latencyMs: opts.latencyMs });
    const server = buildServer({
      db: prisma,
      provider,
      logger: silentLogger(),
      verifier: auth.verifier,
      reflection: false,
    });
    const running = await startTestServer(server);
    const client = createClient(PaymentServiceService, running.address, { caller: null, token });
    const stop = async () => {
      client.close();
      await running.stop();
      await prisma.$disconnect();
    };
    return { client, provider, prisma, address: running.address, stop };
  };
  const main = await serve();
  const replicas: Array<() => Promise<void>> = [];
  return {
    ...main,
    auth,
    db,
    async replica() {
      const r = await serve();
      replicas.push(r.stop);
      return r;
    },
    async stop() {
      for (const s of replicas) await s();
      await main.stop();
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

/** Field paths of an INVALID_ARGUMENT error, sorted. */
export const fieldsOf = (e: GrpcCallError): string[] => e.violations.map((v) => v.field).sort();

let counter = 0;
/** A unique id per call (tests share a database but never an id). */
export const uid = (tag = 'p') => `${tag}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

export const eur = (minor: number | string): Money => ({
  currencyCode: 'EUR',
  amountMinor: String(minor),
});

/** An AuthorizePayment request for a fresh payment (tok_visa, 10.00 EUR unless overridden). */
export function authorizeRequest(
  over: Partial<AuthorizePaymentRequest> = {},
): AuthorizePaymentRequest {
  const paymentId = over.paymentId ?? uid('pay');
  return { paymentId, orderId: paymentId, amount: eur(1000), paymentToken: 'tok_visa', ...over };
}

/** Ledger rows of a payment straight from the table (not through the service). */
export async function ledgerRows(prisma: PaymentsDb, paymentId: string) {
  return prisma.ledgerEntry.findMany({ where: { paymentId }, orderBy: { sequence: 'asc' } });
}
