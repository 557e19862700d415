/** Builds the payments gRPC server (never listens: main.ts and tests decide where). */
import { createGrpcServer, type GrpcServer, type HandlerBase } from '@meshcart/kit';
import { PaymentServiceService } from '@meshcart/proto/shop/payments/v1/payments';
import { createPaymentsApp } from './app/payments.app';
import { createVaultApp } from './app/vault.app';
import type { PaymentProvider } from './domain/payment-provider';
import { AuthGuardedProvider } from './provider/auth-guard';
import { paymentServiceImpl } from './grpc/payments.handlers';
import { createPaymentMethodStore } from './store/payment-methods.store';
import { createPaymentStore } from './store/payments.store';
import type { Db } from './store/db';
import { createVaultCipher, type VaultKey } from './store/vault-cipher';

export interface PaymentsServerDeps extends HandlerBase {
  db: Db;
  provider: PaymentProvider;
  /** Limit on each provider call (default 5 s); the row lock is held that long at most. */
  providerTimeoutMs?: number;
  /** The card-token vault's key (PAYMENT_VAULT_KEY or _FILE). */
  vaultKey: VaultKey;
  /** How often a provider that refused our key is re-checked while NOT_SERVING (default 30 s). */
  providerAuthRecheckMs?: number;
  /** Lifetime of a vaulted payment method (default 1 h). */
  paymentMethodTtlMs?: number;
  now?: () => Date;
}

export function buildServer(deps: PaymentsServerDeps): GrpcServer {
  const providerTimeoutMs = deps.providerTimeoutMs ?? 5_000;
  // A locked transaction waits for the lock (behind at most a provider call) and may make one.
  const store = createPaymentStore(deps.db, 2 * providerTimeoutMs + 10_000);
  const vault = createVaultApp({
    store: createPaymentMethodStore(deps.db),
    cipher: createVaultCipher(deps.vaultKey),
    ttlMs: deps.paymentMethodTtlMs ?? 3_600_000,
    now: deps.now,
  });
  // A key the provider starts refusing turns this server NOT_SERVING (auth-guard.ts).
  const provider = new AuthGuardedProvider(deps.provider);
  const app = createPaymentsApp({
    store,
    provider,
    providerTimeoutMs,
    resolvePaymentMethod: (id) => vault.resolve(id),
  });
  const server = createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: SERVICE_NAME,
        definition: PaymentServiceService,
        implementation: paymentServiceImpl({ ...deps, provider, app, vault }),
      },
    ],
  });
  provider.hooks = {
    logger: deps.logger,
    recheckMs: deps.providerAuthRecheckMs,
    setServing: (serving) => {
      for (const name of ['', SERVICE_NAME])
        server.health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
  };
  return server;
}

const SERVICE_NAME = 'shop.payments.v1.PaymentService';
