import { errors } from '@meshcart/kit';

/** Keyset position after the last order of a page (orders are sorted create_time desc, id desc). */
export interface PageCursor {
  createTime: Date;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** 0 means the default; larger values are capped; negative ones are refused. */
export function pageSizeOf(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw errors.invalidArgument([{ field: 'pageSize', description: 'must not be negative' }]);
  }
  return requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
}

/** Opaque to clients: base64url of a small versioned JSON document. */
export function encodePageToken(c: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, t: c.createTime.getTime(), i: c.id })).toString(
    'base64url',
  );
}

/** Empty token: first page. Anything not produced by encodePageToken: INVALID_ARGUMENT on `pageToken`. */
export function decodePageToken(token: string): PageCursor | undefined {
  if (token === '') return undefined;
  const bad = () =>
    errors.invalidArgument([
      { field: 'pageToken', description: 'is not a token from a previous response' },
    ]);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const d = doc as { v?: unknown; t?: unknown; i?: unknown };
  if (d?.v !== 1 || !Number.isSafeInteger(d.t) || typeof d.i !== 'string' || d.i.length > 64)
    throw bad();
  return { createTime: new Date(d.t as number), id: d.i };
}
