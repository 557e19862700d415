/**
 * The generator cannot rot: in a throwaway copy of the tree it makes a service that calls
 * users.UserService/GetUser, then the copy type-checks and lints, buf lint passes, the new
 * service's own tests pass against the real MariaDB (behaviour, database faults, the real
 * process with health), the layout, delivery and duplicates checks still pass with it, and the
 * rendered chart has its workload and the mesh policy that allows exactly its declared call.
 * Bad input is refused before anything is written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseCallGraph } from '@meshcart/kit';
import { newService, parseArgs } from './new-service';
import { nextPorts } from './register';
import { copyWorkTree } from './temp-tree';

const ROOT = path.resolve(__dirname, '../..');
/** A name no team would pick, so the test also runs in a tree that has generated services. */
const NAME = 'probe';
/** The ports the generator will pick: the next free ones of the topology as it is. */
const ports = nextPorts(readFileSync(path.join(ROOT, 'helm/meshcart/files/topology.yaml'), 'utf8'));
let tree: string;
const logs: string[] = [];

beforeAll(() => {
  tree = copyWorkTree(ROOT);
  newService({
    name: NAME,
    calls: ['users.UserService/GetUser'],
    root: tree,
    codegen: true,
    log: (l) => logs.push(l),
  });
}, 240_000);

afterAll(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

/** Runs a command in the copy; fails the test with its output when it fails. */
function inTree(cmd: string, args: string[], timeout = 600_000): string {
  const r = spawnSync('bash', ['scripts/run.sh', cmd, ...args], {
    cwd: tree,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, CI: 'true' },
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

test('it writes the contract, the service in the one layout, and links the workspace', () => {
  for (const f of [
    'proto/shop/probe/v1/probe.proto',
    'gen/ts/shop/probe/v1/probe.ts',
    'gen/go/shop/probe/v1/probe.pb.go',
    'services/probe/src/main.ts',
    'services/probe/src/downstream/users.client.ts',
    'services/probe/test/downstream.users.test.ts',
    'services/probe/src/store/generated/prisma/client.ts',
    'services/probe/prisma/migrations/20270101000000_init/migration.sql',
    'node_modules/@meshcart/probe/package.json',
  ])
    expect([f, existsSync(path.join(tree, f))]).toEqual([f, true]);
  const lock = JSON.parse(readFileSync(path.join(tree, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  expect(lock.packages['services/probe']).toEqual({
    name: '@meshcart/probe',
    version: '0.0.0',
  });
  expect(readFileSync(path.join(tree, 'helm/meshcart/files/topology.yaml'), 'utf8')).toContain(
    `  probe: { grpc: ${ports.grpc}, metrics: ${ports.metrics} }`,
  );
  expect(
    readFileSync(path.join(tree, 'services/probe/src/main.ts'), 'utf8').split('\n').length,
  ).toBeLessThanOrEqual(26);
  // It calls users, so it signs its own service token: the call graph lists it as a caller (the
  // local stack gives it the dev key for that), and the Tiltfile and the chart mount a key.
  const graph = parseCallGraph(
    readFileSync(path.join(tree, 'helm/meshcart/files/call-graph.yaml'), 'utf8'),
  );
  expect([...(graph.allowed.get('probe') ?? [])]).toEqual(['shop.users.v1.UserService/GetUser']);
  expect(readFileSync(path.join(tree, 'Tiltfile'), 'utf8')).toMatch(
    /^SIGNS_TOKENS = \[.*'probe'\]$/m,
  );
  expect(readFileSync(path.join(tree, 'helm/meshcart/values.yaml'), 'utf8')).toContain(
    `\n  probe:\n    kind: grpc\n    grpcPort: ${ports.grpc}\n    signingKey: { secretName: meshcart-jwt-probe, secretKey: private-key.pem }\n`,
  );
});

test('the copy type-checks, lints and passes buf lint', () => {
  inTree('tsc', ['--noEmit', '-p', 'tsconfig.json']);
  inTree('eslint', ['--max-warnings=0', 'services/probe', 'scripts/new-service']);
  inTree('prettier', ['--check', '--log-level', 'warn', 'services/probe', 'proto', 'delivery']);
  inTree('buf', ['lint']);
}, 300_000);

test('its tests, the layout, delivery and duplicates checks pass with it', () => {
  const out = inTree('jest', [
    '--ci',
    'services/probe',
    'services/layout.test.ts',
    'delivery/chart.test.ts',
    'delivery/mesh-policy.test.ts',
    'delivery/topology.test.ts',
    'delivery/tiltfile.test.ts',
    'scripts/duplicates',
  ]);
  expect(out).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  expect(out).toContain('services/probe/test/process.test.ts');
  expect(out).toContain('services/probe/test/downstream.users.test.ts');
}, 600_000);

test('the rendered chart runs it and lets it call exactly users.UserService/GetUser', () => {
  const yaml = execFileSync(
    path.join(tree, '.tools/bin/helm'),
    [
      'template',
      'meshcart',
      'helm/meshcart',
      '--namespace',
      'meshcart',
      '--set',
      'istio.enabled=true',
    ],
    { cwd: tree, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const docs = yaml.split(/^---$/m);
  const deployment = docs.find((d) => /^kind: Deployment$/m.test(d) && /^  name: probe$/m.test(d));
  expect(deployment).toContain(`containerPort: ${ports.grpc}`);
  const usersPolicy = docs.find(
    (d) => /^kind: AuthorizationPolicy$/m.test(d) && /^  name: allow-users$/m.test(d),
  );
  // The rule for probe's identity lists GetUser and nothing else.
  const rule = /sa\/probe"\]\n([\s\S]*?)\n    - /.exec(usersPolicy ?? '')?.[1] ?? '';
  expect(rule.match(/"\/shop\.[^"]+"/g)).toEqual(['"/shop.users.v1.UserService/GetUser"']);
  // And probe's own policy lets the operators' tools read records.
  const own = docs.find(
    (d) => /^kind: AuthorizationPolicy$/m.test(d) && /^  name: allow-probe$/m.test(d),
  );
  expect(own).toContain('/shop.probe.v1.ProbeService/GetRecord');
});

test('bad names and calls are refused before anything is written', () => {
  const tryIt =
    (name: string, calls: string[] = []) =>
    () =>
      newService({ name, calls, root: tree, codegen: false, log: () => undefined });
  expect(tryIt('Bad-Name')).toThrow(/2-20 lowercase letters/);
  expect(tryIt('edge')).toThrow(/not edge/);
  expect(tryIt('probe')).toThrow(/exists already/);
  expect(tryIt('points', ['users.UserService/NoSuch'])).toThrow(/has no method NoSuch/);
  expect(tryIt('points', ['nowhere.X/Y'])).toThrow(/no contract/);
  expect(existsSync(path.join(tree, 'services/points'))).toBe(false);
  expect(() => parseArgs(['a', 'b'])).toThrow(/usage/);
});

test('a second service can follow the first: every registration anchor survives', () => {
  newService({
    name: 'probetwo',
    calls: ['catalog.CatalogService/GetProduct'],
    root: tree,
    codegen: false,
    log: () => undefined,
  });
  const topology = readFileSync(path.join(tree, 'helm/meshcart/files/topology.yaml'), 'utf8');
  expect(topology).toContain(
    `  probetwo: { grpc: ${ports.grpc + 1}, metrics: ${ports.metrics + 1} }`,
  );
  expect(readFileSync(path.join(tree, 'Tiltfile'), 'utf8')).toContain(
    "'services/probe/prisma/migrations', 'services/probetwo/prisma/migrations']",
  );
  const squeeze = (f: string) => readFileSync(path.join(tree, f), 'utf8').replace(/\s+/g, '');
  // Both call others, so both sign their own service token with their own key Secret.
  const values = readFileSync(path.join(tree, 'helm/meshcart/values.yaml'), 'utf8');
  for (const n of ['probe', 'probetwo']) expect(values).toContain(`meshcart-jwt-${n}`);
  expect(squeeze('delivery/mesh-policy.test.ts')).toMatch(/'probe','probetwo',?\]/);
  expect(squeeze('scripts/local-stack/ports.ts')).toMatch(/'probe','probetwo',?\]asconst/);
  expect(readFileSync(path.join(tree, 'Dockerfile'), 'utf8')).toContain(
    '|probe|probetwo|saga-worker',
  );
  // The chart, the mesh policy and the Tiltfile still hold with both.
  const out = inTree('jest', [
    '--ci',
    'delivery/chart.test.ts',
    'delivery/mesh-policy.test.ts',
    'delivery/tiltfile.test.ts',
    'delivery/topology.test.ts',
    'scripts/duplicates',
  ]);
  expect(out).toMatch(/Tests:\s+\d+ passed, \d+ total/);
}, 300_000);
