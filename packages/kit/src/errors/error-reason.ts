/**
 * ErrorInfo reasons: one generated list (shop.common.v1.ErrorReason) and the one mapping
 * between its values and the short wire strings clients have always seen.
 *
 * The enum value ERROR_REASON_OUT_OF_STOCK travels as "OUT_OF_STOCK" (ErrorInfo.reason and
 * every status field that records a reason): the prefix exists only because buf STANDARD lint wants enum
 * values prefixed, and the edge contract and e2e tests depend on the short form.
 */
import {
  ErrorReason,
  errorReasonFromJSON,
  errorReasonToJSON,
} from '@meshcart/proto/shop/common/v1/error_reason';

export { ErrorReason };

const PREFIX = 'ERROR_REASON_';

type ReasonName = Exclude<keyof typeof ErrorReason, 'UNRECOGNIZED' | 'ERROR_REASON_UNSPECIFIED'>;

/** A reason as sent on the wire, e.g. 'OUT_OF_STOCK'; only names from the generated list type-check. */
export type WireReason = ReasonName extends `${typeof PREFIX}${infer R}` ? R : never;

/** What the error constructors accept: the enum value, or (kit internals only) its wire form. */
export type ReasonLike = ErrorReason | WireReason;

/** The wire string of a reason: ERROR_REASON_ALREADY_DISPATCHED -> 'ALREADY_DISPATCHED'. */
export function reasonToWire(reason: ReasonLike): WireReason {
  if (typeof reason === 'string') return reason;
  const name = errorReasonToJSON(reason);
  // UNSPECIFIED and UNRECOGNIZED are not reasons: sending one is a programming error.
  if (!name.startsWith(PREFIX) || reason === ErrorReason.ERROR_REASON_UNSPECIFIED) {
    throw new Error(`not an error reason: ${String(reason)}`);
  }
  return name.slice(PREFIX.length) as WireReason;
}

/** The enum value of a wire string; UNRECOGNIZED for a reason not in the list (or none). */
export function reasonFromWire(wire: string | undefined): ErrorReason {
  if (!wire || wire.startsWith(PREFIX)) return ErrorReason.UNRECOGNIZED;
  const r = errorReasonFromJSON(PREFIX + wire);
  return r === ErrorReason.ERROR_REASON_UNSPECIFIED ? ErrorReason.UNRECOGNIZED : r;
}

/** True when a wire reason (e.g. GrpcCallError.reason) is this reason. */
export function isReason(wire: string | undefined, reason: ErrorReason): boolean {
  return wire !== undefined && reasonFromWire(wire) === reason;
}
