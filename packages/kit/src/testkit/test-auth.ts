import {
  createTokenSigner,
  createTokenVerifier,
  generateSigningKey,
  type TokenSigner,
  type TokenVerifier,
} from '../auth/jwt';
import { issuerBinding, type KeyBinding } from '../auth/key-bindings';
import type { Role } from '../auth/principal';
import { loadCallGraph } from '../call/call-graph';
import { loadTopology } from '../topology/topology';
import type { JSONWebKeySet } from 'jose';

/** One throwaway key of the test JWKS. */
export interface TestKey {
  keyId: string;
  privateKeyPem: string;
  binding: KeyBinding;
}

/**
 * Throwaway signing keys bound as in production - one per issuer: `users` (customer tokens),
 * `ops` (admin tokens), and one per workload of the topology and the call graph (its own
 * `service:<workload>` token) - with helpers to mint tokens for each kind of caller.
 *
 * `env` (and `privateKeyPem`) carry one more key, `<keyId>` itself, bound to every role and
 * subject: a convenience so any process started with `...auth.env` can sign whatever it signs.
 * A test about a process's own key uses `envFor(workload)`, which gives it only its own key,
 * as the chart does.
 */
export interface TestAuth {
  jwks: JSONWebKeySet;
  /** The private key of `env` (the any-role convenience key). */
  privateKeyPem: string;
  /** Signs with the key of the issuer of each token: users, ops, or the service's own. */
  signer: TokenSigner;
  verifier: TokenVerifier;
  /** Env for a service process started in a test (JWT_* variables). */
  env: Record<string, string>;
  /** Env with only `workload`'s own key (`users`, `ops`, or a workload name). */
  envFor(issuer: string): Record<string, string>;
  /** The test keys by issuer (`users`, `ops`, workload names). */
  keys: Readonly<Record<string, TestKey>>;
  userToken(userId: string, ttlSeconds?: number): Promise<string>;
  adminToken(): Promise<string>;
  serviceToken(workload: string): Promise<string>;
  /**
   * A token signed with `issuer`'s key whatever it claims (no signer-side check): the forgery a
   * verifier must refuse, e.g. signWith('users', { subject: 'service:orders', roles: ['service'] }).
   */
  signWith(
    issuer: string,
    claims: { subject: string; roles: Role[]; ttlSeconds?: number },
  ): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for CallOptions.metadata. */
  bearer(token: string): { authorization: string };
}

export const TEST_ISSUER = 'meshcart-test';
export const TEST_AUDIENCE = 'meshcart';

const ANY: KeyBinding = { roles: ['customer', 'admin', 'service'], subjects: ['*'] };

/** Workloads that get their own test key: every workload of the topology, every caller. */
function workloads(): string[] {
  const names = new Set(Object.keys(loadTopology().workloads));
  for (const caller of loadCallGraph().allowed.keys()) names.add(caller);
  // `users` and `ops` are issuers of customer and admin tokens, not of service tokens.
  names.delete('ops');
  names.delete('users');
  return [...names];
}

export async function createTestAuth(keyId = 'test-key'): Promise<TestAuth> {
  const settings = { issuer: TEST_ISSUER, audience: TEST_AUDIENCE };
  const bindings: Record<string, KeyBinding> = {
    users: issuerBinding.users(),
    ops: issuerBinding.ops(),
    ...Object.fromEntries(workloads().map((w) => [w, issuerBinding.workload(w)])),
  };
  const keys: Record<string, TestKey> = {};
  const jwks: JSONWebKeySet = { keys: [] };
  const add = async (kid: string, binding: KeyBinding) => {
    const k = await generateSigningKey(kid, binding);
    jwks.keys.push(...k.jwks.keys);
    return { keyId: kid, privateKeyPem: k.privateKeyPem, binding };
  };
  for (const [issuer, binding] of Object.entries(bindings))
    keys[issuer] = await add(`${keyId}.${issuer}`, binding);
  const any = await add(keyId, ANY);
  // Without the key's binding: these sign anything (signWith), the verifier is what is tested.
  const raw: Record<string, TokenSigner> = {};
  for (const [issuer, k] of [...Object.entries(keys), ['*', any] as const])
    raw[issuer] = await createTokenSigner({
      ...settings,
      privateKeyPem: k.privateKeyPem,
      keyId: k.keyId,
    });
  const issuerOf = (subject: string, roles: readonly Role[]) => {
    if (roles.includes('service'))
      return keys[subject.replace(/^service:/, '')] ? subject.slice(8) : '*';
    if (roles.includes('admin')) return roles.length === 1 ? 'ops' : '*';
    return 'users';
  };
  const signer: TokenSigner = {
    keyId: any.keyId,
    sign: (claims) => raw[issuerOf(claims.subject, claims.roles)]!.sign(claims),
  };
  const mint = async (subject: string, roles: Role[], ttlSeconds = 600) =>
    (await signer.sign({ subject, roles, ttlSeconds })).token;
  const verifyEnv = {
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    JWT_PUBLIC_KEYS: JSON.stringify(jwks),
  };
  return {
    jwks,
    keys,
    privateKeyPem: any.privateKeyPem,
    signer,
    verifier: createTokenVerifier({ ...settings, jwks }),
    env: { ...verifyEnv, JWT_PRIVATE_KEY: any.privateKeyPem, JWT_KEY_ID: keyId },
    envFor(issuer) {
      const k = keys[issuer];
      if (!k) throw new Error(`no test key for ${issuer} (known: ${Object.keys(keys).join(', ')})`);
      return { ...verifyEnv, JWT_PRIVATE_KEY: k.privateKeyPem };
    },
    userToken: (userId, ttl) => mint(userId, ['customer'], ttl),
    adminToken: () => mint('admin:test', ['admin']),
    serviceToken: (workload) => mint(`service:${workload}`, ['service'], 300),
    async signWith(issuer, { subject, roles, ttlSeconds = 300 }) {
      const s = issuer === '*' ? raw['*'] : raw[issuer];
      if (!s) throw new Error(`no test key for ${issuer}`);
      return (await s.sign({ subject, roles, ttlSeconds })).token;
    },
    bearer: (token) => ({ authorization: `Bearer ${token}` }),
  };
}
