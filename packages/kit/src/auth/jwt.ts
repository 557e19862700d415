import { ErrorReason } from '../errors/error-reason';
import {
  SignJWT,
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  jwtVerify,
  type JSONWebKeySet,
  type KeyLike,
} from 'jose';
import { createPublicKey } from 'node:crypto';
import { errors } from '../errors/domain-error';
import type { Principal, Role } from './principal';

/** Tokens are EdDSA (Ed25519) JWTs: small, fast, and no RSA key sizes to get wrong. */
const ALG = 'EdDSA';
const ROLES: readonly Role[] = ['customer', 'admin', 'service'];

export interface JwtSettings {
  issuer: string;
  audience: string;
}

/** Mints tokens with one private key (users service for customers, workloads for themselves). */
export interface TokenSigner {
  sign(claims: {
    subject: string;
    roles: Role[];
    ttlSeconds: number;
  }): Promise<{ token: string; expiresAt: Date }>;
}

export async function createTokenSigner(
  opts: JwtSettings & { privateKeyPem: string; keyId: string },
): Promise<TokenSigner> {
  const key = await importPKCS8(opts.privateKeyPem, ALG);
  return {
    async sign({ subject, roles, ttlSeconds }) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ttlSeconds;
      const token = await new SignJWT({ roles })
        .setProtectedHeader({ alg: ALG, kid: opts.keyId, typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setIssuedAt(now)
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

export function createTokenVerifier(opts: JwtSettings & { jwks: JSONWebKeySet }): TokenVerifier {
  const keys = createLocalJWKSet(opts.jwks);
  return {
    async verify(token) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms: [ALG],
          clockTolerance: 5,
        }));
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired)
          throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_EXPIRED, {
            message: 'token expired',
          });
        throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_INVALID, {
          message: 'token invalid',
        });
      }
      const roles = Array.isArray(payload.roles)
        ? (payload.roles as unknown[]).filter((r): r is Role => ROLES.includes(r as Role))
        : [];
      if (!payload.sub || roles.length === 0)
        throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_INVALID, {
          message: 'token lacks sub or roles',
        });
      return { subject: payload.sub, roles, isService: roles.includes('service') };
    },
  };
}

/** A fresh Ed25519 key pair as PKCS8 PEM + public JWK (dev keys, tests). */
export async function generateSigningKey(
  keyId: string,
): Promise<{ privateKeyPem: string; jwks: JSONWebKeySet }> {
  const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey as KeyLike);
  return { privateKeyPem, jwks: jwksFromPrivateKey(privateKeyPem, keyId) };
}

/** Derives the public JWKS for a PKCS8 private key (so one secret is enough in dev). */
export function jwksFromPrivateKey(privateKeyPem: string, keyId: string): JSONWebKeySet {
  const pub = createPublicKey(privateKeyPem).export({ format: 'jwk' });
  return { keys: [{ ...pub, kty: pub.kty ?? 'OKP', kid: keyId, alg: ALG, use: 'sig' }] };
}

export { exportJWK };
