import { SignJWT, importPKCS8 } from 'jose';
import { createTestAuth, TEST_AUDIENCE, TEST_ISSUER, type TestAuth } from '../testkit/test-auth';
import { createTokenVerifier, generateSigningKey, MAX_SERVICE_TOKEN_TTL_SECONDS } from './jwt';
import { readBinding } from './key-bindings';
import type { Role } from './principal';

let auth: TestAuth;
beforeAll(async () => {
  auth = await createTestAuth('kb');
});

/** UNAUTHENTICATED with this reason, or the principal. */
async function outcome(token: string): Promise<string> {
  try {
    const p = await auth.verifier.verify(token);
    return `ok ${p.subject} ${p.roles.join(',')}`;
  } catch (e) {
    const err = e as { code?: number; reason?: string };
    return `refused ${err.code} ${err.reason}`;
  }
}
const INVALID = 'refused 16 TOKEN_INVALID';

/** A token with hand-set claims signed by `issuer`'s test key (for exp-less, iat-less, ...). */
async function handMade(
  issuer: string,
  claims: { sub?: string; roles?: Role[]; iat?: number; exp?: number },
  kid: string = auth.keys[issuer]!.keyId,
): Promise<string> {
  const key = await importPKCS8(auth.keys[issuer]!.privateKeyPem, 'EdDSA');
  const jwt = new SignJWT({ roles: claims.roles ?? ['customer'] })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE);
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}
const now = () => Math.floor(Date.now() / 1000);

describe('each key signs only what it is bound to', () => {
  test('the users key signs customer tokens, and nothing else', async () => {
    expect(
      await outcome(await auth.signWith('users', { subject: 'u-1', roles: ['customer'] })),
    ).toBe('ok u-1 customer');
    for (const roles of [['service'], ['admin'], ['customer', 'admin']] as Role[][]) {
      const token = await auth.signWith('users', { subject: 'service:orders', roles });
      expect(await outcome(token)).toBe(INVALID);
    }
    expect(
      await outcome(await auth.signWith('users', { subject: 'admin:x', roles: ['admin'] })),
    ).toBe(INVALID);
  });

  test('a customer token never carries a namespaced subject, whichever key signed it', async () => {
    for (const subject of ['service:orders', 'admin:root', 'ops:seed'])
      expect(await outcome(await auth.signWith('users', { subject, roles: ['customer'] }))).toBe(
        INVALID,
      );
    // Not even the test's any-role key may make a customer look like a workload.
    expect(
      await outcome(await auth.signWith('*', { subject: 'service:orders', roles: ['customer'] })),
    ).toBe(INVALID);
  });

  test('a workload key signs only its own service token', async () => {
    expect(
      await outcome(
        await auth.signWith('orders', { subject: 'service:orders', roles: ['service'] }),
      ),
    ).toBe('ok service:orders service');
    const cases: [string, Role[]][] = [
      ['service:saga-worker', ['service']],
      ['service:orders', ['admin']],
      ['service:orders', ['service', 'admin']],
      ['u-1', ['customer']],
    ];
    for (const [subject, roles] of cases)
      expect(await outcome(await auth.signWith('orders', { subject, roles }))).toBe(INVALID);
  });

  test('the ops key signs admin tokens for ops:/admin: subjects only', async () => {
    expect(
      await outcome(await auth.signWith('ops', { subject: 'ops:seed', roles: ['admin'] })),
    ).toBe('ok ops:seed admin');
    expect(
      await outcome(await auth.signWith('ops', { subject: 'service:ops', roles: ['service'] })),
    ).toBe(INVALID);
    expect(await outcome(await auth.signWith('ops', { subject: 'u-1', roles: ['customer'] }))).toBe(
      INVALID,
    );
    expect(await outcome(await auth.signWith('ops', { subject: 'u-1', roles: ['admin'] }))).toBe(
      INVALID,
    );
  });

  test('the testkit helpers sign with the issuer of each kind of token', async () => {
    expect(await outcome(await auth.userToken('u-2'))).toBe('ok u-2 customer');
    expect(await outcome(await auth.adminToken())).toBe('ok admin:test admin');
    expect(await outcome(await auth.serviceToken('saga-worker'))).toBe(
      'ok service:saga-worker service',
    );
  });
});

describe('claims and keys every token needs', () => {
  test('a hand-made token with all claims passes (the control for the cases below)', async () => {
    expect(
      await outcome(await handMade('users', { sub: 'u-1', iat: now(), exp: now() + 60 })),
    ).toBe('ok u-1 customer');
  });

  test('exp-less, iat-less and sub-less tokens are refused', async () => {
    expect(await outcome(await handMade('users', { sub: 'u-1', iat: now() }))).toBe(INVALID);
    expect(await outcome(await handMade('users', { sub: 'u-1', exp: now() + 60 }))).toBe(INVALID);
    expect(await outcome(await handMade('users', { iat: now(), exp: now() + 60 }))).toBe(INVALID);
  });

  test('an expired token is refused as expired', async () => {
    const token = await handMade('users', { sub: 'u-1', iat: now() - 120, exp: now() - 60 });
    expect(await outcome(token)).toBe('refused 16 TOKEN_EXPIRED');
  });

  test('a service token living longer than the service maximum is refused', async () => {
    const sub = 'service:orders';
    const ok = await handMade('orders', { sub, roles: ['service'], iat: now(), exp: now() + 300 });
    expect(await outcome(ok)).toBe('ok service:orders service');
    const exp = now() + MAX_SERVICE_TOKEN_TTL_SECONDS + 60;
    const long = await handMade('orders', { sub, roles: ['service'], iat: now(), exp });
    expect(await outcome(long)).toBe(INVALID);
  });

  test('an unknown kid, a missing kid, or another key under a known kid is refused', async () => {
    const claims = { sub: 'u-1', iat: now(), exp: now() + 60 };
    expect(await outcome(await handMade('users', claims, 'no-such-kid'))).toBe(INVALID);
    expect(await outcome(await handMade('users', claims, auth.keys.ops!.keyId))).toBe(INVALID);
    const key = await importPKCS8(auth.keys.users!.privateKeyPem, 'EdDSA');
    const kidless = await new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    expect(await outcome(kidless)).toBe(INVALID);
  });

  test('a key without bindings verifies nothing', async () => {
    const unbound = await generateSigningKey('unbound');
    expect(readBinding(unbound.jwks.keys[0]!)).toEqual(expect.any(String));
    const verifier = createTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwks: unbound.jwks,
    });
    const key = await importPKCS8(unbound.privateKeyPem, 'EdDSA');
    const token = await new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'unbound' })
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'TOKEN_INVALID' });
  });
});
