/**
 * The providers the behavioural contract runs against, each over real sockets: `simulated`
 * (in-process PSP stand-in, behind the real gRPC server) and `stripe` (the adapter against
 * stripe-mock, through the fault proxy). Each fixture says how to produce the contract's cases
 * with its own test credentials and how to count the provider calls that were made.
 */
import type { PaymentProvider } from '../../src/domain/payment-provider';
import { SimulatedPaymentProvider } from '../../src/provider/simulated.provider';
import { StripePaymentProvider } from '../../src/provider/stripe/stripe.provider';
import { StripeFaultProxy, type StripeOp } from './stripe-fault-proxy';
import { startStripeMock } from './stripe-mock';

export type ContractOp = 'authorize' | 'capture' | 'void' | 'refund';

export interface ContractProvider {
  provider: PaymentProvider;
  /** Approves / declines (Stripe: its documented test PaymentMethod ids). */
  approveToken: string;
  declineToken: string;
  /** A token another provider would take but this one refuses before any call. */
  foreignToken: string;
  /** Arranges for the next two authorize calls to fail transiently; the token to use. */
  flakyTwice(): string;
  /** The provider reference an approval answers with. */
  reference: RegExp;
  /** Provider calls made for one payment. */
  count(op: ContractOp, paymentId: string): number;
  stop(): Promise<void>;
}

export interface ContractFixture {
  name: string;
  start(timeoutMs: number): Promise<ContractProvider>;
}

export const simulatedFixture: ContractFixture = {
  name: 'simulated',
  async start() {
    const provider = new SimulatedPaymentProvider();
    return {
      provider,
      approveToken: 'tok_visa',
      declineToken: 'tok_decline',
      foreignToken: 'pm_card_visa',
      flakyTwice: () => 'tok_flaky',
      reference: /^sim_auth_/,
      count: (op, id) => provider.count(op, id),
      stop: async () => undefined,
    };
  },
};

export const stripeFixture: ContractFixture = {
  name: 'stripe (stripe-mock + fault proxy)',
  async start(timeoutMs) {
    const mock = await startStripeMock();
    const proxy = await StripeFaultProxy.start(mock.url);
    const provider = new StripePaymentProvider({
      secretKey: 'sk_test_meshcart0000',
      apiBase: proxy.url,
      timeoutMs,
      searchLagMs: 0,
    });
    return {
      provider,
      approveToken: 'pm_card_visa',
      declineToken: 'pm_card_chargeDeclined',
      foreignToken: 'tok_visa',
      flakyTwice() {
        proxy.failNext(
          'authorize',
          { kind: 'status', status: 503 },
          { kind: 'status', status: 429 },
        );
        return 'pm_card_visa';
      },
      reference: /^pi_/,
      count: (op, id) => proxy.count(op as StripeOp, id),
      async stop() {
        await proxy.stop();
        await mock.stop();
      },
    };
  },
};
