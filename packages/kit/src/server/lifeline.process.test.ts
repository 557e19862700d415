/**
 * The child side of the supervisor's lifeline, on real processes: a pipe on fd 3 whose other
 * end the test holds, as scripts/local-stack/supervisor.ts does. Closing our end stands for the
 * supervisor dying (the kernel closes it even on SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../testkit/spawn-service';

const FIXTURE = path.join(__dirname, '__fixtures__/lifeline-child.ts');

jest.setTimeout(60_000);

interface Child {
  proc: ChildProcess;
  lines(): Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function start(
  mode: 'server' | 'oneshot',
  lifeline: boolean,
  pipeOnFd3 = true,
): Promise<Child> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', OTEL_SDK_DISABLED: 'true' };
  delete env.MESHCART_LIFELINE_FD;
  if (lifeline) env.MESHCART_LIFELINE_FD = '3';
  const proc = spawn(process.execPath, ['--require', 'tsx/cjs', FIXTURE, mode], {
    cwd: REPO_ROOT,
    env,
    stdio: pipeOnFd3 ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const deadline = Date.now() + 30_000;
  while (!lines().some((l) => l.msg === 'ready')) {
    if (proc.exitCode !== null) throw new Error(`fixture exited ${proc.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`fixture not ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, lines, exited };
}

/** Resolves with the exit code, or 'running' if the process is still alive after `ms`. */
async function within(c: Child, ms: number): Promise<number | null | 'running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), ms)));
  try {
    return await Promise.race([c.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes our end of fd 3, as the kernel does when the supervisor dies. */
const lostLifeline = (c: Child) => c.proc.stdio[3]?.destroy();

let child: Child | undefined;
afterEach(() => {
  if (child && child.proc.exitCode === null && child.proc.signalCode === null)
    child.proc.kill('SIGKILL');
  child = undefined;
});

test('a server shuts down (bounded, exit 0) when its lifeline closes, as on SIGTERM', async () => {
  child = await start('server', true);
  expect(child.lines().find((l) => l.msg === 'ready')).toMatchObject({ lifeline_env_left: null });
  const t0 = Date.now();
  lostLifeline(child);
  expect(await within(child, 5_000)).toBe(0);
  const took = Date.now() - t0;
  expect(took).toBeLessThan(5_000);
  expect(child.lines().find((l) => l.reason === 'lifeline lost')).toMatchObject({
    deadline_ms: 5_000,
  });
  expect(child.lines().some((l) => 'gave_up_on' in l)).toBe(false);
  process.stdout.write(`lifeline lost -> server exited after ${took} ms\n`);
});

test('without MESHCART_LIFELINE_FD nothing watches fd 3: the server keeps running until SIGTERM', async () => {
  child = await start('server', false);
  lostLifeline(child);
  expect(await within(child, 1_500)).toBe('running');
  child.proc.kill('SIGTERM');
  expect(await within(child, 5_000)).toBe(0);
  expect(child.lines().find((l) => l.signal === 'SIGTERM')).toBeDefined();
  expect(child.lines().some((l) => l.reason === 'lifeline lost')).toBe(false);
});

test("MESHCART_LIFELINE_FD naming a descriptor that is no pipe (a grandchild's fd 3) is ignored", async () => {
  // In a Node process fd 3 not inherited is one of its own (e.g. epoll): it must not be read.
  child = await start('server', true, false);
  expect(await within(child, 1_500)).toBe('running');
  child.proc.kill('SIGTERM');
  expect(await within(child, 5_000)).toBe(0);
  expect(child.lines().some((l) => l.reason === 'lifeline lost')).toBe(false);
});

test('a one-shot script under runMain (seed, migrate) exits 1 at once when its lifeline closes', async () => {
  child = await start('oneshot', true);
  const t0 = Date.now();
  lostLifeline(child);
  expect(await within(child, 5_000)).toBe(1);
  process.stdout.write(`lifeline lost -> one-shot exited after ${Date.now() - t0} ms\n`);
});
