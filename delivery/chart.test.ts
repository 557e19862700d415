/**
 * The chart renders, lints and validates against the Kubernetes/Istio schemas for every
 * scenario, and every workload meets the delivery rules: non-root, read-only root, resources,
 * secrets only by reference, probes, Services with appProtocol, hooks for migrations.
 */
import {
  byKind,
  callGraph,
  containers,
  render,
  runHelm,
  SCENARIOS,
  validateSchemas,
  CHART,
  type K8sObject,
} from './lib/render';

const GRPC_PORTS: Record<string, number> = {
  users: 50051,
  catalog: 50052,
  inventory: 50053,
  payments: 50054,
  shipping: 50055,
  orders: 50056,
};
const SECRET_NAME = /PASSWORD|SECRET|KEY|TOKEN|DATABASE_URL/i;

const rendered: Record<string, K8sObject[]> = {};
beforeAll(() => {
  for (const [name, args] of Object.entries(SCENARIOS)) rendered[name] = render(args);
}, 600_000); // first run may install helm from the Go module proxy

describe('helm lint', () => {
  it.each(Object.entries(SCENARIOS))('%s values lint cleanly', (_name, args) => {
    const out = runHelm(['lint', CHART, '--strict', ...args]);
    expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(out).not.toMatch(/\[(WARNING|ERROR|INFO)\]/);
  });
});

describe('schema validation (kubernetes-models, @kubernetes-models/istio)', () => {
  it('rejects a broken object (the validator is not a no-op)', () => {
    const [r] = validateSchemas([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: { replicas: 'three' },
      },
    ]);
    expect(r?.errors).toBeTruthy();
  });

  it.each(Object.keys(SCENARIOS))('every object of %s is valid', (name) => {
    const objects = rendered[name]!;
    const results = validateSchemas(objects);
    expect(results).toHaveLength(objects.length);
    expect(results.filter((r) => r.errors)).toEqual([]);
    console.log(`[helm-test] ${name}: ${results.length} objects validated`);
  });

  it('istio objects appear only when istio.enabled', () => {
    expect(rendered.default!.filter((o) => o.apiVersion.includes('istio.io'))).toEqual([]);
    expect(
      rendered['default+istio']!.filter((o) => o.apiVersion.includes('istio.io')).length,
    ).toBeGreaterThan(10);
  });
});

describe.each(Object.keys(SCENARIOS))('workload rules: %s', (name) => {
  const objs = () => rendered[name]!;
  const deployment = (n: string) =>
    byKind(objs(), 'Deployment').find((d) => d.metadata.name === n)!;
  const configMap = (n: string) => byKind(objs(), 'ConfigMap').find((c) => c.metadata.name === n);

  it('deploys the six services, the worker and the edge', () => {
    expect(
      byKind(objs(), 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([...Object.keys(GRPC_PORTS), 'saga-worker', 'edge'].sort());
  });

  it('creates no Secret and inlines no secret-looking value', () => {
    expect(byKind(objs(), 'Secret').filter((s) => s.data || s.stringData)).toEqual([]);
    for (const { owner, c } of containers(objs())) {
      for (const e of c.env ?? []) {
        // *_FILE variables hold the path of a mounted Secret, not its content.
        if (SECRET_NAME.test(e.name) && !e.name.endsWith('_FILE'))
          expect({ owner, name: e.name, value: e.value }).toEqual({
            owner,
            name: e.name,
            value: undefined,
          });
      }
    }
    for (const cm of byKind(objs(), 'ConfigMap')) {
      // JWT_KEYS_POLL is how often key files are re-read, not key material.
      expect(
        Object.keys(cm.data ?? {}).filter(
          // JWT_KEYS_POLL is an interval; PASSWORD_HASH_* size the users hashing gate.
          (k) => SECRET_NAME.test(k) && k !== 'JWT_KEYS_POLL' && !k.startsWith('PASSWORD_HASH_'),
        ),
      ).toEqual([]);
    }
  });

  it('references only ConfigMaps it renders (or the declared external JWKS source)', () => {
    const names = new Set(byKind(objs(), 'ConfigMap').map((c) => c.metadata.name));
    for (const { owner, c, pod } of containers(objs())) {
      const refs = [
        ...(c.envFrom ?? []).map((e: K8sObject) => e.configMapRef?.name),
        ...(c.env ?? []).map((e: K8sObject) => e.valueFrom?.configMapKeyRef?.name),
        ...(pod.volumes ?? []).map((v: K8sObject) => v.configMap?.name),
      ].filter(Boolean);
      for (const ref of refs)
        if (ref !== 'meshcart-jwks')
          expect({ owner, ref, found: names.has(ref) }).toEqual({ owner, ref, found: true });
    }
  });

  it('runs every container non-root, read-only, without privileges, with requests and limits', () => {
    const all = containers(objs());
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const { owner, pod, c } of all) {
      const sc = c.securityContext ?? {};
      const facts = {
        owner,
        runAsNonRoot: sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot,
        uid: sc.runAsUser ?? pod.securityContext?.runAsUser,
        readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
        allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
        drop: sc.capabilities?.drop,
        seccomp: (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type,
        requests: Object.keys(c.resources?.requests ?? {}).sort(),
        limits: Object.keys(c.resources?.limits ?? {}).sort(),
        tmp: (c.volumeMounts ?? []).some((m: K8sObject) => m.mountPath === '/tmp'),
      };
      expect(facts).toEqual({
        owner,
        runAsNonRoot: true,
        uid: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        drop: ['ALL'],
        seccomp: 'RuntimeDefault',
        requests: ['cpu', 'memory'],
        limits: ['cpu', 'memory'],
        tmp: true,
      });
      const tmp = pod.volumes.find(
        (v: K8sObject) =>
          v.name === c.volumeMounts.find((m: K8sObject) => m.mountPath === '/tmp').name,
      );
      expect(tmp.emptyDir).toBeDefined();
    }
  });

  it('gives every pod longer to stop than its process may take (preStop + SHUTDOWN_DEADLINE_MS)', () => {
    for (const d of byKind(objs(), 'Deployment')) {
      const pod = d.spec.template.spec;
      const env = configMap(`${d.metadata.name}-env`)!.data;
      const graceMs = Number(env.SHUTDOWN_GRACE_MS);
      const deadlineMs = Number(env.SHUTDOWN_DEADLINE_MS);
      const preStopS = pod.containers[0].lifecycle?.preStop?.sleep?.seconds ?? 0;
      // The process's own bound covers the grace period and gives up after it...
      expect(graceMs).toBeGreaterThan(0);
      expect(deadlineMs).toBeGreaterThan(graceMs);
      // ...and the kubelet waits strictly longer than preStop + that bound before SIGKILL.
      expect(Number.isInteger(pod.terminationGracePeriodSeconds)).toBe(true);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        deadlineMs + preStopS * 1000,
      );
    }
  });

  it('probes gRPC workloads with grpc health on their port and the edge over HTTP', () => {
    for (const [svc, port] of Object.entries({ ...GRPC_PORTS, 'saga-worker': 50060 })) {
      const c = deployment(svc).spec.template.spec.containers[0];
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
        expect(c[probe].grpc.port).toBe(port);
      const bind =
        svc === 'saga-worker'
          ? { WORKER_HEALTH_PORT: String(port), WORKER_HEALTH_HOST: '0.0.0.0' }
          : { GRPC_PORT: String(port), GRPC_HOST: '0.0.0.0' };
      expect(configMap(`${svc}-env`)!.data).toMatchObject(bind);
    }
    const edge = deployment('edge').spec.template.spec.containers[0];
    expect(edge.livenessProbe.httpGet.path).toBe('/healthz');
    expect(edge.readinessProbe.httpGet.path).toBe('/readyz');
    expect(configMap('edge-env')!.data.EDGE_HTTP_ADDR).toBe('0.0.0.0:8080');
  });

  it('gives every gRPC service its load-shedding and database bounds (defaults.serverLimits)', () => {
    for (const svc of Object.keys(GRPC_PORTS)) {
      const env = configMap(`${svc}-env`)!.data;
      for (const k of [
        'GRPC_MAX_IN_FLIGHT',
        'GRPC_QUEUE_TIMEOUT_MS',
        'DB_STATEMENT_TIMEOUT_MS',
        'DB_ACQUIRE_TIMEOUT_MS',
      ])
        expect(`${svc} ${k}=${env[k]}`).toMatch(new RegExp(`^${svc} ${k}=[1-9][0-9]*$`));
    }
    expect(configMap('edge-env')!.data.GRPC_MAX_IN_FLIGHT).toBeUndefined();
  });

  it('exposes gRPC Services with a grpc port and appProtocol, the edge with http, the worker none', () => {
    const services = byKind(objs(), 'Service');
    for (const [svc, port] of Object.entries(GRPC_PORTS)) {
      const s = services.find((x) => x.metadata.name === svc)!;
      // payments with the stripe provider also takes Stripe's webhooks (routed from the ingress).
      const webhooks =
        svc === 'payments' && name === 'production'
          ? [{ name: 'http-webhooks', appProtocol: 'http', port: 50084, targetPort: 'webhooks' }]
          : [];
      expect(s.spec.ports).toEqual([
        { name: 'grpc', appProtocol: 'grpc', port, targetPort: 'grpc' },
        ...webhooks,
      ]);
      expect(s.spec.selector).toEqual(deployment(svc).spec.selector.matchLabels);
    }
    expect(services.find((x) => x.metadata.name === 'edge')!.spec.ports[0]).toMatchObject({
      name: 'http',
      appProtocol: 'http',
      port: 8080,
    });
    expect(services.find((x) => x.metadata.name === 'saga-worker')).toBeUndefined();
  });

  it('points every *_ADDR at a rendered Service port', () => {
    const common = configMap('meshcart-common')!.data;
    for (const [svc, port] of Object.entries(GRPC_PORTS)) {
      expect(common[`${svc.toUpperCase()}_ADDR`]).toBe(`${svc}.shop.svc.cluster.local:${port}`);
    }
  });

  it('has a ServiceAccount for every workload and every call-graph caller (ops included)', () => {
    const sas = new Set(byKind(objs(), 'ServiceAccount').map((s) => s.metadata.name));
    for (const d of byKind(objs(), 'Deployment')) {
      expect(sas.has(d.spec.template.spec.serviceAccountName)).toBe(true);
      expect(d.spec.template.spec.serviceAccountName).toBe(d.metadata.name);
    }
    for (const { caller } of callGraph()) expect(sas.has(caller)).toBe(true);
  });

  it('reads secrets from existing Secrets: DATABASE_URL per service', () => {
    for (const d of byKind(objs(), 'Deployment')) {
      const env = d.spec.template.spec.containers[0].env ?? [];
      const ref = (n: string) => env.find((e: K8sObject) => e.name === n)?.valueFrom?.secretKeyRef;
      if (d.metadata.name in GRPC_PORTS)
        expect(ref('DATABASE_URL')).toMatchObject({
          name: expect.any(String),
          key: expect.any(String),
        });
    }
  });

  it('keys are files: every workload mounts the JWKS, each signer only its own key Secret', () => {
    const deployments = byKind(objs(), 'Deployment');
    // Who signs: users (customer tokens) and every workload that calls another (its own service
    // token); the edge forwards the caller's token and ops tooling runs outside the chart.
    const signers = new Set([
      'users',
      ...callGraph()
        .map((e) => e.caller)
        .filter((c) => c !== 'edge' && c !== 'ops'),
    ]);
    const secretOf = new Map<string, string>();
    for (const d of deployments) {
      const spec = d.spec.template.spec;
      const c = spec.containers[0];
      const env = new Map<string, K8sObject>((c.env ?? []).map((e: K8sObject) => [e.name, e]));
      // Never inline key material or a fixed kid: both would defeat a rotation without restart.
      for (const n of ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEYS', 'JWT_KEY_ID'])
        expect(env.has(n)).toBe(false);
      const mountOf = (volume: string) =>
        (c.volumeMounts ?? []).find((m: K8sObject) => m.name === volume);
      const jwks = spec.volumes.find((v: K8sObject) => v.name === 'jwks');
      expect(jwks.configMap ?? jwks.secret).toBeDefined();
      expect(env.get('JWT_PUBLIC_KEYS_FILE')?.value).toBe(`${mountOf('jwks').mountPath}/jwks.json`);
      // subPath mounts are never updated by the kubelet.
      for (const m of c.volumeMounts ?? []) expect(m.subPath).toBeUndefined();
      // Signing keys only; the TLS material (CA bundles, Temporal client certs) is not a signing
      // key (delivery/connection-tls.test.ts checks those mounts).
      const TLS_VOLUMES = ['db-tls', 'temporal-ca', 'temporal-client'];
      const secretVolumes = spec.volumes.filter(
        (v: K8sObject) =>
          v.secret && !TLS_VOLUMES.includes(v.name) && v.name !== 'payment-vault-key',
      );
      const signs = signers.has(d.metadata.name);
      expect(secretVolumes.map((v: K8sObject) => v.name)).toEqual(signs ? ['signing-key'] : []);
      if (!signs) {
        expect(env.has('JWT_PRIVATE_KEY_FILE')).toBe(false);
        continue;
      }
      const key = secretVolumes[0];
      expect(env.get('JWT_PRIVATE_KEY_FILE')?.value).toBe(
        `${mountOf('signing-key').mountPath}/private-key.pem`,
      );
      expect(key.secret.items).toEqual([{ key: 'private-key.pem', path: 'private-key.pem' }]);
      secretOf.set(d.metadata.name, key.secret.secretName);
    }
    // One Secret per signer: no two workloads share a key.
    expect(new Set(secretOf.values()).size).toBe(secretOf.size);
    expect(Object.fromEntries(secretOf)).toEqual(
      Object.fromEntries([...signers].map((w) => [w, `meshcart-jwt-${w}`])),
    );
  });

  it('only payments mounts the card-token vault key, as a file from its Secret', () => {
    for (const d of byKind(objs(), 'Deployment')) {
      const spec = d.spec.template.spec;
      const c = spec.containers[0];
      const env = (c.env ?? []).filter((e: K8sObject) => e.name.startsWith('PAYMENT_VAULT_KEY'));
      const volume = spec.volumes.find((v: K8sObject) => v.name === 'payment-vault-key');
      if (d.metadata.name !== 'payments') {
        expect([env, volume]).toEqual([[], undefined]);
        continue;
      }
      const mount = c.volumeMounts.find((m: K8sObject) => m.name === 'payment-vault-key');
      expect(env).toEqual([
        { name: 'PAYMENT_VAULT_KEY_FILE', value: `${mount.mountPath}/vault-key` },
      ]);
      expect(volume.secret).toMatchObject({
        secretName: 'meshcart-payments-vault-key',
        items: [{ key: 'vault-key', path: 'vault-key' }],
      });
    }
  });

  it('has a PodDisruptionBudget per Deployment, and HPAs that target rendered Deployments', () => {
    const deps = byKind(objs(), 'Deployment');
    const pdbs = byKind(objs(), 'PodDisruptionBudget');
    for (const d of deps) {
      expect(pdbs.find((p) => p.metadata.name === d.metadata.name)?.spec.selector).toEqual(
        d.spec.selector,
      );
      expect(d.spec.template.spec.topologySpreadConstraints?.length).toBeGreaterThan(0);
    }
    for (const h of byKind(objs(), 'HorizontalPodAutoscaler')) {
      const d = deps.find((x) => x.metadata.name === h.spec.scaleTargetRef.name);
      expect(d).toBeDefined();
      expect(d!.spec.replicas).toBeUndefined(); // the HPA owns the replica count
    }
    if (name === 'production')
      expect(byKind(objs(), 'HorizontalPodAutoscaler')).toHaveLength(deps.length);
  });

  it('runs one migration hook Job per database with the service image and args ["migrate"]', () => {
    const jobs = byKind(objs(), 'Job');
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(
      Object.keys(GRPC_PORTS)
        .map((s) => `migrate-${s}`)
        .sort(),
    );
    for (const j of jobs) {
      const svc = j.metadata.name.replace(/^migrate-/, '');
      expect(j.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(j.metadata.annotations['helm.sh/hook-delete-policy']).toContain(
        'before-hook-creation',
      );
      const pod = j.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.containers[0].args).toEqual(['migrate']);
      expect(pod.containers[0].image).toBe(deployment(svc).spec.template.spec.containers[0].image);
      expect(
        pod.containers[0].env.find((e: K8sObject) => e.name === 'DATABASE_URL').valueFrom
          .secretKeyRef,
      ).toBeDefined();
      expect(j.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
      // The hook ServiceAccount must exist before the Job (hooks run before release objects).
      const sa = byKind(objs(), 'ServiceAccount').find(
        (s) => s.metadata.name === pod.serviceAccountName,
      )!;
      expect(Number(sa.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
        Number(j.metadata.annotations['helm.sh/hook-weight']),
      );
    }
  });
});

describe('shutdown bounds', () => {
  it('refuses a deadline that does not leave room after the grace period', () => {
    expect(() => render(['--set', 'defaults.shutdownDeadlineMs=10000'])).toThrow(
      /shutdownDeadlineMs/,
    );
  });

  it('refuses SHUTDOWN_* in a workload env (the pod grace period would not follow it)', () => {
    expect(() => render(['--set', 'workloads.users.env.SHUTDOWN_DEADLINE_MS=60000'])).toThrow(
      /SHUTDOWN_DEADLINE_MS/,
    );
  });
});
