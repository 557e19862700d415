/**
 * Identity faults are ridden out, not turned into outcomes: the real saga worker (real
 * activities, typed clients, its own signed service token) against real gRPC servers built with
 * the kit's `implement` (token verification and server-side call graph as in every service),
 * whose trust is out of step for a while - the worker's new key not yet rolled out (UNAUTHENTICATED
 * TOKEN_INVALID), a call-graph policy missing a method (PERMISSION_DENIED METHOD_NOT_IN_CALL_GRAPH).
 * The forward steps and the compensations keep retrying with the reason visible on the pending
 * activity, and complete once the configuration is fixed. Real Temporal dev server.
 */
import { status } from '@grpc/grpc-js';
import type { WorkflowHandle } from '@temporalio/client';
import {
  createGrpcServer,
  DomainError,
  implement,
  loadCallGraph,
  silentLogger,
  type CallGraph,
  type TokenVerifier,
} from '@meshcart/kit';
import { createTestAuth, startTestServer, type TestAuth } from '@meshcart/kit/testkit';
import {
  CommitReservationResponse,
  ReleaseReservationResponse,
  ReservationServiceService,
  ReservationStatus,
  ReserveStockResponse,
  ReturnReservationResponse,
} from '@meshcart/proto/shop/inventory/v1/inventory';
import {
  OrderSagaServiceService,
  RecordOrderProgressResponse,
} from '@meshcart/proto/shop/orders/v1/orders';
import {
  AuthorizePaymentResponse,
  CapturePaymentResponse,
  PaymentServiceService,
  PaymentStatus,
  RefundPaymentResponse,
  VoidAuthorizationResponse,
} from '@meshcart/proto/shop/payments/v1/payments';
import {
  CancelShipmentResponse,
  CreateShipmentResponse,
  ReleaseShipmentResponse,
  ShipmentStatus,
  ShippingServiceService,
} from '@meshcart/proto/shop/shipping/v1/shipping';
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { orderWorkflowId, sagaStateQuery, type SagaState } from '../src/contract';
import type { OrderSaga } from '../src/workflow';
import { createSagaClients, createSagaWorker } from '../src/worker/saga-worker';
import { FAST, createSagaEnv, sagaInput, type SagaEnv } from './support/saga-env';
import { eventually } from './support/mock-activities';

jest.setTimeout(180_000);

type Svc = 'inventory' | 'payments' | 'shipping' | 'orders';

/** What one fake service trusts right now; the test changes it while sagas run. */
interface Trust {
  /** Key sets its verifier accepts (the worker signs with `next`). */
  keys: TestAuth[];
  /** Methods missing from its copy of the call graph ("policy out of step"). */
  notInGraph: Set<string>;
}

/** Four fake services on one real gRPC server, each with its own (changeable) trust. */
async function startFakeServices(previous: TestAuth) {
  const trust = {} as Record<Svc, Trust>;
  const calls: string[] = [];
  const graph = loadCallGraph();
  const optionsOf = (svc: Svc) => {
    trust[svc] = { keys: [previous], notInGraph: new Set() };
    const verifier: TokenVerifier = {
      async verify(token) {
        let last: unknown;
        for (const k of trust[svc].keys) {
          try {
            return await k.verifier.verify(token);
          } catch (err) {
            last = err;
          }
        }
        throw last;
      },
    };
    const callGraph: CallGraph = {
      allowed: graph.allowed,
      allows: (caller, method) =>
        !trust[svc].notInGraph.has(method.split('/').pop()!) && graph.allows(caller, method),
    };
    return {
      logger: silentLogger(),
      domain: `${svc}.meshcart`,
      verifier,
      callGraph,
      access: {}, // every method: authenticated (the saga's methods are service-only in the services)
    };
  };
  /** Handlers that log the call and answer `ok`, except the ones given. */
  const handlers = (svc: Svc, answers: Record<string, (req: unknown) => unknown>): never =>
    Object.fromEntries(
      Object.entries(answers).map(([name, answer]) => [
        name,
        async (req: unknown) => {
          calls.push(`${svc}.${name}`);
          return answer(req);
        },
      ]),
    ) as never;

  /** Set by a test: createShipment refuses the address (a business outcome, never retried). */
  const behaviour = { destinationNotServed: false };
  const reservation = (s: ReservationStatus) => ({ reservation: { status: s } });
  const payment = (s: PaymentStatus) => ({ payment: { status: s } });
  const shipment = (s: ShipmentStatus) => ({ shipment: { status: s } });
  const server = createGrpcServer({
    logger: silentLogger(),
    reflection: false,
    services: [
      {
        name: 'shop.inventory.v1.ReservationService',
        definition: ReservationServiceService,
        implementation: implement(
          ReservationServiceService,
          handlers('inventory', {
            reserveStock: () =>
              ReserveStockResponse.fromPartial(
                reservation(ReservationStatus.RESERVATION_STATUS_ACTIVE),
              ),
            releaseReservation: () =>
              ReleaseReservationResponse.fromPartial(
                reservation(ReservationStatus.RESERVATION_STATUS_RELEASED),
              ),
            commitReservation: () =>
              CommitReservationResponse.fromPartial(
                reservation(ReservationStatus.RESERVATION_STATUS_COMMITTED),
              ),
            returnReservation: () =>
              ReturnReservationResponse.fromPartial(
                reservation(ReservationStatus.RESERVATION_STATUS_RETURNED),
              ),
          }),
          optionsOf('inventory'),
        ),
      },
      {
        name: 'shop.payments.v1.PaymentService',
        definition: PaymentServiceService,
        implementation: implement(
          PaymentServiceService,
          handlers('payments', {
            authorizePayment: () =>
              AuthorizePaymentResponse.fromPartial(
                payment(PaymentStatus.PAYMENT_STATUS_AUTHORIZED),
              ),
            capturePayment: () =>
              CapturePaymentResponse.fromPartial(payment(PaymentStatus.PAYMENT_STATUS_CAPTURED)),
            voidAuthorization: () =>
              VoidAuthorizationResponse.fromPartial(payment(PaymentStatus.PAYMENT_STATUS_VOIDED)),
            refundPayment: () =>
              RefundPaymentResponse.fromPartial(payment(PaymentStatus.PAYMENT_STATUS_REFUNDED)),
          }),
          optionsOf('payments'),
        ),
      },
      {
        name: 'shop.shipping.v1.ShippingService',
        definition: ShippingServiceService,
        implementation: implement(
          ShippingServiceService,
          handlers('shipping', {
            createShipment: () => {
              if (behaviour.destinationNotServed)
                throw new DomainError(status.FAILED_PRECONDITION, {
                  reason: 'DESTINATION_NOT_SERVED',
                });
              return CreateShipmentResponse.fromPartial(
                shipment(ShipmentStatus.SHIPMENT_STATUS_CREATED),
              );
            },
            cancelShipment: () =>
              CancelShipmentResponse.fromPartial(
                shipment(ShipmentStatus.SHIPMENT_STATUS_CANCELLED),
              ),
            releaseShipment: () =>
              ReleaseShipmentResponse.fromPartial(shipment(ShipmentStatus.SHIPMENT_STATUS_CREATED)),
          }),
          optionsOf('shipping'),
        ),
      },
      {
        name: 'shop.orders.v1.OrderSagaService',
        definition: OrderSagaServiceService,
        implementation: implement(
          OrderSagaServiceService,
          handlers('orders', {
            recordOrderProgress: () => RecordOrderProgressResponse.fromPartial({ applied: true }),
          }),
          optionsOf('orders'),
        ),
      },
    ],
  });
  const started = await startTestServer(server);
  return { ...started, trust, calls, behaviour };
}

let env: SagaEnv;
let previous: TestAuth;
let next: TestAuth;
let fakes: Awaited<ReturnType<typeof startFakeServices>>;
let taskQueue: string;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  [env, previous, next] = await Promise.all([
    createSagaEnv(),
    createTestAuth('key-previous'),
    createTestAuth('key-next'),
  ]);
  fakes = await startFakeServices(previous);
  // The worker already signs with the next key: rotated before the verifiers were (wrong order).
  const deps = await createSagaClients({
    inventoryAddr: fakes.address,
    paymentsAddr: fakes.address,
    shippingAddr: fakes.address,
    ordersAddr: fakes.address,
    jwtIssuer: next.env.JWT_ISSUER!,
    jwtAudience: next.env.JWT_AUDIENCE!,
    jwtPrivateKey: next.privateKeyPem,
    jwtKeyId: next.env.JWT_KEY_ID!,
    rpcTimeoutMs: 4_000,
  });
  taskQueue = `saga-identity-${randomUUID()}`;
  const worker: Worker = await createSagaWorker({
    connection: env.connection,
    namespace: 'default',
    taskQueue,
    deps,
    settings: {},
    source: { workflowBundle: env.bundle },
    shutdownGraceMs: 2_000,
  });
  const running = worker.run();
  stopWorker = async () => {
    worker.shutdown();
    await running;
    deps.close();
  };
}, 120_000);

afterAll(async () => {
  await stopWorker?.();
  await fakes?.stop();
  await env?.close();
});

const trustNextKey = (...svcs: Svc[]) => {
  for (const s of svcs) fakes.trust[s].keys = [previous, next];
};
const distrustNextKey = (...svcs: Svc[]) => {
  for (const s of svcs) fakes.trust[s].keys = [previous];
};

/** The pending activity of that type, once it has failed at least `attempts - 1` times. */
async function pendingRetry(
  handle: WorkflowHandle<typeof OrderSaga>,
  activity: string,
  attempts = 3,
): Promise<{ attempt: number; type: string | null | undefined }> {
  let found: { attempt: number; type: string | null | undefined } | undefined;
  await eventually(async () => {
    const d = await handle.describe();
    const p = d.raw.pendingActivities?.find((a) => a.activityType?.name === activity);
    if (!p || (p.attempt ?? 0) < attempts) return false;
    found = { attempt: p.attempt!, type: p.lastFailure?.applicationFailureInfo?.type };
    return true;
  }, 30_000);
  return found!;
}

const start = () => {
  const input = sagaInput();
  return env.client.workflow.start<typeof OrderSaga>('OrderSaga', {
    taskQueue,
    workflowId: orderWorkflowId(input.orderId),
    args: [input, FAST],
  });
};

test('forward steps retry TOKEN_INVALID and a call-graph refusal until fixed, then CONFIRMED', async () => {
  fakes.calls.length = 0;
  trustNextKey('orders', 'shipping'); // rolled out to some services only
  distrustNextKey('inventory', 'payments');
  fakes.trust.payments.notInGraph.add('CapturePayment'); // a policy missing a method
  const handle = await start();

  const reserve = await pendingRetry(handle, 'reserveStock');
  expect(reserve.type).toBe('TOKEN_INVALID');
  expect((await handle.query(sagaStateQuery)).status).toBe('PENDING');
  trustNextKey('inventory', 'payments'); // the key reaches the rest

  const capture = await pendingRetry(handle, 'capturePayment');
  expect(capture.type).toBe('METHOD_NOT_IN_CALL_GRAPH');
  fakes.trust.payments.notInGraph.clear(); // the policy is fixed

  const result: SagaState = await handle.result();
  expect(result).toMatchObject({ status: 'CONFIRMED', failedCompensations: [] });
  expect(result.cancellationReason).toBeUndefined();
  expect(fakes.calls.filter((c) => !c.startsWith('orders.'))).toEqual([
    'inventory.reserveStock',
    'payments.authorizePayment',
    'shipping.createShipment',
    'payments.capturePayment',
    'shipping.releaseShipment',
    'inventory.commitReservation',
  ]);
});

test('compensations ride out identity faults: a void refused by policy, a release with an untrusted key, then CANCELLED with the business reason', async () => {
  fakes.calls.length = 0;
  trustNextKey('inventory', 'payments', 'shipping', 'orders');
  fakes.behaviour.destinationNotServed = true;
  fakes.trust.payments.notInGraph.add('VoidAuthorization');
  const handle = await start();
  // Before the compensations run, inventory falls back to the old key set (e.g. a pod restarted
  // with stale config): the release must wait for it, not give up.
  await eventually(() => fakes.calls.includes('shipping.createShipment'));
  distrustNextKey('inventory');

  const voiding = await pendingRetry(handle, 'voidPayment');
  expect(voiding.type).toBe('METHOD_NOT_IN_CALL_GRAPH');
  expect((await handle.query(sagaStateQuery)).step).toBe('COMPENSATING');
  fakes.trust.payments.notInGraph.clear();

  const release = await pendingRetry(handle, 'releaseReservation');
  expect(release.type).toBe('TOKEN_INVALID');
  trustNextKey('inventory');

  const result: SagaState = await handle.result();
  expect(result).toMatchObject({
    status: 'CANCELLED',
    cancellationReason: 'DESTINATION_NOT_SERVED',
    failedCompensations: [],
    paymentStatus: 'PAYMENT_STATUS_VOIDED',
    shipmentStatus: 'SHIPMENT_STATUS_CANCELLED',
  });
  expect(fakes.calls.filter((c) => !c.startsWith('orders.'))).toEqual([
    'inventory.reserveStock',
    'payments.authorizePayment',
    'shipping.createShipment',
    'shipping.cancelShipment',
    'payments.voidAuthorization',
    'inventory.releaseReservation',
  ]);
  fakes.behaviour.destinationNotServed = false;
});

test('progress records to orders wait for the key too (local activity, no limit)', async () => {
  fakes.calls.length = 0;
  trustNextKey('inventory', 'payments', 'shipping');
  distrustNextKey('orders');
  const handle = await start();
  // Nothing moves while orders refuses the worker's token: the first record is retried.
  await new Promise((r) => setTimeout(r, 2_500));
  expect(fakes.calls).toEqual([]);
  trustNextKey('orders');
  const result: SagaState = await handle.result();
  expect(result.status).toBe('CONFIRMED');
  expect(fakes.calls.filter((c) => c === 'orders.recordOrderProgress').length).toBeGreaterThan(5);
});
