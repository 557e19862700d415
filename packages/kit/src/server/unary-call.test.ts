/**
 * What a handler sees of its call (ctx) and what the wrapper reports, end to end over a real
 * grpc-js server on port 0: the per-call logger, cancellation, the end of a call, deadlines.
 */
import { status } from '@grpc/grpc-js';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { OrderServiceService, type GetOrderResponse } from '@meshcart/proto/shop/orders/v1/orders';
import {
  createClient,
  createGrpcServer,
  createLogger,
  declareCorrelations,
  errors,
  idField,
  implement,
  type CallContext,
  type CallObserver,
  type UnaryHandlers,
} from '../index';
import { startTestServer } from '../testkit/test-server';

const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'unit',
  level: 'debug',
  destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
});
// The kit knows no business ids: a process declares its own (the saga declares the order id).
declareCorrelations([
  { spanAttribute: 'test.order_id', logKey: 'order_id', ofRequest: (m) => idField(m, 'orderId') },
]);
const observed: Parameters<CallObserver>[0][] = [];
const calls = new Map<string, CallContext>();
let ended: Promise<unknown> = Promise.resolve();
let address: string;
let stop: () => Promise<void>;

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((r) => signal.addEventListener('abort', () => r(signal.reason)));

beforeAll(async () => {
  const self = () => createClient(CatalogServiceService, address, { caller: null });
  const catalog = implement(
    CatalogServiceService,
    {
      // sku WAIT: waits for its signal; sku LEAVE: starts a downstream WAIT call and answers.
      getProduct: async (req, ctx) => {
        calls.set(req.sku, ctx);
        if (req.sku === 'WAIT') await aborted(ctx.signal);
        if (req.sku === 'LEAVE')
          ended = self()
            .getProduct({ sku: 'WAIT' }, { ctx })
            .catch((e) => e);
        if (req.sku === 'GONE') throw errors.notFound('PRODUCT_NOT_FOUND');
        return { product: undefined };
      },
      listProducts: async () => ({ products: [], nextPageToken: '' }),
      batchGetProducts: async () => ({ products: [], missingSkus: [] }),
    },
    {
      logger,
      domain: 'unit.meshcart',
      access: { getProduct: 'public' },
      defaultDeadlineMs: 300,
      observer: (info) => void observed.push(info),
    },
  );
  const orders = implement(
    OrderServiceService,
    {
      getOrder: async (_req: unknown, ctx: CallContext): Promise<GetOrderResponse> => {
        ctx.logger.info('reading order');
        return { order: undefined };
      },
    } as unknown as UnaryHandlers<typeof OrderServiceService>,
    { logger, domain: 'unit.meshcart', access: { getOrder: 'public' } },
  );
  const server = createGrpcServer({
    logger,
    reflection: false,
    services: [
      {
        name: 'shop.catalog.v1.CatalogService',
        definition: CatalogServiceService,
        implementation: catalog,
      },
      {
        name: 'shop.orders.v1.OrderService',
        definition: OrderServiceService,
        implementation: orders,
      },
    ],
  });
  ({ address, stop } = await startTestServer(server));
});

afterAll(() => stop());

const catalog = () => createClient(CatalogServiceService, address, { caller: null });
const lastObserved = (predicate: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = () => (predicate() ? resolve() : setTimeout(poll, 10));
    poll();
  });

test('the handler’s logger carries rpc, request id, the caller’s trace id and the declared correlation id', async () => {
  const traceId = 'ab'.repeat(16);
  const client = createClient(OrderServiceService, address, { caller: null });
  await client.getOrder(
    { orderId: 'ord-1' },
    { metadata: { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01`, 'x-request-id': 'req-1' } },
  );
  expect(lines.find((l) => l.msg === 'reading order')).toMatchObject({
    rpc: '/shop.orders.v1.OrderService/GetOrder',
    request_id: 'req-1',
    trace_id: traceId,
    order_id: 'ord-1',
  });
});

test('every answer is logged at debug level and observed once, with its code', async () => {
  const before = observed.length;
  await expect(catalog().getProduct({ sku: 'GONE' })).rejects.toMatchObject({
    code: status.NOT_FOUND,
  });
  await lastObserved(() => observed.length > before);
  expect(observed.slice(before)).toEqual([
    {
      method: '/shop.catalog.v1.CatalogService/GetProduct',
      code: status.NOT_FOUND,
      durationMs: expect.any(Number),
    },
  ]);
  expect(lines.filter((l) => l.msg === 'rpc done').at(-1)).toMatchObject({ code: 'NOT_FOUND' });
});

test('a client cancelling aborts ctx.signal and is observed as CANCELLED', async () => {
  const before = observed.length;
  const controller = new AbortController();
  const call = catalog().getProduct(
    { sku: 'WAIT' },
    { signal: controller.signal, timeoutMs: 5_000 },
  );
  await lastObserved(() => calls.has('WAIT'));
  const reason = aborted(calls.get('WAIT')!.signal);
  controller.abort();
  await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
  await expect(reason).resolves.toBeInstanceOf(Error);
  await lastObserved(() => observed.length > before);
  expect(observed[before]?.code).toBe(status.CANCELLED);
  calls.clear();
});

test('a passing deadline aborts ctx.signal with DEADLINE_EXCEEDED and is observed as such', async () => {
  const before = observed.length;
  // The client's deadline: grpc-js enforces it too; the wrapper must still say DEADLINE_EXCEEDED.
  const call = catalog()
    .getProduct({ sku: 'WAIT' }, { timeoutMs: 400 })
    .catch((e: unknown) => e);
  await lastObserved(() => calls.has('WAIT'));
  const reason = await aborted(calls.get('WAIT')!.signal);
  expect(reason).toMatchObject({ code: status.DEADLINE_EXCEEDED });
  expect(await call).toMatchObject({ code: status.DEADLINE_EXCEEDED });
  await lastObserved(() => observed.length > before);
  expect(observed[before]?.code).toBe(status.DEADLINE_EXCEEDED);
  calls.clear();
});

test('when a call has been answered, its signal is aborted and downstream calls left behind are cancelled', async () => {
  await catalog().getProduct({ sku: 'LEAVE' });
  expect(calls.get('LEAVE')!.signal.aborted).toBe(true);
  await expect(ended).resolves.toMatchObject({ code: status.CANCELLED });
  calls.clear();
});
