/**
 * Mints an admin or service token with the ops key, for dev and ops tooling (the seed imports
 * mintToken). Customer tokens come only from CreateSession.
 *
 *   npx tsx services/users/src/mint-token.ts admin|service [--subject S] [--ttl 15m]
 *
 * Reads JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE (the ops key: bound to role admin, subjects
 * ops:* and admin:*), JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_FILE (the key's kid and binding),
 * JWT_KEY_ID (optional), JWT_ISSUER, JWT_AUDIENCE. Fails (exit 2) when the key may not sign
 * what is asked: a service token needs that workload's own key. Prints only the token.
 */
import {
  loadConfig,
  openPublicKeys,
  openSigner,
  parse,
  publicKeysSpec,
  runMain,
  signingKeySpec,
  v,
} from '@meshcart/kit';

export type MintableRole = 'admin' | 'service';

const spec = {
  ...signingKeySpec(),
  ...publicKeysSpec(),
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
  const subject = opts.subject ?? `${opts.role}:cli`;
  const jwks = openPublicKeys(config);
  const signer = openSigner({
    settings: { issuer: config.jwtIssuer, audience: config.jwtAudience },
    config,
    jwks,
    purpose: { roles: [opts.role], subject },
  });
  jwks?.close();
  return signer.sign({ subject, roles: [opts.role], ttlSeconds: opts.ttlSeconds ?? 900 });
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
