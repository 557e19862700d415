/** Products: domain types, validation of skus and writable fields, the idempotency comparison. */
import { checkLine, checkMoney, checkParagraph, checkSku, Violations } from '@meshcart/kit';

// The sku rule lives in the kit vocabulary (one rule for every service); re-exported for callers here.
export { checkSku };

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

/** Lower-case slug: words of [a-z0-9] joined by single dashes, at most 50 characters. */
export const CATEGORY = /^(?=.{1,50}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const NAME_MAX = 200;
export const DESCRIPTION_MAX = 5000;

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

/** A price: a listed currency and 0-MAX_AMOUNT_MINOR minor units (a free item costs 0). */
function checkPrice(
  v: Violations,
  field: string,
  price: ProductFieldsInput['price'],
): Money | undefined {
  return checkMoney(v, field, price);
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
  const name = checkLine(v, 'fields.name', f!.name, NAME_MAX);
  checkParagraph(v, 'fields.description', f!.description, DESCRIPTION_MAX);
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
