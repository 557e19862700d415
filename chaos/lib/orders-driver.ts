/**
 * Drives one round's orders through the edge: a mix of payment tokens (approve, decline, flaky)
 * over a few users and skus, at most `concurrency` in flight, each polled until it leaves
 * PENDING or its deadline passes. Records what every order did, for the invariant checks.
 */
import type { Random } from './random';
import { sleep } from './random';
import type { ShopClient } from './shop-client';
import { DEMO_ADDRESS as ADDRESS } from '../../scripts/local-stack/demo-data';

export const PAYMENT_MIX = ['tok_visa', 'tok_visa', 'tok_visa', 'tok_decline', 'tok_flaky'];

export interface OrderRecord {
  requestId: string;
  user: number;
  paymentToken: string;
  items: { sku: string; quantity: number }[];
  /** Set once PlaceOrder answered with an order. */
  id?: string;
  status?: string;
  reason?: string;
  /** Why the order could not be placed or followed (the last error). */
  error?: string;
  placedMs?: number;
  /** Acceptance to terminal status. */
  settledMs?: number;
}

export interface DriveOptions {
  shop: ShopClient;
  rng: Random;
  tokens: string[];
  skus: string[];
  count: number;
  concurrency: number;
  requestIdPrefix: string;
  /** From acceptance to a terminal status. */
  orderTimeoutMs: number;
  /** How long placing one order may be retried (Temporal or MariaDB may be restarting). */
  placeTimeoutMs: number;
  /** Aborted when the round has already failed (a process died): stop following orders. */
  signal: AbortSignal;
}

/** Plans every order first (so the dice do not depend on timing), then runs them. */
export function planOrders(o: DriveOptions): OrderRecord[] {
  return Array.from({ length: o.count }, (_, i) => {
    const skus = o.rng.shuffle(o.skus).slice(0, o.rng.int(1, 2));
    return {
      requestId: `${o.requestIdPrefix}-${i}`,
      user: o.rng.int(0, o.tokens.length - 1),
      paymentToken: o.rng.pick(PAYMENT_MIX),
      items: skus.map((sku) => ({ sku, quantity: o.rng.int(1, 3) })),
    };
  });
}

export async function driveOrders(o: DriveOptions, plan: OrderRecord[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < plan.length && !o.signal.aborted) {
      const order = plan[next++]!;
      await runOne(o, order);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, plan.length) }, lane));
}

async function runOne(o: DriveOptions, order: OrderRecord): Promise<void> {
  const token = o.tokens[order.user]!;
  const started = Date.now();
  try {
    const placed = await o.shop.placeOrder(
      token,
      {
        requestId: order.requestId,
        items: order.items,
        shippingAddress: ADDRESS,
        paymentToken: order.paymentToken,
      },
      started + o.placeTimeoutMs,
    );
    order.id = placed.id;
    order.status = placed.status;
    order.placedMs = Date.now() - started;
  } catch (e) {
    order.error = `place: ${(e as Error).message}`;
    return;
  }
  const accepted = Date.now();
  const deadline = accepted + o.orderTimeoutMs;
  while (order.status === 'ORDER_STATUS_PENDING') {
    if (Date.now() > deadline) {
      order.error = `still PENDING ${o.orderTimeoutMs / 1000}s after acceptance`;
      return;
    }
    try {
      await sleep(750, o.signal);
    } catch {
      order.error = 'round aborted';
      return;
    }
    try {
      const now = await o.shop.getOrder(token, order.id, deadline);
      order.status = now.status;
      order.reason = now.cancellationReason;
    } catch (e) {
      order.error = `poll: ${(e as Error).message}`;
      return;
    }
  }
  order.settledMs = Date.now() - accepted;
}
