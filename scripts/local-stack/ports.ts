import { freePort } from '@meshcart/kit/testkit';
import { defaultMetricsPort } from '@meshcart/kit/telemetry/config';
import { loadTopology, localPort } from '@meshcart/kit/topology';

/**
 * Default local ports: helm/meshcart/files/topology.yaml (the one place a port is written down);
 * each overridable by env (MESHCART_<NAME>_PORT).
 */
export const SERVICES = [
  'users',
  'catalog',
  'inventory',
  'payments',
  'shipping',
  'orders',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = Object.fromEntries(
  SERVICES.map((s) => [s, localPort(s)]),
) as Record<ServiceName, number>;

/** Processes with a Prometheus endpoint (METRICS_PORT), by the name they have in the stack. */
export type MetricsProcess = ServiceName | 'worker' | 'edge';

export const METRICS_PROCESSES: readonly MetricsProcess[] = [...SERVICES, 'worker', 'edge'];

/** Default METRICS_PORT of each process, 9464-9471 (the topology's, docs/observability.md). */
export const DEFAULT_METRICS_PORTS = Object.fromEntries(
  METRICS_PROCESSES.map((p) => [p, defaultMetricsPort(p === 'worker' ? 'saga-worker' : p)]),
) as Record<MetricsProcess, number>;

export interface StackPorts {
  services: Record<ServiceName, number>;
  workerHealth: number;
  edge: number;
  temporal: number;
  temporalUi: number;
  mysql: number;
  /** Prometheus endpoints; a process without one here serves none (METRICS_PORT=0). */
  metrics?: Partial<Record<MetricsProcess, number>>;
}

/** Ports from env (MESHCART_<NAME>_PORT) or the defaults. */
export function portsFromEnv(env: Record<string, string | undefined> = process.env): StackPorts {
  const num = (name: string, dflt: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new Error(`${name} must be a port number (got ${raw})`);
    return n;
  };
  const { servers } = loadTopology();
  const services = Object.fromEntries(
    SERVICES.map((s) => [s, num(`MESHCART_${s.toUpperCase()}_PORT`, DEFAULT_PORTS[s])]),
  ) as Record<ServiceName, number>;
  return {
    services,
    workerHealth: num('MESHCART_WORKER_HEALTH_PORT', localPort('saga-worker')),
    edge: num('MESHCART_EDGE_PORT', localPort('edge', 'http')),
    temporal: num('MESHCART_TEMPORAL_PORT', servers.temporal!.port),
    temporalUi: num('MESHCART_TEMPORAL_UI_PORT', servers.temporal!.ui!),
    mysql: num('MESHCART_MYSQL_PORT', servers.mariadb!.port),
    metrics: Object.fromEntries(
      METRICS_PROCESSES.map((p) => [
        p,
        num(`MESHCART_${p.toUpperCase()}_METRICS_PORT`, DEFAULT_METRICS_PORTS[p]),
      ]),
    ) as Record<MetricsProcess, number>,
  };
}

/**
 * Ports for a stack that runs beside the developer's (e2e tests, the bench, the fault loop):
 * every process of the platform on a free port, MariaDB and Temporal where `servers` says (the
 * shared ones, or private ones), and Prometheus endpoints on free ports only when asked.
 */
export async function freeStackPorts(
  servers: Pick<StackPorts, 'temporal' | 'temporalUi' | 'mysql'>,
  opts: { metrics?: boolean } = {},
): Promise<StackPorts> {
  const services = {} as Record<ServiceName, number>;
  for (const s of SERVICES) services[s] = await freePort();
  let metrics: StackPorts['metrics'];
  if (opts.metrics) {
    metrics = {};
    for (const p of METRICS_PROCESSES) metrics[p] = await freePort();
  }
  return {
    services,
    workerHealth: await freePort(),
    edge: await freePort(),
    temporal: servers.temporal,
    temporalUi: servers.temporalUi,
    mysql: servers.mysql,
    ...(metrics ? { metrics } : {}),
  };
}

/** Every port a local stack listens on, named (port checks, `npm run stop`). */
export function allStackPorts(ports: StackPorts): { name: string; port: number }[] {
  return [
    ...SERVICES.map((s) => ({ name: s, port: ports.services[s] })),
    { name: 'saga worker health', port: ports.workerHealth },
    { name: 'edge', port: ports.edge },
    ...METRICS_PROCESSES.flatMap((p) =>
      ports.metrics?.[p] ? [{ name: `${p} metrics`, port: ports.metrics[p] }] : [],
    ),
    { name: 'MariaDB', port: ports.mysql },
    { name: 'Temporal', port: ports.temporal },
    { name: 'Temporal Web UI', port: ports.temporalUi },
  ];
}
