/**
 * The two saga drivers the load generator runs:
 * - real: PlaceOrder over gRPC as a customer (a token signed with the stack's dev key, role
 *   customer), CONFIRMED detected by polling the orders database for the pending ids (primary
 *   key lookups every `pollMs`) and timestamped with the row's update_time, which the orders
 *   service sets when it applies the CONFIRMED progress record;
 * - noop: the no-op saga started directly with the Temporal client, CONFIRMED reported by the
 *   no-op worker on its stdout (wall-clock ms when its recordOrderProgress(CONFIRMED) ran).
 */
import { createClient, type TokenSigner } from '@meshcart/kit';
import { OrderServiceService } from '@meshcart/proto/shop/orders/v1/orders';
import { Client, Connection } from '@temporalio/client';
import type { Connection as DbConnection } from 'mariadb';
import { openConnection } from '@meshcart/kit/db';
import { orderWorkflowId, type OrderSagaInput } from '@meshcart/saga/contract';
import { CompletionTracker, type SagaDriver } from './saga-load';
import { DEMO_ADDRESS as ADDRESS } from '../../scripts/local-stack/demo-data';

const CUSTOMERS = 16;

export interface RealDriver extends SagaDriver {
  /** Orders still PENDING in the orders database (any stage). */
  outstanding(): Promise<number>;
  /** Confirmations whose DB timestamp was implausible (then the poll time was used). */
  clockFallbacks(): number;
  close(): Promise<void>;
}

export async function realDriver(opts: {
  run: string;
  ordersAddr: string;
  signer: TokenSigner;
  skus: string[];
  ordersDbUrl: string;
  pollMs?: number;
}): Promise<RealDriver> {
  const tracker = new CompletionTracker();
  const client = createClient(OrderServiceService, opts.ordersAddr, {
    caller: null,
    defaultTimeoutMs: 10_000,
  });
  const tokens = await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const { token } = await opts.signer.sign({
        subject: `bench-customer-${opts.run}-${i}`,
        roles: ['customer'],
        ttlSeconds: 4 * 3600,
      });
      return `Bearer ${token}`;
    }),
  );
  const db: DbConnection = await openConnection(opts.ordersDbUrl);
  await db.query("SET time_zone = '+00:00'");
  let fallbacks = 0;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const ids = tracker.pendingIds();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = (await db.query(
          `SELECT id, status, UNIX_TIMESTAMP(update_time) * 1000 AS t FROM orders
           WHERE id IN (?) AND status <> 'PENDING'`,
          [chunk],
        )) as { id: string; status: string; t: number }[];
        const seen = Date.now();
        for (const r of rows) {
          let at = Math.round(Number(r.t));
          // update_time is written by the orders service in UTC; if it is not plausible
          // (clock or time-zone mismatch), fall back to when the poll saw the row.
          if (!(at <= seen + 5 && at > seen - 60_000)) {
            fallbacks++;
            at = seen;
          }
          tracker.finish(r.id, { status: r.status, at });
        }
      }
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll().catch(() => undefined), opts.pollMs ?? 20);
  return {
    name: 'real',
    tracker,
    clockFallbacks: () => fallbacks,
    outstanding: async () => {
      const rows = (await db.query(
        "SELECT COUNT(*) AS n FROM orders WHERE status = 'PENDING'",
      )) as { n: number }[];
      return Number(rows[0]?.n ?? 0);
    },
    place: async (seq) => {
      const res = await client.placeOrder(
        {
          requestId: `bench-${opts.run}-${seq}`,
          items: [{ sku: opts.skus[seq % opts.skus.length]!, quantity: 1 }],
          shippingAddress: ADDRESS,
          paymentToken: 'tok_visa',
        },
        { metadata: { authorization: tokens[seq % CUSTOMERS]! } },
      );
      const id = res.order?.id;
      if (!id) throw new Error('PlaceOrder returned no order id');
      return id;
    },
    close: async () => {
      clearInterval(timer);
      client.close();
      await db.end().catch(() => db.destroy());
    },
  };
}

export interface NoopDriver extends SagaDriver {
  /** Started no-op sagas not yet reported CONFIRMED (any stage). */
  outstanding(): Promise<number>;
  /** Feed the no-op worker's stdout lines here. */
  onWorkerLine(line: string): void;
  close(): Promise<void>;
}

export async function noopDriver(opts: {
  run: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  workflowType: string;
  skus: string[];
}): Promise<NoopDriver> {
  const tracker = new CompletionTracker();
  const started = new Set<string>();
  const connection = await Connection.connect({ address: opts.temporalAddress });
  const client = new Client({ connection, namespace: opts.namespace });
  return {
    name: 'noop',
    tracker,
    onWorkerLine: (line) => {
      const m = /^CONFIRMED (\S+) (\d+)$/.exec(line);
      if (!m) return;
      started.delete(m[1]!);
      tracker.finish(m[1]!, { status: 'CONFIRMED', at: Number(m[2]) });
    },
    place: async (seq) => {
      const orderId = `bench-noop-${opts.run}-${seq}`;
      const input: OrderSagaInput = {
        orderId,
        userId: `bench-customer-${opts.run}-${seq % CUSTOMERS}`,
        items: [{ sku: opts.skus[seq % opts.skus.length]!, quantity: 1 }],
        total: { currencyCode: 'EUR', amountMinor: '4489' },
        shippingAddress: ADDRESS,
        // The no-op workflow never authorizes: any payment method id will do.
        paymentMethodId: `pm_bench-noop-${opts.run}`,
      };
      started.add(orderId);
      try {
        await client.workflow.start(opts.workflowType, {
          taskQueue: opts.taskQueue,
          workflowId: orderWorkflowId(orderId),
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (e) {
        started.delete(orderId);
        throw e;
      }
      return orderId;
    },
    outstanding: async () => started.size,
    close: async () => {
      await connection.close();
    },
  };
}
