/** The database side: migrations in step with schema.prisma, and the connection dying mid-call. */
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift } from '@meshcart/kit';
import { killConnectionMidCall } from '@meshcart/kit/testkit';
import { address, registerCustomer, SERVICE_DIR, startUsers, type UsersHarness } from './harness';

test('schema.prisma and the migrations describe the same database', async () => {
  await expectNoSchemaDrift(SERVICE_DIR);
});

describe('the database connection killed mid-call', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h?.stop());

  test('AddAddress answers UNAVAILABLE DB_UNAVAILABLE (retryable), never INTERNAL, and writes nothing', async () => {
    const me = await registerCustomer(h);
    // The new address row checks its user row (foreign key): a lock on the user holds the insert.
    const e = await killConnectionMidCall(
      h.db,
      'SELECT id FROM users WHERE id = ? FOR UPDATE',
      [me.id],
      () => h.client.addAddress({ requestId: 'kill-1', address: address() }, { metadata: me.md }),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DB_UNAVAILABLE' });
    expect((await h.client.listAddresses({}, { metadata: me.md })).addresses).toEqual([]);
  });
});
