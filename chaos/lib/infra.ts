/**
 * A private MariaDB and a private Temporal dev server for one fault-loop run, started with the
 * project's own scripts (scripts/mariadb.sh, scripts/temporal.sh) in a temp data dir on free
 * ports, so the loop can kill -9 them without touching anyone else's servers.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@meshcart/kit/testkit';
import { sleep } from './random';

const run = promisify(execFile);

export interface InfraProcess {
  name: 'mariadb' | 'temporal';
  /** Where its script keeps the server's pid. */
  pidFile: string;
  /** Pid of the running server (from the pid file its script keeps). */
  pid(): number | undefined;
  start(): Promise<void>;
  /** kill -9, wait until it is gone, stay down `downMs`, start again; resolves when it serves. */
  crashAndRestart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PrivateInfra {
  dataDir: string;
  mysqlPort: number;
  temporalPort: number;
  temporalUiPort: number;
  adminUrl: string;
  temporalAddress: string;
  mariadb: InfraProcess;
  temporal: InfraProcess;
}

export async function privateInfra(root: string, dataDir: string): Promise<PrivateInfra> {
  const mysqlPort = await freePort();
  const temporalPort = await freePort();
  const temporalUiPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MESHCART_DATA: dataDir,
    MESHCART_MYSQL_PORT: String(mysqlPort),
    MESHCART_TEMPORAL_PORT: String(temporalPort),
    MESHCART_TEMPORAL_UI_PORT: String(temporalUiPort),
    MESHCART_TEMPORAL_HTTP_PORT: String(await freePort()),
    MESHCART_TEMPORAL_METRICS_PORT: String(await freePort()),
  };
  // Either of these makes the scripts use an outside server: never here.
  delete env.MYSQL_URL;
  delete env.TEMPORAL_ADDRESS;
  // The workflows must survive a Temporal crash: a SQLite file, never the in-memory store.
  delete env.MESHCART_TEMPORAL_DB;
  const script = (name: string) => path.join(root, 'scripts', name);
  const sh = async (name: string, verb: string) =>
    (await run('bash', [script(name), verb], { env, maxBuffer: 1 << 20 })).stdout.trim();

  const server = (
    name: InfraProcess['name'],
    scriptName: string,
    pidFile: string,
  ): InfraProcess => {
    const pid = () => {
      try {
        const n = Number(readFileSync(pidFile, 'utf8').trim());
        return Number.isInteger(n) && n > 0 && isAlive(n) ? n : undefined;
      } catch {
        return undefined;
      }
    };
    return {
      name,
      pidFile,
      pid,
      start: async () => void (await sh(scriptName, 'start')),
      crashAndRestart: async (downMs) => {
        const p = pid();
        if (p === undefined) throw new Error(`${name} was not running when its crash was due`);
        process.kill(p, 'SIGKILL');
        await waitGone(p, 10_000);
        // The killed server stays a zombie until init reaps it, and the scripts' `kill -0`
        // check takes a zombie for a running server (start would return at once): the pid
        // file of a dead server goes, as the scripts' own stop does.
        rmSync(pidFile, { force: true });
        await sleep(downMs);
        await sh(scriptName, 'start');
        if (pid() === undefined) throw new Error(`${name} did not come back after its crash`);
      },
      stop: async () => void (await sh(scriptName, 'stop').catch(() => undefined)),
    };
  };

  return {
    dataDir,
    mysqlPort,
    temporalPort,
    temporalUiPort,
    adminUrl: await sh('mariadb.sh', 'url'),
    temporalAddress: `127.0.0.1:${temporalPort}`,
    mariadb: server('mariadb', 'mariadb.sh', path.join(dataDir, 'mariadb/run/mariadbd.pid')),
    temporal: server('temporal', 'temporal.sh', path.join(dataDir, 'temporal/temporal.pid')),
  };
}

/** Alive and not a zombie (a killed daemon stays a zombie until init reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`pid ${pid} still alive ${timeoutMs} ms after SIGKILL`);
    await sleep(50);
  }
}
