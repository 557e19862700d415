/**
 * Stripe SDK errors -> the provider port's errors. The rule: a decline is only ever a card error
 * Stripe reported; anything we cannot be sure about is "unavailable" (retryable with the same
 * idempotency key), and when the request may have been carried out (timeout, dropped connection,
 * 5xx, a concurrent request on the same key) it is flagged outcomeUnknown so the caller looks the
 * operation up before answering.
 */
import Stripe from 'stripe';
import {
  ProviderAuthError,
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../../domain/payment-provider';

/** Stripe request parameters -> our request fields (for INVALID_ARGUMENT field violations). */
const FIELD_OF_PARAM: Record<string, string> = {
  amount: 'amount.amountMinor',
  currency: 'amount.currencyCode',
  payment_method: 'paymentToken',
};

/** True for a card error: the issuer (or Stripe's risk checks) declined the card. */
export function isDecline(e: unknown): boolean {
  return e instanceof Stripe.errors.StripeCardError;
}

/** Maps any error a Stripe call threw; returns what to throw instead. */
export function mapStripeError(e: unknown, operation: string): Error {
  const E = Stripe.errors;
  if (e instanceof E.StripeAuthenticationError || e instanceof E.StripePermissionError)
    return new ProviderAuthError(
      `stripe refused our credentials during ${operation} (check the secret key)`,
      { cause: e },
    );
  if (e instanceof E.StripeRateLimitError)
    // Stripe did not process a rate-limited request: nothing to look up.
    return new ProviderUnavailableError(`stripe rate limited ${operation}`, { cause: e });
  if (e instanceof E.StripeConnectionError)
    return new ProviderUnavailableError(`stripe unreachable or timed out during ${operation}`, {
      cause: e,
      outcomeUnknown: true,
    });
  if (e instanceof E.StripeAPIError || (e instanceof E.StripeError && (e.statusCode ?? 0) >= 500))
    return new ProviderUnavailableError(`stripe failed during ${operation}`, {
      cause: e,
      outcomeUnknown: true,
    });
  if (e instanceof E.StripeError && e.statusCode === 409)
    // idempotency_key_in_use / lock_timeout: an earlier request with our key is still running.
    return new ProviderUnavailableError(`stripe is still processing an earlier ${operation}`, {
      cause: e,
      outcomeUnknown: true,
    });
  if (e instanceof E.StripeInvalidRequestError) {
    const field = FIELD_OF_PARAM[e.param ?? ''] ?? 'paymentId';
    return new ProviderRejectedError(
      `the payment provider rejected the ${operation} request (${e.code ?? 'invalid_request'})`,
      field,
      { cause: e },
    );
  }
  // Idempotency errors (our key reused with other parameters) and anything unexpected: a bug, not
  // a payment outcome. The handler wrapper answers INTERNAL and logs it.
  return e instanceof Error ? e : new Error(String(e));
}
