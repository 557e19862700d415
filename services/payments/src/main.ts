/** payments service: its own wiring only; the kit's chassis (runService) does the rest. */
import { ConfigError, runService } from '@meshcart/kit';
import { orderCorrelation } from '@meshcart/saga/correlation';
import { paymentsConfigSpec, serverSettings } from './config';
import { createProviderEventsApp } from './app/provider-events.app';
import { createReconciler } from './app/reconciler.app';
import { ProviderAuthError } from './domain/payment-provider';
import { createProvider, readStripeWebhookSecret } from './provider/create-provider';
import { buildServer } from './server';
import { createDb } from './store/db';
import { createPaymentStore } from './store/payments.store';
import { createStripeWebhookServer } from './webhooks/stripe-webhook.server';

runService({
  spec: paymentsConfigSpec,
  dir: __dirname,
  correlations: [orderCorrelation],
  async start({ config, base, logger, onShutdown }) {
    const provider = createProvider(config); // refuses `simulated` without the opt-in
    const settings = serverSettings(config); // reads the vault key: fails fast when bad
    const webhookSecret =
      config.paymentProvider === 'stripe'
        ? readStripeWebhookSecret(config.stripeWebhookSecretFile)
        : null;
    const db = createDb(config.databaseUrl, {
      connectionLimit: config.dbPoolSize,
      lockWaitTimeoutSeconds: Math.ceil(config.providerTimeoutMs / 1000) + 5,
    });
    onShutdown('database pool', () => db.$disconnect());
    await db.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
    try {
      await provider.verify(); // a wrong or revoked key fails here, never as declined payments
    } catch (e) {
      if (e instanceof ProviderAuthError) throw new ConfigError([e.message]);
      // Unreachable now: start anyway (calls answer UNAVAILABLE until it is back).
      logger.warn({ provider: provider.name, err: e }, 'payment provider not reachable at start');
    }
    const store = createPaymentStore(db, 2 * config.providerTimeoutMs + 10_000);
    if (config.reconcileIntervalMs > 0) {
      const reconciler = createReconciler({
        store,
        provider,
        providerTimeoutMs: config.providerTimeoutMs,
        logger,
      });
      onShutdown('reconciler', reconciler.start(config.reconcileIntervalMs));
    }
    if (webhookSecret !== null) {
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
      // Stopped first (registered last): no event is taken once shutdown begins.
      onShutdown('stripe webhooks', () => new Promise<void>((r) => webhooks.close(() => r())));
      logger.info({ port: config.stripeWebhookPort }, 'stripe webhooks listening');
    }
    logger.info({ provider: provider.name, vault_key_id: settings.vaultKey.keyId }, 'started');
    return buildServer({ ...base, ...settings, db, provider });
  },
});
