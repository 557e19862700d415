/** A payments server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import {
  startServiceHarness,
  uniqueId,
  type ServiceHarness,
  type TestAuth,
} from '@meshcart/kit/testkit';
import type { Money } from '@meshcart/proto/shop/common/v1/money';
import {
  PaymentServiceService,
  type AuthorizePaymentRequest,
} from '@meshcart/proto/shop/payments/v1/payments';
import type { PaymentProvider } from '../src/domain/payment-provider';
import { SimulatedPaymentProvider } from '../src/provider/simulated.provider';
import { buildServer } from '../src/server';
import { createDb, type Db } from '../src/store/db';
import { newVaultKeyBase64, vaultKeyOf, type VaultKey } from '../src/store/vault-cipher';

export { failure, fieldsOf } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');

export type PaymentsClient = TypedClient<typeof PaymentServiceService>;

export interface PaymentsHarness<P extends PaymentProvider = SimulatedPaymentProvider> {
  /** Calls as the saga worker (a `service` token on every call). */
  client: PaymentsClient;
  /** Calls as orders (VaultPaymentMethod). */
  ordersClient: PaymentsClient;
  address: string;
  auth: TestAuth;
  db: TestDatabase;
  prisma: Db;
  provider: P;
  /** Another server (replica) over the same database, with its own provider and pool. */
  replica(): Promise<{
    client: PaymentsClient;
    provider: P;
    stop(): Promise<void>;
  }>;
  stop(): Promise<void>;
}

export async function startPayments(opts: {
  prefix: string;
  latencyMs?: number;
  paymentMethodTtlMs?: number;
  providerTimeoutMs?: number;
  providerAuthRecheckMs?: number;
}): Promise<PaymentsHarness>;
/** With another provider (the contract suite's stripe-on-stripe-mock); replicas share it. */
export async function startPayments<P extends PaymentProvider>(opts: {
  prefix: string;
  paymentMethodTtlMs?: number;
  providerTimeoutMs?: number;
  providerAuthRecheckMs?: number;
  provider: P;
}): Promise<PaymentsHarness<P>>;
export async function startPayments(opts: {
  prefix: string;
  latencyMs?: number;
  paymentMethodTtlMs?: number;
  providerTimeoutMs?: number;
  providerAuthRecheckMs?: number;
  provider?: PaymentProvider;
}): Promise<PaymentsHarness<PaymentProvider>> {
  // One vault key for the main server and its replicas (as one key for every pod).
  const vaultKey: VaultKey = vaultKeyOf(newVaultKeyBase64());
  const serve = async (shared?: ServiceHarness<Db>) => {
    const provider = opts.provider ?? new SimulatedPaymentProvider({ latencyMs: opts.latencyMs });
    const h = await startServiceHarness({
      serviceDir: SERVICE_DIR,
      prefix: opts.prefix,
      database: shared?.database,
      auth: shared?.auth,
      openDb: (url) => createDb(url, { connectionLimit: 8, lockWaitTimeoutSeconds: 10 }),
      closeDb: (prisma) => prisma.$disconnect(),
      build: ({ db, auth }) =>
        buildServer({
          db,
          provider,
          vaultKey,
          paymentMethodTtlMs: opts.paymentMethodTtlMs,
          providerTimeoutMs: opts.providerTimeoutMs,
          providerAuthRecheckMs: opts.providerAuthRecheckMs,
          logger: silentLogger(),
          verifier: auth.verifier,
          reflection: false,
        }),
    });
    // Minted once: signing a token per call would cost more CPU than the call itself.
    const client = h.client(PaymentServiceService, {
      token: await h.auth.serviceToken('saga-worker'),
    });
    const ordersClient = h.client(PaymentServiceService, {
      token: await h.auth.serviceToken('orders'),
    });
    return { h, client, ordersClient, provider };
  };
  const main = await serve();
  const replicas: Array<() => Promise<void>> = [];
  return {
    client: main.client,
    ordersClient: main.ordersClient,
    provider: main.provider,
    address: main.h.address,
    auth: main.h.auth,
    db: main.h.database,
    prisma: main.h.db,
    async replica() {
      const r = await serve(main.h);
      replicas.push(r.h.stop);
      return { client: r.client, provider: r.provider, stop: r.h.stop };
    },
    async stop() {
      for (const s of replicas) await s();
      await main.h.stop();
    },
  };
}

/** A unique id per call (tests share a database but never an id). */
export const uid = (tag = 'p') => uniqueId(tag);

export const eur = (minor: number | string): Money => ({
  currencyCode: 'EUR',
  amountMinor: String(minor),
});

/**
 * An AuthorizePayment request for a fresh payment (tok_visa, 10.00 EUR unless overridden): the
 * token itself, the deprecated form older sagas send; vaulted methods: vaultedRequest.
 */
export function authorizeRequest(
  over: Partial<AuthorizePaymentRequest> = {},
): AuthorizePaymentRequest {
  const paymentId = over.paymentId ?? uid('pay');
  return {
    paymentId,
    orderId: paymentId,
    amount: eur(1000),
    paymentToken: 'tok_visa',
    paymentMethodId: '',
    ...over,
  };
}

/** Vaults `token` as orders does and returns an AuthorizePayment request on the payment method. */
export async function vaultedRequest(
  h: PaymentsHarness,
  token = 'tok_visa',
  over: Partial<AuthorizePaymentRequest> = {},
): Promise<AuthorizePaymentRequest> {
  const { paymentMethodId } = await h.ordersClient.vaultPaymentMethod({
    customerId: uid('cust'),
    vaultRequestId: uid('vr'),
    paymentToken: token,
  });
  return authorizeRequest({ paymentToken: '', paymentMethodId, ...over });
}

/** Ledger rows of a payment straight from the table (not through the service). */
export async function ledgerRows(prisma: Db, paymentId: string) {
  return prisma.ledgerEntry.findMany({ where: { paymentId }, orderBy: { sequence: 'asc' } });
}
