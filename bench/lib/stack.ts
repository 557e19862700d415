/**
 * The platform under test, booted exactly as `npm start` boots it (scripts/local-stack
 * startStack: six services, the saga worker and the edge as plain processes), but like the
 * e2e fixture on free ports, with its own databases (prefix bench_<run>_, dropped at the end)
 * and its own Temporal task queue. The benchmark seeds its own products and stock through the
 * admin gRPC APIs, as an operator would.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, createTokenSigner, type TokenSigner } from '@meshcart/kit';

import { CatalogAdminServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { InventoryAdminServiceService } from '@meshcart/proto/shop/inventory/v1/inventory';
import { dropDatabase, resolveAdminUrl, withDatabase } from '@meshcart/kit/db';
import {
  freeStackPorts,
  portsFromEnv,
  SERVICES,
  type StackPorts,
} from '../../scripts/local-stack/ports';
import { startStack, type RunningStack } from '../../scripts/local-stack/stack';
import { ROOT } from './children';
import { sharedTemporal, startBenchTemporal, type BenchTemporal } from './temporal';

export interface BenchStack extends RunningStack {
  run: string;
  ports: StackPorts;
  taskQueue: string;
  adminUrl: string;
  ordersDbUrl: string;
  /** Signs customer tokens (the dev users key). */
  signer: TokenSigner;
  skus: string[];
  logFile: string;
  temporal: BenchTemporal;
}

/** Products the benchmark orders and reads: field lengths like the demo catalog's. */
export const BENCH_PRODUCTS = Array.from({ length: 8 }, (_, i) => ({
  sku: `BENCH-${String(i + 1).padStart(4, '0')}`,
  fields: {
    name: `Cast Iron Skillet ${20 + i} cm`,
    description:
      'Pre-seasoned skillet for every hob, oven safe. Benchmark product, never sold out.',
    category: 'kitchen',
    price: { currencyCode: 'EUR', amountMinor: String(3990 + i * 100) },
    active: true,
  },
}));
export const BENCH_STOCK = 1_000_000;

export async function startBenchStack(opts: {
  logLevel: string;
  /** SAGA_CANCELLATION_WINDOW for the worker (and the no-op worker). */
  cancellationWindow: string;
  /** Use the already running server (MESHCART_TEMPORAL_PORT) instead of a dedicated one. */
  sharedTemporal: boolean;
  log: (line: string) => void;
  /** Extra environment for every process (the limits the run is made under). */
  env?: Record<string, string>;
}): Promise<BenchStack> {
  const run = randomBytes(3).toString('hex');
  const temporal = opts.sharedTemporal ? sharedTemporal() : await startBenchTemporal(run);
  if (temporal.kind === 'dedicated')
    opts.log(`dedicated Temporal dev server (in memory) on 127.0.0.1:${temporal.port}`);
  const ports = await freeStackPorts({
    temporal: temporal.port,
    temporalUi: temporal.uiPort,
    mysql: portsFromEnv().mysql,
  });
  const adminUrl = resolveAdminUrl();
  const prefix = `bench_${run}_`;
  const taskQueue = `meshcart-bench-${run}`;
  const logDir = path.join(ROOT, '.data', 'bench');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `stack-${run}.log`);
  const out = createWriteStream(logFile);
  const dropAll = () =>
    Promise.all(
      SERVICES.map((s) =>
        dropDatabase({ adminUrl, database: `${prefix}${s}`, user: `${prefix}${s}_svc` }).catch(
          () => undefined,
        ),
      ),
    );
  // The supervisor passes its own environment on: the worker reads its saga durations here.
  process.env.SAGA_CANCELLATION_WINDOW = opts.cancellationWindow;
  const stack = await startStack({
    root: ROOT,
    dataDir: path.join(ROOT, '.data'),
    ports,
    adminUrl,
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    dbPrefix: prefix,
    taskQueue,
    seed: false,
    logLevel: opts.logLevel,
    out,
    prettyLogs: false,
    // A shared server outlives the run: no orphan-reconcile schedule left firing on it.
    env: { ...(opts.sharedTemporal ? { ORPHAN_RECONCILE_INTERVAL: 'off' } : {}), ...opts.env },
    log: (l) => {
      out.write(`[stack] ${l}\n`);
      opts.log(l);
    },
  }).catch(async (e: Error) => {
    await dropAll();
    await temporal.stop();
    throw new Error(`${e.message}\n(stack output: ${logFile})`);
  });
  const env = stack.env;
  // Each token from its own issuer's dev key, as the verifiers demand: customer tokens (the
  // load) with users' key, the seed's admin token with the ops key (stack.env's).
  const settings = { issuer: env.JWT_ISSUER!, audience: env.JWT_AUDIENCE! };
  const signer = await createTokenSigner({ ...settings, ...stack.keys.users! });
  const admin = await createTokenSigner({
    ...settings,
    privateKeyPem: env.JWT_PRIVATE_KEY!,
    keyId: env.JWT_KEY_ID!,
  });
  try {
    await seed(stack, admin);
  } catch (e) {
    await stack.stop();
    await dropAll();
    await temporal.stop();
    throw e;
  }
  return {
    ...stack,
    run,
    ports,
    taskQueue,
    adminUrl,
    ordersDbUrl: withDatabase(adminUrl, `${prefix}orders`),
    signer,
    skus: BENCH_PRODUCTS.map((p) => p.sku),
    logFile,
    temporal,
    stop: async () => {
      await stack.stop();
      await dropAll();
      await temporal.stop();
      out.end();
    },
  };
}

async function seed(stack: RunningStack, signer: TokenSigner): Promise<void> {
  const token = async () =>
    (await signer.sign({ subject: 'ops:bench', roles: ['admin'], ttlSeconds: 3600 })).token;
  const catalog = createClient(CatalogAdminServiceService, stack.addresses.catalog, {
    caller: null,
    token,
  });
  const inventory = createClient(InventoryAdminServiceService, stack.addresses.inventory, {
    caller: null,
    token,
  });
  try {
    for (const p of BENCH_PRODUCTS) {
      await catalog.createProduct(p);
      await inventory.setStock({ sku: p.sku, onHand: BENCH_STOCK, note: 'bench' });
    }
  } finally {
    catalog.close();
    inventory.close();
  }
}
