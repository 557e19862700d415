/**
 * Where a process gets its keys, and the checks that make a wrong key fail at startup rather than
 * at the first call:
 *
 *   JWT_PUBLIC_KEYS_FILE  JWKS file (a mounted ConfigMap), re-read every JWT_KEYS_POLL (5 s)
 *   JWT_PUBLIC_KEYS       the same JWKS inline (tests, dev); read once
 *   JWT_PRIVATE_KEY_FILE  this workload's own PKCS8 Ed25519 key (a mounted Secret), re-read too
 *   JWT_PRIVATE_KEY       the same inline (tests, dev; literal "\n" accepted)
 *   JWT_KEY_ID            optional: the kid; by default the kid of the JWKS entry with the same
 *                         public key (leave it unset with files: a rotated key brings its own kid)
 *
 * A signer checks its key against the JWKS: the kid must name this key, and the key's binding
 * (key-bindings.ts) must allow what the process signs. At startup a mismatch is a ConfigError
 * (exit 2); after a reload it keeps the last good key and logs, so a half-done rotation (private
 * key written before the JWKS has its public half) heals on the next poll instead of breaking.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { ConfigError, parse, v, type Parser } from '../config/load-config';
import { parseJwks, signerOver, type JwtSettings, type SigningKey, type TokenSigner } from './jwt';
import { bindingAllows, readBinding, type KeyBinding } from './key-bindings';
import { fileSource, staticSource, KEY_POLL_MS, type KeyLog, type KeySource } from './key-source';
import type { Role } from './principal';
import { resolveKeyId } from './signing-key';

/** PKCS8 PEM of an Ed25519 key; literal "\n" sequences (one-line env files) are accepted. */
export function parseEd25519Pem(raw: string): string {
  const pem = raw.includes('\\n') ? raw.replace(/\\n/g, '\n') : raw;
  if (!pem.includes('-----BEGIN PRIVATE KEY-----'))
    throw new Error('must be a PKCS8 PEM private key');
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    throw new Error('must be a PKCS8 PEM private key');
  }
  if (type !== 'ed25519') throw new Error('must be an Ed25519 key (tokens are EdDSA)');
  return pem;
}

const jwksParser: Parser<JSONWebKeySet | undefined> = (raw) => parseJwks(raw).jwks;

/** The trusted public keys: every verifier's spec (serviceConfigSpec spreads it). */
export function publicKeysSpec(opts: { required: boolean } = { required: true }) {
  return {
    jwtPublicKeys: v('JWT_PUBLIC_KEYS', jwksParser, {
      default: undefined,
      ...(opts.required ? { orEnv: 'JWT_PUBLIC_KEYS_FILE' } : {}),
    }),
    jwtPublicKeysFile: v('JWT_PUBLIC_KEYS_FILE', parse.string(), { default: '' }),
    /** How often key files are read again (a rotation takes effect within this). */
    jwtKeysPollMs: v('JWT_KEYS_POLL', parse.duration(), { default: KEY_POLL_MS }),
  };
}

/** This workload's own signing key: the spec of every process that signs tokens. */
export function signingKeySpec() {
  return {
    jwtPrivateKey: v('JWT_PRIVATE_KEY', parseEd25519Pem, {
      secret: true,
      default: '',
      orEnv: 'JWT_PRIVATE_KEY_FILE',
    }),
    jwtPrivateKeyFile: v('JWT_PRIVATE_KEY_FILE', parse.string(), { default: '' }),
    jwtKeyId: v('JWT_KEY_ID', parse.string({ max: 128, pattern: /^[A-Za-z0-9._-]+$/ }), {
      default: '',
    }),
  };
}

export interface PublicKeysConfig {
  jwtPublicKeys?: JSONWebKeySet | undefined;
  jwtPublicKeysFile: string;
  jwtKeysPollMs?: number;
}
export interface SigningKeyConfig {
  jwtPrivateKey: string;
  jwtPrivateKeyFile: string;
  jwtKeyId: string;
}

function logProblems(jwks: JSONWebKeySet, log: KeyLog | undefined): JSONWebKeySet {
  for (const k of jwks.keys ?? []) {
    const b = readBinding(k);
    if (typeof b === 'string') log?.warn({ kid: k.kid, problem: b }, 'JWKS key verifies nothing');
  }
  return jwks;
}

/** The JWKS from JWT_PUBLIC_KEYS_FILE (reloaded) or JWT_PUBLIC_KEYS; undefined when neither. */
export function openPublicKeys(
  config: PublicKeysConfig,
  log?: KeyLog,
): KeySource<JSONWebKeySet> | undefined {
  if (config.jwtPublicKeysFile && config.jwtPublicKeys)
    throw new ConfigError(['set JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_FILE, not both']);
  if (config.jwtPublicKeysFile) {
    return fileSource({
      file: config.jwtPublicKeysFile,
      what: 'JWT_PUBLIC_KEYS_FILE',
      parse: (text) => logProblems(parseJwks(text).jwks, log),
      intervalMs: config.jwtKeysPollMs,
      log,
    });
  }
  return config.jwtPublicKeys ? staticSource(logProblems(config.jwtPublicKeys, log)) : undefined;
}

/** What a process signs: its roles, and its one subject when it has one (service:<workload>). */
export interface SigningPurpose {
  roles: Role[];
  subject?: string;
}

const describe = (p: SigningPurpose) =>
  `role ${p.roles.join(',')}${p.subject ? ` for ${p.subject}` : ''}`;

/** The kid and binding of `pem` in `jwks`, checked against `purpose`; ConfigError when wrong. */
export function checkSigningKey(
  pem: string,
  jwks: JSONWebKeySet,
  explicitKid: string,
  purpose: SigningPurpose,
): { keyId: string; binding: KeyBinding } {
  const keyId = resolveKeyId(pem, jwks, explicitKid);
  const jwk = jwks.keys.find((k) => k.kid === keyId)!;
  const binding = readBinding(jwk);
  if (typeof binding === 'string') throw new ConfigError([`signing key ${keyId}: ${binding}`]);
  const allowed = purpose.roles.every((r) => binding.roles.includes(r));
  const subjectOk =
    !purpose.subject || bindingAllows(binding, { subject: purpose.subject, roles: purpose.roles });
  if (!allowed || !subjectOk)
    throw new ConfigError([
      `signing key ${keyId} is bound to roles ${binding.roles.join(',')} and subjects ` +
        `${binding.subjects.join(',')}: it may not sign ${describe(purpose)}`,
    ]);
  return { keyId, binding };
}

/**
 * This process's signer: the private key from JWT_PRIVATE_KEY_FILE (reloaded) or
 * JWT_PRIVATE_KEY, checked against the JWKS now (ConfigError) and again whenever either
 * changes (see the file comment).
 */
export function openSigner(opts: {
  settings: JwtSettings;
  config: SigningKeyConfig & { jwtKeysPollMs?: number };
  jwks: KeySource<JSONWebKeySet> | undefined;
  purpose: SigningPurpose;
  log?: KeyLog;
}): TokenSigner {
  const { config, purpose, log } = opts;
  if (config.jwtPrivateKeyFile && config.jwtPrivateKey)
    throw new ConfigError(['set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both']);
  if (!opts.jwks)
    throw new ConfigError([
      'JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_FILE is required to check this workload signing key',
    ]);
  const jwks = opts.jwks;
  const pem = config.jwtPrivateKeyFile
    ? fileSource({
        file: config.jwtPrivateKeyFile,
        what: 'JWT_PRIVATE_KEY_FILE',
        parse: parseEd25519Pem,
        intervalMs: config.jwtKeysPollMs,
        log,
      })
    : staticSource(config.jwtPrivateKey);
  const resolve = (p: string, set: JSONWebKeySet): SigningKey => {
    const { keyId, binding } = checkSigningKey(p, set, config.jwtKeyId, purpose);
    return { key: createPrivateKey(p) as KeyObject, keyId, binding };
  };
  let seen = { pem: pem.current(), jwks: jwks.current() };
  let key = resolve(seen.pem, seen.jwks);
  return signerOver(opts.settings, () => {
    const now = { pem: pem.current(), jwks: jwks.current() };
    if (now.pem !== seen.pem || now.jwks !== seen.jwks) {
      seen = now;
      try {
        const next = resolve(now.pem, now.jwks);
        if (next.keyId !== key.keyId) log?.info({ kid: next.keyId }, 'signing with a new key');
        key = next;
      } catch (e) {
        const problems = e instanceof ConfigError ? e.problems : [(e as Error).message];
        log?.warn(
          { kid: key.keyId, problems },
          'new signing key not usable, keeping the last good one',
        );
      }
    }
    return key;
  });
}
