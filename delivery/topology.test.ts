/**
 * One topology (helm/meshcart/files/topology.yaml): every other place that names a port either
 * reads it (the kit, the local stack) or is checked against it here - the chart's values, the
 * Tiltfile's mirror, and the edge's built-in defaults (gateway/internal/edge/config.go).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadTopology, localPort } from '@meshcart/kit/topology';
import { DEFAULT_PORTS, portsFromEnv, SERVICES } from '../scripts/local-stack/ports';
import { ROOT } from './lib/render';

const topo = loadTopology();
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

test('every workload of the chart has the container port the topology gives it', () => {
  const values = parseYaml(read('helm/meshcart/values.yaml')) as {
    workloads: Record<string, { grpcPort?: number; httpPort?: number }>;
  };
  expect(Object.keys(values.workloads).sort()).toEqual(Object.keys(topo.workloads).sort());
  for (const [name, w] of Object.entries(values.workloads)) {
    if (w.grpcPort !== undefined) expect([name, w.grpcPort]).toEqual([name, localPort(name)]);
    if (w.httpPort !== undefined)
      expect([name, w.httpPort]).toEqual([name, localPort(name, 'http')]);
  }
});

test("the Tiltfile's port mirror equals the topology", () => {
  const tilt = read('Tiltfile');
  const dict = (name: string) => {
    const m = new RegExp(`^${name} = (\\{.*\\})$`, 'm').exec(tilt);
    return JSON.parse(m![1]!.replace(/'/g, '"')) as Record<string, number>;
  };
  const scalar = (name: string) => Number(new RegExp(`^${name} = (\\d+)$`, 'm').exec(tilt)![1]);
  expect(dict('GRPC_PORT')).toEqual(Object.fromEntries(SERVICES.map((s) => [s, localPort(s)])));
  expect(dict('METRICS_PORT')).toEqual(
    Object.fromEntries(Object.keys(topo.workloads).map((w) => [w, localPort(w, 'metrics')])),
  );
  expect(scalar('WORKER_HEALTH_PORT')).toBe(localPort('saga-worker'));
  expect(scalar('EDGE_PORT')).toBe(localPort('edge', 'http'));
  expect(scalar('MYSQL_PORT')).toBe(topo.servers.mariadb!.port);
  expect(scalar('TEMPORAL_PORT')).toBe(topo.servers.temporal!.port);
  expect(scalar('TEMPORAL_UI_PORT')).toBe(topo.servers.temporal!.ui);
});

test("the edge's default backend addresses and listen address come from the topology", () => {
  const go = read('gateway/internal/edge/config.go');
  const addrs = Object.fromEntries(
    [...go.matchAll(/envSpec\{"(\w+)_ADDR", "([^"]+)"\}/g)].map((m) => [m[1]!.toLowerCase(), m[2]]),
  );
  expect(Object.keys(addrs).length).toBeGreaterThanOrEqual(4);
  for (const [svc, addr] of Object.entries(addrs)) expect(addr).toBe(`127.0.0.1:${localPort(svc)}`);
  expect(/defaultHTTPAddr\s*=\s*"([^"]+)"/.exec(go)![1]).toBe(
    `127.0.0.1:${localPort('edge', 'http')}`,
  );
});

test('the local stack takes every default port from the topology', () => {
  const ports = portsFromEnv({});
  expect(DEFAULT_PORTS).toEqual(Object.fromEntries(SERVICES.map((s) => [s, localPort(s)])));
  expect(ports.services).toEqual(DEFAULT_PORTS);
  expect(ports.workerHealth).toBe(localPort('saga-worker'));
  expect(ports.edge).toBe(localPort('edge', 'http'));
  expect(ports.mysql).toBe(topo.servers.mariadb!.port);
  expect(ports.temporal).toBe(topo.servers.temporal!.port);
  expect(ports.metrics!.worker).toBe(localPort('saga-worker', 'metrics'));
});
