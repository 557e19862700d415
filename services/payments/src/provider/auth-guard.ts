/**
 * Turns a provider that starts refusing our credentials (a key revoked or rolled while we run)
 * into a health failure instead of a stream of failed payments: the first ProviderAuthError sets
 * the server NOT_SERVING (readiness fails, the pod leaves the load balancer, operators see it),
 * then `verify()` is retried every recheckMs until the provider accepts the key again, which
 * sets it SERVING. The failing call itself still answers INTERNAL (never a decline).
 */
import type { Logger } from '@meshcart/kit';
import {
  ProviderAuthError,
  type AuthorizationLookup,
  type AuthorizeRequest,
  type AuthorizeResult,
  type PaymentProvider,
} from '../domain/payment-provider';

export interface AuthGuardHooks {
  /** Called with false on the first auth failure, true once verify() succeeds again. */
  setServing(serving: boolean): void;
  logger: Logger;
  recheckMs?: number;
}

export class AuthGuardedProvider implements PaymentProvider {
  readonly name: string;
  private recheck: NodeJS.Timeout | undefined;
  /** Set once the server exists (buildServer wires the app first, then the server). */
  hooks: AuthGuardHooks | undefined;

  constructor(private readonly inner: PaymentProvider) {
    this.name = inner.name;
  }

  acceptsToken(token: string): boolean {
    return this.inner.acceptsToken(token);
  }
  authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    return this.guard(() => this.inner.authorize(req));
  }
  lookupAuthorization(req: { paymentId: string; attemptedAt: Date }): Promise<AuthorizationLookup> {
    return this.guard(() => this.inner.lookupAuthorization(req));
  }
  verify(): Promise<void> {
    return this.guard(() => this.inner.verify());
  }
  capture(req: Parameters<PaymentProvider['capture']>[0]): Promise<void> {
    return this.guard(() => this.inner.capture(req));
  }
  void(req: Parameters<PaymentProvider['void']>[0]): Promise<void> {
    return this.guard(() => this.inner.void(req));
  }
  refund(req: Parameters<PaymentProvider['refund']>[0]): Promise<void> {
    return this.guard(() => this.inner.refund(req));
  }

  /** Stops the re-check timer (shutdown). */
  stop(): void {
    clearInterval(this.recheck);
    this.recheck = undefined;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ProviderAuthError) this.failed(e);
      throw e;
    }
  }

  private failed(e: ProviderAuthError): void {
    if (this.recheck || !this.hooks) return;
    const { logger, setServing, recheckMs = 30_000 } = this.hooks;
    logger.error(
      { provider: this.name, err: e },
      'payment provider refuses our credentials: NOT_SERVING',
    );
    setServing(false);
    this.recheck = setInterval(() => {
      this.inner.verify().then(
        () => {
          this.stop();
          logger.info({ provider: this.name }, 'payment provider accepts our credentials again');
          setServing(true);
        },
        () => undefined, // still refused (or unreachable): keep checking
      );
    }, recheckMs);
    this.recheck.unref();
  }
}
