/**
 * The worker process as Kubernetes runs it: config errors fail fast, an unreachable Temporal is
 * waited for (NOT_SERVING, no crash loop), a connected worker reports SERVING on its health
 * port, logs JSON, and drains and exits 0 on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth } from '@meshcart/kit';
import {
  createTestAuth,
  freePort,
  REPO_ROOT,
  spawnTs,
  temporalAddress,
  type TestAuth,
} from '@meshcart/kit/testkit';
import { bundleSagaWorkflows } from '../src/worker/saga-worker';
import { quietBundlerLogger } from './support/saga-env';

const ENTRY = 'saga/src/worker/main.ts';
jest.setTimeout(120_000);

let auth: TestAuth;
let bundlePath: string;
beforeAll(async () => {
  auth = await createTestAuth();
  const { code } = await bundleSagaWorkflows(quietBundlerLogger);
  bundlePath = path.join(mkdtempSync(path.join(tmpdir(), 'saga-worker-')), 'workflows.js');
  writeFileSync(bundlePath, code);
});

const jsonLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('missing configuration: exit 2 naming each variable, no secret echoed', async () => {
  const res = await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY)],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', JWT_PRIVATE_KEY: 'hunter2', SAGA_AUTH_VALIDITY: 'soon' },
    },
  ).then(
    () => ({ code: 0, out: '' }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );
  expect(res.code).toBe(2);
  for (const name of [
    'JWT_ISSUER',
    'JWT_AUDIENCE',
    'JWT_PUBLIC_KEYS',
    'JWT_PRIVATE_KEY',
    'SAGA_AUTH_VALIDITY',
  ])
    expect(res.out).toContain(name);
  expect(res.out).not.toContain('hunter2');
});

test('Temporal unreachable: keeps retrying with backoff, NOT_SERVING, SIGTERM exits 0', async () => {
  const health = await freePort();
  const proc = await spawnTs({
    name: 'saga-worker',
    entry: ENTRY,
    env: {
      ...auth.env,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      WORKER_HEALTH_PORT: String(health),
      GRPC_HOST: '127.0.0.1',
    },
    readyLine: /Temporal not reachable yet/,
    timeoutMs: 60_000,
  });
  try {
    // A generous deadline: on a loaded 2-core machine the first call's connect alone can take 1 s.
    expect(await checkHealth(`127.0.0.1:${health}`, '', 10_000)).toBe('NOT_SERVING');
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
  const retry = jsonLines(proc.output()).find(
    (l) => l.msg === 'Temporal not reachable yet; retrying',
  );
  expect(retry).toMatchObject({
    level: 'warn',
    service: 'saga-worker',
    attempt: 1,
    retryInMs: 1000,
  });
});

test('connected: SERVING on the health port, JSON logs, graceful SIGTERM exits 0', async () => {
  const port = await freePort();
  const proc = await spawnTs({
    name: 'saga-worker',
    entry: ENTRY,
    port, // GRPC_PORT (as the Helm chart sets it); spawnTs waits for SERVING
    env: {
      ...auth.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: `saga-proc-${port}`,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      // No orphan-reconcile schedule left firing on the shared Temporal after the test.
      ORPHAN_RECONCILE_INTERVAL: 'off',
      // The shared dev server may predate the saga's search attributes: register, not refuse.
      SAGA_SEARCH_ATTRIBUTES: 'create',
    },
    timeoutMs: 90_000,
  });
  expect(await checkHealth(proc.address, '', 10_000)).toBe('SERVING');
  expect(await proc.kill('SIGTERM')).toBe(0);
  const lines = jsonLines(proc.output());
  expect(lines.find((l) => l.msg === 'saga worker polling')).toMatchObject({
    taskQueue: `saga-proc-${port}`,
    namespace: 'default',
  });
  expect(lines.some((l) => l.msg === 'saga worker stopped')).toBe(true);
  expect(proc.output()).not.toContain('BEGIN PRIVATE KEY');
});
