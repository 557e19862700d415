import type { Metadata } from '@grpc/grpc-js';
import { hasAccess, type AccessRule, type Principal } from '../auth/principal';
import type { TokenVerifier } from '../auth/jwt';
import { errors } from '../errors/domain-error';
import type { CallerGuard } from './call-graph-guard';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The caller of a method under `rule`, admitted by `guard` (the call graph: which workload may
 * call the method, checked before the role so a workload outside the graph always hears
 * METHOD_NOT_IN_CALL_GRAPH). Synchronous when no token has to be verified (a public method
 * called without one, or a refusal), so the common public read costs no extra await; refusals
 * are thrown.
 */
export function authenticate(
  rule: AccessRule,
  metadata: Metadata,
  verifier: TokenVerifier | undefined,
  guard: CallerGuard,
): Principal | undefined | Promise<Principal | undefined> {
  const header = metadata.get('authorization')[0];
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  if (rule === 'public') {
    // A stale token must not break public reads: use it when valid, ignore it otherwise.
    if (!token || !verifier) {
      guard(undefined, metadata);
      return undefined;
    }
    return verifier.verify(token).then(
      (p) => (guard(p, metadata), p),
      () => (guard(undefined, metadata), undefined),
    );
  }
  if (!verifier)
    throw errors.unauthenticated('AUTH_NOT_CONFIGURED', {
      message: 'authentication not configured',
    });
  if (!token) throw errors.unauthenticated('TOKEN_MISSING', { message: 'bearer token required' });
  return verifyRole(verifier, token, rule, (p) => guard(p, metadata));
}

async function verifyRole(
  verifier: TokenVerifier,
  token: string,
  rule: Exclude<AccessRule, 'public'>,
  admit: (p: Principal) => void,
): Promise<Principal> {
  const principal = await verifier.verify(token);
  admit(principal);
  if (!hasAccess(principal, rule)) {
    throw errors.permissionDenied('ROLE_REQUIRED', {
      message: 'caller lacks the role this method needs',
      metadata: { required: typeof rule === 'string' ? rule : rule.join(',') },
    });
  }
  return principal;
}
