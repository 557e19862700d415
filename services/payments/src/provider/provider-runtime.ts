/**
 * The provider and what runs beside the gRPC server for it (main.ts calls this once the database
 * is up): the provider PAYMENT_PROVIDER selects (refusing `simulated` without its opt-in, stripe
 * without readable secret files), the credential check (a key the provider refuses stops the start, exit 2, instead of turning
 * every payment into an error), the reconciler of unknown outcomes, and, for stripe, the webhook
 * endpoint. Everything it starts is registered for shutdown.
 */
import { ConfigError, type Logger } from '@meshcart/kit';
import { createProviderEventsApp } from '../app/provider-events.app';
import { createReconciler } from '../app/reconciler.app';
import type { PaymentsConfig } from '../config';
import { ProviderAuthError, type PaymentProvider } from '../domain/payment-provider';
import type { Db } from '../store/db';
import { createPaymentStore } from '../store/payments.store';
import { createProvider, readStripeWebhookSecret } from './create-provider';
import { createStripeWebhookServer } from './stripe/stripe-webhook.server';

export async function startProvider(o: {
  config: PaymentsConfig;
  db: Db;
  logger: Logger;
  onShutdown(name: string, run: () => Promise<void> | void): void;
}): Promise<PaymentProvider> {
  const { config, logger } = o;
  const provider = createProvider(config);
  // Read before anything starts: a missing secret file fails the start like a missing variable.
  const webhookSecret =
    config.paymentProvider === 'stripe'
      ? readStripeWebhookSecret(config.stripeWebhookSecretFile)
      : null;
  try {
    await provider.verify();
  } catch (e) {
    if (e instanceof ProviderAuthError) throw new ConfigError([e.message]);
    // Unreachable now: start anyway (calls answer UNAVAILABLE until it is back).
    logger.warn({ provider: provider.name, err: e }, 'payment provider not reachable at start');
  }
  const store = createPaymentStore(o.db, 2 * config.providerTimeoutMs + 10_000);
  if (config.reconcileIntervalMs > 0) {
    const reconciler = createReconciler({
      store,
      provider,
      providerTimeoutMs: config.providerTimeoutMs,
      logger,
    });
    o.onShutdown('reconciler', reconciler.start(config.reconcileIntervalMs));
  }
  if (webhookSecret === null) return provider;
  const webhooks = createStripeWebhookServer({
    secret: webhookSecret,
    toleranceSeconds: Math.ceil(config.stripeWebhookToleranceMs / 1000),
    apply: createProviderEventsApp({ store, logger }).apply,
    logger,
  });
  await new Promise<void>((resolve, reject) => {
    webhooks.once('error', reject);
    webhooks.listen(config.stripeWebhookPort, config.grpcHost, resolve);
  });
  o.onShutdown('stripe webhooks', () => new Promise<void>((r) => webhooks.close(() => r())));
  logger.info({ port: config.stripeWebhookPort }, 'stripe webhooks listening');
  return provider;
}
