/**
 * In-process stand-in for a PSP, for local stacks and tests. Test tokens:
 *   tok_visa     approves
 *   tok_decline  declines (a business failure)
 *   tok_flaky    unavailable on a payment's first two authorize attempts, then approves
 * It counts every call so tests can prove "exactly one provider call".
 */
import { createHash } from 'node:crypto';
import {
  ProviderUnavailableError,
  type AuthorizationLookup,
  type AuthorizeRequest,
  type AuthorizeResult,
  type PaymentProvider,
} from '../domain/payment-provider';

export const SIMULATED_TOKENS = ['tok_visa', 'tok_decline', 'tok_flaky'] as const;
const FLAKY_FAILURES = 2;

export type ProviderOperation = 'authorize' | 'capture' | 'void' | 'refund';

export interface ProviderCall {
  op: ProviderOperation;
  paymentId: string;
  /** refund id for refunds, attempt number for authorizations. */
  detail: string;
}

export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = 'simulated';
  /** Every call made, in order. */
  readonly calls: ProviderCall[] = [];
  /**
   * What each payment's authorization came to, as a PSP remembers it: look-ups after a timeout
   * read this (`in-progress` while a call is still running, e.g. one slower than our time limit).
   */
  private readonly outcomes = new Map<string, AuthorizationLookup>();

  /** latencyMs: time each call takes (widens race windows in concurrency tests). */
  constructor(private readonly opts: { latencyMs?: number } = {}) {}

  /** Calls of one kind (and payment), e.g. count('authorize', 'p-1'). */
  count(op: ProviderOperation, paymentId?: string): number {
    return this.calls.filter(
      (c) => c.op === op && (paymentId === undefined || c.paymentId === paymentId),
    ).length;
  }

  acceptsToken(token: string): boolean {
    return (SIMULATED_TOKENS as readonly string[]).includes(token);
  }

  async authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    this.outcomes.set(req.paymentId, { kind: 'in-progress' });
    try {
      await this.record('authorize', req.paymentId, String(req.attempt));
      const result = this.decide(req);
      this.outcomes.set(req.paymentId, result);
      return result;
    } catch (e) {
      this.outcomes.delete(req.paymentId); // an outage: nothing happened here
      throw e;
    }
  }

  async lookupAuthorization(req: { paymentId: string }): Promise<AuthorizationLookup> {
    return this.outcomes.get(req.paymentId) ?? { kind: 'none' };
  }

  /** No credentials to check. */
  async verify(): Promise<void> {}

  private decide(req: { paymentId: string; token: string; attempt: number }): AuthorizeResult {
    switch (req.token) {
      case 'tok_visa':
        return { kind: 'approved', reference: reference('auth', req.paymentId) };
      case 'tok_decline':
        return { kind: 'declined' };
      case 'tok_flaky':
        // The message never names the token: it reaches the saga's history (a failed attempt).
        if (req.attempt <= FLAKY_FAILURES)
          throw new ProviderUnavailableError('simulated outage (the flaky test token)');
        return { kind: 'approved', reference: reference('auth', req.paymentId) };
      default:
        // acceptsToken() runs first; reaching this is a bug in the caller.
        throw new Error('simulated provider: unknown token');
    }
  }

  async capture(req: { paymentId: string }): Promise<void> {
    await this.record('capture', req.paymentId, '');
  }

  async void(req: { paymentId: string }): Promise<void> {
    await this.record('void', req.paymentId, '');
  }

  async refund(req: { paymentId: string; refundId: string }): Promise<void> {
    await this.record('refund', req.paymentId, req.refundId);
  }

  private async record(op: ProviderOperation, paymentId: string, detail: string): Promise<void> {
    this.calls.push({ op, paymentId, detail });
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
  }
}

/** Deterministic per payment, like a PSP answering a retried idempotent request. */
function reference(kind: string, paymentId: string): string {
  return `sim_${kind}_${createHash('sha256').update(paymentId).digest('hex').slice(0, 20)}`;
}
