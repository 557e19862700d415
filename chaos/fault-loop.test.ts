/**
 * The fault loop's short form (chaos/README.md has the long one): one round of 30 orders
 * through the edge of a private platform while payments, inventory and the saga worker are
 * frozen for 5-6 s and Temporal and MariaDB are killed -9 and restarted, each at least once.
 * Nothing may die (issue 22: the saga worker's fatal "async hook stack has become corrupted"),
 * and every invariant must hold.
 */
import { DEFAULTS } from './lib/args';
import { FAULT_KINDS } from './lib/faults-kinds';
import { TERMINAL } from './lib/invariants';
import { runFaultLoop, type LoopResult } from './lib/run-loop';

jest.setTimeout(300_000);

let result: LoopResult;
const lines: string[] = [];

beforeAll(async () => {
  result = await runFaultLoop(
    {
      ...DEFAULTS,
      rounds: 1,
      ordersPerRound: 30,
      seed: 22,
      concurrency: 10,
      gapMs: [500, 1_500],
    },
    { print: (l) => lines.push(l) },
  );
  // The loop's own report (deaths with their last lines, broken invariants) explains a failure.
  if (!result.ok) process.stderr.write(`${lines.join('\n')}\n`);
});

test('no process of the platform dies under the faults', () => {
  expect(result.rounds).toHaveLength(1);
  expect(result.rounds[0]!.deaths).toEqual([]);
});

test('every fault kind was applied at least once', () => {
  for (const kind of FAULT_KINDS) expect(result.rounds[0]!.faults[kind]).toBeGreaterThanOrEqual(1);
});

test('every order reached a terminal status, none lost, stock balanced', () => {
  const round = result.rounds[0]!;
  expect(round.orders).toHaveLength(30);
  expect(round.orders.filter((o) => !TERMINAL.has(o.status ?? ''))).toEqual([]);
  expect(round.problems).toEqual([]);
  expect(result.ok).toBe(true);
});
