import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createTestAuth } from '@meshcart/kit/testkit';
import {
  address,
  failure,
  fieldsOf,
  registerCustomer,
  startUsers,
  type UsersHarness,
} from './harness';

let h: UsersHarness;
beforeAll(async () => {
  h = await startUsers();
});
afterAll(() => h.stop());

const customer = () => registerCustomer(h);

describe('access', () => {
  const calls = {
    addAddress: (md: Record<string, string>) =>
      h.client.addAddress({ requestId: 'r1', address: address() }, { metadata: md }),
    listAddresses: (md: Record<string, string>) => h.client.listAddresses({}, { metadata: md }),
  };
  const cases: Array<[string, () => Promise<Record<string, string>>, status, string]> = [
    ['missing token', async () => ({}), status.UNAUTHENTICATED, 'TOKEN_MISSING'],
    [
      'expired token',
      async () => h.auth.bearer(await h.auth.userToken(randomUUID(), -60)),
      status.UNAUTHENTICATED,
      'TOKEN_EXPIRED',
    ],
    [
      'forged token',
      async () => {
        const o = await createTestAuth('forger');
        return o.bearer(await o.userToken(randomUUID()));
      },
      status.UNAUTHENTICATED,
      'TOKEN_INVALID',
    ],
    [
      'garbage token',
      async () => ({ authorization: 'Bearer not.a.jwt' }),
      status.UNAUTHENTICATED,
      'TOKEN_INVALID',
    ],
    [
      'admin token',
      async () => h.auth.bearer(await h.auth.adminToken()),
      status.PERMISSION_DENIED,
      'ROLE_REQUIRED',
    ],
    [
      'service token (cannot act as a user)',
      async () => h.auth.bearer(await h.auth.serviceToken('orders')),
      status.PERMISSION_DENIED,
      'METHOD_NOT_IN_CALL_GRAPH',
    ],
  ];
  test.each(cases)('%s is refused by every customer method', async (_name, md, code, reason) => {
    const metadata = await md();
    for (const call of [
      () => h.client.getUser({ userId: 'x' }, { metadata }),
      () => calls.addAddress(metadata),
      () => calls.listAddresses(metadata),
    ]) {
      const err = await failure(call());
      expect([err.code, err.reason]).toEqual([code, reason]);
    }
  });
});

describe('GetUser', () => {
  test("returns the caller's own profile", async () => {
    const me = await customer();
    const res = await h.client.getUser({ userId: me.id }, { metadata: me.md });
    expect(res.user).toMatchObject({ id: me.id, displayName: 'C' });
    expect(JSON.stringify(res)).not.toMatch(/scrypt|password/i);
  });

  test("another user's id fails PERMISSION_DENIED NOT_OWNER (existing or not)", async () => {
    const me = await customer();
    const other = await customer();
    for (const userId of [other.id, randomUUID()]) {
      const err = await failure(h.client.getUser({ userId }, { metadata: me.md }));
      expect([err.code, err.reason]).toEqual([status.PERMISSION_DENIED, 'NOT_OWNER']);
    }
  });

  test('a valid token for a user that does not exist fails NOT_FOUND USER_NOT_FOUND', async () => {
    const ghost = randomUUID();
    const err = await failure(
      h.client.getUser(
        { userId: ghost },
        { metadata: h.auth.bearer(await h.auth.userToken(ghost)) },
      ),
    );
    expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'USER_NOT_FOUND']);
  });

  test('an empty or oversized user id is INVALID_ARGUMENT on userId', async () => {
    const me = await customer();
    for (const userId of ['', 'x'.repeat(65)]) {
      const err = await failure(h.client.getUser({ userId }, { metadata: me.md }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(fieldsOf(err)).toEqual(['userId']);
    }
  });
});
