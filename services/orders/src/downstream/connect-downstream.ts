import type { ServiceContext } from '@meshcart/kit';
import type { CatalogPort, PaymentVaultPort, ShippingPort } from '../app/ports';
import type { OrdersConfig } from '../config';
import { connectCatalog } from './catalog.adapter';
import { connectPaymentVault } from './payments.adapter';
import { connectShipping } from './shipping.adapter';

/** Every port orders calls out through: catalog (prices), shipping (quotes), payments (vault). */
export async function connectDownstream(
  client: ServiceContext<unknown>['client'],
  config: Pick<OrdersConfig, 'catalogAddr' | 'shippingAddr' | 'paymentsAddr'>,
): Promise<{ catalog: CatalogPort; shipping: ShippingPort; vault: PaymentVaultPort }> {
  return {
    catalog: await connectCatalog(client, config.catalogAddr),
    shipping: await connectShipping(client, config.shippingAddr),
    vault: await connectPaymentVault(client, config.paymentsAddr),
  };
}
