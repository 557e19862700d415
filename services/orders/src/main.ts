/** orders service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { orderCorrelation } from '@meshcart/saga/correlation';
import { limitsOf, ordersConfigSpec, policiesOf } from './config';
import { connectDownstream } from './downstream/connect-downstream';
import { connectSagaGateway } from './saga/connect-saga-gateway';
import { buildServer } from './server';
import { createOrdersStore } from './store/orders.store';
import { createDb } from './store/db';

runService({
  spec: ordersConfigSpec,
  dir: __dirname,
  correlations: [orderCorrelation],
  async start({ config, base, onShutdown, client }) {
    const downstream = await connectDownstream(client, config); // catalog, shipping, payments
    const db = createDb(config.databaseUrl);
    onShutdown('database pool', () => db.$disconnect());
    const saga = connectSagaGateway(config, onShutdown);
    const store = createOrdersStore(db);
    return buildServer({ ...base, ...downstream, ...policiesOf(config), store, saga });
  },
  limits: limitsOf, // logged at start with the chassis' own
});
