/** ShippingService and ShippingCarrierService handlers: validate, call the use case, map back. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errorDomain, implement, serviceOptions, type HandlerBase } from '@meshcart/kit';
import {
  ShippingCarrierServiceService,
  ShippingServiceService,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import type { ShippingApp } from '../app/shipping.app';
import { toProtoShipment } from './shipping.mapping';
import { validateCreate, validateQuote, validateShipmentId } from '../domain/shipping.validation';

export const SHIPPING_ERROR_DOMAIN = errorDomain('shipping');

export interface ShippingHandlerDeps extends HandlerBase {
  app: ShippingApp;
}

const common = (deps: ShippingHandlerDeps) => serviceOptions(deps, SHIPPING_ERROR_DOMAIN);

export function shippingServiceImpl(deps: ShippingHandlerDeps): UntypedServiceImplementation {
  const { app } = deps;
  return implement(
    ShippingServiceService,
    {
      quoteShipping: async (req) => {
        const { address, items } = validateQuote(req);
        const price = app.quote(address.countryCode, items);
        return { price: { currencyCode: price.currency, amountMinor: price.minor.toString() } };
      },
      createShipment: async (req, ctx) => {
        const cmd = validateCreate(req);
        ctx.logger.info({ shipment_id: cmd.shipmentId }, 'create shipment'); // order_id: bound
        return { shipment: toProtoShipment(await app.create(cmd)) };
      },
      cancelShipment: async (req) => ({
        shipment: toProtoShipment(await app.cancel(validateShipmentId(req))),
      }),
      getShipment: async (req) => ({
        shipment: toProtoShipment(await app.get(validateShipmentId(req))),
      }),
      releaseShipment: async (req, ctx) => {
        const id = validateShipmentId(req);
        ctx.logger.info({ shipment_id: id }, 'release shipment for dispatch');
        return { shipment: toProtoShipment(await app.release(id)) };
      },
    },
    {
      ...common(deps),
      // Internal: the saga worker (shipments) and the orders service (quotes); operators may read,
      // and release the shipments of orders paid before the release step existed (README).
      access: {
        quoteShipping: 'service',
        createShipment: 'service',
        cancelShipment: 'service',
        getShipment: ['service', 'admin'],
        releaseShipment: ['service', 'admin'],
      },
    },
  );
}

export function carrierServiceImpl(deps: ShippingHandlerDeps): UntypedServiceImplementation {
  return implement(
    ShippingCarrierServiceService,
    {
      markDispatched: async (req, ctx) => {
        const id = validateShipmentId(req);
        ctx.logger.info({ shipment_id: id }, 'mark dispatched');
        return { shipment: toProtoShipment(await deps.app.dispatch(id)) };
      },
    },
    { ...common(deps), access: { markDispatched: 'admin' } },
  );
}
