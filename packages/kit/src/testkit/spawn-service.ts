import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { checkHealth } from '../client/health-check';

/** Repository root (packages/kit/src/testkit -> ../../../..). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The telemetry preload every meshcart Node process starts with (after tsx/cjs). */
export const TELEMETRY_PRELOAD = path.resolve(__dirname, '../telemetry/register.ts');

/**
 * Telemetry defaults for spawned processes: exporting nothing (so no instrumentation either; the
 * caller's trace id still propagates through kit calls and reaches the logs) and opening no
 * metrics port, so parallel tests never collide on 9464+. Tests that look at telemetry pass
 * their own OTEL_* / METRICS_PORT in `env`.
 */
const QUIET_TELEMETRY: Record<string, string> = {
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
  METRICS_PORT: '0',
};

/** Ports this process has handed out: the kernel may offer a released one again at once. */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 (bind to 0, read it back, release), never one this process
 * handed out before: a stack asks for several ports before anything binds them, and two of
 * them once came back equal (payments and the worker's health port, EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: no port that was not handed out already');
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface SpawnedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** host:port of its gRPC server (when it has one). */
  readonly address: string;
  /** Everything it printed, for assertions and for failure messages. */
  output(): string;
  /** Sends a signal and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a TypeScript entry point (e.g. services/inventory/src/main.ts) as a real Node process
 * through tsx with the telemetry preload, exactly as `npm start` does, and waits until its gRPC
 * health check says SERVING (or, with no port, until `readyLine` appears in its output).
 */
export async function spawnTs(opts: {
  name: string;
  entry: string;
  env: Record<string, string>;
  args?: string[];
  port?: number;
  readyLine?: RegExp;
  timeoutMs?: number;
}): Promise<SpawnedProcess> {
  const chunks: string[] = [];
  const child = spawn(
    process.execPath,
    [
      '--require',
      'tsx/cjs',
      '--require',
      TELEMETRY_PRELOAD,
      path.resolve(REPO_ROOT, opts.entry),
      ...(opts.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        ...QUIET_TELEMETRY,
        ...opts.env,
        ...(opts.port ? { GRPC_HOST: '127.0.0.1', GRPC_PORT: String(opts.port) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const address = opts.port ? `127.0.0.1:${opts.port}` : '';
  const proc: SpawnedProcess = {
    name: opts.name,
    child,
    address,
    output: () => chunks.join(''),
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${opts.name} exited with ${child.exitCode}:\n${proc.output()}`);
    if (opts.port) {
      const ok = await checkHealth(address, '', 500).catch(() => undefined);
      if (ok === 'SERVING') return proc;
    } else if (opts.readyLine?.test(proc.output())) {
      return proc;
    }
    if (Date.now() > deadline) {
      await proc.kill('SIGKILL');
      throw new Error(
        `${opts.name} not ready within ${opts.timeoutMs ?? 30_000} ms:\n${proc.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
