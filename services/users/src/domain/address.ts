/** Address-book entries: validation, normalization and the idempotency comparison. */
import { Violations } from '@meshcart/kit';
import { isCountryCode } from './countries';
import { charLength } from './user';

/** A postal address (the contract's shop.common.v1.Address). */
export interface Address {
  recipient: string;
  lines: string[];
  city: string;
  postalCode: string;
  countryCode: string;
}

export interface SavedAddress {
  id: string;
  address: Address;
  createdAt: Date;
}

export const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const TEXT_MAX = 100;
export const MAX_LINES = 3;
/** Letters, digits, spaces and dashes, 3-12 characters, starting and ending with a letter or digit. */
export const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,10}[A-Za-z0-9]$/;

function text(v: Violations, field: string, value: string): string {
  const s = value.trim();
  if (s === '') v.add(field, 'is required');
  else if (charLength(s) > TEXT_MAX) v.add(field, `must be at most ${TEXT_MAX} characters`);
  else if (/\p{Cc}/u.test(s)) v.add(field, 'must not contain control characters');
  return s;
}

/** Validates an address (field paths under `prefix`); returns it with every text trimmed. */
export function validateAddress(v: Violations, prefix: string, a: Address): Address {
  const recipient = text(v, `${prefix}.recipient`, a.recipient);
  let lines = a.lines;
  if (lines.length === 0) v.add(`${prefix}.lines`, 'needs at least one line');
  else if (lines.length > MAX_LINES)
    v.add(`${prefix}.lines`, `must have at most ${MAX_LINES} lines`);
  else lines = lines.map((line, i) => text(v, `${prefix}.lines[${i}]`, line));
  const city = text(v, `${prefix}.city`, a.city);
  const postalCode = a.postalCode.trim();
  if (postalCode === '') v.add(`${prefix}.postalCode`, 'is required');
  else if (!POSTAL_CODE.test(postalCode))
    v.add(`${prefix}.postalCode`, 'must be 3-12 letters, digits, spaces or dashes');
  if (a.countryCode === '') v.add(`${prefix}.countryCode`, 'is required');
  else if (!isCountryCode(a.countryCode))
    v.add(`${prefix}.countryCode`, 'must be an ISO 3166-1 alpha-2 code in upper case');
  return { recipient, lines, city, postalCode, countryCode: a.countryCode };
}

/** Validates an AddAddress request. */
export function validateAddAddress(req: { requestId: string; address: Address | undefined }): {
  requestId: string;
  address: Address;
} {
  const v = new Violations();
  if (req.requestId === '') v.add('requestId', 'is required');
  else if (!REQUEST_ID.test(req.requestId)) v.add('requestId', 'must be 1-64 of [A-Za-z0-9_-]');
  let address: Address | undefined;
  if (!req.address) v.add('address', 'is required');
  else address = validateAddress(v, 'address', req.address);
  v.throwIfAny();
  return { requestId: req.requestId, address: address! };
}

/** Whether a repeated AddAddress carries the same (normalized) address as the first one. */
export function sameAddress(a: Address, b: Address): boolean {
  return (
    a.recipient === b.recipient &&
    a.city === b.city &&
    a.postalCode === b.postalCode &&
    a.countryCode === b.countryCode &&
    a.lines.length === b.lines.length &&
    a.lines.every((line, i) => line === b.lines[i])
  );
}
