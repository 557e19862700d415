/** Picks the key id (kid) a workload signs with, and refuses keys verifiers would reject. */
import { ConfigError } from '../config/load-config';
import { jwksFromPrivateKey } from './jwt';
import type { JSONWebKeySet } from 'jose';

type Jwks = JSONWebKeySet;

/**
 * The kid for `privateKeyPem`: `explicitKid` when set, else the kid of the JWKS entry holding the
 * same public key. Fails when the JWKS has no such entry (or `explicitKid` names a different
 * key): every token signed then would be rejected by every verifier in the mesh.
 */
export function resolveKeyId(
  privateKeyPem: string,
  jwks: Jwks | undefined,
  explicitKid: string,
): string {
  const own = jwksFromPrivateKey(privateKeyPem, explicitKid || 'self').keys[0]?.x;
  const matching = (jwks?.keys ?? []).filter((k) => k.kty === 'OKP' && k.x === own);
  if (explicitKid) {
    if (jwks && !matching.some((k) => k.kid === explicitKid)) {
      throw new ConfigError([
        `JWT_KEY_ID ${explicitKid} is not the kid of JWT_PRIVATE_KEY's public key in JWT_PUBLIC_KEYS`,
      ]);
    }
    return explicitKid;
  }
  const kid = matching.find((k) => typeof k.kid === 'string')?.kid;
  if (typeof kid !== 'string') {
    throw new ConfigError([
      'JWT_KEY_ID is not set and JWT_PUBLIC_KEYS has no key (with a kid) matching JWT_PRIVATE_KEY',
    ]);
  }
  return kid;
}
