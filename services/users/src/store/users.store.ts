/** Repository over the users database: returns domain types, maps key violations to domain errors. */
import { randomUUID } from 'node:crypto';
import { ErrorReason, errors, prismaCode } from '@meshcart/kit';
import { sameAddress, type Address, type SavedAddress } from '../domain/address';
import type { User } from '../domain/user';
import type { Db } from './db';

/** Default cap on a user's address book (ListAddresses is unpaged). */
export const DEFAULT_MAX_ADDRESSES = 50;

export interface UsersStore {
  /** Fails ALREADY_EXISTS EMAIL_TAKEN when the (lower-cased) email is registered. */
  createUser(u: { email: string; displayName: string; passwordHash: string }): Promise<User>;
  /** The user and its password hash, or undefined for an unknown email. */
  findCredentials(email: string): Promise<{ user: User; passwordHash: string } | undefined>;
  /**
   * Replaces a password hash by a stronger one of the same password (rehash on login), only if
   * the stored hash is still `previous` (a concurrent password change wins). True when written.
   */
  upgradePasswordHash(userId: string, previous: string, next: string): Promise<boolean>;
  /** Fails NOT_FOUND USER_NOT_FOUND. */
  getUser(id: string): Promise<User>;
  /**
   * Adds an address once per (user, requestId): a repeat with the same address returns the first
   * entry, with another address fails ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED.
   */
  addAddress(userId: string, requestId: string, address: Address): Promise<SavedAddress>;
  /** Oldest first. */
  listAddresses(userId: string): Promise<SavedAddress[]>;
}

type UserRow = { id: string; email: string; displayName: string; createdAt: Date };
type AddressRow = {
  id: string;
  recipient: string;
  line1: string;
  line2: string | null;
  line3: string | null;
  city: string;
  postalCode: string;
  countryCode: string;
  createdAt: Date;
};

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  displayName: r.displayName,
  createdAt: r.createdAt,
});

const toSaved = (r: AddressRow): SavedAddress => ({
  id: r.id,
  createdAt: r.createdAt,
  address: {
    recipient: r.recipient,
    lines: [r.line1, r.line2, r.line3].filter((l): l is string => l !== null),
    city: r.city,
    postalCode: r.postalCode,
    countryCode: r.countryCode,
  },
});

const userNotFound = () =>
  errors.notFound(ErrorReason.ERROR_REASON_USER_NOT_FOUND, { message: 'user not found' });

export function createUsersStore(prisma: Db, opts: { maxAddresses?: number } = {}): UsersStore {
  const maxAddresses = opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  return {
    async createUser(u) {
      try {
        return toUser(await prisma.user.create({ data: { id: randomUUID(), ...u } }));
      } catch (e) {
        if (prismaCode(e) === 'P2002')
          throw errors.alreadyExists(ErrorReason.ERROR_REASON_EMAIL_TAKEN, {
            message: 'email already registered',
            cause: e,
          });
        throw e;
      }
    },

    async findCredentials(email) {
      const row = await prisma.user.findUnique({ where: { email } });
      return row ? { user: toUser(row), passwordHash: row.passwordHash } : undefined;
    },

    async upgradePasswordHash(userId, previous, next) {
      const { count } = await prisma.user.updateMany({
        where: { id: userId, passwordHash: previous },
        data: { passwordHash: next },
      });
      return count === 1;
    },

    async getUser(id) {
      const row = await prisma.user.findUnique({ where: { id } });
      if (!row) throw userNotFound();
      return toUser(row);
    },

    async addAddress(userId, requestId, address) {
      // Locking the user row serializes one user's AddAddress calls: the idempotency lookup,
      // the cap and the insert then see a stable address book.
      return prisma.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<
          { id: string }[]
        >`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`;
        if (locked.length === 0) throw userNotFound();
        const existing = await tx.address.findUnique({
          where: { userId_requestId: { userId, requestId } },
        });
        if (existing) {
          const first = toSaved(existing);
          if (!sameAddress(first.address, address)) {
            throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
              message: 'requestId was already used with another address',
              metadata: { requestId },
            });
          }
          return first;
        }
        if ((await tx.address.count({ where: { userId } })) >= maxAddresses) {
          throw errors.failedPrecondition(ErrorReason.ERROR_REASON_ADDRESS_LIMIT_REACHED, {
            message: `an address book holds at most ${maxAddresses} addresses`,
            metadata: { limit: String(maxAddresses) },
          });
        }
        const [line1 = '', line2 = null, line3 = null] = address.lines;
        const row = await tx.address.create({
          data: {
            id: randomUUID(),
            userId,
            requestId,
            recipient: address.recipient,
            line1,
            line2,
            line3,
            city: address.city,
            postalCode: address.postalCode,
            countryCode: address.countryCode,
          },
        });
        return toSaved(row);
      });
    },

    async listAddresses(userId) {
      const rows = await prisma.address.findMany({ where: { userId }, orderBy: { seq: 'asc' } });
      return rows.map(toSaved);
    },
  };
}
