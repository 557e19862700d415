/**
 * Postal addresses (shop.common.v1.Address): the one check users (address book), orders (the
 * shipping address of a purchase) and shipping (quotes, shipments) run, so an address one of
 * them accepts is never refused by the next one downstream.
 */
import type { Violations } from '../errors/domain-error';
import { checkCountryCode } from './country';
import { checkPostalCode } from './postal-code';
import { checkLine } from './text';

/** A postal address, structurally the contract's shop.common.v1.Address (services name it Address). */
export interface PostalAddress {
  recipient: string;
  lines: string[];
  city: string;
  postalCode: string;
  countryCode: string;
}

export const ADDRESS_RULE = {
  recipientMaxLength: 100,
  lineMaxLength: 100,
  minLines: 1,
  maxLines: 3,
  cityMaxLength: 100,
} as const;

/**
 * Checks an address, violations under `prefix` (e.g. `shippingAddress.lines[1]`); returns it
 * normalized (every text and the postal code trimmed). Callers throw if violations were added.
 */
export function checkAddress(v: Violations, prefix: string, a: PostalAddress): PostalAddress {
  const r = ADDRESS_RULE;
  const recipient = checkLine(v, `${prefix}.recipient`, a.recipient, r.recipientMaxLength);
  let lines = a.lines;
  // Past the limits, per-line checks would only bury the one violation that matters.
  if (lines.length < r.minLines || lines.length > r.maxLines)
    v.add(`${prefix}.lines`, `must have ${r.minLines}-${r.maxLines} lines`);
  else lines = lines.map((line, i) => checkLine(v, `${prefix}.lines[${i}]`, line, r.lineMaxLength));
  const city = checkLine(v, `${prefix}.city`, a.city, r.cityMaxLength);
  const postalCode = checkPostalCode(v, `${prefix}.postalCode`, a.postalCode);
  checkCountryCode(v, `${prefix}.countryCode`, a.countryCode);
  return { recipient, lines: [...lines], city, postalCode, countryCode: a.countryCode };
}
