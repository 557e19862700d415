/**
 * The card-token vault: VaultPaymentMethod keeps a token (encrypted) for a customer and returns
 * an expiring `pm_<uuid>`; AuthorizePayment resolves that id back to the token here, inside
 * payments. Nothing else (orders' database, the saga's Temporal history) holds the token.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ErrorReason, errors } from '@meshcart/kit';
import type { VaultCommand } from '../domain/payments.validation';
import type { PaymentMethodStore, StoredPaymentMethod } from '../store/payment-methods.store';
import { UnknownVaultKeyError, type VaultCipher } from '../store/vault-cipher';

export interface VaultedPaymentMethod {
  paymentMethodId: string;
  expireTime: Date;
}

export interface VaultAppDeps {
  store: PaymentMethodStore;
  cipher: VaultCipher;
  /** Lifetime of a payment method (PAYMENT_METHOD_TTL, default 1 h). */
  ttlMs: number;
  now?: () => Date;
}

export type VaultApp = ReturnType<typeof createVaultApp>;

/** Binds a ciphertext to its row: a ciphertext copied onto another id or customer does not open. */
const aadOf = (m: { id: string; customerId: string }) => `${m.id}\u0000${m.customerId}`;

/** Compares repeats of a vault request without keeping the token. */
export function vaultTokenHash(cmd: VaultCommand): string {
  return createHash('sha256')
    .update(`${cmd.customerId}\u0000${cmd.vaultRequestId}\u0000${cmd.token}`)
    .digest('hex');
}

export function createVaultApp({ store, cipher, ttlMs, now = () => new Date() }: VaultAppDeps) {
  /** The answer to a repeated request: the same method (renewed when it expired meanwhile). */
  async function answerRepeat(
    existing: StoredPaymentMethod,
    cmd: VaultCommand,
    hash: string,
  ): Promise<VaultedPaymentMethod> {
    if (existing.tokenHash !== hash) {
      throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
        message: 'vault_request_id was already used with another payment token',
        metadata: { vaultRequestId: cmd.vaultRequestId },
      });
    }
    const at = now();
    if (existing.expireTime > at)
      return { paymentMethodId: existing.id, expireTime: existing.expireTime };
    const expireTime = new Date(at.getTime() + ttlMs);
    await store.renew(existing.id, cipher.seal(cmd.token, aadOf(existing)), expireTime);
    return { paymentMethodId: existing.id, expireTime };
  }

  return {
    async vault(cmd: VaultCommand): Promise<VaultedPaymentMethod> {
      const hash = vaultTokenHash(cmd);
      const existing = await store.findByRequest(cmd.customerId, cmd.vaultRequestId);
      if (existing) return answerRepeat(existing, cmd, hash);
      const at = now();
      const id = `pm_${randomUUID()}`;
      const expireTime = new Date(at.getTime() + ttlMs);
      const inserted = await store.insert({
        id,
        customerId: cmd.customerId,
        vaultRequestId: cmd.vaultRequestId,
        tokenHash: hash,
        sealed: cipher.seal(cmd.token, aadOf({ id, customerId: cmd.customerId })),
        expireTime,
        createdAt: at,
      });
      // Expired methods go away (bounded, on the write path: no separate job to run).
      await store.purgeExpired(new Date(at.getTime() - ttlMs));
      if (inserted) return { paymentMethodId: id, expireTime };
      const twin = await store.findByRequest(cmd.customerId, cmd.vaultRequestId);
      if (!twin)
        throw new Error(`payment method for ${cmd.vaultRequestId} vanished after a conflict`);
      return answerRepeat(twin, cmd, hash);
    },

    /**
     * The token of a payment method: NOT_FOUND PAYMENT_METHOD_NOT_FOUND when unknown (or purged),
     * FAILED_PRECONDITION PAYMENT_METHOD_EXPIRED after its expiry or when it was sealed with a
     * vault key this process no longer holds (a rotation: the customer places the order again).
     */
    async resolve(paymentMethodId: string): Promise<string> {
      const m = await store.get(paymentMethodId);
      if (!m) {
        throw errors.notFound(ErrorReason.ERROR_REASON_PAYMENT_METHOD_NOT_FOUND, {
          message: 'unknown payment method (never vaulted, or purged after its expiry)',
          metadata: { paymentMethodId },
        });
      }
      if (m.expireTime <= now()) {
        throw errors.failedPrecondition(ErrorReason.ERROR_REASON_PAYMENT_METHOD_EXPIRED, {
          message: `payment method expired at ${m.expireTime.toISOString()}`,
          metadata: { paymentMethodId },
        });
      }
      try {
        return cipher.open(m.sealed, aadOf(m));
      } catch (e) {
        if (!(e instanceof UnknownVaultKeyError)) throw e;
        throw errors.failedPrecondition(ErrorReason.ERROR_REASON_PAYMENT_METHOD_EXPIRED, {
          message: `payment method sealed with vault key ${e.keyId}, which is no longer held`,
          metadata: { paymentMethodId },
        });
      }
    },
  };
}
