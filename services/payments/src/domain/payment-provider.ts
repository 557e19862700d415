/**
 * The port every payment service provider (PSP) plugs in behind. Calls carry our ids so a
 * real PSP can use them as its own idempotency keys (a retried call after a timeout must not
 * authorize or refund twice on its side either).
 */
import type { Money } from './money';

/**
 * One authorize call: attempt counts this payment's calls (1, 2, ...), durable across restarts.
 * keyGeneration belongs in the provider's idempotency key: it stays the same across retries (so a
 * retry never charges twice) and moves on only once a look-up proved the provider holds nothing
 * for the previous key (a provider that saved an error for a key replays it for as long as it
 * keeps the key).
 */
export interface AuthorizeRequest {
  paymentId: string;
  amount: Money;
  token: string;
  attempt: number;
  keyGeneration: number;
}

export type AuthorizeResult = { kind: 'approved'; reference: string } | { kind: 'declined' };

/**
 * The provider could not answer (down, rate limited, timed out): safe to retry with the same ids.
 * outcomeUnknown: the request may have reached the provider and been carried out (a timeout or a
 * dropped connection after sending, a 5xx), so the caller looks the operation up before answering
 * instead of guessing; false when the provider certainly did nothing (429, connection refused).
 */
export class ProviderUnavailableError extends Error {
  readonly outcomeUnknown: boolean;
  constructor(
    message = 'payment provider unavailable',
    options?: { cause?: unknown; outcomeUnknown?: boolean },
  ) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/**
 * The provider refused the request as malformed (an amount it cannot represent, a payment method it
 * does not know): the caller's input or our mapping is wrong, retrying cannot help. field: the
 * request field to blame (proto JSON path), e.g. `amount.amountMinor` or `paymentToken`.
 */
export class ProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderRejectedError';
  }
}

/**
 * The provider refused our credentials (wrong or revoked secret key, missing permission): a
 * configuration fault, never a payment outcome. Startup fails on it (PaymentProvider.verify) and a
 * call hitting it answers INTERNAL (logged), never a decline.
 */
export class ProviderAuthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderAuthError';
  }
}

/** What a look-up found for a payment's authorization at the provider. */
export type AuthorizationLookup = AuthorizeResult | { kind: 'none' } | { kind: 'in-progress' };

export interface PaymentProvider {
  /** Short name for logs and config (PAYMENT_PROVIDER). */
  readonly name: string;
  /** Cheap local check of the token's shape, before anything is stored. */
  acceptsToken(token: string): boolean;
  /**
   * Authorizes amount on the token. attempt counts this payment's authorize calls (1, 2, ...),
   * durable across restarts. Throws ProviderUnavailableError on transient failures.
   */
  authorize(req: AuthorizeRequest): Promise<AuthorizeResult>;
  /**
   * What the provider holds for this payment's authorization, for outcomes we never heard: `none`
   * when the request never arrived (safe to call authorize again), `in-progress` when it cannot
   * tell yet (ask again later). Never creates anything.
   */
  lookupAuthorization(req: { paymentId: string; attemptedAt: Date }): Promise<AuthorizationLookup>;
  /** Proves the credentials work (at startup and in health checks); throws ProviderAuthError. */
  verify(): Promise<void>;
  capture(req: { paymentId: string; reference: string; amount: Money }): Promise<void>;
  void(req: { paymentId: string; reference: string }): Promise<void>;
  refund(req: {
    paymentId: string;
    refundId: string;
    reference: string;
    amount: Money;
  }): Promise<void>;
}
