/**
 * One provider call with a time limit, and the port's errors as our answers:
 *   ProviderUnavailableError -> UNAVAILABLE PROVIDER_UNAVAILABLE (retry with the same ids)
 *   ProviderRejectedError    -> INVALID_ARGUMENT on the field the provider blamed
 *   ProviderAuthError        -> passed on: INTERNAL, logged by the handler wrapper (a
 *                               configuration fault, never a decline)
 * A timeout is an unknown outcome: the provider may have done it (the caller looks it up).
 */
import { DomainError, ErrorReason, errors, isReason } from '@meshcart/kit';
import { ProviderRejectedError, ProviderUnavailableError } from '../domain/payment-provider';

export async function callProvider<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ProviderUnavailableError('payment provider timed out', { outcomeUnknown: true }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (e) {
    if (e instanceof ProviderUnavailableError)
      throw errors.unavailable(ErrorReason.ERROR_REASON_PROVIDER_UNAVAILABLE, { cause: e });
    if (e instanceof ProviderRejectedError)
      throw errors.invalidArgument([{ field: e.field, description: e.message }], { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** True for the UNAVAILABLE callProvider answers. */
export function isProviderUnavailable(e: unknown): e is DomainError {
  return (
    e instanceof DomainError && isReason(e.reason, ErrorReason.ERROR_REASON_PROVIDER_UNAVAILABLE)
  );
}

/** True when the provider may have carried the call out although we got no answer. */
export function isOutcomeUnknown(e: unknown): boolean {
  return (
    isProviderUnavailable(e) &&
    e.cause instanceof ProviderUnavailableError &&
    e.cause.outcomeUnknown
  );
}
