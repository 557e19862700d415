/**
 * Lets users see each call's grpc-js call object before its handler runs: the kit's
 * CallContext does not carry the peer address, which login throttling by IP needs
 * (client-ip.ts rememberPeer). Answers pass through untouched.
 */
import type { handleUnaryCall, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';

/** Every unary method of `impl`, with `before` run on each call first. */
export function beforeEachCall(
  impl: UntypedServiceImplementation,
  before: (call: ServerUnaryCall<unknown, unknown>) => void,
): UntypedServiceImplementation {
  const out: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(impl)) {
    const inner = handler as handleUnaryCall<unknown, unknown>;
    const wrapped: handleUnaryCall<unknown, unknown> = (call, callback) => {
      before(call);
      inner(call, callback);
    };
    out[name] = wrapped;
  }
  return out;
}
