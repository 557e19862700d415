import {
  createTokenSigner,
  createTokenVerifier,
  generateSigningKey,
  type TokenSigner,
  type TokenVerifier,
} from '../auth/jwt';
import type { JSONWebKeySet } from 'jose';

/** A throwaway signing key with helpers to mint tokens for each kind of caller. */
export interface TestAuth {
  jwks: JSONWebKeySet;
  privateKeyPem: string;
  signer: TokenSigner;
  verifier: TokenVerifier;
  /** Env for a service process started in a test (JWT_* variables). */
  env: Record<string, string>;
  userToken(userId: string, ttlSeconds?: number): Promise<string>;
  adminToken(): Promise<string>;
  serviceToken(workload: string): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for CallOptions.metadata. */
  bearer(token: string): { authorization: string };
}

export const TEST_ISSUER = 'meshcart-test';
export const TEST_AUDIENCE = 'meshcart';

export async function createTestAuth(keyId = 'test-key'): Promise<TestAuth> {
  const { privateKeyPem, jwks } = await generateSigningKey(keyId);
  const settings = { issuer: TEST_ISSUER, audience: TEST_AUDIENCE };
  const signer = await createTokenSigner({ ...settings, privateKeyPem, keyId });
  const mint = async (
    subject: string,
    roles: ('customer' | 'admin' | 'service')[],
    ttlSeconds = 600,
  ) => (await signer.sign({ subject, roles, ttlSeconds })).token;
  return {
    jwks,
    privateKeyPem,
    signer,
    verifier: createTokenVerifier({ ...settings, jwks }),
    env: {
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      JWT_PUBLIC_KEYS: JSON.stringify(jwks),
      JWT_PRIVATE_KEY: privateKeyPem,
      JWT_KEY_ID: keyId,
    },
    userToken: (userId, ttl) => mint(userId, ['customer'], ttl),
    adminToken: () => mint('admin:test', ['admin']),
    serviceToken: (workload) => mint(`service:${workload}`, ['service']),
    bearer: (token) => ({ authorization: `Bearer ${token}` }),
  };
}
