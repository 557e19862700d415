/**
 * The GetProduct cache in the real service (real MariaDB): this process's writes show at once;
 * a change it did not make (another replica) shows within the TTL; BatchGetProducts never waits.
 * The cache's clock is frozen, so nothing here passes by the TTL running out by chance.
 */
import { status } from '@grpc/grpc-js';
import { PRODUCT_CACHE_DEFAULTS } from '../src/config';
import { failure, fields, startCatalog, type CatalogHarness } from './harness';

let h: CatalogHarness;
let clock = 0;
beforeAll(async () => {
  h = await startCatalog({ productCache: { ...PRODUCT_CACHE_DEFAULTS, now: () => clock } });
});
afterAll(() => h.stop());

const TTL = PRODUCT_CACHE_DEFAULTS.ttlMs;
const nameOf = async (sku: string) => (await h.catalog.getProduct({ sku })).product?.name;
/** A change this process does not see: another replica's write. */
const changeElsewhere = (sku: string, name: string) =>
  h.prisma.product.update({ where: { sku }, data: { name } });

test('GetProduct reflects an UpdateProduct at once', async () => {
  await h.admin.createProduct({ sku: 'PC-001', fields: fields() }, { metadata: h.md.admin });
  expect(await nameOf('PC-001')).toBe('Stoneware Mug');
  await h.admin.updateProduct(
    { sku: 'PC-001', fields: fields({ name: 'Porcelain Mug', active: false }) },
    { metadata: h.md.admin },
  );
  expect((await h.catalog.getProduct({ sku: 'PC-001' })).product).toMatchObject({
    name: 'Porcelain Mug',
    active: false,
  });
});

test('an unknown sku stays NOT_FOUND while cached, and a CreateProduct ends that at once', async () => {
  for (let i = 0; i < 2; i++) {
    const err = await failure(h.catalog.getProduct({ sku: 'PC-NEW' }));
    expect([err.code, err.reason]).toEqual([status.NOT_FOUND, 'PRODUCT_NOT_FOUND']);
  }
  await h.admin.createProduct({ sku: 'PC-NEW', fields: fields() }, { metadata: h.md.admin });
  expect(await nameOf('PC-NEW')).toBe('Stoneware Mug');
});

test("another replica's change shows in GetProduct within the TTL; BatchGetProducts sees it at once", async () => {
  await h.admin.createProduct({ sku: 'PC-002', fields: fields() }, { metadata: h.md.admin });
  expect(await nameOf('PC-002')).toBe('Stoneware Mug');
  await changeElsewhere('PC-002', 'Renamed Elsewhere');
  expect(await nameOf('PC-002')).toBe('Stoneware Mug');
  const batch = await h.catalog.batchGetProducts({ skus: ['PC-002'] }, { metadata: h.md.service });
  expect(batch.products.map((p) => p.name)).toEqual(['Renamed Elsewhere']);
  clock += TTL;
  expect(await nameOf('PC-002')).toBe('Renamed Elsewhere');
});
