/**
 * The Stripe adapter: manual-capture PaymentIntents map one to one onto our state machine.
 *
 *   authorize -> POST /v1/payment_intents (confirm, capture_method=manual, the client's pm_ id)
 *   capture   -> POST /v1/payment_intents/:id/capture   (amount_to_capture)
 *   void      -> POST /v1/payment_intents/:id/cancel
 *   refund    -> POST /v1/refunds (payment_intent, amount: partial or full)
 *
 * Every mutating call carries an Idempotency-Key made of our payment id and the operation (and the
 * refund id for refunds), so a retried activity, a second replica or a retry after a timeout never
 * creates a second charge or refund: Stripe replays the first answer. The key does not include our
 * attempt counter on purpose. Card numbers never reach us: the token is a PaymentMethod id the
 * client obtained from Stripe.js (tests use Stripe's documented test ids such as pm_card_visa).
 */
import Stripe from 'stripe';
import type { Money } from '../../domain/money';
import {
  ProviderUnavailableError,
  type AuthorizationLookup,
  type AuthorizeRequest,
  type AuthorizeResult,
  type PaymentProvider,
} from '../../domain/payment-provider';
import { toStripeAmount } from './stripe-amount';
import { isDecline, mapStripeError } from './stripe-errors';

/** A Stripe PaymentMethod id (pm_...), the only token this provider takes. */
const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,200}$/;
/** Metadata key linking a PaymentIntent back to our payment (look-ups search on it). */
export const PAYMENT_ID_METADATA = 'meshcart_payment_id';

export interface StripeProviderOptions {
  /** sk_live_/sk_test_/rk_ key, from STRIPE_SECRET_KEY_FILE; never logged. */
  secretKey: string;
  /** API base URL; default https://api.stripe.com (stripe-mock locally and in tests). */
  apiBase?: string;
  /** Per-request limit (the app adds its own, equal, race). */
  timeoutMs: number;
  /**
   * How long after an authorize attempt a search may still miss its PaymentIntent (Stripe's search
   * index lags writes by up to about a minute): until then "not found" means `in-progress`.
   */
  searchLagMs?: number;
  now?: () => number;
}

export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;
  private readonly searchLagMs: number;
  private readonly now: () => number;

  constructor(opts: StripeProviderOptions) {
    const base = new URL(opts.apiBase ?? 'https://api.stripe.com');
    this.stripe = new Stripe(opts.secretKey, {
      host: base.hostname,
      port: base.port || (base.protocol === 'http:' ? 80 : 443),
      protocol: base.protocol === 'http:' ? 'http' : 'https',
      timeout: opts.timeoutMs,
      // Retries belong to the caller (the saga retries with the same payment id, hence the same
      // idempotency key): an SDK retry loop would outlive our time limit and hide 429s.
      maxNetworkRetries: 0,
      telemetry: false,
      appInfo: { name: 'meshcart-payments' },
    });
    this.searchLagMs = opts.searchLagMs ?? 120_000;
    this.now = opts.now ?? Date.now;
  }

  acceptsToken(token: string): boolean {
    return PAYMENT_METHOD_ID.test(token);
  }

  async verify(): Promise<void> {
    // The cheapest authenticated read; a bad key fails here (ProviderAuthError), not on a payment.
    await this.call('verify', () => this.stripe.balance.retrieve());
  }

  /**
   * attempt is deliberately not part of the idempotency key (every attempt is the same charge);
   * keyGeneration is, and moves on only when nothing was charged under the previous key.
   */
  async authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    const { amount, currency } = toStripeAmount(req.amount);
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount,
          currency,
          capture_method: 'manual',
          confirm: true,
          payment_method: req.token,
          // Server-side confirmation cannot follow a redirect: methods that need one are refused.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { [PAYMENT_ID_METADATA]: req.paymentId },
        },
        { idempotencyKey: authorizeKey(req.paymentId, req.keyGeneration) },
      );
    } catch (e) {
      if (isDecline(e)) return { kind: 'declined' };
      throw mapStripeError(e, 'authorize');
    }
    const outcome = outcomeOf(intent);
    if (outcome.kind === 'in-progress')
      throw new ProviderUnavailableError('stripe is still processing the authorization', {
        outcomeUnknown: true,
      });
    return outcome.kind === 'approved' ? outcome : { kind: 'declined' };
  }

  async lookupAuthorization(req: {
    paymentId: string;
    attemptedAt: Date;
  }): Promise<AuthorizationLookup> {
    const found = await this.call('lookup', () =>
      this.stripe.paymentIntents.search({
        query: `metadata['${PAYMENT_ID_METADATA}']:'${req.paymentId}'`,
        limit: 10,
      }),
    );
    // Only ours: the query is exact, but never trust a search hit without checking.
    const intents = found.data.filter((i) => i.metadata?.[PAYMENT_ID_METADATA] === req.paymentId);
    const decided = intents
      .map(outcomeOf)
      .find((o) => o.kind === 'approved' || o.kind === 'declined');
    if (decided) return decided;
    if (intents.length > 0) return { kind: 'in-progress' };
    return this.now() - req.attemptedAt.getTime() < this.searchLagMs
      ? { kind: 'in-progress' }
      : { kind: 'none' };
  }

  async capture(req: { paymentId: string; reference: string; amount: Money }): Promise<void> {
    const { amount } = toStripeAmount(req.amount);
    await this.call('capture', () =>
      this.stripe.paymentIntents.capture(
        req.reference,
        { amount_to_capture: amount },
        { idempotencyKey: idempotencyKey(req.paymentId, 'capture') },
      ),
    );
  }

  async void(req: { paymentId: string; reference: string }): Promise<void> {
    await this.call('void', () =>
      this.stripe.paymentIntents.cancel(
        req.reference,
        { cancellation_reason: 'requested_by_customer' },
        { idempotencyKey: idempotencyKey(req.paymentId, 'void') },
      ),
    );
  }

  async refund(req: {
    paymentId: string;
    refundId: string;
    reference: string;
    amount: Money;
  }): Promise<void> {
    const { amount } = toStripeAmount(req.amount);
    await this.call('refund', () =>
      this.stripe.refunds.create(
        { payment_intent: req.reference, amount, metadata: { meshcart_refund_id: req.refundId } },
        { idempotencyKey: idempotencyKey(req.paymentId, `refund:${req.refundId}`) },
      ),
    );
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapStripeError(e, operation);
    }
  }
}

/** The authorize key of a generation: `...:authorize`, then `...:authorize:g2`, ... */
export function authorizeKey(paymentId: string, generation: number): string {
  return idempotencyKey(paymentId, generation === 0 ? 'authorize' : `authorize:g${generation + 1}`);
}

/** `meshcart:<payment id>:<operation>`: one key per payment and operation (refunds: per refund). */
export function idempotencyKey(paymentId: string, operation: string): string {
  return `meshcart:${paymentId}:${operation}`;
}

/**
 * A PaymentIntent's status as an authorization outcome. requires_capture is the authorized state
 * of a manual-capture intent (succeeded: captured since, still an authorization we made).
 * requires_payment_method (the confirmation failed) and requires_action (the card wants 3-D Secure,
 * which a server-side confirm cannot complete) are declines; canceled ones too. processing and
 * requires_confirmation are not decided yet.
 */
export function outcomeOf(intent: Stripe.PaymentIntent): AuthorizationLookup {
  switch (intent.status) {
    case 'requires_capture':
    case 'succeeded':
      return { kind: 'approved', reference: intent.id };
    case 'requires_payment_method':
    case 'requires_action':
    case 'canceled':
      return { kind: 'declined' };
    default:
      return { kind: 'in-progress' };
  }
}
