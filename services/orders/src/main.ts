/** orders service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { orderCorrelation } from '@meshcart/saga/correlation';
import { ordersConfigSpec } from './config';
import { connectCatalog } from './downstream/catalog.adapter';
import { connectShipping } from './downstream/shipping.adapter';
import { connectSagaGateway } from './saga/connect-saga-gateway';
import { buildServer } from './server';
import { createOrdersStore } from './store/orders.store';
import { createDb } from './store/db';

runService({
  spec: ordersConfigSpec,
  dir: __dirname,
  correlations: [orderCorrelation],
  async start({ config, base, onShutdown, client }) {
    const catalog = await connectCatalog(client, config.catalogAddr);
    const shipping = await connectShipping(client, config.shippingAddr);
    const db = createDb(config.databaseUrl);
    onShutdown('database pool', () => db.$disconnect());
    const saga = connectSagaGateway(config, onShutdown);
    return buildServer({ ...base, store: createOrdersStore(db), catalog, shipping, saga });
  },
});
