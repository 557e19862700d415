import { randomUUID } from 'node:crypto';
import {
  createGrpcServer,
  ErrorReason,
  errorDomain,
  errors,
  implement,
  silentLogger,
  type CallContext,
  type TokenVerifier,
} from '@meshcart/kit';
import { startTestServer } from '@meshcart/kit/testkit';
import { CatalogServiceService, type Product } from '@meshcart/proto/shop/catalog/v1/catalog';
import {
  PaymentServiceService,
  type VaultPaymentMethodRequest,
} from '@meshcart/proto/shop/payments/v1/payments';
import {
  ShippingServiceService,
  type QuoteShippingRequest,
} from '@meshcart/proto/shop/shipping/v1/shipping';

const product = (
  sku: string,
  name: string,
  currencyCode: string,
  amountMinor: string,
  active = true,
): Product => ({
  sku,
  name,
  description: '',
  category: 'test',
  price: { currencyCode, amountMinor },
  active,
  updateTime: undefined,
});

/** The test catalog: two EUR products, an inactive one, and one priced in USD. */
export const PRODUCTS: readonly Product[] = [
  product('MUG-1', 'Mug', 'EUR', '1299'),
  product('TEE-1', 'T-shirt', 'EUR', '2500'),
  product('OLD-1', 'Discontinued lamp', 'EUR', '100', false),
  product('USD-1', 'Imported kettle', 'USD', '999'),
];

/** Flat 499 plus 100 per line, in the requested currency; AQ is not served (as the real shipping service). */
export const quoteFor = (lines: number): bigint => 499n + 100n * BigInt(lines);

const unimplemented = async (): Promise<never> => {
  throw errors.failedPrecondition(ErrorReason.ERROR_REASON_INTERNAL);
};

export interface SeenCall {
  caller: string | undefined;
  traceparent: string | undefined;
}

/** Real gRPC servers (kit createGrpcServer + implement) standing in for catalog, shipping and payments. */
export interface FakeDownstream {
  catalogAddr: string;
  shippingAddr: string;
  paymentsAddr: string;
  catalogCalls: (SeenCall & { skus: string[] })[];
  quoteCalls: (SeenCall & { request: QuoteShippingRequest })[];
  vaultCalls: (SeenCall & { request: VaultPaymentMethodRequest })[];
  /** payment method id -> the token vaulted under it (what the real vault would resolve). */
  vaulted: Map<string, string>;
  /** While true, the catalog answers UNAVAILABLE (a transient failure). */
  catalogDown: boolean;
  stop(): Promise<void>;
}

const seen = (ctx: CallContext): SeenCall => ({
  caller: ctx.caller?.subject,
  traceparent: ctx.metadata.get('traceparent')[0]?.toString(),
});

export async function startFakeDownstream(verifier: TokenVerifier): Promise<FakeDownstream> {
  const logger = silentLogger();
  const fake = {
    catalogCalls: [],
    quoteCalls: [],
    vaultCalls: [],
    vaulted: new Map(),
    catalogDown: false,
  } as Pick<
    FakeDownstream,
    'catalogCalls' | 'quoteCalls' | 'vaultCalls' | 'vaulted' | 'catalogDown'
  >;
  // Idempotent like the real vault: one payment method per (customer, vault request id).
  const methods = new Map<string, string>();
  const catalog = implement(
    CatalogServiceService,
    {
      getProduct: unimplemented,
      listProducts: unimplemented,
      batchGetProducts: async (req, ctx) => {
        fake.catalogCalls.push({ ...seen(ctx), skus: req.skus });
        if (fake.catalogDown)
          throw errors.unavailable(ErrorReason.ERROR_REASON_DEPENDENCY_UNAVAILABLE);
        const products = req.skus.flatMap((s) => PRODUCTS.filter((p) => p.sku === s));
        return {
          products,
          missingSkus: req.skus.filter((s) => !products.some((p) => p.sku === s)),
        };
      },
    },
    { logger, domain: errorDomain('catalog'), verifier, access: { batchGetProducts: 'service' } },
  );
  const shipping = implement(
    ShippingServiceService,
    {
      quoteShipping: async (req, ctx) => {
        fake.quoteCalls.push({ ...seen(ctx), request: req });
        if (req.address?.countryCode === 'AQ')
          throw errors.failedPrecondition('DESTINATION_NOT_SERVED');
        return {
          price: {
            currencyCode: req.currencyCode || 'EUR',
            amountMinor: quoteFor(req.items.length).toString(),
          },
        };
      },
      createShipment: unimplemented,
      cancelShipment: unimplemented,
      getShipment: unimplemented,
      releaseShipment: unimplemented,
    },
    { logger, domain: errorDomain('shipping'), verifier, access: { quoteShipping: 'service' } },
  );
  const payments = implement(
    PaymentServiceService,
    {
      vaultPaymentMethod: async (req, ctx) => {
        fake.vaultCalls.push({ ...seen(ctx), request: req });
        const key = `${req.customerId}/${req.vaultRequestId}`;
        const id = methods.get(key) ?? `pm_${randomUUID()}`;
        methods.set(key, id);
        fake.vaulted.set(id, req.paymentToken);
        const expire = Math.floor(Date.now() / 1000) + 3600;
        return { paymentMethodId: id, expireTime: { seconds: String(expire), nanos: 0 } };
      },
      authorizePayment: unimplemented,
      capturePayment: unimplemented,
      voidAuthorization: unimplemented,
      refundPayment: unimplemented,
      getPayment: unimplemented,
    },
    {
      logger,
      domain: errorDomain('payments'),
      verifier,
      access: { vaultPaymentMethod: 'service' },
    },
  );
  const paymentsServer = await startTestServer(
    createGrpcServer({
      logger,
      reflection: false,
      services: [
        {
          name: 'shop.payments.v1.PaymentService',
          definition: PaymentServiceService,
          implementation: payments,
        },
      ],
    }),
  );
  const catalogServer = await startTestServer(
    createGrpcServer({
      logger,
      reflection: false,
      services: [
        {
          name: 'shop.catalog.v1.CatalogService',
          definition: CatalogServiceService,
          implementation: catalog,
        },
      ],
    }),
  );
  const shippingServer = await startTestServer(
    createGrpcServer({
      logger,
      reflection: false,
      services: [
        {
          name: 'shop.shipping.v1.ShippingService',
          definition: ShippingServiceService,
          implementation: shipping,
        },
      ],
    }),
  );
  return Object.assign(fake, {
    catalogAddr: catalogServer.address,
    shippingAddr: shippingServer.address,
    paymentsAddr: paymentsServer.address,
    stop: async () => {
      await Promise.all([catalogServer.stop(), shippingServer.stop(), paymentsServer.stop()]);
    },
  });
}
