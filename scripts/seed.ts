/**
 * Loads the demo catalog and its stock over gRPC, as the `ops` workload with an admin token
 * minted with the ops key (JWT_PRIVATE_KEY or _FILE). Idempotent: a re-run converges on the same demo state.
 *
 *   npx tsx scripts/seed.ts
 *
 * Env: CATALOG_ADDR, INVENTORY_ADDR (defaults from helm/meshcart/files/topology.yaml), SEED_WAIT (30s: how long
 * to wait for both services' health), JWT_PRIVATE_KEY(_FILE), JWT_PUBLIC_KEYS(_FILE), JWT_KEY_ID,
 * JWT_ISSUER, JWT_AUDIENCE (see services/users/src/mint-token.ts). Prints one summary line.
 */
import { status } from '@grpc/grpc-js';
import {
  checkHealth,
  createClient,
  GrpcCallError,
  loadConfig,
  localAddress,
  parse,
  runMain,
  v,
} from '@meshcart/kit';
import { CatalogAdminServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { DEMO_CURRENCY, DEMO_PRODUCTS, LOW_STOCK, type DemoProduct } from '@meshcart/catalog/seed';
import { mintToken } from '@meshcart/users/mint-token';

export interface SeedOptions {
  catalogAddr: string;
  inventoryAddr: string;
  /** Bearer token with the admin role. */
  token: () => Promise<string>;
  products?: readonly DemoProduct[];
  log?: (line: string) => void;
}

export interface SeedResult {
  /** Created now or already identical. */
  productsInPlace: number;
  /** Existed with other fields and were put back to the demo values. */
  productsRestored: number;
  stockSet: number;
  /** Not lowered because more than the demo level is reserved by orders (BELOW_RESERVED). */
  stockKept: number;
  lowStock: number;
}

const is = (e: unknown, code: status, reason: string) =>
  e instanceof GrpcCallError && e.code === code && e.reason === reason;

/** Creates (or restores) every demo product, then sets its demo stock. */
export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  const catalog = createClient(CatalogAdminServiceService, opts.catalogAddr, {
    caller: 'ops',
    token: opts.token,
  });
  const inventory = createClient(InventoryAdminServiceService, opts.inventoryAddr, {
    caller: 'ops',
    token: opts.token,
  });
  const result: SeedResult = {
    productsInPlace: 0,
    productsRestored: 0,
    stockSet: 0,
    stockKept: 0,
    lowStock: 0,
  };
  try {
    for (const d of opts.products ?? DEMO_PRODUCTS) {
      const fields = {
        name: d.name,
        description: d.description,
        category: d.category,
        price: { currencyCode: DEMO_CURRENCY, amountMinor: d.priceMinor },
        active: d.active,
      };
      try {
        await catalog.createProduct({ sku: d.sku, fields });
        result.productsInPlace++;
      } catch (e) {
        if (!is(e, status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED')) throw e;
        await catalog.updateProduct({ sku: d.sku, fields });
        result.productsRestored++;
        log(`restored ${d.sku} to its demo values`);
      }
      try {
        await inventory.setStock({ sku: d.sku, onHand: d.stock, note: 'demo seed' });
        result.stockSet++;
        if (d.stock <= LOW_STOCK) result.lowStock++;
      } catch (e) {
        if (!is(e, status.FAILED_PRECONDITION, 'BELOW_RESERVED')) throw e;
        result.stockKept++;
        log(`kept stock of ${d.sku}: more than ${d.stock} is reserved`);
      }
    }
  } finally {
    catalog.close();
    inventory.close();
  }
  return result;
}

/** Polls grpc.health until `address` is SERVING or `timeoutMs` passes. */
async function waitServing(name: string, address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await checkHealth(address).catch(() => 'DOWN')) !== 'SERVING') {
    if (Date.now() > deadline)
      throw new Error(`${name} at ${address} is not serving (waited ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const config = loadConfig({
    catalogAddr: v('CATALOG_ADDR', parse.address(), { default: localAddress('catalog') }),
    inventoryAddr: v('INVENTORY_ADDR', parse.address(), { default: localAddress('inventory') }),
    waitMs: v('SEED_WAIT', parse.duration(), { default: 30_000 }),
  });
  const started = Date.now();
  const { token } = await mintToken({ role: 'admin', subject: 'ops:seed', ttlSeconds: 600 });
  await waitServing('catalog', config.catalogAddr, config.waitMs);
  await waitServing('inventory', config.inventoryAddr, config.waitMs);
  const r = await seed({
    ...config,
    token: async () => token,
    log: (line) => process.stderr.write(`seed: ${line}\n`),
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `seed: ${r.productsInPlace + r.productsRestored} products (${r.productsRestored} restored), ` +
      `stock set for ${r.stockSet} skus (${r.lowStock} low or sold out, ${r.stockKept} kept above demo level) in ${secs}s\n`,
  );
}

if (require.main === module) runMain(main);
