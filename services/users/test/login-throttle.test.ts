/**
 * Login throttling and the hash gate against the real server and database: per-account backoff
 * (registered and unknown emails alike), per-IP backoff keyed by the edge's x-client-ip only
 * when the edge calls, atomic counting across concurrent failures, the sweeper, and OVERLOADED.
 */
import { credentials, Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { readErrorDetails } from '@meshcart/kit';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { afterFailure, type BackoffPolicy, type FailureRecord } from '../src/domain/login-backoff';
import { createLoginThrottleStore } from '../src/store/login-throttle.store';
import type { PasswordHasher } from '../src/domain/password-hasher';
import { countingHasher, failure, startUsers, uniqueEmail, type UsersHarness } from './harness';

const PASSWORD = 'correct horse battery';
const BASE_MS = 400;

/** A CreateSession sent with a plain grpc-js client: the raw status, with every detail. */
function rawCreateSession(
  address: string,
  req: { email: string; password: string },
  md: Record<string, string> = {},
): Promise<ServiceError | undefined> {
  const m = UserServiceService.createSession;
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(md)) metadata.set(k, v);
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      req,
      metadata,
      (err) => (client.close(), resolve(err ?? undefined)),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-account backoff', () => {
  let h: UsersHarness;
  let hasher: ReturnType<typeof countingHasher>;
  beforeAll(async () => {
    h = await startUsers({
      accountPolicy: { freeFailures: 5, baseDelayMs: BASE_MS, maxDelayMs: 10_000 },
      // Every call here comes from the loopback peer: keep the IP limit out of the way.
      ipPolicy: { freeFailures: 1_000 },
      wrapHasher: (inner: PasswordHasher) => (hasher = countingHasher(inner)),
    });
  });
  afterAll(() => h.stop());

  const login = (email: string, password: string) => h.client.createSession({ email, password });
  const outcome = async (email: string, password: string) => {
    const e = await failure(login(email, password));
    return e.reason === 'LOGIN_THROTTLED'
      ? { code: e.code, reason: e.reason, delayMs: Number(e.metadata.retryDelayMs) }
      : { code: e.code, reason: e.reason };
  };

  /** Runs the lockout schedule on `email` and returns what each step answered. */
  async function schedule(email: string) {
    const steps: unknown[] = [];
    for (let i = 0; i < 5; i++) steps.push(await outcome(email, 'wrong password'));
    const runsBefore = hasher.runs;
    const first = await outcome(email, 'wrong password');
    // Locked: even the right password is refused, and no hash ran for either.
    const right = await outcome(email, PASSWORD);
    const hashesWhileLocked = hasher.runs - runsBefore;
    await sleep(BASE_MS + 50);
    const afterWait = await outcome(email, 'wrong password'); // the 6th failure: 2 x base
    const second = await outcome(email, 'wrong password');
    return { steps, first, right, hashesWhileLocked, afterWait, second };
  }

  test('5 failures free, then LOGIN_THROTTLED with a doubling delay, without hashing; registered and unknown emails alike', async () => {
    const email = uniqueEmail('victim');
    await h.client.registerUser({ email, password: PASSWORD, displayName: 'V' });
    // One after the other: the hash counter is the server's.
    const known = await schedule(email);
    const unknown = await schedule(uniqueEmail('ghost'));
    for (const s of [known, unknown]) {
      expect(s.steps).toEqual(
        Array(5).fill({ code: status.UNAUTHENTICATED, reason: 'INVALID_CREDENTIALS' }),
      );
      expect(s.first).toMatchObject({ code: status.RESOURCE_EXHAUSTED, reason: 'LOGIN_THROTTLED' });
      expect(s.first.delayMs).toBeGreaterThan(BASE_MS - 150);
      expect(s.first.delayMs).toBeLessThanOrEqual(BASE_MS);
      expect(s.right).toMatchObject({ code: status.RESOURCE_EXHAUSTED, reason: 'LOGIN_THROTTLED' });
      expect(s.hashesWhileLocked).toBe(0);
      expect(s.afterWait).toEqual({ code: status.UNAUTHENTICATED, reason: 'INVALID_CREDENTIALS' });
      expect(s.second).toMatchObject({
        code: status.RESOURCE_EXHAUSTED,
        reason: 'LOGIN_THROTTLED',
      });
      expect(s.second.delayMs).toBeGreaterThan(2 * BASE_MS - 150);
      expect(s.second.delayMs).toBeLessThanOrEqual(2 * BASE_MS);
    }
    // Nothing in the answers tells the two apart; the stored keys are HMACs, not emails or ids.
    const rows = await h.prisma.loginThrottle.findMany();
    for (const r of rows) expect(r.keyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the refusal carries RetryInfo with the remaining delay', async () => {
    const email = uniqueEmail('retryinfo');
    for (let i = 0; i < 5; i++) await outcome(email, 'wrong password');
    const err = await rawCreateSession(h.address, { email, password: 'wrong password' });
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    const delay = readErrorDetails(err!).retryDelayMs;
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(BASE_MS);
  });

  test('the right password after the lockout succeeds and starts the account over; other accounts are unaffected', async () => {
    const email = uniqueEmail('reset');
    const other = uniqueEmail('bystander');
    await h.client.registerUser({ email, password: PASSWORD, displayName: 'R' });
    await h.client.registerUser({ email: other, password: PASSWORD, displayName: 'B' });
    for (let i = 0; i < 5; i++) await outcome(email, 'wrong password');
    expect((await outcome(email, PASSWORD)).reason).toBe('LOGIN_THROTTLED');
    // Another account logs in while this one is locked.
    await expect(login(other, PASSWORD)).resolves.toHaveProperty('accessToken');

    await sleep(BASE_MS + 50);
    await expect(login(email, PASSWORD)).resolves.toHaveProperty('accessToken');
    // Reset: four more failures are free again, the fifth locks with the base delay.
    for (let i = 0; i < 5; i++)
      expect((await outcome(email, 'wrong password')).reason).toBe('INVALID_CREDENTIALS');
    const again = await outcome(email, 'wrong password');
    expect(again.reason).toBe('LOGIN_THROTTLED');
    expect(again.delayMs).toBeLessThanOrEqual(BASE_MS);
  });

  test('concurrent failures on one account are all counted (atomic upsert)', async () => {
    const email = uniqueEmail('burst');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => failure(login(email, 'wrong password'))),
    );
    expect(results.map((e) => e.reason)).toEqual(Array(4).fill('INVALID_CREDENTIALS'));
    const rows = await h.prisma.loginThrottle.findMany({ where: { failures: 4 } });
    expect(rows).toHaveLength(1);
    // The fifth locks: the next is refused.
    await outcome(email, 'wrong password');
    expect((await outcome(email, 'wrong password')).reason).toBe('LOGIN_THROTTLED');
  });
});

describe('per-account backoff under a parallel burst', () => {
  // Its own service, with a lockout far longer than the burst: on a loaded machine the 400 ms
  // lockout above can run out between two queued guesses, which would test the clock, not the count.
  let h: UsersHarness;
  let hasher: ReturnType<typeof countingHasher>;
  beforeAll(async () => {
    h = await startUsers({
      accountPolicy: { freeFailures: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      ipPolicy: { freeFailures: 1_000 },
      wrapHasher: (inner: PasswordHasher) => (hasher = countingHasher(inner)),
    });
  });
  afterAll(() => h.stop());
  const login = (email: string, password: string) => h.client.createSession({ email, password });

  test('a parallel burst of guesses gets the 5 free failures, no more, and hashes only those', async () => {
    for (const email of [uniqueEmail('burst-known'), uniqueEmail('burst-ghost')]) {
      if (email.startsWith('burst-known'))
        await h.client.registerUser({ email, password: PASSWORD, displayName: 'K' });
      const runsBefore = hasher.runs;
      const results = await Promise.all(
        Array.from({ length: 12 }, () => failure(login(email, 'wrong password'))),
      );
      const reasons = results.map((e) => e.reason).sort();
      expect(reasons).toEqual([
        ...Array(5).fill('INVALID_CREDENTIALS'),
        ...Array(7).fill('LOGIN_THROTTLED'),
      ]);
      expect(hasher.runs - runsBefore).toBe(5);
    }
  });
});

describe('per-IP backoff', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers({
      ipPolicy: { freeFailures: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
  });
  afterAll(() => h.stop());

  const fromEdge = async (ip: string) => ({
    ...h.auth.bearer(await h.auth.serviceToken('edge')),
    'x-client-ip': ip,
  });
  const attempt = async (md: Record<string, string>, email = uniqueEmail('spray')) =>
    (await failure(h.client.createSession({ email, password: 'wrong password' }, { metadata: md })))
      .reason;

  test('failures across many accounts from one edge client IP lock that IP only', async () => {
    const md = await fromEdge('203.0.113.7');
    for (let i = 0; i < 3; i++) expect(await attempt(md)).toBe('INVALID_CREDENTIALS');
    expect(await attempt(md)).toBe('LOGIN_THROTTLED');
    // Another end user behind the same edge is not affected.
    expect(await attempt(await fromEdge('198.51.100.9'))).toBe('INVALID_CREDENTIALS');
    // IPv6 clients are keyed by their /64: rotating the interface id does not help.
    for (let i = 1; i <= 3; i++)
      expect(await attempt(await fromEdge(`2001:db8:1:2::${i}`))).toBe('INVALID_CREDENTIALS');
    expect(await attempt(await fromEdge('2001:db8:1:2:ffff::1'))).toBe('LOGIN_THROTTLED');
    expect(await attempt(await fromEdge('2001:db8:1:3::1'))).toBe('INVALID_CREDENTIALS');
  });

  test('x-client-ip from a caller that is not the edge is not believed, nor is its address a key', async () => {
    // A customer token or no token: the header is the caller's own claim, not believed. Such a
    // caller is a proxy we do not trust (the edge in a cluster without the mesh and without
    // LOGIN_IP_TRUSTED_PEERS): its address is every user's, so it is no key either - else a few
    // failures anywhere would lock every login. The account throttle still applies.
    for (let i = 0; i < 5; i++)
      expect(await attempt({ 'x-client-ip': `192.0.2.${i + 1}` })).toBe('INVALID_CREDENTIALS');
    const customer = h.auth.bearer(await h.auth.userToken('someone'));
    expect(await attempt({ ...customer, 'x-client-ip': '192.0.2.201' })).toBe(
      'INVALID_CREDENTIALS',
    );
    // A direct caller (no header) is keyed by its own (loopback) address.
    for (let i = 0; i < 3; i++) expect(await attempt({})).toBe('INVALID_CREDENTIALS');
    expect(await attempt({})).toBe('LOGIN_THROTTLED');
    // The edge's users are keyed by their own IP, not by the (locked) loopback peer.
    expect(await attempt(await fromEdge('192.0.2.202'))).toBe('INVALID_CREDENTIALS');
  });
});

describe('per-IP backoff behind a trusted peer (LOGIN_IP_TRUSTED_PEERS)', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers({
      ipPolicy: { freeFailures: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      trustedClientIpPeers: ['127.0.0.1', '::1'],
    });
  });
  afterAll(() => h.stop());

  test("the listed peer's x-client-ip is the key, without a token", async () => {
    const attempt = async (ip: string) =>
      (
        await failure(
          h.client.createSession(
            { email: uniqueEmail('p'), password: 'wrong password' },
            { metadata: { 'x-client-ip': ip } },
          ),
        )
      ).reason;
    expect([await attempt('203.0.113.1'), await attempt('203.0.113.1')]).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
    ]);
    expect(await attempt('203.0.113.1')).toBe('LOGIN_THROTTLED');
    expect(await attempt('203.0.113.2')).toBe('INVALID_CREDENTIALS');
  });
});

describe('expired records are swept', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h.stop());

  test('rows past the cap + window are deleted, recent ones kept', async () => {
    const store = createLoginThrottleStore(h.prisma);
    const now = Date.now();
    await h.prisma.loginThrottle.createMany({
      data: [
        { keyHash: 'a'.repeat(64), failures: 9, lastFailureMs: BigInt(now - 40 * 60_000) },
        { keyHash: 'b'.repeat(64), failures: 9, lastFailureMs: BigInt(now - 10 * 60_000) },
      ],
    });
    expect(await store.sweep(now - 30 * 60_000)).toBe(1);
    const left = await h.prisma.loginThrottle.findMany({ select: { keyHash: true } });
    expect(left).toEqual([{ keyHash: 'b'.repeat(64) }]);
  });
});

describe('the store counts exactly as the backoff schedule says', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h.stop());

  test('failures climb the schedule, and start over once quiet for the window after the lockout', async () => {
    const store = createLoginThrottleStore(h.prisma);
    const p: BackoffPolicy = {
      freeFailures: 2,
      baseDelayMs: 1_000,
      maxDelayMs: 4_000,
      windowMs: 10_000,
    };
    const key = 'c'.repeat(64);
    // Times relative to t0: within, at and past each stale boundary.
    const t0 = 1_700_000_000_000;
    const times = [0, 100, 200, 1_300, 3_400, 7_500, 11_600, 21_599, 25_600 + 10_000, 40_000];
    let expected: FailureRecord | undefined;
    for (const dt of times) {
      await store.recordFailure(key, p, t0 + dt);
      expected = afterFailure(expected, p, t0 + dt);
      expect((await store.records([key])).get(key)).toEqual(expected);
    }
    // The sequence did climb and restart (so both branches ran).
    expect(expected!.failures).toBeLessThan(times.length);
  });
});

describe('bounded hashing', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers({ hashGate: { concurrency: 1, maxQueue: 0, retryDelayMs: 1_500 } });
  });
  afterAll(() => h.stop());

  test('over the gate, registrations and logins are refused RESOURCE_EXHAUSTED OVERLOADED with RetryInfo', async () => {
    const calls = Array.from({ length: 4 }, (_, i) =>
      i % 2 === 0
        ? rawCreateSession(h.address, { email: uniqueEmail('load'), password: PASSWORD })
        : h.client
            .registerUser({ email: uniqueEmail('load'), password: PASSWORD, displayName: 'L' })
            .then(
              () => undefined,
              (e: unknown) => e,
            ),
    );
    const results = await Promise.all(calls);
    const overloaded = results.filter(
      (r) => (r as { code?: number })?.code === status.RESOURCE_EXHAUSTED,
    );
    expect(overloaded.length).toBeGreaterThanOrEqual(1);
    expect(overloaded.length).toBeLessThan(4);
    for (const r of overloaded) {
      // Raw grpc-js errors (the logins) are read back with the kit's reader, typed ones carry it.
      const e = r as ServiceError & { reason?: string };
      expect(e.reason ?? readErrorDetails(e).reason).toBe('OVERLOADED');
      if (e.metadata instanceof Metadata) expect(readErrorDetails(e).retryDelayMs).toBe(1_500);
    }
    // Once the burst is over, the service answers normally again.
    await expect(
      h.client.registerUser({ email: uniqueEmail('after'), password: PASSWORD, displayName: 'A' }),
    ).resolves.toBeDefined();
  });
});
