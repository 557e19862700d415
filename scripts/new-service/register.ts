/**
 * Registers a new service everywhere the platform names its services: the topology (ports),
 * the call graph (who may call it, whom it calls), the chart values (workload, database), the
 * Tiltfile, the local stack, the image build, and the delivery tests' expectations. Each edit
 * finds a fixed anchor and fails loudly when the anchor moved (then fix the anchor here).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Call, Names } from './templates';

type Edit = (text: string) => string;

function edit(root: string, file: string, ...edits: Edit[]): void {
  const p = path.join(root, file);
  let text = readFileSync(p, 'utf8');
  for (const e of edits) {
    const next = e(text);
    if (next === text) throw new Error(`new-service: nothing to change in ${file} (anchor moved?)`);
    text = next;
  }
  writeFileSync(p, text);
}

/** Replaces the first match of `re` with `to(match)`; no match leaves the text as it is. */
const at =
  (re: RegExp, to: (m: RegExpExecArray) => string): Edit =>
  (text) => {
    const m = re.exec(text);
    return m ? text.slice(0, m.index) + to(m) + text.slice(m.index + m[0].length) : text;
  };

/**
 * Adds `item` at the end of the list of quoted names that follows `prefix` (one line or
 * several, trailing comma or not); the list is rewritten on one line (prettier re-wraps TS).
 */
const appendToList = (prefix: string, item: string): Edit =>
  at(new RegExp(`(${prefix})([^\\]]*)\\]`), (m) => {
    const items = [...m[2]!.matchAll(/'[^']*'/g)].map((x) => x[0]);
    return `${m[1]}${[...items, item].join(', ')}]`;
  });

/** The next free gRPC and metrics ports of the topology (after the highest service port). */
export function nextPorts(topology: string): { grpc: number; metrics: number } {
  const grpc = [...topology.matchAll(/\{ grpc: (\d+), metrics: (\d+) \}/g)];
  const used = new Set(grpc.map((m) => Number(m[1])));
  let g = Math.max(...grpc.map((m) => Number(m[1])).filter((p) => p < 50060)) + 1;
  while (used.has(g)) g++;
  const metrics = Math.max(...[...topology.matchAll(/metrics: (\d+)/g)].map((m) => Number(m[1])));
  return { grpc: g, metrics: metrics + 1 };
}

export function register(root: string, n: Names, metricsPort: number): void {
  const N = n.name;
  edit(
    root,
    'helm/meshcart/files/topology.yaml',
    at(
      /(\n  orders: \{ grpc: \d+, metrics: \d+ \}\n)((?:  [a-z-]+: \{ grpc: \d+, metrics: \d+ \}\n)*)/,
      (m) => `${m[1]}${m[2]}  ${N}: { grpc: ${n.grpcPort}, metrics: ${metricsPort} }\n`,
    ),
  );
  edit(root, 'helm/meshcart/files/call-graph.yaml', callGraphEdit(n));
  edit(
    root,
    'helm/meshcart/values.yaml',
    at(
      /\n  saga-worker:\n    kind: worker\n/,
      (m) =>
        `\n  ${N}:\n    kind: grpc\n    grpcPort: ${n.grpcPort}\n` +
        (n.calls.length
          ? `    signingKey: { secretName: meshcart-jwt-${N}, secretKey: private-key.pem }\n`
          : '') +
        `    database: { host: mariadb.meshcart-deps.svc.cluster.local, port: 3306, secretName: meshcart-db-${N}, secretKey: url }` +
        m[0],
    ),
  );
  edit(
    root,
    'helm/meshcart/values-production.yaml',
    at(
      /\n  saga-worker:\n/,
      (m) =>
        `\n  ${N}:\n    database: { host: mysql-prod.db.example.com, port: 3306, secretName: meshcart-db-${N}, migrationSecretName: meshcart-db-${N}-migrate, secretKey: url }` +
        m[0],
    ),
  );
  edit(
    root,
    'Tiltfile',
    appendToList('\nSERVICES = \\[', `'${N}'`),
    ...(n.calls.length ? [appendToList('\nSIGNS_TOKENS = \\[', `'${N}'`)] : []),
    at(/(\nGRPC_PORT = \{[^}]*)\}/, (m) => `${m[1]}, '${N}': ${n.grpcPort}}`),
    at(/(\nMETRICS_PORT = \{[^}]*)\}/, (m) => `${m[1]}, '${N}': ${metricsPort}}`),
    at(
      /('services\/[a-z0-9]+\/prisma\/migrations')\]\)/,
      (m) => `${m[1]}, 'services/${N}/prisma/migrations'])`,
    ),
  );
  edit(root, 'scripts/local-stack/ports.ts', appendToList('export const SERVICES = \\[', `'${N}'`));
  edit(root, 'Dockerfile', (t) => t.replace(/\|saga-worker/g, `|${N}|saga-worker`));
  edit(
    root,
    'delivery/chart.test.ts',
    at(/(\n  orders: \d+,\n)/, (m) => `${m[1]}  ${N}: ${n.grpcPort},\n`),
  );
  edit(root, 'delivery/mesh-policy.test.ts', appendToList('const GRPC_SERVICES = \\[', `'${N}'`));
}

/**
 * The call graph: ops may read and write the new service (the admin tools), and the new
 * service may call exactly what --calls names. (Who calls the new service is the next team's
 * edge to add: the caller's entry, under `callers:`.)
 */
function callGraphEdit(n: Names): Edit {
  const byTarget = new Map<string, Call[]>();
  for (const c of n.calls) byTarget.set(c.target, [...(byTarget.get(c.target) ?? []), c]);
  const own = [...byTarget]
    .map(
      ([target, cs]) =>
        `    ${target}:\n${cs.map((c) => `      - shop.${target}.v1.${c.service}/${c.method}\n`).join('')}`,
    )
    .join('');
  return at(
    /\n  # Operator tooling \(seed job, admin CLI\): the admin-role RPCs\.\n  ops:\n/,
    (m) =>
      (own ? `\n  ${n.name}:\n${own.replace(/\n$/, '')}` : '') +
      m[0] +
      `    ${n.name}:\n      - shop.${n.name}.v1.${n.pascal}Service/GetRecord\n`,
  );
}
