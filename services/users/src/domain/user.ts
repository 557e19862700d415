/** Users: the domain type and the validation of registration and login requests. */
import { charLength, checkLine, Violations } from '@meshcart/kit';

/** A registered customer; never carries the password hash. */
export interface User {
  id: string;
  /** Lower-cased. */
  email: string;
  displayName: string;
  createdAt: Date;
}

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const DISPLAY_NAME_MAX = 80;

// Pragmatic address check: an ASCII dot-atom local part and an ASCII (punycode) domain with a
// TLD. ASCII only on purpose: the column collation (utf8mb4_unicode_ci) equates é/e and ß/ss,
// which would make distinct internationalized mailboxes collide as EMAIL_TAKEN.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Characters as users count them (code points, not UTF-16 units): the vocabulary's count. */
export { charLength };

/** Emails compare case-insensitively: we store and look them up lower-cased and trimmed. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export interface Registration {
  email: string;
  password: string;
  displayName: string;
}

/** Validates a RegisterUser request; returns it normalized (email lower-cased, name trimmed). */
export function validateRegistration(req: Registration): Registration {
  const v = new Violations();
  const email = normalizeEmail(req.email);
  if (email === '') v.add('email', 'is required');
  else if (email.length > EMAIL_MAX) v.add('email', `must be at most ${EMAIL_MAX} characters`);
  else if (!EMAIL.test(email)) v.add('email', 'must be an email address');
  const pwLen = charLength(req.password);
  if (pwLen === 0) v.add('password', 'is required');
  else if (pwLen < PASSWORD_MIN || pwLen > PASSWORD_MAX) {
    v.add('password', `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  const displayName = checkLine(v, 'displayName', req.displayName, DISPLAY_NAME_MAX);
  v.throwIfAny();
  return { email, password: req.password, displayName };
}

/**
 * Validates a CreateSession request's shape only. A well-formed but unknown email is not a
 * validation error: it must answer exactly like a wrong password (INVALID_CREDENTIALS).
 */
export function validateCredentials(req: { email: string; password: string }): {
  email: string;
  password: string;
} {
  const v = new Violations();
  const email = normalizeEmail(req.email);
  if (email === '') v.add('email', 'is required');
  else if (email.length > EMAIL_MAX) v.add('email', `must be at most ${EMAIL_MAX} characters`);
  if (req.password === '') v.add('password', 'is required');
  else if (charLength(req.password) > PASSWORD_MAX)
    v.add('password', `must be at most ${PASSWORD_MAX} characters`);
  v.throwIfAny();
  return { email, password: req.password };
}

/** Validates a GetUser request's user id (the ownership check is the handler's). */
export function validateUserId(userId: string): string {
  const v = new Violations();
  if (userId === '') v.add('userId', 'is required');
  else if (userId.length > 64) v.add('userId', 'must be at most 64 characters');
  v.throwIfAny();
  return userId;
}
