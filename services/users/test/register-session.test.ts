import { status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { createTestAuth } from '@meshcart/kit/testkit';
import {
  failure,
  fieldsOf,
  SESSION_TTL_SECONDS,
  startUsers,
  uniqueEmail,
  type UsersHarness,
} from './harness';

let h: UsersHarness;
beforeAll(async () => {
  h = await startUsers();
});
afterAll(() => h.stop());

const register = (
  email = uniqueEmail(),
  password = 'correct horse battery',
  displayName = 'Ada Lovelace',
) => h.client.registerUser({ email, password, displayName });

describe('RegisterUser', () => {
  test('registers a customer, lower-cases the email and never returns the password', async () => {
    const email = uniqueEmail('Mixed.Case').replace('example.com', 'Example.COM');
    const started = Date.now();
    const res = await register(`  ${email} `, 'correct horse battery', '  Ada  ');
    expect(res.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: email.toLowerCase(),
      displayName: 'Ada',
      createTime: { seconds: expect.any(String), nanos: expect.any(Number) },
    });
    expect(Number(res.user!.createTime!.seconds) * 1000).toBeGreaterThanOrEqual(started - 2000);
    expect(Number(res.user!.createTime!.seconds) * 1000).toBeLessThanOrEqual(Date.now() + 1000);
    expect(JSON.stringify(res)).not.toContain('correct horse');
  });

  test('stores only a salted argon2id hash with its parameters', async () => {
    const a = await register(undefined, 'same password 123');
    const b = await register(undefined, 'same password 123');
    const rows = await h.prisma.user.findMany({ where: { id: { in: [a.user!.id, b.user!.id] } } });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.passwordHash).toMatch(/^argon2id\$19456\$2\$1\$[\w-]{22}\$[\w-]{43}$/);
      expect(r.passwordHash).not.toContain('same password');
    }
    expect(rows[0]!.passwordHash).not.toBe(rows[1]!.passwordHash);
  });

  test('an exact repeat is a retry: the same user comes back, no second account', async () => {
    const email = uniqueEmail('retry');
    const first = await register(email);
    const again = await register(email.toUpperCase());
    expect(again.user!.id).toBe(first.user!.id);
  });

  test('the same email with another password or name, in any case, fails EMAIL_TAKEN', async () => {
    const email = uniqueEmail('taken');
    await register(email);
    for (const again of [email, email.toUpperCase(), ` ${email} `]) {
      expect((await failure(register(again, 'another password!'))).reason).toBe('EMAIL_TAKEN');
      const err = await failure(register(again, 'correct horse battery', 'Someone Else'));
      expect([err.code, err.reason, err.domain]).toEqual([
        status.ALREADY_EXISTS,
        'EMAIL_TAKEN',
        'users.meshcart',
      ]);
    }
  });

  test('concurrent registrations of one email: exactly one wins', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => register(email, `password number ${i}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason.reason).toBe('EMAIL_TAKEN');
  });

  test.each([
    [
      'all empty',
      { email: '', password: '', displayName: '' },
      ['displayName', 'email', 'password'],
    ],
    [
      'malformed email',
      { email: 'not-an-email', password: 'long enough', displayName: 'A' },
      ['email'],
    ],
    [
      'email without tld',
      { email: 'a@localhost', password: 'long enough', displayName: 'A' },
      ['email'],
    ],
    [
      'email too long',
      {
        email: `${'a'.repeat(60)}@${'b'.repeat(190)}.com`,
        password: 'long enough',
        displayName: 'A',
      },
      ['email'],
    ],
    ['short password', { email: uniqueEmail(), password: 'short', displayName: 'A' }, ['password']],
    [
      'long password',
      { email: uniqueEmail(), password: 'x'.repeat(129), displayName: 'A' },
      ['password'],
    ],
    [
      'blank display name',
      { email: uniqueEmail(), password: 'long enough', displayName: '   ' },
      ['displayName'],
    ],
    [
      'long display name',
      { email: uniqueEmail(), password: 'long enough', displayName: 'n'.repeat(81) },
      ['displayName'],
    ],
    [
      'control characters',
      { email: uniqueEmail(), password: 'long enough', displayName: 'a\u0007b' },
      ['displayName'],
    ],
  ])('%s -> INVALID_ARGUMENT naming the fields', async (_name, req, fields) => {
    const err = await failure(h.client.registerUser(req));
    expect([err.code, err.reason]).toEqual([status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
    expect(fieldsOf(err)).toEqual(fields);
  });

  test('is public: no token needed, and a stale token does not get in the way', async () => {
    const expired = await h.auth.userToken('someone', -60);
    await expect(
      h.client.registerUser(
        { email: uniqueEmail(), password: 'long enough', displayName: 'A' },
        { metadata: h.auth.bearer(expired) },
      ),
    ).resolves.toBeDefined();
  });
});

describe('CreateSession', () => {
  test('returns a customer token for the user, valid for SESSION_TTL, usable on the service', async () => {
    const email = uniqueEmail('login');
    const { user } = await register(email, 'open sesame 42');
    const before = Math.floor(Date.now() / 1000);
    const res = await h.client.createSession({
      email: email.toUpperCase(),
      password: 'open sesame 42',
    });
    const principal = await h.auth.verifier.verify(res.accessToken);
    expect(principal).toEqual({ subject: user!.id, roles: ['customer'], isService: false });
    const claims = decodeJwt(res.accessToken);
    expect(claims.exp! - claims.iat!).toBe(SESSION_TTL_SECONDS);
    expect(claims.exp).toBeGreaterThanOrEqual(before + SESSION_TTL_SECONDS);
    expect(Number(res.expireTime!.seconds)).toBe(claims.exp);
    expect([claims.iss, claims.aud]).toEqual(['meshcart-test', 'meshcart']);
    const me = await h.client.getUser(
      { userId: user!.id },
      { metadata: h.auth.bearer(res.accessToken) },
    );
    expect(me.user!.email).toBe(email);
  });

  test('the token is signed with the configured key: another key cannot verify it', async () => {
    const email = uniqueEmail();
    await register(email, 'open sesame 42');
    const { accessToken } = await h.client.createSession({ email, password: 'open sesame 42' });
    const other = await createTestAuth('other');
    await expect(other.verifier.verify(accessToken)).rejects.toMatchObject({
      reason: 'TOKEN_INVALID',
    });
  });

  test('wrong password and unknown email both fail INVALID_CREDENTIALS', async () => {
    const email = uniqueEmail();
    await register(email, 'right password');
    for (const req of [
      { email, password: 'wrong password' },
      { email: uniqueEmail('nobody'), password: 'right password' },
      { email: 'not even an email', password: 'right password' },
    ]) {
      const err = await failure(h.client.createSession(req));
      expect([err.code, err.reason]).toEqual([status.UNAUTHENTICATED, 'INVALID_CREDENTIALS']);
    }
  });

  test('an unknown email costs the same hashing time as a wrong password', async () => {
    const email = uniqueEmail();
    await register(email, 'right password');
    const time = async (req: { email: string; password: string }) => {
      const t = performance.now();
      await failure(h.client.createSession(req));
      return performance.now() - t;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await time({ email, password: 'wrong password' }));
      unknown.push(await time({ email: uniqueEmail('nobody'), password: 'wrong password' }));
    }
    // Without the dummy check an unknown email answers in ~1 ms against tens of ms for argon2id.
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...wrong) * 0.3);
  });

  test.each([
    ['both empty', { email: '', password: '' }, ['email', 'password']],
    ['password too long', { email: 'a@example.com', password: 'x'.repeat(129) }, ['password']],
    ['email too long', { email: `${'a'.repeat(250)}@x.io`, password: 'whatever1' }, ['email']],
  ])('%s -> INVALID_ARGUMENT', async (_name, req, fields) => {
    const err = await failure(h.client.createSession(req));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldsOf(err)).toEqual(fields);
  });
});

describe('password hashes are upgraded on login', () => {
  test('a user with an old scrypt hash logs in, and the hash becomes argon2id', async () => {
    const email = uniqueEmail('legacy');
    const { user } = await register(email, 'correct horse battery');
    // The hash a user registered before the argon2id change would have (scrypt, N = 2^14).
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const key = scryptSync('correct horse battery', salt, 64, { N: 16384, r: 8, p: 1 });
    const legacy = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    await h.prisma.user.update({ where: { id: user!.id }, data: { passwordHash: legacy } });

    const wrong = await failure(h.client.createSession({ email, password: 'wrong horse battery' }));
    expect([wrong.code, wrong.reason]).toEqual([status.UNAUTHENTICATED, 'INVALID_CREDENTIALS']);
    const stillLegacy = await h.prisma.user.findUniqueOrThrow({ where: { id: user!.id } });
    expect(stillLegacy.passwordHash).toBe(legacy);

    const ok = await h.client.createSession({ email, password: 'correct horse battery' });
    expect(decodeJwt(ok.accessToken).sub).toBe(user!.id);
    const upgraded = await h.prisma.user.findUniqueOrThrow({ where: { id: user!.id } });
    expect(upgraded.passwordHash).toMatch(/^argon2id\$19456\$2\$1\$/);
    // The upgraded hash still opens the same account, and only with the same password.
    await expect(
      h.client.createSession({ email, password: 'correct horse battery' }),
    ).resolves.toBeTruthy();
    const after = await failure(h.client.createSession({ email, password: 'wrong horse battery' }));
    expect(after.reason).toBe('INVALID_CREDENTIALS');
  });
});
