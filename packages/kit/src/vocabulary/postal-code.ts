/**
 * Postal codes as printed on an address: letters, digits, spaces and dashes, 3-12 characters,
 * starting and ending with a letter or digit (the shortest real ones, e.g. Iceland's, have 3).
 * Surrounding blanks are trimmed first, as for every other address field.
 */
import type { Violations } from '../errors/domain-error';

export const POSTAL_CODE_RULE = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9 -]{1,10}[A-Za-z0-9]$/,
  minLength: 3,
  maxLength: 12,
  description: '3-12 letters, digits, spaces or dashes, starting and ending with a letter or digit',
} as const;

export function isPostalCode(code: string): boolean {
  return POSTAL_CODE_RULE.pattern.test(code);
}

/** Adds a violation for a missing or malformed postal code; returns the trimmed code. */
export function checkPostalCode(v: Violations, field: string, raw: string): string {
  const code = raw.trim();
  if (code === '') v.add(field, 'is required');
  else if (!isPostalCode(code)) v.add(field, `must be ${POSTAL_CODE_RULE.description}`);
  return code;
}
