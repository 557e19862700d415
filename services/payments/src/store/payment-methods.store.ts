/**
 * Repository of vaulted payment methods (table payment_methods). Rows hold the token only as
 * ciphertext (vault-cipher.ts); this file never sees a plaintext token.
 */
import { mapDbError, prismaCode } from '@meshcart/kit';
import type { Sealed } from './vault-cipher';
import type { Db } from './db';

export interface StoredPaymentMethod {
  id: string;
  customerId: string;
  vaultRequestId: string;
  tokenHash: string;
  sealed: Sealed;
  expireTime: Date;
}

export interface NewPaymentMethod extends StoredPaymentMethod {
  createdAt: Date;
}

export type PaymentMethodStore = ReturnType<typeof createPaymentMethodStore>;

type Row = {
  id: string;
  customerId: string;
  vaultRequestId: string;
  tokenHash: string;
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  authTag: Uint8Array;
  expireTime: Date;
};

const toMethod = (r: Row): StoredPaymentMethod => ({
  id: r.id,
  customerId: r.customerId,
  vaultRequestId: r.vaultRequestId,
  tokenHash: r.tokenHash,
  sealed: {
    keyId: r.keyId,
    iv: Buffer.from(r.iv),
    ciphertext: Buffer.from(r.ciphertext),
    authTag: Buffer.from(r.authTag),
  },
  expireTime: r.expireTime,
});

const sealedColumns = (s: Sealed) => ({
  keyId: s.keyId,
  iv: new Uint8Array(s.iv),
  ciphertext: new Uint8Array(s.ciphertext),
  authTag: new Uint8Array(s.authTag),
});

export function createPaymentMethodStore(db: Db) {
  return {
    async get(id: string): Promise<StoredPaymentMethod | null> {
      const row = await db.paymentMethod.findUnique({ where: { id } }).catch(rethrow);
      return row && toMethod(row);
    },

    async findByRequest(
      customerId: string,
      vaultRequestId: string,
    ): Promise<StoredPaymentMethod | null> {
      const row = await db.paymentMethod
        .findUnique({ where: { customerId_vaultRequestId: { customerId, vaultRequestId } } })
        .catch(rethrow);
      return row && toMethod(row);
    },

    /** false when (customer, vault request) is taken (a concurrent twin won). */
    async insert(m: NewPaymentMethod): Promise<boolean> {
      try {
        await db.paymentMethod.create({
          data: {
            id: m.id,
            customerId: m.customerId,
            vaultRequestId: m.vaultRequestId,
            tokenHash: m.tokenHash,
            ...sealedColumns(m.sealed),
            expireTime: m.expireTime,
            createdAt: m.createdAt,
          },
        });
        return true;
      } catch (e) {
        if (prismaCode(e) === 'P2002') return false;
        throw mapDbError(e);
      }
    },

    /** Re-seals an expired method for a repeated vault request and gives it a new expiry. */
    async renew(id: string, sealed: Sealed, expireTime: Date): Promise<void> {
      await db.paymentMethod
        .update({ where: { id }, data: { ...sealedColumns(sealed), expireTime } })
        .catch(rethrow);
    },

    /** Deletes up to `limit` methods that expired before `before` (no token outlives its use). */
    async purgeExpired(before: Date, limit = 100): Promise<number> {
      return db.$executeRaw`
        DELETE FROM payment_methods WHERE expire_time < ${before} LIMIT ${limit}`.catch(rethrow);
    },
  };
}

function rethrow(e: unknown): never {
  throw mapDbError(e);
}
