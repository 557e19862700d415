/**
 * The server's concurrency limit over a real socket: N slow calls hold every slot, the next one
 * is refused RESOURCE_EXHAUSTED OVERLOADED with RetryInfo while health still answers, and calls
 * go through again once the load drops.
 */
import { status } from '@grpc/grpc-js';
import {
  CatalogServiceService,
  type GetProductResponse,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import { checkHealth, createClient, createGrpcServer, implement, silentLogger } from '../index';
import type { GrpcCallError } from '../call/grpc-call-error';
import { startTestServer } from '../../testkit';
import { CallLimiter } from './call-limit';

/** [method, code] of every call the RED metrics saw (answered by the wrapper, or refused). */
const mockRecorded: [string, number][] = [];
jest.mock('../telemetry/rpc-metrics', () => ({
  ...jest.requireActual('../telemetry/rpc-metrics'),
  rpcRecorder: (_side: string, path: string) => (code: number) => mockRecorded.push([path, code]),
}));

const LIMIT = 3;
const product = (sku: string): GetProductResponse => ({
  product: {
    sku,
    name: 'Mug',
    description: '',
    category: 'kitchen',
    price: { currencyCode: 'EUR', amountMinor: '1299' },
    active: true,
    updateTime: undefined,
  },
});

/** Slow calls wait here until the test lets them go. */
let gate: { open(): void; wait: Promise<void> };
const newGate = () => {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
};
let started = 0;

async function startServer(callLimit: { maxInFlight: number; queueTimeoutMs: number }) {
  const impl = implement(
    CatalogServiceService,
    {
      getProduct: async (req) => {
        if (req.sku === 'SLOW') {
          started++;
          await gate.wait;
        }
        return product(req.sku);
      },
      listProducts: async () => ({ products: [], nextPageToken: '' }),
      batchGetProducts: async () => ({ products: [], missingSkus: [] }),
    },
    {
      logger: silentLogger(),
      domain: 'catalog.meshcart',
      access: { getProduct: 'public', listProducts: 'public', batchGetProducts: 'public' },
    },
  );
  const server = createGrpcServer({
    logger: silentLogger(),
    reflection: false,
    callLimit,
    services: [
      {
        name: 'shop.catalog.v1.CatalogService',
        definition: CatalogServiceService,
        implementation: impl,
      },
    ],
  });
  return { server, ...(await startTestServer(server)) };
}

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

beforeEach(() => {
  gate = newGate();
  started = 0;
});

test('over the limit a call is refused RESOURCE_EXHAUSTED OVERLOADED with RetryInfo; health is exempt; calls pass again once load drops', async () => {
  const { server, address, stop } = await startServer({ maxInFlight: LIMIT, queueTimeoutMs: 0 });
  try {
    const c = createClient(CatalogServiceService, address, { caller: null });
    const slow = Array.from({ length: LIMIT }, () =>
      c.getProduct({ sku: 'SLOW' }, { timeoutMs: 10_000 }),
    );
    await until(() => started === LIMIT);
    expect(server.callLimit.active).toBe(LIMIT);

    const refused: GrpcCallError = await c.getProduct({ sku: 'A1' }).catch((e) => e);
    expect([refused.code, refused.reason, refused.domain]).toEqual([
      status.RESOURCE_EXHAUSTED,
      'OVERLOADED',
      'catalog.meshcart',
    ]);
    expect(refused.retryDelayMs).toBe(1_000);
    // Refusals count in the method's RED metrics (they never reach the unary wrapper).
    expect(mockRecorded).toContainEqual([
      '/shop.catalog.v1.CatalogService/GetProduct',
      status.RESOURCE_EXHAUSTED,
    ]);
    // Every method of the service shares the limit; the health service does not.
    const other: GrpcCallError = await c
      .listProducts({ pageSize: 1, pageToken: '', category: '' })
      .catch((e) => e);
    expect(other.reason).toBe('OVERLOADED');
    expect(await checkHealth(address, '')).toBe('SERVING');
    expect(await checkHealth(address, 'shop.catalog.v1.CatalogService')).toBe('SERVING');

    gate.open();
    await expect(Promise.all(slow)).resolves.toHaveLength(LIMIT);
    await until(() => server.callLimit.active === 0);
    await expect(c.getProduct({ sku: 'A2' })).resolves.toEqual(product('A2'));
    // And the full limit is usable again (no slot leaked by the refused or finished calls).
    gate = newGate();
    started = 0;
    const again = Array.from({ length: LIMIT }, () => c.getProduct({ sku: 'SLOW' }));
    await until(() => started === LIMIT);
    gate.open();
    await Promise.all(again);
    c.close();
  } finally {
    gate.open();
    await stop();
  }
});

test('a call over the limit waits up to the queue timeout for a slot that frees up', async () => {
  const { server, address, stop } = await startServer({ maxInFlight: 1, queueTimeoutMs: 2_000 });
  try {
    const c = createClient(CatalogServiceService, address, { caller: null });
    const slow = c.getProduct({ sku: 'SLOW' });
    await until(() => started === 1);
    const queued = c.getProduct({ sku: 'Q1' });
    setTimeout(() => gate.open(), 100);
    await expect(queued).resolves.toEqual(product('Q1'));
    await slow;
    await until(() => server.callLimit.active === 0);
    c.close();
  } finally {
    gate.open();
    await stop();
  }
});

test('a caller that gives up while waiting leaves no slot behind', async () => {
  const { server, address, stop } = await startServer({ maxInFlight: 1, queueTimeoutMs: 5_000 });
  try {
    const c = createClient(CatalogServiceService, address, { caller: null });
    const slow = c.getProduct({ sku: 'SLOW' });
    await until(() => started === 1);
    const impatient: GrpcCallError = await c
      .getProduct({ sku: 'Q1' }, { timeoutMs: 200 })
      .catch((e) => e);
    expect(impatient.code).toBe(status.DEADLINE_EXCEEDED);
    gate.open();
    await slow;
    await until(() => server.callLimit.active === 0);
    await expect(c.getProduct({ sku: 'A3' })).resolves.toEqual(product('A3'));
    await until(() => server.callLimit.active === 0);
    c.close();
  } finally {
    gate.open();
    await stop();
  }
});

test('0 turns the limit off', async () => {
  const { address, stop } = await startServer({ maxInFlight: 0, queueTimeoutMs: 0 });
  try {
    const c = createClient(CatalogServiceService, address, { caller: null });
    const slow = Array.from({ length: 20 }, () => c.getProduct({ sku: 'SLOW' }));
    await until(() => started === 20);
    gate.open();
    await Promise.all(slow);
    c.close();
  } finally {
    gate.open();
    await stop();
  }
});

describe('CallLimiter', () => {
  test('hands a released slot to the longest waiter, refuses past the queue timeout and when the queue is full', async () => {
    const l = new CallLimiter({ maxInFlight: 1, queueTimeoutMs: 50 });
    expect(l.acquire()).toBe(true);
    const first = l.acquire() as Promise<boolean>;
    expect(first).toBeInstanceOf(Promise);
    // One waiter per slot at most: the next is refused at once.
    expect(l.acquire()).toBe(false);
    l.release();
    await expect(first).resolves.toBe(true);
    expect(l.active).toBe(1);
    const late = l.acquire() as Promise<boolean>;
    await expect(late).resolves.toBe(false);
    l.release();
    expect(l.active).toBe(0);
  });

  test('rejects limits that are not whole non-negative numbers', () => {
    expect(() => new CallLimiter({ maxInFlight: -1 })).toThrow(/maxInFlight/);
    expect(() => new CallLimiter().configure({ queueTimeoutMs: 1.5 })).toThrow(/queueTimeoutMs/);
  });
});
