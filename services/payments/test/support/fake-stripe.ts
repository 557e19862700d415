/**
 * What every Stripe test talks to: stripe-mock (Stripe's own mock, request/response
 * conformance) with the fault proxy in front (declines, faults, stalls, idempotent replays,
 * per-intent state). One start, one stop, and the adapter pointed at it.
 */
import {
  StripePaymentProvider,
  type StripeProviderOptions,
} from '../../src/provider/stripe/stripe.provider';
import { StripeFaultProxy } from './stripe-fault-proxy';
import { startStripeMock, type StripeMock } from './stripe-mock';

export { STRIPE_MOCK_START_TIMEOUT_MS } from './stripe-mock';

/** Any `sk_test_` key: stripe-mock accepts them all. */
export const TEST_SECRET_KEY = 'sk_test_meshcart0000';

export interface FakeStripe {
  mock: StripeMock;
  proxy: StripeFaultProxy;
  /** The adapter against the proxy (test key, 2 s timeout unless overridden). */
  provider(opts?: Partial<StripeProviderOptions>): StripePaymentProvider;
  stop(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const mock = await startStripeMock();
  const proxy = await StripeFaultProxy.start(mock.url).catch(async (e: unknown) => {
    await mock.stop();
    throw e;
  });
  return {
    mock,
    proxy,
    provider: (opts = {}) =>
      new StripePaymentProvider({
        secretKey: TEST_SECRET_KEY,
        apiBase: proxy.url,
        timeoutMs: 2_000,
        ...opts,
      }),
    async stop() {
      await proxy.stop();
      await mock.stop();
    },
  };
}
