/** Stock keeping units: the one rule catalog, inventory, orders and shipping check. */
import type { Violations } from '../errors/domain-error';

/**
 * 3-32 of [A-Z0-9-], starting with a letter or digit. Upper case only, so "mug-1" and "MUG-1"
 * can never be two products, and short enough for every key and index that holds one.
 */
export const SKU_RULE = {
  pattern: /^[A-Z0-9][A-Z0-9-]{2,31}$/,
  minLength: 3,
  maxLength: 32,
  description: '3-32 of [A-Z0-9-], starting with a letter or digit',
} as const;

export function isSku(sku: string): boolean {
  return SKU_RULE.pattern.test(sku);
}

/** Adds a violation for a missing or malformed sku; returns whether it is well-formed. */
export function checkSku(v: Violations, field: string, sku: string): boolean {
  if (sku === '') v.add(field, 'is required');
  else if (!isSku(sku)) v.add(field, `must be ${SKU_RULE.description}`);
  else return true;
  return false;
}
