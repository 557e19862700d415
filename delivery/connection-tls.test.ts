/**
 * Production values secure both control-plane connections (issue 14): every workload with a
 * database and every migration Job verifies MySQL's certificate against the CA mounted from the
 * meshcart-db-ca Secret; orders and the saga worker reach Temporal over mTLS. The dev defaults
 * stay plaintext (the local stack). What the env does: services/catalog/test/database-tls.test.ts,
 * saga/test/tls/temporal-tls.test.ts.
 */
import path from 'node:path';
import { CHART, render, type K8sObject } from './lib/render';

const PRODUCTION = [
  '-f',
  path.join(CHART, 'values-production.yaml'),
  '--set',
  'payments.provider=stripe',
];

interface Container {
  name: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<Record<string, unknown> & { name: string }>;
}
const podOf = (o: K8sObject): PodSpec =>
  (o as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const mountOf = (c: Container, name: string) =>
  c.volumeMounts?.find((m) => m.name === name)?.mountPath;
const volumeOf = (p: PodSpec, name: string) => p.volumes?.find((v) => v.name === name);
const hasDatabase = (p: PodSpec) =>
  (p.containers[0]!.env ?? []).some((e) => e.name === 'DATABASE_URL');

const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');

test('production: every DB workload and migration Job mounts the CA and verifies the server', () => {
  const objects = workloads(render(PRODUCTION));
  const withDb = objects.filter((o) => hasDatabase(podOf(o)));
  const names = withDb.map((o) => `${o.kind}/${o.metadata!.name}`).sort();
  console.log(`[tls] database TLS in ${names.length} workloads: ${names.join(', ')}`);
  for (const svc of ['users', 'catalog', 'inventory', 'payments', 'shipping', 'orders']) {
    expect(names).toContain(`Deployment/${svc}`);
    expect(names).toContain(`Job/migrate-${svc}`);
  }
  for (const o of withDb) {
    const pod = podOf(o);
    const c = pod.containers[0]!;
    expect([o.metadata!.name, envOf(c)]).toEqual([
      o.metadata!.name,
      expect.objectContaining({
        DATABASE_TLS_MODE: 'verify-full',
        DATABASE_TLS_CA_FILE: '/etc/meshcart-tls/db/ca.pem',
      }),
    ]);
    expect(mountOf(c, 'db-tls')).toBe('/etc/meshcart-tls/db');
    expect(volumeOf(pod, 'db-tls')).toMatchObject({
      secret: { secretName: 'meshcart-db-ca', items: [{ key: 'ca.pem', path: 'ca.pem' }] },
    });
  }
  // Workloads without a database get none of it.
  const edge = objects.find((o) => o.metadata!.name === 'edge' || o.metadata!.name === 'gateway');
  if (edge) expect(envOf(podOf(edge).containers[0]!)).not.toHaveProperty('DATABASE_TLS_CA_FILE');
});

test('production: orders and the saga worker connect to Temporal over mTLS', () => {
  const objects = workloads(render(PRODUCTION));
  for (const name of ['orders', 'saga-worker']) {
    const o = objects.find((x) => x.kind === 'Deployment' && x.metadata!.name === name)!;
    const pod = podOf(o);
    const c = pod.containers[0]!;
    expect(envOf(c)).toMatchObject({
      TEMPORAL_TLS_MODE: 'verify-full',
      TEMPORAL_TLS_CA_FILE: '/etc/meshcart-tls/temporal-ca/ca.pem',
      TEMPORAL_TLS_CERT_FILE: '/etc/meshcart-tls/temporal-client/tls.crt',
      TEMPORAL_TLS_KEY_FILE: '/etc/meshcart-tls/temporal-client/tls.key',
      TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend.temporal.svc.cluster.local',
    });
    expect(mountOf(c, 'temporal-ca')).toBe('/etc/meshcart-tls/temporal-ca');
    expect(mountOf(c, 'temporal-client')).toBe('/etc/meshcart-tls/temporal-client');
    expect(volumeOf(pod, 'temporal-client')).toMatchObject({
      secret: { secretName: `meshcart-temporal-${name}` },
    });
  }
  const others = objects.filter(
    (o) => o.kind === 'Deployment' && !['orders', 'saga-worker'].includes(o.metadata!.name!),
  );
  for (const o of others)
    expect(envOf(podOf(o).containers[0]!)).not.toHaveProperty('TEMPORAL_TLS_MODE');
});

test('production: saga payloads are encrypted with keys from a Secret, in orders and the worker only', () => {
  const objects = workloads(render(PRODUCTION)).filter((o) => o.kind === 'Deployment');
  for (const o of objects) {
    const env = podOf(o).containers[0]!.env ?? [];
    const keys = env.find((e: { name: string }) => e.name === 'TEMPORAL_PAYLOAD_KEYS');
    if (['orders', 'saga-worker'].includes(o.metadata!.name!))
      expect(keys).toEqual({
        name: 'TEMPORAL_PAYLOAD_KEYS',
        valueFrom: {
          secretKeyRef: { name: 'meshcart-temporal-payload-keys', key: 'payload-keys.json' },
        },
      });
    else expect([o.metadata!.name, keys]).toEqual([o.metadata!.name, undefined]);
  }
});

test('an API key comes from its Secret, and never without TLS', () => {
  const objects = workloads(
    render([...PRODUCTION, '--set', 'temporal.apiKey.secretName=meshcart-temporal-api-key']),
  );
  const orders = objects.find((o) => o.kind === 'Deployment' && o.metadata!.name === 'orders')!;
  expect(podOf(orders).containers[0]!.env).toContainEqual({
    name: 'TEMPORAL_API_KEY',
    valueFrom: { secretKeyRef: { name: 'meshcart-temporal-api-key', key: 'api-key' } },
  });
  expect(() =>
    render([
      '--set',
      'temporal.apiKey.secretName=k',
      '--set',
      'payments.provider=simulated',
      '--set',
      'payments.allowSimulatedPayments=true',
    ]),
  ).toThrow(/API key is never sent in plaintext/);
});

test('dev defaults: plaintext to the local MariaDB and Temporal', () => {
  for (const o of workloads(render([]))) {
    const env = envOf(podOf(o).containers[0]!);
    expect(env).not.toHaveProperty('DATABASE_TLS_MODE');
    expect(env).not.toHaveProperty('TEMPORAL_TLS_MODE');
  }
});
