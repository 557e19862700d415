import { parseArgs } from './args';
import { FAULT_KINDS } from './faults-kinds';
import { seededRandom } from './random';

test('reads rounds, orders, seed and the fault list', () => {
  const o = parseArgs([
    '--rounds',
    '20',
    '--orders',
    '600',
    '--seed',
    '7',
    '--faults',
    'kill-temporal',
  ]);
  expect(o).toMatchObject({ rounds: 20, ordersPerRound: 600, seed: 7, faults: ['kill-temporal'] });
  expect(parseArgs([]).faults).toEqual([...FAULT_KINDS]);
  expect(parseArgs(['--faults', 'none']).faults).toEqual([]);
});

test('refuses what it does not understand', () => {
  expect(() => parseArgs(['--rounds', '0'])).toThrow();
  expect(() => parseArgs(['--faults', 'kill-everything'])).toThrow();
  expect(() => parseArgs(['--bogus'])).toThrow();
});

test('the same seed gives the same dice', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const roll = (r: ReturnType<typeof seededRandom>) => Array.from({ length: 5 }, () => r.int(1, 6));
  expect(roll(a)).toEqual(roll(b));
  expect(seededRandom(1).shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
});
