/**
 * The port every payment service provider (PSP) plugs in behind. Calls carry our ids so a
 * real PSP can use them as its own idempotency keys (a retried call after a timeout must not
 * authorize or refund twice on its side either).
 */
import type { Money } from './money';

export type AuthorizeResult = { kind: 'approved'; reference: string } | { kind: 'declined' };

/** The provider could not answer (down, timed out): safe to retry with the same ids. */
export class ProviderUnavailableError extends Error {
  constructor(message = 'payment provider unavailable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

export interface PaymentProvider {
  /** Short name for logs and config (PAYMENT_PROVIDER). */
  readonly name: string;
  /** Cheap local check of the token's shape, before anything is stored. */
  acceptsToken(token: string): boolean;
  /**
   * Authorizes amount on the token. attempt counts this payment's authorize calls (1, 2, ...),
   * durable across restarts. Throws ProviderUnavailableError on transient failures.
   */
  authorize(req: {
    paymentId: string;
    amount: Money;
    token: string;
    attempt: number;
  }): Promise<AuthorizeResult>;
  capture(req: { paymentId: string; reference: string; amount: Money }): Promise<void>;
  void(req: { paymentId: string; reference: string }): Promise<void>;
  refund(req: {
    paymentId: string;
    refundId: string;
    reference: string;
    amount: Money;
  }): Promise<void>;
}
