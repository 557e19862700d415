/** Address-book entries: validation, normalization and the idempotency comparison. */
import { checkAddress, checkId, Violations, type PostalAddress } from '@meshcart/kit';

/** A postal address: the kit's vocabulary type (one definition for every service). */
export type Address = PostalAddress;

export interface SavedAddress {
  id: string;
  address: Address;
  createdAt: Date;
}

/** Validates an address (field paths under `prefix`); returns it with every text trimmed. */
export function validateAddress(v: Violations, prefix: string, a: Address): Address {
  return checkAddress(v, prefix, a);
}

/** Validates an AddAddress request. */
export function validateAddAddress(req: { requestId: string; address: Address | undefined }): {
  requestId: string;
  address: Address;
} {
  const v = new Violations();
  checkId(v, 'requestId', req.requestId);
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
