import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import {
  address,
  failure,
  fieldsOf,
  registerCustomer,
  startUsers,
  uniqueEmail,
  type UsersHarness,
} from './harness';

let h: UsersHarness;
beforeAll(async () => {
  h = await startUsers();
});
afterAll(() => h.stop());

const customer = () => registerCustomer(h);

describe('AddAddress / ListAddresses', () => {
  let me: Awaited<ReturnType<typeof customer>> | undefined;
  test('adds a trimmed address and lists the book oldest first, own entries only', async () => {
    const me = await customer();
    const other = await customer();
    expect((await h.client.listAddresses({}, { metadata: me.md })).addresses).toEqual([]);
    const first = await h.client.addAddress(
      {
        requestId: 'a-1',
        address: address({ recipient: '  Ada Lovelace ', lines: [' Hauptstrasse 1 '] }),
      },
      { metadata: me.md },
    );
    expect(first.address).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      address: address({ lines: ['Hauptstrasse 1'] }),
      createTime: { seconds: expect.any(String), nanos: expect.any(Number) },
    });
    const ids = [first.address!.id];
    for (const [i, lines] of [['Line A', 'Line B', 'Line C'], ['Only']].entries()) {
      ids.push(
        (
          await h.client.addAddress(
            { requestId: `a-${i + 2}`, address: address({ lines }) },
            { metadata: me.md },
          )
        ).address!.id,
      );
    }
    await h.client.addAddress(
      { requestId: 'a-1', address: address({ city: 'Paris', countryCode: 'FR' }) },
      { metadata: other.md },
    );
    const listed = await h.client.listAddresses({}, { metadata: me.md });
    expect(listed.addresses.map((a) => a.id)).toEqual(ids);
    expect(listed.addresses[1]!.address!.lines).toEqual(['Line A', 'Line B', 'Line C']);
    expect(
      (await h.client.listAddresses({}, { metadata: other.md })).addresses.map(
        (a) => a.address!.city,
      ),
    ).toEqual(['Paris']);
  });

  test('a repeat with the same request id and address returns the first entry', async () => {
    const me = await customer();
    const first = await h.client.addAddress(
      { requestId: 'same', address: address() },
      { metadata: me.md },
    );
    const again = await h.client.addAddress(
      { requestId: 'same', address: address({ city: ' Berlin ' }) },
      { metadata: me.md },
    );
    expect(again).toEqual(first);
    expect((await h.client.listAddresses({}, { metadata: me.md })).addresses).toHaveLength(1);
  });

  test('the same request id with another address fails ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED', async () => {
    const me = await customer();
    await h.client.addAddress({ requestId: 'k', address: address() }, { metadata: me.md });
    for (const changed of [
      address({ postalCode: '10117' }),
      address({ lines: ['Hauptstrasse 1'] }),
    ]) {
      const err = await failure(
        h.client.addAddress({ requestId: 'k', address: changed }, { metadata: me.md }),
      );
      expect([err.code, err.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
    }
  });

  test('concurrent repeats of one request create one entry', async () => {
    const me = await customer();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.client.addAddress({ requestId: 'burst', address: address() }, { metadata: me.md }),
      ),
    );
    expect(new Set(results.map((r) => r.address!.id)).size).toBe(1);
    expect((await h.client.listAddresses({}, { metadata: me.md })).addresses).toHaveLength(1);
  });

  test('a token for a user that does not exist fails NOT_FOUND USER_NOT_FOUND', async () => {
    const md = h.auth.bearer(await h.auth.userToken(randomUUID()));
    const err = await failure(
      h.client.addAddress({ requestId: 'x', address: address() }, { metadata: md }),
    );
    expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'USER_NOT_FOUND']);
  });

  test.each<[string, { requestId: string; address?: Address }, string[]]>([
    ['empty request', { requestId: '' }, ['address', 'requestId']],
    ['bad request id', { requestId: 'has space', address: address() }, ['requestId']],
    ['long request id', { requestId: 'r'.repeat(65), address: address() }, ['requestId']],
    [
      'blank recipient',
      { requestId: 'r', address: address({ recipient: ' ' }) },
      ['address.recipient'],
    ],
    [
      'long recipient',
      { requestId: 'r', address: address({ recipient: 'r'.repeat(101) }) },
      ['address.recipient'],
    ],
    ['no lines', { requestId: 'r', address: address({ lines: [] }) }, ['address.lines']],
    [
      'four lines',
      { requestId: 'r', address: address({ lines: ['a', 'b', 'c', 'd'] }) },
      ['address.lines'],
    ],
    [
      'blank second line',
      { requestId: 'r', address: address({ lines: ['a', '  '] }) },
      ['address.lines[1]'],
    ],
    [
      'long third line',
      { requestId: 'r', address: address({ lines: ['a', 'b', 'c'.repeat(101)] }) },
      ['address.lines[2]'],
    ],
    ['empty city', { requestId: 'r', address: address({ city: '' }) }, ['address.city']],
    [
      'bad postal code',
      { requestId: 'r', address: address({ postalCode: '10115!' }) },
      ['address.postalCode'],
    ],
    [
      'short postal code',
      { requestId: 'r', address: address({ postalCode: '1' }) },
      ['address.postalCode'],
    ],
    [
      'lower-case country',
      { requestId: 'r', address: address({ countryCode: 'de' }) },
      ['address.countryCode'],
    ],
    [
      'unassigned country',
      { requestId: 'r', address: address({ countryCode: 'XX' }) },
      ['address.countryCode'],
    ],
    [
      'alpha-3 country',
      { requestId: 'r', address: address({ countryCode: 'DEU' }) },
      ['address.countryCode'],
    ],
    [
      'everything wrong',
      {
        requestId: '',
        address: { recipient: '', lines: [], city: '', postalCode: '', countryCode: '' },
      },
      [
        'address.city',
        'address.countryCode',
        'address.lines',
        'address.postalCode',
        'address.recipient',
        'requestId',
      ],
    ],
  ])('%s -> INVALID_ARGUMENT naming the fields', async (_name, req, fields) => {
    me ??= await customer();
    const err = await failure(
      h.client.addAddress({ requestId: req.requestId, address: req.address }, { metadata: me.md }),
    );
    expect([err.code, err.reason]).toEqual([status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
    expect(fieldsOf(err)).toEqual(fields);
  });
});

describe('address book cap', () => {
  let small: UsersHarness;
  beforeAll(async () => {
    small = await startUsers({ maxAddresses: 2, db: h.db });
  });
  afterAll(() => small.stop());

  test('past the cap AddAddress fails FAILED_PRECONDITION ADDRESS_LIMIT_REACHED; repeats still answer', async () => {
    const { user } = await small.client.registerUser({
      email: uniqueEmail(),
      password: 'long enough',
      displayName: 'C',
    });
    const md = small.auth.bearer(await small.auth.userToken(user!.id));
    const first = await small.client.addAddress(
      { requestId: 'c1', address: address() },
      { metadata: md },
    );
    await small.client.addAddress({ requestId: 'c2', address: address() }, { metadata: md });
    const err = await failure(
      small.client.addAddress({ requestId: 'c3', address: address() }, { metadata: md }),
    );
    expect([err.code, err.reason, err.metadata]).toEqual([
      status.FAILED_PRECONDITION,
      'ADDRESS_LIMIT_REACHED',
      { limit: '2' },
    ]);
    await expect(
      small.client.addAddress({ requestId: 'c1', address: address() }, { metadata: md }),
    ).resolves.toEqual(first);
  });
});
