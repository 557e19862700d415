/** Command line of the fault loop: `--rounds N --orders M --seed S` and a few tuning knobs. */
import { FAULT_KINDS, isFaultKind, type FaultKind } from './faults-kinds';

export interface LoopOptions {
  rounds: number;
  ordersPerRound: number;
  seed: number;
  /** Orders placed and polled at the same time. */
  concurrency: number;
  /** Which faults the scheduler may apply (each at least once per round). */
  faults: FaultKind[];
  /** How long one order may take from acceptance to a terminal status. */
  orderTimeoutMs: number;
  /** Freeze length range: the outside run froze for 5-6 s, just over the SDK's 5 s default. */
  freezeMs: [number, number];
  /** Pause between two faults. */
  gapMs: [number, number];
  /** Copy the run's whole process output here at the end (it is kept on failure anyway). */
  logFile?: string;
}

export const DEFAULTS: LoopOptions = {
  rounds: 1,
  ordersPerRound: 60,
  seed: 1,
  concurrency: 16,
  faults: [...FAULT_KINDS],
  orderTimeoutMs: 240_000,
  freezeMs: [5_000, 6_000],
  gapMs: [1_000, 4_000],
};

const USAGE = `usage: fault-loop [--rounds N] [--orders M] [--seed S] [--concurrency C]
                  [--faults kind,kind|none] [--order-timeout SECONDS] [--log FILE]
  faults: ${FAULT_KINDS.join(', ')} (default: all)`;

export function parseArgs(argv: string[]): LoopOptions {
  const o: LoopOptions = { ...DEFAULTS, seed: Date.now() % 2 ** 31 };
  const int = (flag: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min)
      throw new Error(`${flag} needs an integer >= ${min}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    switch (flag) {
      case '--rounds':
        o.rounds = int(flag, value, 1);
        break;
      case '--orders':
        o.ordersPerRound = int(flag, value, 1);
        break;
      case '--seed':
        o.seed = int(flag, value, 0);
        break;
      case '--concurrency':
        o.concurrency = int(flag, value, 1);
        break;
      case '--order-timeout':
        o.orderTimeoutMs = int(flag, value, 10) * 1000;
        break;
      case '--faults': {
        const list = (value ?? '').split(',').filter(Boolean);
        if (list.length === 1 && list[0] === 'none') o.faults = [];
        else if (list.length > 0 && list.every(isFaultKind)) o.faults = list;
        else
          throw new Error(`--faults takes a list of ${FAULT_KINDS.join(', ')} or none\n${USAGE}`);
        break;
      }
      case '--log':
        if (!value) throw new Error(`--log needs a file\n${USAGE}`);
        o.logFile = value;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
    i++;
  }
  return o;
}
