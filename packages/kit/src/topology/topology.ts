/**
 * The platform's topology (helm/meshcart/files/topology.yaml): each workload's ports, read once.
 * Defaults everywhere come from here - a service's GRPC_PORT, every client's *_ADDR, each
 * process's METRICS_PORT, the local stack's ports - so a port is written down in one place.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { locateChartFile } from '../config/chart-file';

export interface WorkloadPorts {
  grpc?: number;
  http?: number;
  metrics?: number;
}

export interface Topology {
  workloads: Readonly<Record<string, WorkloadPorts>>;
  servers: Readonly<Record<string, { port: number; ui?: number }>>;
}

export function parseTopology(text: string): Topology {
  const doc = parseYaml(text) as Partial<Topology> | null;
  return { workloads: doc?.workloads ?? {}, servers: doc?.servers ?? {} };
}

let cached: Topology | undefined;

/** The project's topology (MESHCART_TOPOLOGY_FILE, else found from cwd), read once. */
export function loadTopology(): Topology {
  cached ??= parseTopology(
    readFileSync(locateChartFile('topology.yaml', 'MESHCART_TOPOLOGY_FILE'), 'utf8'),
  );
  return cached;
}

/** A workload's port of `kind`; throws for a workload or port the topology does not have. */
export function localPort(workload: string, kind: keyof WorkloadPorts = 'grpc'): number {
  const port = loadTopology().workloads[workload]?.[kind];
  if (typeof port !== 'number')
    throw new Error(`topology.yaml has no ${kind} port for workload ${workload}`);
  return port;
}

/** Where a workload listens on this machine: `127.0.0.1:<grpc port>` (the local default). */
export function localAddress(workload: string): string {
  return `127.0.0.1:${localPort(workload)}`;
}
