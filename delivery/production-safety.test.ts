/**
 * The chart is safe by default: production values name no payment provider, so rendering them
 * fails until one is given; the simulated provider (approves test tokens for any amount) renders
 * only with the explicit allowSimulatedPayments opt-in, which production values never set; and
 * production turns server reflection off. The payments process refuses `simulated` without
 * ALLOW_SIMULATED_PAYMENTS too (services/payments/test/process.test.ts).
 */
import path from 'node:path';
import { CHART, render, runHelm, NAMESPACE, type K8sObject } from './lib/render';

const PRODUCTION = ['-f', path.join(CHART, 'values-production.yaml')];

/** helm's error text for a render that must fail. */
function renderError(args: string[]): string {
  try {
    runHelm(['template', 'meshcart', CHART, '--namespace', NAMESPACE, ...args]);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`rendering with ${args.join(' ')} succeeded; it must fail`);
}

const envOf = (objects: K8sObject[], workload: string): Record<string, string> =>
  objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === `${workload}-env`)?.data ?? {};

test('production values without a payment provider do not render, and say why', () => {
  expect(renderError(PRODUCTION)).toMatch(/payments\.provider is required/);
});

test('production values with the simulated provider do not render without the explicit opt-in', () => {
  expect(renderError([...PRODUCTION, '--set', 'payments.provider=simulated'])).toMatch(
    /payments\.provider is simulated .*allowSimulatedPayments: true/,
  );
});

test('with a real provider production renders it, never allows simulated payments, and serves no reflection', () => {
  const objects = render([...PRODUCTION, '--set', 'payments.provider=stripe']);
  expect(envOf(objects, 'payments')).toMatchObject({
    PAYMENT_PROVIDER: 'stripe',
    ALLOW_SIMULATED_PAYMENTS: 'false',
  });
  for (const svc of ['users', 'catalog', 'inventory', 'payments', 'shipping', 'orders'])
    expect([svc, envOf(objects, svc).GRPC_REFLECTION]).toEqual([svc, 'false']);
});

test('with Istio on, every gRPC server also checks the mesh identity against the call graph', () => {
  const meshed = render([...PRODUCTION, '--set', 'payments.provider=stripe']);
  const plain = render([]);
  for (const svc of ['users', 'catalog', 'inventory', 'payments', 'shipping', 'orders']) {
    expect([svc, envOf(meshed, svc).MESH_PEER_IDENTITY]).toEqual([svc, 'xfcc']);
    expect([svc, envOf(plain, svc).MESH_PEER_IDENTITY]).toEqual([svc, 'none']);
  }
});

test('the dev defaults run the simulated provider with the opt-in, and reflection on', () => {
  const objects = render([]);
  expect(envOf(objects, 'payments')).toMatchObject({
    PAYMENT_PROVIDER: 'simulated',
    ALLOW_SIMULATED_PAYMENTS: 'true',
    GRPC_REFLECTION: 'true',
  });
});
