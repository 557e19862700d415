import { status } from '@grpc/grpc-js';
import { createTestAuth } from '@meshcart/kit/testkit';
import type { Product } from '@meshcart/proto/shop/catalog/v1/catalog';
import { failure, fields, fieldsOf, startCatalog, type CatalogHarness } from './harness';

let h: CatalogHarness;
// 25 active products in 3 categories plus inactive ones interleaved in sku order.
const CATEGORIES = ['audio', 'kitchen', 'office'];
const ACTIVE = Array.from({ length: 25 }, (_, i) => ({
  sku: `P-${String(i).padStart(3, '0')}`,
  category: CATEGORIES[i % 3]!,
}));
const INACTIVE = ['P-000A', 'P-010A', 'P-020A'];

beforeAll(async () => {
  h = await startCatalog();
  for (const p of ACTIVE)
    await h.admin.createProduct(
      { sku: p.sku, fields: fields({ category: p.category, name: p.sku }) },
      { metadata: h.md.admin },
    );
  for (const sku of INACTIVE)
    await h.admin.createProduct(
      { sku, fields: fields({ category: 'kitchen', active: false }) },
      { metadata: h.md.admin },
    );
}, 60_000);
afterAll(() => h.stop());

/** Pages through ListProducts and returns every page's skus. */
async function allPages(req: { pageSize: number; category: string }): Promise<string[][]> {
  const pages: string[][] = [];
  let pageToken = '';
  do {
    const res = await h.catalog.listProducts({ ...req, pageToken });
    pages.push(res.products.map((p: Product) => p.sku));
    pageToken = res.nextPageToken;
  } while (pageToken !== '' && pages.length < 50);
  return pages;
}

describe('GetProduct', () => {
  test('is public and returns inactive products too', async () => {
    expect((await h.catalog.getProduct({ sku: 'P-001' })).product).toMatchObject({
      sku: 'P-001',
      active: true,
    });
    expect((await h.catalog.getProduct({ sku: 'P-000A' })).product).toMatchObject({
      sku: 'P-000A',
      active: false,
    });
    const expired = h.auth.bearer(await h.auth.userToken('u', -60));
    await expect(
      h.catalog.getProduct({ sku: 'P-001' }, { metadata: expired }),
    ).resolves.toBeDefined();
  });

  test('an unknown sku fails NOT_FOUND PRODUCT_NOT_FOUND', async () => {
    const err = await failure(h.catalog.getProduct({ sku: 'NOPE-1' }));
    expect([err.code, err.reason, err.domain, err.metadata]).toEqual([
      status.NOT_FOUND,
      'PRODUCT_NOT_FOUND',
      'catalog.meshcart',
      { sku: 'NOPE-1' },
    ]);
  });

  test.each(['', 'p-001', 'AB', 'A'.repeat(33), 'A B-1'])(
    'sku %j -> INVALID_ARGUMENT on sku',
    async (sku) => {
      const err = await failure(h.catalog.getProduct({ sku }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(fieldsOf(err)).toEqual(['sku']);
    },
  );
});

describe('ListProducts', () => {
  test('default page size 20, active only, sku order, then a last page without a token', async () => {
    const pages = await allPages({ pageSize: 0, category: '' });
    expect(pages.map((p) => p.length)).toEqual([20, 5]);
    expect(pages.flat()).toEqual(ACTIVE.map((p) => p.sku));
  });

  test('pages of 7 cover everything exactly once; page size over 100 is capped', async () => {
    const pages = await allPages({ pageSize: 7, category: '' });
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 4]);
    expect(pages.flat()).toEqual(ACTIVE.map((p) => p.sku));
    expect((await allPages({ pageSize: 1000, category: '' })).map((p) => p.length)).toEqual([25]);
  });

  test('a full last page ends with an empty next page, not an error', async () => {
    const pages = await allPages({ pageSize: 5, category: '' });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 5]);
  });

  test('filters by category across pages', async () => {
    const pages = await allPages({ pageSize: 3, category: 'kitchen' });
    expect(pages.flat()).toEqual(ACTIVE.filter((p) => p.category === 'kitchen').map((p) => p.sku));
    expect(
      (await h.catalog.listProducts({ pageSize: 0, pageToken: '', category: 'garden' })).products,
    ).toEqual([]);
  });

  test('the token is base64url JSON bound to the filter: used with another filter -> INVALID_PAGE_TOKEN', async () => {
    const first = await h.catalog.listProducts({ pageSize: 2, pageToken: '', category: 'kitchen' });
    expect(first.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const category of ['', 'audio']) {
      const err = await failure(
        h.catalog.listProducts({ pageSize: 2, pageToken: first.nextPageToken, category }),
      );
      expect([err.code, err.reason]).toEqual([status.INVALID_ARGUMENT, 'INVALID_PAGE_TOKEN']);
      expect(fieldsOf(err)).toEqual(['pageToken']);
    }
  });

  test.each([
    ['garbage', 'not a token!'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    [
      'wrong version',
      Buffer.from(JSON.stringify({ v: 2, after: 'P-001', category: '' })).toString('base64url'),
    ],
    [
      'bad sku inside',
      Buffer.from(JSON.stringify({ v: 1, after: "x' OR 1=1", category: '' })).toString('base64url'),
    ],
    ['huge', 'A'.repeat(600)],
  ])('a forged token (%s) -> INVALID_PAGE_TOKEN', async (_name, pageToken) => {
    const err = await failure(h.catalog.listProducts({ pageSize: 1, pageToken, category: '' }));
    expect([err.code, err.reason]).toEqual([status.INVALID_ARGUMENT, 'INVALID_PAGE_TOKEN']);
    expect(fieldsOf(err)).toEqual(['pageToken']);
  });

  test('negative page size and a malformed category are INVALID_ARGUMENT', async () => {
    const err = await failure(
      h.catalog.listProducts({ pageSize: -1, pageToken: '', category: 'Not A Slug' }),
    );
    expect([err.code, err.reason]).toEqual([status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']);
    expect(fieldsOf(err)).toEqual(['category', 'pageSize']);
  });

  test('a product deactivated mid-listing is skipped, the cursor still works', async () => {
    const first = await h.catalog.listProducts({ pageSize: 2, pageToken: '', category: 'office' });
    await h.admin.updateProduct(
      { sku: 'P-008', fields: fields({ category: 'office', name: 'P-008', active: false }) },
      { metadata: h.md.admin },
    );
    try {
      const rest = await h.catalog.listProducts({
        pageSize: 100,
        pageToken: first.nextPageToken,
        category: 'office',
      });
      expect(rest.products.map((p) => p.sku)).toEqual([
        'P-011',
        'P-014',
        'P-017',
        'P-020',
        'P-023',
      ]);
    } finally {
      await h.admin.updateProduct(
        { sku: 'P-008', fields: fields({ category: 'office', name: 'P-008' }) },
        { metadata: h.md.admin },
      );
    }
  });
});

describe('BatchGetProducts', () => {
  test('returns products in request order (inactive included) and lists the missing skus', async () => {
    const res = await h.catalog.batchGetProducts(
      { skus: ['P-010', 'NOPE-1', 'P-000A', 'P-002', 'NOPE-2'] },
      { metadata: h.md.service },
    );
    expect(res.products.map((p) => [p.sku, p.active])).toEqual([
      ['P-010', true],
      ['P-000A', false],
      ['P-002', true],
    ]);
    expect(res.missingSkus).toEqual(['NOPE-1', 'NOPE-2']);
  });

  test('accepts 100 skus', async () => {
    const skus = Array.from({ length: 100 }, (_, i) => `Q-${i}00`);
    const res = await h.catalog.batchGetProducts({ skus }, { metadata: h.md.service });
    expect(res.missingSkus).toHaveLength(100);
  });

  test.each<[string, string[], string[]]>([
    ['no skus', [], ['skus']],
    ['101 skus', Array.from({ length: 101 }, (_, i) => `Q-${i}00`), ['skus']],
    ['a duplicate', ['P-001', 'P-002', 'P-001'], ['skus[2]']],
    ['malformed entries', ['P-001', 'bad', ''], ['skus[1]', 'skus[2]']],
  ])('%s -> INVALID_ARGUMENT', async (_name, skus, expected) => {
    const err = await failure(h.catalog.batchGetProducts({ skus }, { metadata: h.md.service }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldsOf(err)).toEqual(expected);
  });

  const denied: Array<[string, () => Promise<Record<string, string>>, status, string]> = [
    ['missing token', async () => ({}), status.UNAUTHENTICATED, 'TOKEN_MISSING'],
    [
      'expired token',
      async () => h.auth.bearer(await h.auth.userToken('u', -60)),
      status.UNAUTHENTICATED,
      'TOKEN_EXPIRED',
    ],
    [
      'forged service token',
      async () => {
        const o = await createTestAuth('forger');
        return o.bearer(await o.serviceToken('orders'));
      },
      status.UNAUTHENTICATED,
      'TOKEN_INVALID',
    ],
    ['customer token', async () => h.md.customer, status.PERMISSION_DENIED, 'ROLE_REQUIRED'],
    ['admin token', async () => h.md.admin, status.PERMISSION_DENIED, 'ROLE_REQUIRED'],
  ];
  test.each(denied)('is service-only: %s is refused', async (_name, md, code, reason) => {
    const err = await failure(
      h.catalog.batchGetProducts({ skus: ['P-001'] }, { metadata: await md() }),
    );
    expect([err.code, err.reason]).toEqual([code, reason]);
  });
});
