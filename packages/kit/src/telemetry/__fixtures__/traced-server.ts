/**
 * A small kit gRPC server process for the telemetry tests (run with the preload, as services
 * are): CatalogService.GetProduct calls this same server's BatchGetProducts through a kit client
 * (a client span and a nested server span), OrderService.GetOrder carries an order id, which the
 * fixture declares as its correlation (the kit itself knows no business ids).
 */
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { Order, OrderServiceService, OrderStatus } from '@meshcart/proto/shop/orders/v1/orders';
import {
  createClient,
  createGrpcServer,
  createLogger,
  declareCorrelations,
  ErrorReason,
  errors,
  idField,
  implement,
  onShutdownSignal,
  runMain,
  type UnaryHandlers,
} from '../../index';

runMain(async () => {
  const logger = createLogger({ service: 'traced-fixture' });
  declareCorrelations([
    {
      spanAttribute: 'fixture.order_id',
      logKey: 'order_id',
      ofRequest: (m) => idField(m, 'orderId'),
    },
  ]);
  const port = Number(process.env.GRPC_PORT);
  const self = createClient(CatalogServiceService, `127.0.0.1:${port}`, { caller: null });
  const common = { logger, domain: 'fixture.meshcart' };
  const catalog = implement(
    CatalogServiceService,
    {
      getProduct: async (req, ctx) => {
        ctx.logger.info({ sku: req.sku }, 'looking up product');
        if (req.sku === 'MISSING')
          throw errors.notFound(ErrorReason.ERROR_REASON_PRODUCT_NOT_FOUND);
        const batch = await self.batchGetProducts({ skus: [req.sku] }, { ctx });
        return { product: batch.products[0] };
      },
      listProducts: async () => ({ products: [], nextPageToken: '' }),
      batchGetProducts: async (req, ctx) => {
        ctx.logger.info({ skus: req.skus.length }, 'batch lookup');
        return {
          products: req.skus.map((sku) => ({
            sku,
            name: 'Mug',
            description: '',
            category: 'kitchen',
            price: { currencyCode: 'EUR', amountMinor: '1299' },
            active: true,
            updateTime: undefined,
          })),
          missingSkus: [],
        };
      },
    },
    {
      ...common,
      access: { getProduct: 'public', listProducts: 'public', batchGetProducts: 'public' },
    },
  );
  const unimplemented = async () => {
    throw errors.failedPrecondition(ErrorReason.ERROR_REASON_INTERNAL);
  };
  const orders = implement(
    OrderServiceService,
    {
      getOrder: async (req: { orderId: string }, ctx: { logger: { info(m: string): void } }) => {
        ctx.logger.info('reading order');
        return {
          order: Order.fromPartial({ id: req.orderId, status: OrderStatus.ORDER_STATUS_PENDING }),
        };
      },
      placeOrder: unimplemented,
      listOrders: unimplemented,
      cancelOrder: unimplemented,
    } as unknown as UnaryHandlers<typeof OrderServiceService>,
    { ...common, access: { getOrder: 'public' } },
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
  await server.listen('127.0.0.1', port);
  onShutdownSignal(logger, async () => {
    await server.shutdown({ graceMs: 2_000 });
    self.close();
  });
});
