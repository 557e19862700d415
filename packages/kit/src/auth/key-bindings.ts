/**
 * What each signing key may sign, kept in the JWKS beside the key itself, so the verifier and
 * the published key set say the same thing:
 *
 *   { "kty": "OKP", "crv": "Ed25519", "x": "…", "kid": "orders-2026-12", "alg": "EdDSA",
 *     "use": "sig", "meshcart_roles": ["service"], "meshcart_subjects": ["service:orders"] }
 *
 * - `meshcart_roles`: every role a token signed with this key carries must be listed here.
 * - `meshcart_subjects`: the token's `sub` must match one pattern: exact (`service:orders`), or a
 *   prefix ending in `*` (`ops:*`); `*` alone matches any subject.
 * A key without both members (or with an empty one) verifies nothing.
 *
 * Whatever a key says, a subject's shape follows from its roles (subjectFitsRoles): a customer
 * token's subject is a bare user id, never `service:…`/`admin:…`/`ops:…`; a service token is
 * `service:<workload>` and carries no other role (the server-side call-graph check reads the
 * workload from that subject).
 */
import type { JWK } from 'jose';
import type { Role } from './principal';

export const ROLES_MEMBER = 'meshcart_roles';
export const SUBJECTS_MEMBER = 'meshcart_subjects';

const ROLES: readonly Role[] = ['customer', 'admin', 'service'];
const WORKLOAD_SUBJECT = /^service:[a-z0-9][a-z0-9-]*$/;

/** What one key may sign. */
export interface KeyBinding {
  roles: readonly Role[];
  subjects: readonly string[];
}

/** The binding a JWK carries, or a reason it has none usable (the key then verifies nothing). */
export function readBinding(jwk: JWK): KeyBinding | string {
  const members = jwk as unknown as Record<string, unknown>;
  const roles = members[ROLES_MEMBER];
  const subjects = members[SUBJECTS_MEMBER];
  if (!Array.isArray(roles) || roles.length === 0)
    return `${ROLES_MEMBER} missing or empty (a key must say which roles it may sign)`;
  if (!roles.every((r) => ROLES.includes(r as Role)))
    return `${ROLES_MEMBER} must list only ${ROLES.join(', ')}`;
  if (!Array.isArray(subjects) || subjects.length === 0)
    return `${SUBJECTS_MEMBER} missing or empty (a key must say which subjects it may sign)`;
  if (
    !subjects.every((s) => typeof s === 'string' && s.length > 0 && !s.slice(0, -1).includes('*'))
  )
    return `${SUBJECTS_MEMBER} must be strings, exact or with one trailing *`;
  return { roles: roles as Role[], subjects: subjects as string[] };
}

/** The JWK with its binding members set (dev keys, tests, the ops key tool). */
export function bindKey<K extends JWK>(jwk: K, binding: KeyBinding): K {
  return { ...jwk, [ROLES_MEMBER]: [...binding.roles], [SUBJECTS_MEMBER]: [...binding.subjects] };
}

export function subjectMatches(pattern: string, subject: string): boolean {
  return pattern.endsWith('*') ? subject.startsWith(pattern.slice(0, -1)) : pattern === subject;
}

/** The shape every subject must have for its roles, whichever key signed it. */
export function subjectFitsRoles(subject: string, roles: readonly Role[]): boolean {
  if (roles.includes('service')) return roles.length === 1 && WORKLOAD_SUBJECT.test(subject);
  // User ids are never namespaced: a `:` would let a customer token pass as a workload or operator.
  if (roles.includes('customer')) return !subject.includes(':');
  return true;
}

/** True when a key bound by `binding` may sign a token with these claims. */
export function bindingAllows(
  binding: KeyBinding,
  claims: { subject: string; roles: readonly Role[] },
): boolean {
  return (
    claims.roles.length > 0 &&
    claims.roles.every((r) => binding.roles.includes(r)) &&
    binding.subjects.some((p) => subjectMatches(p, claims.subject)) &&
    subjectFitsRoles(claims.subject, claims.roles)
  );
}

/**
 * The standard bindings of meshcart's issuers: users signs customer tokens, each workload its own
 * service token, ops tooling admin tokens (subjects `ops:<tool>` or `admin:<person>`).
 */
export const issuerBinding = {
  users: (): KeyBinding => ({ roles: ['customer'], subjects: ['*'] }),
  workload: (workload: string): KeyBinding => ({
    roles: ['service'],
    subjects: [`service:${workload}`],
  }),
  ops: (): KeyBinding => ({ roles: ['admin'], subjects: ['ops:*', 'admin:*'] }),
};
