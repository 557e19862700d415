/**
 * Focused reproducer of the saga worker's fatal "async hook stack has become corrupted":
 * a private Temporal dev server, one worker process (repro/freeze-worker.ts) running
 * microtask-heavy workflows, and a loop that freezes the worker (SIGSTOP, then SIGCONT) while
 * activations are in flight. Prints whether the worker survived and, if not, how it died.
 *
 *   bash scripts/run.sh tsx chaos/freeze-repro.ts --freezes 20 --freeze-ms 5500 \
 *     --tracing 1 --isolate-timeout sdk|fix|<ms>
 *
 * The Node version is the one running this script (it spawns process.execPath).
 * Exit 0: the worker survived every freeze and every workflow returned the right result;
 * 1: it died (its last lines are printed) or a workflow came back wrong.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { privateInfra } from './lib/infra';
import { sleep } from './lib/random';

const ROOT = path.resolve(__dirname, '..');
const ITERATIONS = 8;
/** What busyWorkflow(ITERATIONS) returns when every activation ran to completion exactly once. */
const EXPECTED = ITERATIONS * ((299 * 300) / 2);

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

async function main(): Promise<number> {
  const freezes = Number(flag('freezes', '20'));
  const freezeMs = Number(flag('freeze-ms', '5500'));
  const gapMs = Number(flag('gap-ms', '1500'));
  const concurrent = Number(flag('workflows', '40'));
  const tracing = flag('tracing', '1');
  const isolate = flag('isolate-timeout', 'sdk');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'meshcart-freeze-repro-'));
  const infra = await privateInfra(ROOT, dataDir);
  const taskQueue = `freeze-repro-${randomBytes(3).toString('hex')}`;
  const lines: string[] = [];
  // The SDK reports an activation cut off by its watchdog as a failed workflow task with
  // "Script execution timed out" (it calls it a potential deadlock): proof that a freeze landed
  // inside an activation, which is what the crash needs.
  let cutOff = 0;
  let firstCutOff = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let worker: ReturnType<typeof spawn> | undefined;
  const print = (l: string) => process.stdout.write(`${l}\n`);
  try {
    await infra.temporal.start();
    worker = spawn(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(__dirname, 'repro/freeze-worker.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: infra.temporalAddress,
          REPRO_TASK_QUEUE: taskQueue,
          REPRO_TRACING: tracing,
          REPRO_ISOLATE_TIMEOUT: isolate,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const s of [worker.stdout!, worker.stderr!])
      createInterface({ input: s }).on('line', (l) => {
        if (/execution timed out|deadlock/i.test(l) && cutOff++ === 0) firstCutOff = l;
        lines.push(l);
        if (lines.length > 200) lines.splice(0, 100);
      });
    const exited = new Promise<void>((r) =>
      worker!.once('exit', (code, signal) => {
        exit = { code, signal };
        r();
      }),
    );
    while (!lines.some((l) => l.startsWith('repro worker ready'))) {
      if (exit) throw new Error(`worker exited before ready:\n${lines.join('\n')}`);
      await sleep(200);
    }
    print(lines.find((l) => l.startsWith('repro worker ready'))!);
    const connection = await Connection.connect({ address: infra.temporalAddress });
    const client = new Client({ connection });
    let started = 0;
    let completed = 0;
    let wrong = 0;
    let stopping = false;
    const lane = async () => {
      while (!stopping && !exit) {
        try {
          const h = await client.workflow.start('busyWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-${started++}`,
            args: [ITERATIONS],
          });
          const r = await h.result();
          if (r !== EXPECTED) wrong++;
          completed++;
        } catch (e) {
          // The worker died or the run is over (the report says which); anything else is news.
          if (!exit && !stopping) print(`workflow failed: ${(e as Error).message}`);
          return;
        }
      }
    };
    const lanes = Array.from({ length: concurrent }, lane);
    await sleep(3_000); // let workflow tasks pile up before the first freeze
    let done = 0;
    for (; done < freezes && !exit; done++) {
      worker.kill('SIGSTOP');
      await sleep(freezeMs);
      worker.kill('SIGCONT');
      await Promise.race([sleep(gapMs), exited]);
      print(`freeze ${done + 1}/${freezes} (${freezeMs} ms): worker ${exit ? 'DIED' : 'alive'}`);
    }
    await Promise.race([sleep(3_000), exited]);
    if (!exit) {
      const d = await client.workflow.getHandle(`${taskQueue}-0`).describe();
      print(`first workflow: ${d.status.name}, ${d.historyLength} history events`);
    }
    stopping = true;
    const died = exit !== undefined;
    if (died) {
      print(`worker died after ${done} freeze(s): code ${exit!.code} signal ${exit!.signal}`);
      print(lines.slice(-50).join('\n'));
    } else {
      worker.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      await Promise.race([Promise.all(lanes), sleep(5_000)]);
    }
    print(
      `result: node ${process.version}, tracing ${tracing}, isolate-timeout ${isolate}, ` +
        `freeze ${freezeMs} ms x ${done}: ${died ? 'CRASHED' : 'survived'}; ` +
        `activations cut off by the watchdog (logged) ${cutOff}; ` +
        `workflows started ${started}, completed ${completed}, wrong results ${wrong}`,
    );
    if (firstCutOff) print(`first cut-off reported by the worker: ${firstCutOff.slice(0, 400)}`);
    return died || wrong > 0 ? 1 : 0;
  } finally {
    if (worker && !exit) {
      worker.kill('SIGCONT');
      worker.kill('SIGKILL');
    }
    // The connection is not closed: lanes still long-polling a result would throw from the
    // client's retry timer. process.exit right after ends them.
    await infra.temporal.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`freeze repro failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
