import { Writable } from 'node:stream';
import { createLogger } from '../logging/logger';
import { onShutdownSignal } from './shutdown-signal';

/** A logger whose JSON lines land in `lines`. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

/** Installs the handlers with a fake exit; `exited` resolves with the first exit code. */
function install(
  steps: Parameters<typeof onShutdownSignal>[1],
  deadlineMs: number,
  logger: ReturnType<typeof capture>['logger'],
) {
  const codes: number[] = [];
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const remove = onShutdownSignal(logger, steps, {
    deadlineMs,
    lifeline: false,
    exit: (code) => {
      codes.push(code);
      resolveExit(code);
    },
  });
  return { codes, exited, remove };
}

let remove: () => void = () => undefined;
afterEach(() => remove());

describe('onShutdownSignal', () => {
  it('runs the steps and exits 0 when they finish within the deadline', async () => {
    const { lines, logger } = capture();
    const closed: string[] = [];
    const h = install(
      [
        { name: 'grpc server', run: () => void closed.push('grpc server') },
        { name: 'database pool', run: () => void closed.push('database pool') },
      ],
      1_000,
      logger,
    );
    remove = h.remove;
    process.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(0);
    expect(closed).toEqual(['grpc server', 'database pool']);
    expect(lines.find((l) => l.signal === 'SIGTERM')).toMatchObject({ deadline_ms: 1_000 });
    expect(lines.some((l) => 'gave_up_on' in l)).toBe(false);
  });

  it('logs one line naming the hanging step and exits 1 once the deadline passes', async () => {
    const { lines, logger } = capture();
    const h = install(
      [
        { name: 'grpc server', run: () => undefined },
        { name: 'database pool', run: () => new Promise<void>(() => undefined) },
      ],
      300,
      logger,
    );
    remove = h.remove;
    const t0 = Date.now();
    process.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(2_000);
    const gaveUp = lines.filter((l) => 'gave_up_on' in l);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatchObject({
      level: 'error',
      gave_up_on: ['database pool'],
      deadline_ms: 300,
    });
    expect(h.codes).toEqual([1]);
  });

  it('exits 1 when a step fails, after running the others', async () => {
    const { lines, logger } = capture();
    let closed = false;
    const h = install(
      [
        { name: 'grpc server', run: () => Promise.reject(new Error('boom')) },
        { name: 'database pool', run: () => void (closed = true) },
      ],
      1_000,
      logger,
    );
    remove = h.remove;
    process.emit('SIGTERM', 'SIGTERM');
    expect(await h.exited).toBe(1);
    expect(closed).toBe(true);
    expect(lines.find((l) => l.step === 'grpc server')).toMatchObject({ level: 'error' });
  });

  it('exits at once on a second signal', async () => {
    const { logger } = capture();
    const h = install(
      [{ name: 'database pool', run: () => new Promise(() => undefined) }],
      400,
      logger,
    );
    remove = h.remove;
    const t0 = Date.now();
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(await h.exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(200);
    // Let the (real) deadline pass so no timer outlives the test.
    await new Promise((r) => setTimeout(r, 500));
  });

  it('warns at install when the declared budgets do not fit the deadline', () => {
    const { lines, logger } = capture();
    const h = install(
      [{ name: 'grpc server', budgetMs: 10_000, run: () => undefined }],
      5_000,
      logger,
    );
    remove = h.remove;
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', planned_ms: 10_000, deadline_ms: 5_000 }),
    ]);
  });
});
