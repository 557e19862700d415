import { plannedShutdownMs, runShutdownSteps, type ShutdownStep } from './shutdown-steps';

const never = () => new Promise<void>(() => undefined);
const after = (ms: number) => () => new Promise<void>((r) => setTimeout(r, ms));

describe('runShutdownSteps', () => {
  it('runs every step in order and reports completion', async () => {
    const order: string[] = [];
    const steps: ShutdownStep[] = ['grpc server', 'database pool'].map((name) => ({
      name,
      run: async () => {
        await after(5)();
        order.push(name);
      },
    }));
    const outcome = await runShutdownSteps(steps, 1_000);
    expect(outcome).toMatchObject({ completed: true, gaveUpOn: [], failed: [] });
    expect(order).toEqual(['grpc server', 'database pool']);
  });

  it('gives up at the deadline on the hanging step and the ones after it', async () => {
    const t0 = Date.now();
    const outcome = await runShutdownSteps(
      [
        { name: 'grpc server', run: after(5) },
        { name: 'database pool', run: never },
        { name: 'telemetry', run: () => undefined },
      ],
      200,
    );
    const took = Date.now() - t0;
    expect(outcome.completed).toBe(false);
    expect(outcome.gaveUpOn).toEqual(['database pool', 'telemetry']);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1_000);
  });

  it('records a failing step and still runs the next one', async () => {
    let closed = false;
    const outcome = await runShutdownSteps(
      [
        { name: 'grpc server', run: () => Promise.reject(new Error('boom')) },
        { name: 'database pool', run: () => void (closed = true) },
      ],
      1_000,
    );
    expect(outcome.completed).toBe(true);
    expect(outcome.failed.map((f) => f.name)).toEqual(['grpc server']);
    expect(closed).toBe(true);
  });

  it('treats a step that throws synchronously like a rejection', async () => {
    const outcome = await runShutdownSteps(
      [
        {
          name: 'clients',
          run: () => {
            throw new Error('sync');
          },
        },
      ],
      1_000,
    );
    expect(outcome).toMatchObject({ completed: true, failed: [{ name: 'clients' }] });
  });

  it('sums the declared budgets', () => {
    expect(
      plannedShutdownMs([
        { name: 'a', budgetMs: 10_000, run: () => undefined },
        { name: 'b', run: () => undefined },
        { name: 'c', budgetMs: 2_000, run: () => undefined },
      ]),
    ).toBe(12_000);
  });
});
