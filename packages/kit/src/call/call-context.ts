/**
 * What the server side and the client side of the kit share about a call: the context a
 * handler gets (and passes to the calls it makes), the metadata carried from one to the next,
 * and the hook that cancels downstream calls when their parent ends. server/ and client/ both
 * import from here and never from each other.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';

/** What every handler gets besides its request. */
export interface CallContext {
  /** Full method path, e.g. /shop.catalog.v1.CatalogService/GetProduct. */
  readonly method: string;
  /** Child logger carrying rpc, request id, trace id and the declared correlation ids (created on first read). */
  readonly logger: Logger;
  /** Incoming metadata (read-only by convention). */
  readonly metadata: Metadata;
  /** Deadline of the call; every call has one (the server default when the client sent none). */
  readonly deadline: Date;
  /**
   * Aborted when the client cancels, the deadline passes, or the call has been answered (so work
   * left behind stops). Created on first read: a handler that never reads it pays nothing.
   */
  readonly signal: AbortSignal;
  /** The verified caller, or undefined on public methods called without a token. */
  readonly caller: Principal | undefined;
  /** Metadata to pass on to downstream calls (authorization excluded; trace and request ids kept). */
  readonly propagate: Record<string, string>;
}

/** Something to cancel when the call ends: a downstream grpc-js call made with `{ ctx }`. */
export interface Cancellable {
  cancel(): void;
}

/**
 * Lets the client tie a downstream call to its parent call without creating the parent's
 * AbortSignal: `(ctx as { [ON_CALL_END]?: (c: Cancellable) => void })[ON_CALL_END]?.(call)`.
 * The server's call object implements it; any other CallContext simply lacks it.
 */
export const ON_CALL_END = Symbol('meshcart.onCallEnd');

/** Keys forwarded from an incoming call to the calls it makes. */
export const PROPAGATED_KEYS = ['traceparent', 'tracestate', 'x-request-id'] as const;

export function propagatedMetadata(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PROPAGATED_KEYS) {
    const v = md.get(k)[0];
    if (typeof v === 'string' && v.length > 0 && v.length < 512) out[k] = v;
  }
  return out;
}

/** Trace id from a W3C traceparent, for log correlation. */
export function traceIdOf(md: Metadata): string | undefined {
  const tp = md.get('traceparent')[0];
  if (typeof tp !== 'string') return undefined;
  const m = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(tp);
  return m ? m[1] : undefined;
}
