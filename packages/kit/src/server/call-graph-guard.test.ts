import { Metadata, status } from '@grpc/grpc-js';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  createClient,
  createGrpcServer,
  implement,
  parseCallGraph,
  silentLogger,
  type GrpcServer,
  type MeshPeerIdentity,
} from '../index';
import { meshPeerOf, workloadOf } from './call-graph-guard';
import type { GrpcCallError } from '../call/grpc-call-error';
import { createTestAuth, startTestServer, type TestAuth } from '../../testkit';

const GRAPH = parseCallGraph(`
callers:
  edge:
    catalog: [shop.catalog.v1.CatalogService/GetProduct]
  orders:
    catalog: [shop.catalog.v1.CatalogService/BatchGetProducts]
`);

const SPIFFE = (sa: string) => `spiffe://cluster.local/ns/shop/sa/${sa}`;

describe('meshPeerOf: the service account the local sidecar appended to x-forwarded-client-cert', () => {
  const md = (xfcc?: string) => {
    const m = new Metadata();
    if (xfcc !== undefined) m.set('x-forwarded-client-cert', xfcc);
    return m;
  };
  test('reads the URI of the only element', () => {
    expect(
      meshPeerOf(md(`By=${SPIFFE('catalog')};Hash=abc;Subject="";URI=${SPIFFE('orders')}`)),
    ).toBe('orders');
  });
  test('takes the LAST element: what the caller put before it is ignored', () => {
    const forged = `By=x;URI=${SPIFFE('orders')}`;
    const real = `By=${SPIFFE('catalog')};Hash=1;Subject="CN=a,O=b";URI=${SPIFFE('edge')}`;
    expect(meshPeerOf(md(`${forged},${real}`))).toBe('edge');
  });
  test('quoted commas and semicolons do not split elements', () => {
    const v = `By=${SPIFFE('catalog')};Subject="O=a,CN=b;c";URI=${SPIFFE('edge')}`;
    expect(meshPeerOf(md(v))).toBe('edge');
  });
  test('no header, no URI, or a URI that is not a workload SPIFFE id: unknown', () => {
    expect(meshPeerOf(md())).toBeUndefined();
    expect(meshPeerOf(md('By=a;Hash=b'))).toBeUndefined();
    expect(meshPeerOf(md('URI=https://example.com/x'))).toBeUndefined();
  });
});

test('workloadOf: only service principals with a service:<workload> subject act as a workload', () => {
  expect(workloadOf({ subject: 'service:orders', roles: ['service'], isService: true })).toBe(
    'orders',
  );
  expect(workloadOf({ subject: 'u1', roles: ['customer'], isService: false })).toBeUndefined();
  expect(workloadOf({ subject: 'ops:x', roles: ['service'], isService: true })).toBeUndefined();
  expect(workloadOf(undefined)).toBeUndefined();
});

describe.each<MeshPeerIdentity>(['none', 'xfcc'])(
  'a server enforces the call graph itself (MESH_PEER_IDENTITY=%s), over real sockets',
  (peerIdentity) => {
    let auth: TestAuth;
    let server: GrpcServer;
    let address: string;
    let stop: () => Promise<void>;
    beforeAll(async () => {
      auth = await createTestAuth();
      const impl = implement(
        CatalogServiceService,
        {
          getProduct: async (req) => ({ product: undefined, ...{ sku: req.sku } }) as never,
          listProducts: async () => ({ products: [], nextPageToken: '' }),
          batchGetProducts: async (_req, ctx) => ({
            products: [],
            missingSkus: [ctx.caller?.subject ?? 'none'],
          }),
        },
        {
          logger: silentLogger(),
          domain: 'catalog.meshcart',
          verifier: auth.verifier,
          callGraph: GRAPH,
          meshPeerIdentity: peerIdentity,
          access: { getProduct: 'public', listProducts: 'public', batchGetProducts: 'service' },
        },
      );
      server = createGrpcServer({
        logger: silentLogger(),
        reflection: false,
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
    afterAll(() => stop());

    // No call graph on the client side: it stands for grpcurl or hand-written grpc-js.
    const raw = () => createClient(CatalogServiceService, address, { caller: null });
    const refusal = (e: GrpcCallError) => [status[e.code], e.reason, e.metadata.caller];

    test('a workload in the graph for the method passes', async () => {
      const res = await raw().batchGetProducts(
        { skus: ['A'] },
        { metadata: auth.bearer(await auth.serviceToken('orders')) },
      );
      expect(res.missingSkus).toEqual(['service:orders']);
    });

    test('a service token of a workload outside the graph is refused, whatever client it uses', async () => {
      for (const workload of ['edge', 'payments', 'saga-worker']) {
        const o = { metadata: auth.bearer(await auth.serviceToken(workload)) };
        const e: GrpcCallError = await raw()
          .batchGetProducts({ skus: ['A'] }, o)
          .catch((x) => x);
        expect(refusal(e)).toEqual(['PERMISSION_DENIED', 'METHOD_NOT_IN_CALL_GRAPH', workload]);
      }
    });

    test('a service principal whose subject names no workload is refused', async () => {
      // The verifier refuses such a token before the graph is consulted (a service token's
      // subject is exactly service:<workload>); the guard refuses it too (workloadOf above).
      const token = (await auth.signer.sign({ subject: 'cli', roles: ['service'], ttlSeconds: 60 }))
        .token;
      const e: GrpcCallError = await raw()
        .batchGetProducts({ skus: ['A'] }, { metadata: auth.bearer(token) })
        .catch((x) => x);
      expect([status[e.code], e.reason]).toEqual(['UNAUTHENTICATED', 'TOKEN_INVALID']);
    });

    test('the mesh peer identity is checked only when the server is told to trust it', async () => {
      const asPeer = (sa: string) => ({ 'x-forwarded-client-cert': `By=x;URI=${SPIFFE(sa)}` });
      // GetProduct is public: no token, so the mesh peer is the only identity.
      const fromOrders = await raw()
        .getProduct({ sku: 'A' }, { metadata: asPeer('orders') })
        .then(() => 'OK')
        .catch((e: GrpcCallError) => refusal(e));
      expect(fromOrders).toEqual(
        peerIdentity === 'xfcc'
          ? ['PERMISSION_DENIED', 'METHOD_NOT_IN_CALL_GRAPH', 'orders']
          : 'OK',
      );
      await expect(
        raw().getProduct({ sku: 'A' }, { metadata: asPeer('edge') }),
      ).resolves.toBeTruthy();
      // A valid orders token arriving through the edge's sidecar: both identities must be allowed.
      const token = auth.bearer(await auth.serviceToken('orders'));
      const mixed = await raw()
        .batchGetProducts({ skus: ['A'] }, { metadata: { ...token, ...asPeer('edge') } })
        .then(() => 'OK')
        .catch((e: GrpcCallError) => refusal(e));
      expect(mixed).toEqual(
        peerIdentity === 'xfcc' ? ['PERMISSION_DENIED', 'METHOD_NOT_IN_CALL_GRAPH', 'edge'] : 'OK',
      );
    });

    test('the typed client refuses the same calls with the same reason, without a round trip', async () => {
      const asEdge = createClient(CatalogServiceService, address, {
        caller: 'edge',
        callGraph: GRAPH,
        token: () => auth.serviceToken('edge'),
      });
      const e: GrpcCallError = await asEdge.batchGetProducts({ skus: ['A'] }).catch((x) => x);
      expect(refusal(e)).toEqual(['PERMISSION_DENIED', 'METHOD_NOT_IN_CALL_GRAPH', 'edge']);
      expect(e.metadata.identity).toBe('client');
      asEdge.close();
    });
  },
);
