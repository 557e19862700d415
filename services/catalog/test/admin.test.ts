import { status } from '@grpc/grpc-js';
import { createTestAuth } from '@meshcart/kit/testkit';
import type { ProductFields } from '@meshcart/proto/shop/catalog/v1/catalog';
import { failure, fields, fieldsOf, startCatalog, type CatalogHarness } from './harness';

let h: CatalogHarness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(() => h.stop());

const create = (sku: string, f: ProductFields = fields()) =>
  h.admin.createProduct({ sku, fields: f }, { metadata: h.md.admin });
const update = (sku: string, f: ProductFields) =>
  h.admin.updateProduct({ sku, fields: f }, { metadata: h.md.admin });

describe('CreateProduct', () => {
  test('creates a product, readable through GetProduct, with money kept exact', async () => {
    const started = Date.now();
    // The largest price the shared money bound allows (int64 max was accepted before: a price
    // no order could ever be charged for).
    const big = { currencyCode: 'JPY', amountMinor: '9000000000000000' };
    const { product } = await create('CR-001', fields({ name: '  Mug  ', price: big }));
    expect(product).toEqual({
      sku: 'CR-001',
      name: 'Mug',
      description: 'A mug.',
      category: 'kitchen',
      price: big,
      active: true,
      updateTime: { seconds: expect.any(String), nanos: expect.any(Number) },
    });
    expect(Number(product!.updateTime!.seconds) * 1000).toBeGreaterThanOrEqual(started - 2000);
    expect((await h.catalog.getProduct({ sku: 'CR-001' })).product).toEqual(product);
  });

  test('a repeat with the same fields returns the existing product unchanged', async () => {
    const first = await create('CR-002');
    await new Promise((r) => setTimeout(r, 20));
    expect(await create('CR-002')).toEqual(first);
  });

  test('the same sku with other fields fails ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED', async () => {
    await create('CR-003');
    for (const other of [
      fields({ name: 'Other' }),
      fields({ price: { currencyCode: 'EUR', amountMinor: '1300' } }),
      fields({ active: false }),
    ]) {
      const err = await failure(create('CR-003', other));
      expect([err.code, err.reason, err.domain, err.metadata]).toEqual([
        status.ALREADY_EXISTS,
        'IDEMPOTENCY_KEY_REUSED',
        'catalog.meshcart',
        { sku: 'CR-003' },
      ]);
    }
  });

  test('concurrent identical creates all succeed with one product; a conflicting one is refused', async () => {
    const results = await Promise.allSettled([
      ...Array.from({ length: 5 }, () => create('CR-RACE')),
      create('CR-RACE', fields({ name: 'Rival' })),
    ]);
    const ok = results.filter(
      (r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof create>>> =>
        r.status === 'fulfilled',
    );
    const names = new Set(ok.map((r) => r.value.product!.name));
    expect(names.size).toBe(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await h.prisma.product.count({ where: { sku: 'CR-RACE' } })).toBe(1);
  });
});

describe('UpdateProduct', () => {
  test('replaces every mutable field and bumps update_time', async () => {
    const { product: before } = await create('UP-001');
    await new Promise((r) => setTimeout(r, 20));
    const next = fields({
      name: 'Big Mug',
      description: '',
      category: 'tableware',
      price: { currencyCode: 'USD', amountMinor: '0' },
      active: false,
    });
    const { product } = await update('UP-001', next);
    expect(product).toMatchObject({ sku: 'UP-001', ...next });
    expect(
      BigInt(product!.updateTime!.seconds) * 1000n + BigInt(product!.updateTime!.nanos / 1e6),
    ).toBeGreaterThan(
      BigInt(before!.updateTime!.seconds) * 1000n + BigInt(before!.updateTime!.nanos / 1e6),
    );
    expect((await h.catalog.getProduct({ sku: 'UP-001' })).product).toEqual(product);
  });

  test('a repeat changes nothing, not even update_time', async () => {
    await create('UP-002');
    const first = await update('UP-002', fields({ name: 'Renamed' }));
    expect(await update('UP-002', fields({ name: 'Renamed' }))).toEqual(first);
  });

  test('an unknown sku fails NOT_FOUND PRODUCT_NOT_FOUND', async () => {
    const err = await failure(update('UP-NOPE', fields()));
    expect([err.code, err.reason, err.metadata]).toEqual([
      status.NOT_FOUND,
      'PRODUCT_NOT_FOUND',
      { sku: 'UP-NOPE' },
    ]);
  });
});

describe('validation (both write RPCs)', () => {
  const cases: Array<[string, { sku: string; fields?: ProductFields }, string[]]> = [
    ['missing fields', { sku: 'VA-001' }, ['fields']],
    ['empty sku', { sku: '', fields: fields() }, ['sku']],
    ['lower-case sku', { sku: 'va-001', fields: fields() }, ['sku']],
    ['short sku', { sku: 'AB', fields: fields() }, ['sku']],
    ['sku starting with a dash', { sku: '-AB1', fields: fields() }, ['sku']],
    ['sku of 33 chars', { sku: 'A'.repeat(33), fields: fields() }, ['sku']],
    ['blank name', { sku: 'VA-001', fields: fields({ name: '  ' }) }, ['fields.name']],
    ['long name', { sku: 'VA-001', fields: fields({ name: 'n'.repeat(201) }) }, ['fields.name']],
    [
      'long description',
      { sku: 'VA-001', fields: fields({ description: 'd'.repeat(5001) }) },
      ['fields.description'],
    ],
    ['empty category', { sku: 'VA-001', fields: fields({ category: '' }) }, ['fields.category']],
    [
      'category not a slug',
      { sku: 'VA-001', fields: fields({ category: 'Kitchen Stuff' }) },
      ['fields.category'],
    ],
    ['missing price', { sku: 'VA-001', fields: fields({ price: undefined }) }, ['fields.price']],
    [
      'negative price',
      { sku: 'VA-001', fields: fields({ price: { currencyCode: 'EUR', amountMinor: '-1' } }) },
      ['fields.price.amountMinor'],
    ],
    [
      'lower-case currency',
      { sku: 'VA-001', fields: fields({ price: { currencyCode: 'eur', amountMinor: '1' } }) },
      ['fields.price.currencyCode'],
    ],
    [
      'unknown currency',
      { sku: 'VA-001', fields: fields({ price: { currencyCode: 'ABC', amountMinor: '1' } }) },
      ['fields.price.currencyCode'],
    ],
    [
      'empty currency',
      { sku: 'VA-001', fields: fields({ price: { currencyCode: '', amountMinor: '1' } }) },
      ['fields.price.currencyCode'],
    ],
    [
      'everything wrong',
      {
        sku: '',
        fields: {
          name: '',
          description: '',
          category: '',
          price: { currencyCode: '', amountMinor: '-5' },
          active: true,
        },
      },
      [
        'fields.category',
        'fields.name',
        'fields.price.amountMinor',
        'fields.price.currencyCode',
        'sku',
      ],
    ],
  ];
  test.each(cases)('%s -> INVALID_ARGUMENT naming the fields', async (_name, req, expected) => {
    for (const call of [h.admin.createProduct, h.admin.updateProduct]) {
      const err = await failure(
        call({ sku: req.sku, fields: req.fields }, { metadata: h.md.admin }),
      );
      expect([err.code, err.reason]).toEqual([status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
      expect(fieldsOf(err)).toEqual(expected);
    }
  });
});

describe('access: admin only', () => {
  const cases: Array<[string, () => Promise<Record<string, string>>, status, string]> = [
    ['missing token', async () => ({}), status.UNAUTHENTICATED, 'TOKEN_MISSING'],
    [
      'expired token',
      async () => h.auth.bearer(await h.auth.userToken('u', -60)),
      status.UNAUTHENTICATED,
      'TOKEN_EXPIRED',
    ],
    [
      'forged admin token',
      async () => {
        const o = await createTestAuth('forger');
        return o.bearer(await o.adminToken());
      },
      status.UNAUTHENTICATED,
      'TOKEN_INVALID',
    ],
    ['customer token', async () => h.md.customer, status.PERMISSION_DENIED, 'ROLE_REQUIRED'],
    [
      'service token (orders: not in the call graph for admin RPCs)',
      async () => h.md.service,
      status.PERMISSION_DENIED,
      'METHOD_NOT_IN_CALL_GRAPH',
    ],
  ];
  test.each(cases)('%s is refused', async (_name, md, code, reason) => {
    const metadata = await md();
    for (const call of [h.admin.createProduct, h.admin.updateProduct]) {
      const err = await failure(call({ sku: 'AC-001', fields: fields() }, { metadata }));
      expect([err.code, err.reason]).toEqual([code, reason]);
    }
    expect(await h.prisma.product.count({ where: { sku: 'AC-001' } })).toBe(0);
  });
});
