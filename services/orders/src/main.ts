/** orders service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { CatalogServiceService } from '@meshcart/proto/shop/catalog/v1/catalog';
import { ShippingServiceService } from '@meshcart/proto/shop/shipping/v1/shipping';
import { ordersConfigSpec } from './config';
import { catalogAdapter } from './downstream/catalog.adapter';
import { shippingAdapter } from './downstream/shipping.adapter';
import { connectSagaGateway } from './saga/connect-saga-gateway';
import { buildServer } from './server';
import { createOrdersStore } from './store/orders.store';
import { createDb } from './store/db';

runService({
  spec: ordersConfigSpec,
  dir: __dirname,
  async start({ config, base, onShutdown, client }) {
    const catalog = catalogAdapter(await client(CatalogServiceService, config.catalogAddr));
    const shipping = shippingAdapter(await client(ShippingServiceService, config.shippingAddr));
    const db = createDb(config.databaseUrl);
    onShutdown('database pool', () => db.$disconnect());
    const saga = connectSagaGateway(config, onShutdown);
    return buildServer({ ...base, store: createOrdersStore(db), catalog, shipping, saga });
  },
});
