/**
 * A Temporal dev server of the benchmark's own: scripts/temporal.sh (the same binary, flags and
 * dynamic config as `npm start` and `npm test` use), on free ports, persistence in memory
 * (MESHCART_TEMPORAL_DB=memory), stopped and removed at the end. The real saga and the no-op
 * floor share it, and nothing else does: the first runs measured the shared dev server (a
 * SQLite file holding every test's workflows) as much as the saga.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@meshcart/kit/testkit';
import { ROOT } from './children';

const run = promisify(execFile);

export interface BenchTemporal {
  port: number;
  uiPort: number;
  /** 'dedicated' (ours, in memory) or 'shared' (TEMPORAL_ADDRESS / MESHCART_TEMPORAL_PORT). */
  kind: 'dedicated' | 'shared';
  stop(): Promise<void>;
}

export async function startBenchTemporal(runId: string): Promise<BenchTemporal> {
  const dataDir = path.join(ROOT, '.data', 'bench', `temporal-${runId}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MESHCART_DATA: dataDir,
    MESHCART_TEMPORAL_PORT: String(await freePort()),
    MESHCART_TEMPORAL_UI_PORT: String(await freePort()),
    MESHCART_TEMPORAL_HTTP_PORT: String(await freePort()),
    MESHCART_TEMPORAL_METRICS_PORT: String(await freePort()),
    MESHCART_TEMPORAL_DB: 'memory',
  };
  delete env.TEMPORAL_ADDRESS;
  const script = path.join(ROOT, 'scripts', 'temporal.sh');
  await run(script, ['start'], { env, cwd: ROOT, timeout: 120_000 });
  return {
    port: Number(env.MESHCART_TEMPORAL_PORT),
    uiPort: Number(env.MESHCART_TEMPORAL_UI_PORT),
    kind: 'dedicated',
    stop: async () => {
      await run(script, ['stop'], { env, cwd: ROOT, timeout: 60_000 }).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The server named by MESHCART_TEMPORAL_PORT (default 7233), already running: `--shared-temporal`. */
export function sharedTemporal(): BenchTemporal {
  return {
    port: Number(process.env.MESHCART_TEMPORAL_PORT ?? 7233),
    uiPort: Number(process.env.MESHCART_TEMPORAL_UI_PORT ?? 8233),
    kind: 'shared',
    stop: async () => undefined,
  };
}
