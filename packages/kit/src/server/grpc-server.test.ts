import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ServiceError,
} from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  CatalogServiceService,
  type GetProductResponse,
} from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  checkHealth,
  createClient,
  type RawUnary,
  createGrpcServer,
  errors,
  implement,
  silentLogger,
  type GrpcServer,
} from '../index';
import { GrpcCallError } from '../call/grpc-call-error';
import { createTestAuth, startTestServer, type TestAuth } from '../../testkit';

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

let auth: TestAuth;
let server: GrpcServer;
let address: string;
let stop: () => Promise<void>;
let releaseSlowCall: () => void = () => undefined;
let slowCallStarted: Promise<void>;

beforeAll(async () => {
  auth = await createTestAuth();
  let markStarted: () => void = () => undefined;
  slowCallStarted = new Promise((r) => (markStarted = r));
  const impl = implement(
    CatalogServiceService,
    {
      getProduct: async (req) => {
        if (req.sku === 'MISSING')
          throw errors.notFound('PRODUCT_NOT_FOUND', { metadata: { sku: req.sku } });
        if (req.sku === 'BAD')
          throw errors.invalidArgument([{ field: 'sku', description: 'must be upper case' }]);
        if (req.sku === 'BOOM') throw new Error('secret db password is hunter2');
        if (req.sku === 'SLOW') {
          markStarted();
          await new Promise<void>((r) => (releaseSlowCall = r));
        }
        return product(req.sku);
      },
      listProducts: async (_req, ctx) => {
        // Waits for its deadline: proves every call has one even when the client sent none.
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
        return { products: [], nextPageToken: String(ctx.deadline.getTime()) };
      },
      batchGetProducts: async (_req, ctx) => ({
        products: [],
        missingSkus: [ctx.caller?.subject ?? 'none'],
      }),
    },
    {
      logger: silentLogger(),
      domain: 'catalog.meshcart',
      access: { getProduct: 'public', listProducts: 'public', batchGetProducts: 'service' },
      verifier: auth.verifier,
      defaultDeadlineMs: 300,
    },
  );
  server = createGrpcServer({
    logger: silentLogger(),
    services: [
      {
        name: 'shop.catalog.v1.CatalogService',
        definition: CatalogServiceService,
        implementation: impl,
      },
    ],
  });
  ({ address, stop } = await startTestServer(server));
});

afterAll(async () => {
  releaseSlowCall();
  await stop();
});

const client = () => createClient(CatalogServiceService, address, { caller: null });

test('a domain error reaches a generated client with its code, ErrorInfo reason and domain', async () => {
  const err: GrpcCallError = await client()
    .getProduct({ sku: 'MISSING' })
    .catch((e) => e);
  expect(err).toBeInstanceOf(GrpcCallError);
  expect(err.code).toBe(status.NOT_FOUND);
  expect(err.reason).toBe('PRODUCT_NOT_FOUND');
  expect(err.domain).toBe('catalog.meshcart');
  expect(err.metadata).toEqual({ sku: 'MISSING' });
});

test('validation errors carry BadRequest field violations', async () => {
  const err: GrpcCallError = await client()
    .getProduct({ sku: 'BAD' })
    .catch((e) => e);
  expect(err.code).toBe(status.INVALID_ARGUMENT);
  expect(err.violations).toEqual([{ field: 'sku', description: expect.any(String) }]);
});

test('an unknown error becomes INTERNAL and leaks nothing', async () => {
  const err: GrpcCallError = await client()
    .getProduct({ sku: 'BOOM' })
    .catch((e) => e);
  expect(err.code).toBe(status.INTERNAL);
  expect(err.reason).toBe('INTERNAL');
  expect(err.message).not.toMatch(/hunter2|password|db/);
});

test('a call without a deadline still gets the default one', async () => {
  // A raw grpc-js client, sending no deadline at all.
  const Raw = makeGenericClientConstructor(CatalogServiceService, 'raw');
  const raw = new Raw(address, credentials.createInsecure()) as unknown as Record<string, RawUnary>;
  const started = Date.now();
  const err = await new Promise<ServiceError>((resolve) =>
    raw.listProducts!.call(
      raw,
      { pageSize: 0, pageToken: '', category: '' },
      new Metadata(),
      {},
      (e) => resolve(e!),
    ),
  );
  expect(err.code).toBe(status.DEADLINE_EXCEEDED);
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('methods needing a role refuse missing, forged and wrong-role tokens', async () => {
  const c = client();
  const missing: GrpcCallError = await c.batchGetProducts({ skus: ['A'] }).catch((e) => e);
  expect([missing.code, missing.reason]).toEqual([status.UNAUTHENTICATED, 'TOKEN_MISSING']);
  const other = await createTestAuth('other-key');
  const forged: GrpcCallError = await c
    .batchGetProducts({ skus: ['A'] }, { metadata: other.bearer(await other.serviceToken('x')) })
    .catch((e) => e);
  expect([forged.code, forged.reason]).toEqual([status.UNAUTHENTICATED, 'TOKEN_INVALID']);
  const expired: GrpcCallError = await c
    .batchGetProducts({ skus: ['A'] }, { metadata: auth.bearer(await auth.userToken('u1', -60)) })
    .catch((e) => e);
  expect([expired.code, expired.reason]).toEqual([status.UNAUTHENTICATED, 'TOKEN_EXPIRED']);
  const customer: GrpcCallError = await c
    .batchGetProducts({ skus: ['A'] }, { metadata: auth.bearer(await auth.userToken('u1')) })
    .catch((e) => e);
  expect([customer.code, customer.reason]).toEqual([status.PERMISSION_DENIED, 'ROLE_REQUIRED']);
  const ok = await c.batchGetProducts(
    { skus: ['A'] },
    { metadata: auth.bearer(await auth.serviceToken('orders')) },
  );
  expect(ok.missingSkus).toEqual(['service:orders']);
});

test('a client refuses methods its workload does not have in the call graph', async () => {
  const asEdge = createClient(CatalogServiceService, address, { caller: 'edge' });
  await expect(asEdge.getProduct({ sku: 'A1' })).resolves.toEqual(product('A1'));
  const err: GrpcCallError = await asEdge.batchGetProducts({ skus: ['A'] }).catch((e) => e);
  expect(err.code).toBe(status.PERMISSION_DENIED);
});

const grpcurl = path.resolve(__dirname, '../../../../.tools/bin/grpcurl');
const run = async (args: string[]) =>
  (await promisify(execFile)(grpcurl, args, { encoding: 'utf8' })).stdout;
// grpcurl is installed by scripts/test.sh (pinned, from the Go module proxy); fail loudly if it is not.
test('grpcurl lists and describes the service through reflection', async () => {
  expect(existsSync(grpcurl)).toBe(true);
  const list = await run(['-plaintext', address, 'list']);
  expect(list).toContain('shop.catalog.v1.CatalogService');
  const described = await run([
    '-plaintext',
    address,
    'describe',
    'shop.catalog.v1.CatalogService.GetProduct',
  ]);
  expect(described).toContain('GetProductRequest');
  const answer = await run([
    '-plaintext',
    '-d',
    '{"sku":"A1"}',
    address,
    'shop.catalog.v1.CatalogService/GetProduct',
  ]);
  expect(JSON.parse(answer).product.sku).toBe('A1');
});

test('reflection lists health and itself (as grpc-go does), and grpcurl checks health through reflection alone', async () => {
  const list = (await run(['-plaintext', address, 'list'])).split('\n').filter(Boolean);
  expect(list.sort()).toEqual([
    'grpc.health.v1.Health',
    'grpc.reflection.v1.ServerReflection',
    'shop.catalog.v1.CatalogService',
  ]);
  expect(
    await run(['-plaintext', address, 'describe', 'grpc.reflection.v1.ServerReflection']),
  ).toContain('rpc ServerReflectionInfo');
  const overall = await run(['-plaintext', address, 'grpc.health.v1.Health/Check']);
  expect(JSON.parse(overall)).toEqual({ status: 'SERVING' });
  const one = await run([
    '-plaintext',
    '-d',
    '{"service":"shop.catalog.v1.CatalogService"}',
    address,
    'grpc.health.v1.Health/Check',
  ]);
  expect(JSON.parse(one)).toEqual({ status: 'SERVING' });
});

test('health reports SERVING, then NOT_SERVING during shutdown while in-flight calls finish', async () => {
  const check = (service: string) => checkHealth(address, service);
  expect(await check('')).toBe('SERVING');
  expect(await check('shop.catalog.v1.CatalogService')).toBe('SERVING');
  const inFlight = client().getProduct({ sku: 'SLOW' }, { timeoutMs: 10_000 });
  await slowCallStarted;
  const stopping = server.shutdown({ drainMs: 300, graceMs: 5_000 });
  expect(await check('')).toBe('NOT_SERVING');
  expect(await check('shop.catalog.v1.CatalogService')).toBe('NOT_SERVING');
  releaseSlowCall();
  await expect(inFlight).resolves.toEqual(product('SLOW'));
  await stopping;
});
