/** scripts/seed.ts against the real catalog server and an in-memory InventoryAdminService. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { createGrpcServer, ErrorReason, errors, implement, silentLogger } from '@meshcart/kit';
import { REPO_ROOT, startTestServer } from '@meshcart/kit/testkit';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { mintToken } from '../../users/src/mint-token';
import { seed } from '../../../scripts/seed';
import { DEMO_PRODUCTS, LOW_STOCK } from '../src/seed/demo-products';
import { fields, startCatalog, type CatalogHarness } from './harness';

let h: CatalogHarness;
let inventoryAddr: string;
let stopInventory: () => Promise<void>;
const onHand = new Map<string, number>();
const reserved = new Map<string, number>();
const callers: string[] = [];

beforeAll(async () => {
  h = await startCatalog();
  const impl = implement(
    InventoryAdminServiceService,
    {
      async setStock(req, ctx) {
        callers.push(ctx.caller!.subject);
        const r = reserved.get(req.sku) ?? 0;
        if (req.onHand < r) throw errors.failedPrecondition('BELOW_RESERVED');
        onHand.set(req.sku, req.onHand);
        return {
          stock: { sku: req.sku, onHand: req.onHand, reserved: r, available: req.onHand - r },
        };
      },
      adjustStock: async () => {
        throw errors.failedPrecondition(ErrorReason.ERROR_REASON_INTERNAL);
      },
    },
    {
      logger: silentLogger(),
      domain: 'inventory.meshcart',
      verifier: h.auth.verifier,
      access: { setStock: 'admin', adjustStock: 'admin' },
    },
  );
  const server = createGrpcServer({
    logger: silentLogger(),
    reflection: false,
    services: [
      {
        name: 'shop.inventory.v1.InventoryAdminService',
        definition: InventoryAdminServiceService,
        implementation: impl,
      },
    ],
  });
  ({ address: inventoryAddr, stop: stopInventory } = await startTestServer(server));
}, 60_000);
afterAll(async () => {
  await stopInventory();
  await h.stop();
});

const adminToken = async () =>
  (await mintToken({ role: 'admin', subject: 'ops:seed', env: h.auth.env })).token;
const run = () => seed({ catalogAddr: h.address, inventoryAddr, token: adminToken });

test('the demo catalog: >= 20 products, >= 4 categories, EUR, distinct valid skus, some scarce stock', () => {
  expect(DEMO_PRODUCTS.length).toBeGreaterThanOrEqual(20);
  expect(new Set(DEMO_PRODUCTS.map((p) => p.category)).size).toBeGreaterThanOrEqual(4);
  expect(new Set(DEMO_PRODUCTS.map((p) => p.sku)).size).toBe(DEMO_PRODUCTS.length);
  expect(DEMO_PRODUCTS.filter((p) => p.stock <= LOW_STOCK).length).toBeGreaterThanOrEqual(3);
  for (const p of DEMO_PRODUCTS)
    expect(Number.isInteger(p.stock) && p.stock >= 0 && p.stock <= 1_000_000).toBe(true);
});

test('seeds every product and its stock, converges on re-runs, restores edited products', async () => {
  const first = await run();
  const low = DEMO_PRODUCTS.filter((p) => p.stock <= LOW_STOCK).length;
  expect(first).toEqual({
    productsInPlace: DEMO_PRODUCTS.length,
    productsRestored: 0,
    stockSet: DEMO_PRODUCTS.length,
    stockKept: 0,
    lowStock: low,
  });
  expect(new Set(callers)).toEqual(new Set(['ops:seed']));
  for (const d of DEMO_PRODUCTS) expect(onHand.get(d.sku)).toBe(d.stock);
  const listed = await h.catalog.listProducts({ pageSize: 100, pageToken: '', category: '' });
  expect(listed.products.map((p) => p.sku)).toEqual(
    DEMO_PRODUCTS.filter((d) => d.active)
      .map((d) => d.sku)
      .sort(),
  );
  for (const p of listed.products) expect(p.price!.currencyCode).toBe('EUR');

  const [edited] = DEMO_PRODUCTS;
  await h.admin.updateProduct(
    { sku: edited!.sku, fields: fields({ name: 'Edited by hand' }) },
    { metadata: h.md.admin },
  );
  onHand.set(edited!.sku, 1);
  reserved.set(DEMO_PRODUCTS[1]!.sku, 1_000);
  const second = await run();
  expect(second).toMatchObject({
    productsInPlace: DEMO_PRODUCTS.length - 1,
    productsRestored: 1,
    stockSet: DEMO_PRODUCTS.length - 1,
    stockKept: 1,
  });
  expect((await h.catalog.getProduct({ sku: edited!.sku })).product!.name).toBe(edited!.name);
  expect(onHand.get(edited!.sku)).toBe(edited!.stock);
});

test('a token without the admin role is refused and the seed fails loudly', async () => {
  const token = async () => (await mintToken({ role: 'service', env: h.auth.env })).token;
  await expect(seed({ catalogAddr: h.address, inventoryAddr, token })).rejects.toMatchObject({
    code: status.PERMISSION_DENIED,
  });
});

test('`npx tsx scripts/seed.ts` mints its own admin token and prints one summary line', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, 'scripts/seed.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...h.auth.env,
        CATALOG_ADDR: h.address,
        INVENTORY_ADDR: inventoryAddr,
        SEED_WAIT: '5s',
      },
      encoding: 'utf8',
    },
  );
  expect(stdout.trim().split('\n')).toEqual([
    expect.stringMatching(
      new RegExp(
        `^seed: ${DEMO_PRODUCTS.length} products \\(\\d+ restored\\), stock set for \\d+ skus .* in [\\d.]+s$`,
      ),
    ),
  ]);
}, 60_000);
