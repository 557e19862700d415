/**
 * Client-chosen ids and idempotency keys (request ids and the ids of reservations, payments,
 * refunds, shipments, adjustments): a workflow may key every step it takes in several services
 * with one id, so one id must be acceptable to every service that receives it.
 */
import type { Violations } from '../errors/domain-error';

export const ID_RULE = {
  pattern: /^[A-Za-z0-9_-]{1,64}$/,
  minLength: 1,
  maxLength: 64,
  description: '1-64 characters of [A-Za-z0-9_-]',
} as const;

export function isId(id: string): boolean {
  return ID_RULE.pattern.test(id);
}

/** Adds a violation for a missing or malformed id; returns whether it is well-formed. */
export function checkId(v: Violations, field: string, id: string): boolean {
  if (id === '') v.add(field, 'is required');
  else if (!isId(id)) v.add(field, `must be ${ID_RULE.description}`);
  else return true;
  return false;
}
