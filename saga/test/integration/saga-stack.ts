/**
 * The real thing for saga integration tests: catalog, inventory, payments, shipping and orders
 * as real processes (testkit spawnTs, free ports, one throwaway migrated database each, one
 * shared signing key), the real Temporal dev server on a task queue of our own, and a saga
 * worker either in this process or as its own process (for kill -9).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createTestDatabase, migrate, withConnection, type TestDatabase } from '@meshcart/kit/db';
import {
  createTestAuth,
  freePort,
  REPO_ROOT,
  spawnTs,
  type SpawnedProcess,
  type TestAuth,
} from '@meshcart/kit/testkit';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { OrderSagaOptions } from '../../src/contract';
import { createSagaClients, createSagaWorker } from '../../src/worker/saga-worker';
import { temporalAddress } from '@meshcart/kit/testkit';
import { stackClients, type StackClients } from './stack-clients';

export const SERVICES = ['catalog', 'inventory', 'payments', 'shipping', 'orders'] as const;
export type Svc = (typeof SERVICES)[number];

export interface SagaStack {
  auth: TestAuth;
  taskQueue: string;
  addresses: Record<Svc, string>;
  clients: StackClients;
  /** Env a spawned saga worker process needs (addresses, keys, task queue). */
  workerEnv(settings: Partial<OrderSagaOptions>): Record<string, string>;
  /** Kills a service (SIGKILL) and starts it again on the same port and database. */
  restart(svc: Svc, opts?: { downMs?: number }): Promise<void>;
  kill(svc: Svc): Promise<void>;
  start(svc: Svc): Promise<void>;
  /** on_hand and reserved of a sku, read from the inventory database (test-only view). */
  stock(sku: string): Promise<{ onHand: number; reserved: number }>;
  /** A saga worker in this process (fast to start: the bundle is built once). */
  startWorker(
    bundle: WorkflowBundle,
    settings: Partial<OrderSagaOptions>,
  ): Promise<{ stop(): Promise<void> }>;
  output(svc: Svc): string;
  stop(): Promise<void>;
}

const ENTRY = (s: Svc) => `services/${s}/src/main.ts`;

export async function startSagaStack(opts: { logLevel?: string } = {}): Promise<SagaStack> {
  const auth = await createTestAuth();
  const run = randomBytes(3).toString('hex');
  const taskQueue = `saga-it-${run}`;
  const vaultKey = randomBytes(32).toString('base64'); // payments' card-token vault key
  const ports = {} as Record<Svc, number>;
  for (const s of SERVICES) ports[s] = await freePort();
  const addresses = Object.fromEntries(SERVICES.map((s) => [s, `127.0.0.1:${ports[s]}`])) as Record<
    Svc,
    string
  >;
  const dbs = {} as Record<Svc, TestDatabase>;
  const procs = {} as Partial<Record<Svc, SpawnedProcess>>;
  const outputs: Record<string, string> = {};
  const cleanups: (() => Promise<unknown>)[] = [];

  const envOf = (s: Svc): Record<string, string> => ({
    ...auth.env,
    LOG_LEVEL: opts.logLevel ?? 'warn',
    DATABASE_URL: dbs[s].url,
    PAYMENT_PROVIDER: 'simulated',
    ALLOW_SIMULATED_PAYMENTS: 'true',
    PAYMENT_VAULT_KEY: vaultKey,
    CATALOG_ADDR: addresses.catalog,
    SHIPPING_ADDR: addresses.shipping,
    PAYMENTS_ADDR: addresses.payments,
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The suites place many orders for a handful of customers (crash: 20 at once).
    MAX_OPEN_ORDERS_PER_USER: '1000',
  });
  const start = async (s: Svc) => {
    procs[s] = await spawnTs({
      name: s,
      entry: ENTRY(s),
      port: ports[s],
      env: envOf(s),
      timeoutMs: 120_000,
    });
  };
  const kill = async (s: Svc) => {
    const p = procs[s];
    if (!p) return;
    outputs[s] = (outputs[s] ?? '') + p.output();
    procs[s] = undefined;
    await p.kill('SIGKILL');
  };

  try {
    await Promise.all(
      SERVICES.map(async (s) => {
        dbs[s] = await createTestDatabase(`saga_${s}`);
        cleanups.push(() => dbs[s].drop());
        await migrate({
          url: dbs[s].url,
          migrationsDir: path.join(REPO_ROOT, 'services', s, 'prisma', 'migrations'),
          log: () => undefined,
        });
      }),
    );
    await Promise.all(SERVICES.map(start));
  } catch (err) {
    await Promise.all(SERVICES.map(kill));
    await Promise.all(cleanups.map((c) => c().catch(() => undefined)));
    throw err;
  }
  const clients = stackClients(addresses, auth);

  return {
    auth,
    taskQueue,
    addresses,
    clients,
    workerEnv: (settings) => ({
      ...auth.env,
      // No orphan-reconcile schedule left firing on the shared Temporal after the suite.
      ORPHAN_RECONCILE_INTERVAL: 'off',
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      // The shared dev server may predate the saga's search attributes: register, not refuse.
      SAGA_SEARCH_ATTRIBUTES: 'create',
      INVENTORY_ADDR: addresses.inventory,
      PAYMENTS_ADDR: addresses.payments,
      SHIPPING_ADDR: addresses.shipping,
      ORDERS_ADDR: addresses.orders,
      ...(settings.cancellationWindowMs
        ? { SAGA_CANCELLATION_WINDOW: `${settings.cancellationWindowMs}ms` }
        : {}),
      ...(settings.compensationBudgetMs
        ? { SAGA_COMPENSATION_BUDGET: `${settings.compensationBudgetMs}ms` }
        : {}),
      ...(settings.authValidityMs ? { SAGA_AUTH_VALIDITY: `${settings.authValidityMs}ms` } : {}),
    }),
    restart: async (s, { downMs = 0 } = {}) => {
      await kill(s);
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start(s);
    },
    kill,
    start,
    stock: (sku) =>
      withConnection(dbs.inventory.url, async (c) => {
        const rows = (await c.query('SELECT on_hand AS onHand, reserved FROM stock WHERE sku = ?', [
          sku,
        ])) as { onHand: number; reserved: number }[];
        return rows[0] ?? { onHand: 0, reserved: 0 };
      }),
    startWorker: async (bundle, settings) => {
      const connection = await NativeConnection.connect({ address: temporalAddress() });
      const deps = await createSagaClients({
        inventoryAddr: addresses.inventory,
        paymentsAddr: addresses.payments,
        shippingAddr: addresses.shipping,
        ordersAddr: addresses.orders,
        jwtIssuer: auth.env.JWT_ISSUER!,
        jwtAudience: auth.env.JWT_AUDIENCE!,
        jwtPrivateKey: auth.privateKeyPem,
        jwtKeyId: auth.env.JWT_KEY_ID!,
        rpcTimeoutMs: 4_000,
      });
      const worker: Worker = await createSagaWorker({
        connection,
        namespace: 'default',
        taskQueue,
        deps,
        settings,
        source: { workflowBundle: bundle },
        shutdownGraceMs: 5_000,
      });
      const running = worker.run();
      return {
        stop: async () => {
          worker.shutdown();
          await running;
          deps.close();
          await connection.close();
        },
      };
    },
    output: (s) => (outputs[s] ?? '') + (procs[s]?.output() ?? ''),
    stop: async () => {
      clients.close();
      await Promise.all(SERVICES.map(async (s) => procs[s]?.kill('SIGTERM')));
      await Promise.all(cleanups.map((c) => c().catch(() => undefined)));
    },
  };
}
