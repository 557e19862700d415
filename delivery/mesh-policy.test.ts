/**
 * Istio policy checks on the rendered chart (istio on): mTLS everywhere, circuit breakers,
 * retries only on retry-safe outcomes within a budget, and AuthorizationPolicies that allow
 * exactly the caller/method pairs of files/call-graph.yaml, nothing more, nothing less.
 */
import { byKind, callGraph, render, CHART, NAMESPACE, type K8sObject } from './lib/render';
import path from 'node:path';

const GRPC_SERVICES = ['users', 'catalog', 'inventory', 'payments', 'shipping', 'orders'];
/** Outcomes safe to retry given idempotency keys; never deadline-exceeded, reset, 5xx, gateway-error. */
const SAFE_GRPC_RETRY_ON = new Set([
  'connect-failure',
  'refused-stream',
  'unavailable',
  'cancelled',
]);
/** The ingress -> edge HTTP hop: only failures where the request never reached the edge. */
const SAFE_HTTP_RETRY_ON = new Set(['connect-failure', 'refused-stream']);
const HEALTH_PATHS = ['/grpc.health.v1.Health/Check', '/grpc.health.v1.Health/Watch'];
const INGRESS = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
const fqdn = (svc: string) => `${svc}.${NAMESPACE}.svc.cluster.local`;

const SCENARIOS: Record<string, string[]> = {
  'default+istio': ['--set', 'istio.enabled=true'],
  // A production install names its real payment provider; without one the chart refuses to
  // render (delivery/production-safety.test.ts).
  production: [
    '-f',
    path.join(CHART, 'values-production.yaml'),
    '--set',
    'payments.provider=stripe',
  ],
};

describe.each(Object.keys(SCENARIOS))('mesh policy: %s', (scenario) => {
  let objs: K8sObject[];
  beforeAll(() => {
    objs = render(SCENARIOS[scenario]!);
  }, 600_000);
  const one = (kind: string, name: string) =>
    byKind(objs, kind).find((o) => o.metadata.name === name);
  const podLabels = (workload: string) =>
    one('Deployment', workload)!.spec.template.metadata.labels;

  it('enforces STRICT mTLS namespace-wide and ISTIO_MUTUAL towards every Service', () => {
    const pa = byKind(objs, 'PeerAuthentication');
    expect(pa).toHaveLength(1);
    expect(pa[0]!.spec).toEqual({ mtls: { mode: 'STRICT' } }); // no selector: whole namespace
    for (const svc of byKind(objs, 'Service')) {
      const dr = byKind(objs, 'DestinationRule').find(
        (d) => d.spec.host === fqdn(svc.metadata.name),
      );
      expect(dr?.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
    }
  });

  it('gives every Service a circuit breaker (connection pool + outlier detection)', () => {
    for (const svc of byKind(objs, 'Service')) {
      const tp = byKind(objs, 'DestinationRule').find(
        (d) => d.spec.host === fqdn(svc.metadata.name),
      )!.spec.trafficPolicy;
      expect(Object.keys(tp.outlierDetection).sort()).toEqual(
        [
          'baseEjectionTime',
          'consecutive5xxErrors',
          'consecutiveGatewayErrors',
          'interval',
          'maxEjectionPercent',
        ].sort(),
      );
      expect(tp.connectionPool.tcp.maxConnections).toBeGreaterThan(0);
      expect(tp.connectionPool.http.http2MaxRequests).toBeGreaterThan(0);
      expect(tp.connectionPool.http.maxRetries).toBeGreaterThan(0); // cluster-wide retry fuse
    }
  });

  it('retries gRPC calls only on retry-safe codes, with timeouts and a small budget', () => {
    for (const svc of GRPC_SERVICES) {
      const vs = one('VirtualService', svc)!;
      expect(vs.spec.hosts).toEqual([fqdn(svc)]);
      const routes: K8sObject[] = vs.spec.http;
      expect(routes[routes.length - 1]!.match).toBeUndefined(); // a catch-all route exists
      for (const r of routes) {
        expect(r.route).toEqual([
          {
            destination: {
              host: fqdn(svc),
              port: { number: one('Service', svc)!.spec.ports[0].port },
            },
          },
        ]);
        expect(r.timeout).toMatch(/^\d+(ms|s)$/);
        expect(r.retries.perTryTimeout).toMatch(/^\d+(ms|s)$/);
        const codes: string[] = r.retries.retryOn.split(',');
        expect(codes.filter((c) => !SAFE_GRPC_RETRY_ON.has(c))).toEqual([]);
        const fromWorker = r.match?.some(
          (m: K8sObject) => m.sourceLabels?.['app.kubernetes.io/name'] === 'saga-worker',
        );
        // Temporal retries activities itself: the mesh adds at most one retry on saga paths.
        expect(r.retries.attempts).toBeLessThanOrEqual(fromWorker ? 1 : 2);
      }
    }
  });

  it('gives saga-worker its own retry route on every service it calls, matching its pod labels', () => {
    const workerCallees = new Set(
      callGraph()
        .filter((e) => e.caller === 'saga-worker')
        .map((e) => e.callee),
    );
    for (const svc of GRPC_SERVICES) {
      const workerRoute = one('VirtualService', svc)!.spec.http.find(
        (r: K8sObject) => r.name === 'from-saga-worker',
      );
      expect(Boolean(workerRoute)).toBe(workerCallees.has(svc));
      if (workerRoute)
        expect(podLabels('saga-worker')).toMatchObject(workerRoute.match[0].sourceLabels);
    }
  });

  it('denies by default in the namespace', () => {
    const denyAll = one('AuthorizationPolicy', 'deny-all')!;
    expect(denyAll.spec).toEqual({});
  });

  it('allows exactly the (caller, callee, method) triples of files/call-graph.yaml', () => {
    const allowed: string[] = [];
    for (const ap of byKind(objs, 'AuthorizationPolicy')) {
      if (ap.metadata.name === 'deny-all' || ap.metadata.name === 'allow-edge') continue;
      // Stripe's webhooks: the one public, non-call-graph rule (pinned in its own test below).
      if (ap.metadata.name === 'allow-payments-stripe-webhooks') continue;
      expect(ap.spec.action).toBe('ALLOW');
      const callee = ap.spec.selector.matchLabels['app.kubernetes.io/name'];
      expect(podLabels(callee)).toMatchObject(ap.spec.selector.matchLabels); // selects a real workload
      for (const rule of ap.spec.rules) {
        const paths: string[] = rule.to.flatMap((t: K8sObject) => t.operation.paths);
        expect(rule.to.every((t: K8sObject) => !t.operation.methods && !t.operation.ports)).toBe(
          true,
        );
        if (!rule.from) {
          expect(paths.sort()).toEqual(HEALTH_PATHS); // the only source-less rule: probes
          continue;
        }
        for (const src of rule.from) {
          expect(Object.keys(src.source)).toEqual(['principals']);
          for (const p of src.source.principals) {
            const m = /^cluster\.local\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
            expect(m?.[1]).toBe(NAMESPACE);
            for (const path of paths) allowed.push(`${m![2]} -> ${callee} ${path}`);
          }
        }
      }
    }
    const expected = callGraph().map((e) => `${e.caller} -> ${e.callee} ${e.path}`);
    expect(allowed.sort()).toEqual(expected.sort());
    expect(new Set(allowed).size).toBe(allowed.length);
  });

  it('names only principals whose ServiceAccount is rendered (or the ingress gateway)', () => {
    const sas = new Set(
      byKind(objs, 'ServiceAccount').map(
        (s) => `cluster.local/ns/${NAMESPACE}/sa/${s.metadata.name}`,
      ),
    );
    const principals = byKind(objs, 'AuthorizationPolicy').flatMap((ap) =>
      (ap.spec.rules ?? []).flatMap((r: K8sObject) =>
        (r.from ?? []).flatMap((f: K8sObject) => f.source.principals ?? []),
      ),
    );
    expect(principals.length).toBeGreaterThan(0);
    expect(principals.filter((p: string) => !sas.has(p) && p !== INGRESS)).toEqual([]);
  });

  it('lets only the ingress gateway reach the edge, with a JWT required on /v1/orders*', () => {
    const ap = one('AuthorizationPolicy', 'allow-edge')!;
    expect(ap.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('edge');
    const sources = ap.spec.rules.flatMap((r: K8sObject) => r.from.map((f: K8sObject) => f.source));
    expect(
      sources.every((s: K8sObject) => JSON.stringify(s.principals) === JSON.stringify([INGRESS])),
    ).toBe(true);
    for (const rule of ap.spec.rules) {
      const paths: string[] = rule.to.flatMap((t: K8sObject) => t.operation.paths ?? []);
      const needsToken = rule.from.every((f: K8sObject) =>
        (f.source.requestPrincipals ?? []).includes('*'),
      );
      expect(paths.some((p) => p.startsWith('/v1/orders'))).toBe(needsToken);
    }
    const open = ap.spec.rules
      .filter((r: K8sObject) => !r.from[0].source.requestPrincipals)
      .flatMap((r: K8sObject) => r.to.flatMap((t: K8sObject) => t.operation.paths ?? []));
    expect(open).toEqual(
      expect.arrayContaining([
        '/v1/users',
        '/v1/sessions',
        '/v1/products',
        '/v1/products/*',
        '/v1/stock/*',
        '/openapi.json',
        '/.well-known/jwks.json',
      ]),
    );
    // Health endpoints are for the kubelet (through the sidecar's probe rewrite), not the world.
    const everyPath = ap.spec.rules.flatMap((r: K8sObject) =>
      r.to.flatMap((t: K8sObject) => t.operation.paths ?? []),
    );
    expect(everyPath).not.toContain('/healthz');
    expect(everyPath).not.toContain('/readyz');

    const ra = byKind(objs, 'RequestAuthentication');
    expect(ra).toHaveLength(1);
    expect(ra[0]!.spec.selector.matchLabels).toEqual(ap.spec.selector.matchLabels);
    const rule = ra[0]!.spec.jwtRules[0];
    expect(rule.issuer).toBeTruthy();
    expect(Boolean(rule.jwks) !== Boolean(rule.jwksUri)).toBe(true);
    expect(rule.forwardOriginalToken).toBe(true); // the services verify the token again
  });

  it('routes the public host through the Gateway to edge:8080', () => {
    const gw = byKind(objs, 'Gateway')[0]!;
    const vs = one('VirtualService', 'edge-public')!;
    expect(vs.spec.gateways).toEqual([gw.metadata.name]);
    expect(vs.spec.hosts).toEqual(gw.spec.servers[0].hosts);
    const edgeRoute = vs.spec.http.find((r: K8sObject) => r.name === 'edge');
    expect(edgeRoute.route[0].destination).toEqual({
      host: fqdn('edge'),
      port: { number: 8080 },
    });
    expect(
      edgeRoute.retries.retryOn.split(',').filter((c: string) => !SAFE_HTTP_RETRY_ON.has(c)),
    ).toEqual([]);
    // Everything else goes to the edge: the only other route is Stripe's webhook (provider stripe).
    const others = vs.spec.http.filter((r: K8sObject) => r.name !== 'edge');
    expect(others.map((r: K8sObject) => r.name)).toEqual(
      scenario === 'production' ? ['stripe-webhooks'] : [],
    );
  });

  it('routes Stripe webhooks (provider stripe) to payments only: ingress, POST, one path, one port, no retries', () => {
    const ap = one('AuthorizationPolicy', 'allow-payments-stripe-webhooks');
    const vs = one('VirtualService', 'edge-public')!;
    const route = vs.spec.http.find((r: K8sObject) => r.name === 'stripe-webhooks');
    if (scenario !== 'production') {
      expect(ap).toBeUndefined();
      expect(route).toBeUndefined();
      return;
    }
    expect(ap!.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('payments');
    expect(ap!.spec.rules).toEqual([
      {
        from: [{ source: { principals: [INGRESS] } }],
        to: [{ operation: { ports: ['50084'], methods: ['POST'], paths: ['/webhooks/stripe'] } }],
      },
    ]);
    expect(route.match).toEqual([
      { uri: { exact: '/webhooks/stripe' }, method: { exact: 'POST' } },
    ]);
    expect(route.route).toEqual([
      { destination: { host: fqdn('payments'), port: { number: 50084 } } },
    ]);
    expect(route.retries).toEqual({ attempts: 0 });
  });

  it('limits egress to the namespace, istio-system and the declared dependencies', () => {
    const sidecars = byKind(objs, 'Sidecar');
    expect(sidecars).toHaveLength(1);
    expect(sidecars[0]!.spec.outboundTrafficPolicy.mode).toBe('REGISTRY_ONLY');
    const hosts: string[] = sidecars[0]!.spec.egress[0].hosts;
    expect(hosts).toEqual(expect.arrayContaining(['./*', 'istio-system/*']));
    const common = one('ConfigMap', 'meshcart-common')!.data;
    const temporal = one('ConfigMap', 'orders-env')!.data.TEMPORAL_ADDRESS.split(':')[0];
    const otel = new URL(common.OTEL_EXPORTER_OTLP_ENDPOINT).hostname;
    for (const host of [temporal, otel])
      expect(hosts.some((h) => h.endsWith(`/${host}`))).toBe(true);
    const entries = byKind(objs, 'ServiceEntry');
    for (const h of hosts.filter((x) => x.startsWith('./') && x !== './*')) {
      expect(
        entries.some(
          (e) => e.spec.hosts.includes(h.slice(2)) && e.spec.location === 'MESH_EXTERNAL',
        ),
      ).toBe(true);
    }
    if (scenario === 'production')
      expect(entries.map((e) => e.spec.hosts[0])).toContain('mysql-prod.db.example.com');
  });

  it('samples traces in the sidecars at the same rate as the SDKs', () => {
    const tel = byKind(objs, 'Telemetry');
    expect(tel).toHaveLength(1);
    const ratio = Number(one('ConfigMap', 'meshcart-common')!.data.OTEL_TRACES_SAMPLER_ARG);
    expect(tel[0]!.spec.tracing[0].randomSamplingPercentage).toBeCloseTo(ratio * 100, 6);
  });

  it('keeps the app waiting for its proxy and the proxy alive while the app drains', () => {
    for (const d of byKind(objs, 'Deployment')) {
      const meta = d.spec.template.metadata;
      const cfg = JSON.parse(meta.annotations['proxy.istio.io/config']);
      expect(cfg.holdApplicationUntilProxyStarts).toBe(true);
      expect(parseInt(cfg.terminationDrainDuration, 10)).toBeLessThan(
        d.spec.template.spec.terminationGracePeriodSeconds,
      );
      expect(meta.labels['sidecar.istio.io/inject']).toBe('true');
    }
  });
});
