/**
 * Mints an admin or service token with JWT_PRIVATE_KEY, for dev and ops tooling (the seed
 * imports mintToken). Customer tokens come only from CreateSession.
 *
 *   npx tsx services/users/src/mint-token.ts admin|service [--subject S] [--ttl 15m]
 *
 * Reads JWT_PRIVATE_KEY, JWT_KEY_ID (or the matching kid in JWT_PUBLIC_KEYS), JWT_ISSUER,
 * JWT_AUDIENCE. Prints only the token on stdout.
 */
import type { JSONWebKeySet } from 'jose';
import { createTokenSigner, loadConfig, parse, resolveKeyId, runMain, v } from '@meshcart/kit';
import { keyIdSpec, privateKeySpec } from './config';

export type MintableRole = 'admin' | 'service';

const spec = {
  jwtPrivateKey: privateKeySpec,
  jwtKeyId: keyIdSpec,
  jwtPublicKeys: v('JWT_PUBLIC_KEYS', parse.json<JSONWebKeySet | undefined>(), {
    default: undefined,
  }),
  jwtIssuer: v('JWT_ISSUER', parse.string(), { default: 'meshcart' }),
  jwtAudience: v('JWT_AUDIENCE', parse.string(), { default: 'meshcart' }),
};

/** A signed token for `role`; subject defaults to `admin:cli` / `service:cli`. */
export async function mintToken(opts: {
  role: MintableRole;
  subject?: string;
  ttlSeconds?: number;
  env?: Record<string, string | undefined>;
}): Promise<{ token: string; expiresAt: Date }> {
  const config = loadConfig(spec, opts.env ?? process.env);
  const keyId = resolveKeyId(config.jwtPrivateKey, config.jwtPublicKeys, config.jwtKeyId);
  const signer = await createTokenSigner({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    privateKeyPem: config.jwtPrivateKey,
    keyId,
  });
  return signer.sign({
    subject: opts.subject ?? `${opts.role}:cli`,
    roles: [opts.role],
    ttlSeconds: opts.ttlSeconds ?? 900,
  });
}

/** Parses `admin|service [--subject S] [--ttl 15m]`; throws a usage message on anything else. */
export function parseMintArgs(argv: string[]): {
  role: MintableRole;
  subject?: string;
  ttlSeconds?: number;
} {
  const usage = 'usage: mint-token.ts admin|service [--subject S] [--ttl 15m]';
  const [role, ...rest] = argv;
  if (role !== 'admin' && role !== 'service') throw new Error(usage);
  const out: { role: MintableRole; subject?: string; ttlSeconds?: number } = { role };
  for (let i = 0; i < rest.length; i += 2) {
    const value = rest[i + 1];
    if (value === undefined) throw new Error(usage);
    if (rest[i] === '--subject') out.subject = value;
    else if (rest[i] === '--ttl')
      out.ttlSeconds = Math.max(1, Math.floor(parse.duration()(value) / 1000));
    else throw new Error(usage);
  }
  return out;
}

if (require.main === module) {
  let args: ReturnType<typeof parseMintArgs> | undefined;
  try {
    args = parseMintArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 2;
  }
  if (args) {
    const parsed = args;
    runMain(async () => {
      const { token } = await mintToken(parsed);
      process.stdout.write(`${token}\n`);
    });
  }
}
