/** The database side: migrations in step with schema.prisma, and the connection dying mid-call. */
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift } from '@meshcart/kit';
import { killConnectionMidCall } from '@meshcart/kit/testkit';
import { fields, SERVICE_DIR, startCatalog, type CatalogHarness } from './harness';

test('schema.prisma and the migrations describe the same database', async () => {
  await expectNoSchemaDrift(SERVICE_DIR);
});

describe('the database connection killed mid-call', () => {
  let h: CatalogHarness;
  beforeAll(async () => {
    h = await startCatalog();
  });
  afterAll(() => h?.stop());

  test('UpdateProduct answers UNAVAILABLE DB_UNAVAILABLE (retryable), never INTERNAL, and writes nothing', async () => {
    const sku = 'KILL-1';
    await h.admin.createProduct({ sku, fields: fields() }, { metadata: h.md.admin });
    const e = await killConnectionMidCall(
      h.database,
      'SELECT sku FROM products WHERE sku = ? FOR UPDATE',
      [sku],
      () =>
        h.admin.updateProduct(
          { sku, fields: fields({ name: 'Renamed' }) },
          { metadata: h.md.admin },
        ),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DB_UNAVAILABLE' });
    const { product } = await h.catalog.getProduct({ sku }, { metadata: h.md.customer });
    expect(product?.name).toBe('Stoneware Mug');
  });
});
