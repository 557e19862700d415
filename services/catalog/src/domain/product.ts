/** Products: domain types, validation of skus and writable fields, the idempotency comparison. */
import { Violations } from '@meshcart/kit';
import { isCurrencyCode } from './currencies';

/** Amount in minor units (bigint: never a float) and an ISO 4217 code. */
export interface Money {
  currencyCode: string;
  amountMinor: bigint;
}

/** The writable part of a product. */
export interface ProductFields {
  name: string;
  description: string;
  category: string;
  price: Money;
  active: boolean;
}

export interface Product extends ProductFields {
  sku: string;
  updatedAt: Date;
}

/** 3-32 of [A-Z0-9-], starting with a letter or digit. */
export const SKU = /^[A-Z0-9][A-Z0-9-]{2,31}$/;
/** Lower-case slug: words of [a-z0-9] joined by single dashes, at most 50 characters. */
export const CATEGORY = /^(?=.{1,50}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const NAME_MAX = 200;
export const DESCRIPTION_MAX = 5000;
const INT64_MAX = 2n ** 63n - 1n;

const chars = (s: string): number => [...s].length;

/** Adds a violation for a malformed sku; returns whether it is well-formed. */
export function checkSku(v: Violations, field: string, sku: string): boolean {
  if (sku === '') v.add(field, 'is required');
  else if (!SKU.test(sku))
    v.add(field, 'must be 3-32 of [A-Z0-9-], starting with a letter or digit');
  else return true;
  return false;
}

/** Adds a violation for a malformed category slug. */
export function checkCategory(v: Violations, field: string, category: string): void {
  if (!CATEGORY.test(category))
    v.add(field, 'must be a lower-case slug of [a-z0-9-], at most 50 characters');
}

/** The contract's shape of ProductFields (amounts as int64 strings). */
export interface ProductFieldsInput {
  name: string;
  description: string;
  category: string;
  price: { currencyCode: string; amountMinor: string } | undefined;
  active: boolean;
}

function checkPrice(
  v: Violations,
  field: string,
  price: ProductFieldsInput['price'],
): Money | undefined {
  if (!price) {
    v.add(field, 'is required');
    return undefined;
  }
  const { currencyCode, amountMinor } = price;
  if (currencyCode === '') v.add(`${field}.currencyCode`, 'is required');
  else if (!/^[A-Z]{3}$/.test(currencyCode))
    v.add(`${field}.currencyCode`, 'must be 3 upper-case letters (ISO 4217)');
  else if (!isCurrencyCode(currencyCode))
    v.add(`${field}.currencyCode`, 'is not a known ISO 4217 currency');
  let amount: bigint | undefined;
  if (/^-\d+$/.test(amountMinor)) v.add(`${field}.amountMinor`, 'must not be negative');
  else if (!/^\d{1,19}$/.test(amountMinor) || BigInt(amountMinor) > INT64_MAX)
    v.add(`${field}.amountMinor`, 'must be an int64');
  else amount = BigInt(amountMinor);
  return amount === undefined ? undefined : { currencyCode, amountMinor: amount };
}

/** Validates a sku + fields request (Create/UpdateProduct); returns normalized fields (name trimmed). */
export function validateProductWrite(req: {
  sku: string;
  fields: ProductFieldsInput | undefined;
}): {
  sku: string;
  fields: ProductFields;
} {
  const v = new Violations();
  checkSku(v, 'sku', req.sku);
  const f = req.fields;
  if (!f) {
    v.add('fields', 'is required');
    v.throwIfAny();
  }
  const name = f!.name.trim();
  if (name === '') v.add('fields.name', 'is required');
  else if (chars(name) > NAME_MAX) v.add('fields.name', `must be at most ${NAME_MAX} characters`);
  else if (/\p{Cc}/u.test(name)) v.add('fields.name', 'must not contain control characters');
  if (chars(f!.description) > DESCRIPTION_MAX)
    v.add('fields.description', `must be at most ${DESCRIPTION_MAX} characters`);
  if (f!.category === '') v.add('fields.category', 'is required');
  else checkCategory(v, 'fields.category', f!.category);
  const price = checkPrice(v, 'fields.price', f!.price);
  v.throwIfAny();
  return {
    sku: req.sku,
    fields: {
      name,
      description: f!.description,
      category: f!.category,
      price: price!,
      active: f!.active,
    },
  };
}

/** Whether a repeated CreateProduct carries the same fields as the stored product. */
export function sameFields(a: ProductFields, b: ProductFields): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.category === b.category &&
    a.price.currencyCode === b.price.currencyCode &&
    a.price.amountMinor === b.price.amountMinor &&
    a.active === b.active
  );
}
