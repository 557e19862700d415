/** ListProducts and BatchGetProducts request rules: page sizes, page tokens, sku batches. */
import { ErrorReason, errors, isSku, Violations, type FieldViolation } from '@meshcart/kit';
import { CATEGORY, checkSku } from './product';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_BATCH = 100;

/** What a page token carries: the last sku served, and the filter it was served for. */
export interface Cursor {
  afterSku: string;
  category: string;
}

/** Opaque to clients: base64url of a small versioned JSON document. */
export function encodePageToken(c: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, after: c.afterSku, category: c.category })).toString(
    'base64url',
  );
}

/** The cursor in a token, or undefined when the token is not one of ours. */
export function decodePageToken(token: string): Cursor | undefined {
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const d = doc as { v?: unknown; after?: unknown; category?: unknown };
  if (typeof doc !== 'object' || doc === null || d.v !== 1) return undefined;
  if (typeof d.after !== 'string' || !isSku(d.after)) return undefined;
  if (typeof d.category !== 'string' || (d.category !== '' && !CATEGORY.test(d.category)))
    return undefined;
  return { afterSku: d.after, category: d.category };
}

export interface ListQuery {
  limit: number;
  category: string;
  afterSku: string | undefined;
}

/**
 * Validates a ListProducts request. A page token that is malformed, or was issued for another
 * category filter, fails INVALID_ARGUMENT with reason INVALID_PAGE_TOKEN.
 */
export function validateListRequest(req: {
  pageSize: number;
  pageToken: string;
  category: string;
}): ListQuery {
  const found: FieldViolation[] = [];
  if (req.pageSize < 0) found.push({ field: 'pageSize', description: 'must not be negative' });
  if (req.category !== '' && !CATEGORY.test(req.category)) {
    found.push({
      field: 'category',
      description: 'must be a lower-case slug of [a-z0-9-], at most 50 characters',
    });
  }
  let afterSku: string | undefined;
  let badToken = false;
  if (req.pageToken !== '') {
    const cursor = decodePageToken(req.pageToken);
    badToken = !cursor || cursor.category !== req.category;
    if (!cursor)
      found.push({ field: 'pageToken', description: 'is not a token this service issued' });
    else if (badToken)
      found.push({ field: 'pageToken', description: 'was issued for another category filter' });
    else afterSku = cursor.afterSku;
  }
  if (found.length > 0)
    throw errors.invalidArgument(
      found,
      badToken ? { reason: ErrorReason.ERROR_REASON_INVALID_PAGE_TOKEN } : {},
    );
  const limit = req.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(req.pageSize, MAX_PAGE_SIZE);
  return { limit, category: req.category, afterSku };
}

/** Validates a BatchGetProducts request: 1-100 well-formed, distinct skus. */
export function validateBatch(skus: string[]): string[] {
  const v = new Violations();
  if (skus.length === 0) v.add('skus', 'needs at least one sku');
  else if (skus.length > MAX_BATCH) v.add('skus', `must have at most ${MAX_BATCH} skus`);
  else {
    const seen = new Map<string, number>();
    skus.forEach((sku, i) => {
      if (!checkSku(v, `skus[${i}]`, sku)) return;
      const first = seen.get(sku);
      if (first !== undefined) v.add(`skus[${i}]`, `duplicates skus[${first}]`);
      else seen.set(sku, i);
    });
  }
  v.throwIfAny();
  return skus;
}
