/**
 * Every password hash the service computes, behind the hash gate (hash-gate.ts): registration,
 * login (also the dummy check for unknown emails), and the rehash of old hashes. Handlers use
 * this, never password.ts directly, so no path hashes outside the bound.
 */
import type { HashGate } from './hash-gate';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './password';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, encoded: string): Promise<boolean>;
  /** The same hashing time as verify, for unknown emails; always false. */
  verifyUnknown(password: string): Promise<false>;
  needsRehash(encoded: string): boolean;
}

export const gatedPasswordHasher = (gate: HashGate): PasswordHasher => ({
  hash: (password) => gate.run(() => hashPassword(password)),
  verify: (password, encoded) => gate.run(() => verifyPassword(password, encoded)),
  verifyUnknown: (password) => gate.run(() => verifyAgainstDummy(password)),
  needsRehash,
});
