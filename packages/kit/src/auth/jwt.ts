import { ErrorReason } from '../errors/error-reason';
import {
  SignJWT,
  errors as joseErrors,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type KeyLike,
} from 'jose';
import { createPublicKey } from 'node:crypto';
import { errors } from '../errors/domain-error';
import type { Principal, Role } from './principal';
import { bindKey, bindingAllows, readBinding, type KeyBinding } from './key-bindings';

/** Tokens are EdDSA (Ed25519) JWTs: small, fast, and no RSA key sizes to get wrong. */
const ALG = 'EdDSA';
const ROLES: readonly Role[] = ['customer', 'admin', 'service'];

export interface JwtSettings {
  issuer: string;
  audience: string;
}

/** Mints tokens with one private key (users service for customers, workloads for themselves). */
export interface TokenSigner {
  /** The kid tokens are signed with now (changes when a reloaded key takes over). */
  readonly keyId: string;
  sign(claims: {
    subject: string;
    roles: Role[];
    ttlSeconds: number;
  }): Promise<{ token: string; expiresAt: Date }>;
}

/**
 * A signer over one key. With `binding` (the key's own, from the JWKS) it refuses to sign what
 * verifiers would refuse anyway, so a wrong call fails where it is made, not at the callee.
 */
export async function createTokenSigner(
  opts: JwtSettings & { privateKeyPem: string; keyId: string; binding?: KeyBinding },
): Promise<TokenSigner> {
  const key = await importPKCS8(opts.privateKeyPem, ALG);
  return signerOver(opts, { key, keyId: opts.keyId, binding: opts.binding });
}

/** A key ready to sign: what signerOver needs, and what a reloading signer swaps. */
export interface SigningKey {
  key: KeyLike;
  keyId: string;
  binding?: KeyBinding;
}

/** A signer whose key is looked up on every signature (`current` may change between calls). */
export function signerOver(
  settings: JwtSettings,
  current: SigningKey | (() => SigningKey),
): TokenSigner {
  const now = typeof current === 'function' ? current : () => current;
  return {
    get keyId() {
      return now().keyId;
    },
    async sign({ subject, roles, ttlSeconds }) {
      const { key, keyId, binding } = now();
      if (binding && !bindingAllows(binding, { subject, roles }))
        throw new Error(`key ${keyId} may not sign roles ${roles.join(',')} for this subject`);
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + ttlSeconds;
      const token = await new SignJWT({ roles })
        .setProtectedHeader({ alg: ALG, kid: keyId, typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
  };
}

/** Verifies bearer tokens against a JWKS (every trusted public key, selected by kid). */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** A JWKS given once, or read anew on every verification (a file source reloads it). */
export type JwksInput = JSONWebKeySet | (() => JSONWebKeySet);

/**
 * Longest lifetime (exp - iat) a service token may have: a workload re-mints its own every few
 * minutes (serviceToken), so a leaked one is worth little, and a longer one is a forgery sign.
 */
export const MAX_SERVICE_TOKEN_TTL_SECONDS = 900;

interface TrustedKey {
  key: Promise<KeyLike | Uint8Array>;
  binding: KeyBinding | undefined;
}

/** kid -> key and binding, built once per JWKS object (a reload brings a new object). */
const indexes = new WeakMap<JSONWebKeySet, Map<string, TrustedKey>>();
function indexOf(jwks: JSONWebKeySet): Map<string, TrustedKey> {
  let index = indexes.get(jwks);
  if (!index) {
    index = new Map();
    for (const jwk of jwks.keys ?? []) {
      if (typeof jwk.kid !== 'string' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') continue;
      const binding = readBinding(jwk);
      const key = importJWK(jwk, ALG);
      key.catch(() => undefined); // an unusable key fails the verifications that pick it
      index.set(jwk.kid, { key, binding: typeof binding === 'string' ? undefined : binding });
    }
    indexes.set(jwks, index);
  }
  return index;
}

const invalid = (message: string) =>
  errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_INVALID, { message });

/**
 * The verifier every server uses. A token is accepted only when its kid names a key of the
 * JWKS that carries a binding (key-bindings.ts), the signature verifies, iss/aud match, `sub`,
 * `exp` and `iat` are present and it has not expired, and that key may sign the token's roles
 * and subject. Refusals are UNAUTHENTICATED TOKEN_EXPIRED or TOKEN_INVALID (which check failed
 * is not told to the caller).
 */
export function createTokenVerifier(opts: JwtSettings & { jwks: JwksInput }): TokenVerifier {
  const current = typeof opts.jwks === 'function' ? opts.jwks : () => opts.jwks as JSONWebKeySet;
  return {
    async verify(token) {
      const index = indexOf(current());
      let trusted: TrustedKey | undefined;
      let payload;
      try {
        ({ payload } = await jwtVerify(
          token,
          (header) => {
            trusted = typeof header.kid === 'string' ? index.get(header.kid) : undefined;
            if (!trusted?.binding) throw new Error('no bound key with this kid');
            return trusted.key;
          },
          {
            issuer: opts.issuer,
            audience: opts.audience,
            algorithms: [ALG],
            clockTolerance: 5,
            requiredClaims: ['sub', 'exp', 'iat'],
          },
        ));
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired)
          throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_EXPIRED, {
            message: 'token expired',
          });
        throw invalid('token invalid');
      }
      const roles = Array.isArray(payload.roles)
        ? (payload.roles as unknown[]).filter((r): r is Role => ROLES.includes(r as Role))
        : [];
      if (!payload.sub || roles.length === 0) throw invalid('token lacks sub or roles');
      if (!bindingAllows(trusted!.binding!, { subject: payload.sub, roles }))
        throw invalid('token signed by a key that may not sign its roles or subject');
      const isService = roles.includes('service');
      if (isService && payload.exp! - payload.iat! > MAX_SERVICE_TOKEN_TTL_SECONDS)
        throw invalid('service token lives longer than allowed');
      return { subject: payload.sub, roles, isService };
    },
  };
}

/** A fresh Ed25519 key pair as PKCS8 PEM + public JWK (dev keys, tests), bound when given. */
export async function generateSigningKey(
  keyId: string,
  binding?: KeyBinding,
): Promise<{ privateKeyPem: string; jwks: JSONWebKeySet }> {
  const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey as KeyLike);
  return { privateKeyPem, jwks: jwksFromPrivateKey(privateKeyPem, keyId, binding) };
}

/**
 * The public JWKS entry of a PKCS8 private key (public members only), with its binding when
 * given (without one, verifiers accept nothing it signs).
 */
export function jwksFromPrivateKey(
  privateKeyPem: string,
  keyId: string,
  binding?: KeyBinding,
): JSONWebKeySet {
  const { crv, x } = createPublicKey(privateKeyPem).export({ format: 'jwk' });
  const jwk: JWK = { kty: 'OKP', crv, x, kid: keyId, alg: ALG, use: 'sig' };
  return { keys: [binding ? bindKey(jwk, binding) : jwk] };
}

/**
 * Parses a JWKS document (JWT_PUBLIC_KEYS, JWT_PUBLIC_KEYS_FILE). Throws on what cannot be a key
 * set at all (not JSON, no `keys` array, no key with a kid), so a half-written file is never
 * swapped in; keys without a usable binding are kept (they verify nothing) and reported in
 * `problems`.
 */
export function parseJwks(text: string): { jwks: JSONWebKeySet; problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('must be valid JSON');
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new Error('must be a JWKS ({"keys": [...]})');
  const problems: string[] = [];
  for (const k of keys as JWK[]) {
    if (typeof k?.kid !== 'string') throw new Error('every key must have a kid');
    const binding = readBinding(k);
    if (typeof binding === 'string') problems.push(`key ${k.kid}: ${binding}`);
  }
  return { jwks: doc as JSONWebKeySet, problems };
}

export { exportJWK };
