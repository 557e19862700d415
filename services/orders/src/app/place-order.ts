import { randomUUID } from 'node:crypto';
import { type CallContext, ErrorReason, errors } from '@meshcart/kit';
import { tagOrderId } from '@meshcart/saga/correlation';
import { requestFingerprint } from '../domain/fingerprint';
import type { Order } from '../domain/order';
import { DEFAULT_ORDER_CAPS, openOrderLimitReached, type OrderCaps } from '../domain/order-caps';
import { validatePlaceOrder, type PlaceOrderCommand } from '../domain/place-order.validation';
import { orderTotals, priceItems } from '../domain/pricing';
import { sagaInputOf, type SagaGateway } from '../saga/saga-gateway';
import { lockedCallDeadline, type OrdersStore, type StoredRequest } from '../store/orders.store';
import type { CatalogPort, PaymentVaultPort, ShippingPort } from './ports';

export interface PlaceOrderDeps {
  store: OrdersStore;
  catalog: CatalogPort;
  shipping: ShippingPort;
  vault: PaymentVaultPort;
  saga: SagaGateway;
  /** Abuse caps (config: MAX_OPEN_ORDERS_PER_USER, MAX_UNITS_PER_LINE); defaults when omitted. */
  caps?: OrderCaps;
  newId?: () => string;
  now?: () => Date;
}

/**
 * Validates, prices from the catalog, adds the shipping quote, hands the card token to the
 * payments vault, stores the order PENDING with the payment method id (never the token) and
 * starts its saga with that id. Idempotent per (user, request id): a repeat returns the stored
 * order and (re)starts its saga with the stored payment method id, which covers a crash between
 * the insert and the start; the vault is idempotent on (user, request id) too, so a repeat after
 * a crash before the insert gets the same payment method.
 *
 * Caps: a line over MAX_UNITS_PER_LINE is INVALID_ARGUMENT on its quantity; a user at
 * MAX_OPEN_ORDERS_PER_USER open orders is refused RESOURCE_EXHAUSTED before any downstream call
 * (cheap for abusers) and again, authoritatively, under the user's lock at the insert. A repeat
 * of an existing order is answered before either check: the cap never refuses a retry.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  userId: string,
  cmd: PlaceOrderCommand,
  ctx: CallContext,
): Promise<Order> {
  const caps = deps.caps ?? DEFAULT_ORDER_CAPS;
  const req = validatePlaceOrder(cmd, caps);
  const fingerprint = requestFingerprint(req);
  const existing = await deps.store.findByRequest(userId, req.requestId);
  if (existing) return resume(deps, existing, fingerprint, ctx);
  if ((await deps.store.countOpen(userId)) >= caps.maxOpenOrdersPerUser) {
    ctx.logger.info({ limit: caps.maxOpenOrdersPerUser }, 'open-order cap reached');
    throw openOrderLimitReached(caps.maxOpenOrdersPerUser);
  }

  const products = await deps.catalog.getProducts(
    req.items.map((i) => i.sku),
    ctx,
  );
  const priced = priceItems(req.items, products);
  const quote = await deps.shipping.quote(
    { address: req.shippingAddress, items: req.items, currencyCode: priced.currencyCode },
    ctx,
  );
  // Not served: accept anyway with shipping 0; the saga's CreateShipment fails and it cancels
  // the order (DESTINATION_NOT_SERVED) after voiding the authorization.
  const totals = orderTotals(
    priced,
    quote.served ? quote.price : { currencyCode: priced.currencyCode, amountMinor: 0n },
  );
  // Last before the insert: a request that fails pricing vaults nothing.
  const { paymentMethodId, expireTime } = await deps.vault.vault(
    { customerId: userId, vaultRequestId: req.requestId, paymentToken: req.paymentToken },
    ctx,
  );
  const now = (deps.now ?? (() => new Date()))();
  const stored = await deps.store.insert(
    {
      id: (deps.newId ?? randomUUID)(),
      userId,
      requestId: req.requestId,
      status: 'PENDING',
      cancellationReason: '',
      paymentStatus: null,
      shipmentStatus: null,
      step: '',
      statusDetail: '',
      currencyCode: priced.currencyCode,
      items: priced.lines,
      ...totals,
      shippingAddress: req.shippingAddress,
      createTime: now,
      updateTime: now,
      fingerprint,
      paymentMethodId,
      paymentMethodExpireTime: expireTime ?? null,
    },
    { maxOpen: caps.maxOpenOrdersPerUser },
  );
  if (!stored.created) return resume(deps, stored, fingerprint, ctx);
  ctx.logger.info(
    { order_id: stored.order.id, served: quote.served, lines: priced.lines.length },
    'order placed',
  );
  await startSaga(deps, stored.order, paymentMethodId, ctx);
  return stored.order;
}

/** Starts (or re-finds) the saga; a failure leaves the order PENDING and the client's repeat retries. */
async function startSaga(
  deps: PlaceOrderDeps,
  order: Order,
  paymentMethodId: string,
  ctx: CallContext,
  deadline: Date = ctx.deadline,
) {
  tagOrderId(order.id); // the PlaceOrder span gets the order id the request could not carry
  try {
    await deps.saga.start(sagaInputOf(order, paymentMethodId), { deadline });
  } catch (err) {
    ctx.logger.warn(
      { err, order_id: order.id },
      'saga start failed: order stays PENDING until repeated',
    );
    throw err;
  }
}

async function resume(
  deps: PlaceOrderDeps,
  stored: StoredRequest,
  fingerprint: string,
  ctx: CallContext,
): Promise<Order> {
  if (stored.fingerprint !== fingerprint) {
    throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
      message: 'request_id was already used for a different order',
      metadata: { requestId: stored.order.requestId },
    });
  }
  // Only a PENDING order can be missing its saga; later states prove the saga ran.
  if (stored.order.status === 'PENDING') {
    ctx.logger.debug({ order_id: stored.order.id }, 'repeated PlaceOrder: ensuring the saga runs');
    if (!stored.paymentMethodId) {
      // Orders placed before vaulting (their token column is gone): the saga must have started.
      throw errors.failedPrecondition(ErrorReason.ERROR_REASON_PAYMENT_METHOD_NOT_FOUND, {
        message: 'this order has no payment method to start its saga with; place a new order',
        metadata: { orderId: stored.order.id },
      });
    }
    // Under the order's lock: the orphan reconciler may be deciding about it right now (and
    // may have cancelled it); whoever comes second sees the other's outcome.
    const paymentMethodId = stored.paymentMethodId;
    const started = await deps.store.withPendingOrder(
      stored.order.id,
      { skipLocked: false },
      async ({ order }) => {
        await startSaga(deps, order, paymentMethodId, ctx, lockedCallDeadline(ctx.deadline));
        return order;
      },
    );
    return started ?? deps.store.get(stored.order.id);
  }
  return stored.order;
}
