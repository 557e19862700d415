/**
 * `npm run stop`: stops a meshcart platform of this checkout that is still running - a live
 * `npm start` elsewhere, or processes left over by a run that ended badly - and nothing else.
 *   1. a live supervisor (<data>/run/supervisor.json) gets SIGTERM and unwinds everything itself;
 *   2. meshcart processes still listening on the stack's ports (same MESHCART_*_PORT env as
 *      npm start) get SIGTERM by pid, then SIGKILL after a grace period;
 *   3. MariaDB and Temporal started for this data dir are stopped through their pid files.
 * Programs that are not meshcart's are listed and left alone.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describeHolders, portHolders } from './port-holders';
import { allStackPorts, portsFromEnv } from './ports';
import { processStartTime } from './reaper';
import { readSupervisorRecord } from './run-files';

const root = path.resolve(__dirname, '../..');
const dataDir = process.env.MESHCART_DATA ?? path.join(root, '.data');
const log = (line: string) => process.stdout.write(`\x1b[36m[meshcart]\x1b[0m ${line}\n`);

const alive = (pid: number) => processStartTime(pid) !== undefined;

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

async function main(): Promise<number> {
  const sup = readSupervisorRecord(dataDir);
  if (sup && alive(sup.pid)) {
    log(`stopping the running npm start (supervisor pid ${sup.pid}): it stops what it started`);
    kill(sup.pid, 'SIGTERM');
    if ((await waitGone([sup.pid], 60_000)).length) {
      log(`supervisor ${sup.pid} did not finish in 60 s: SIGKILL (its reaper stops the rest)`);
      kill(sup.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
  const ports = allStackPorts(portsFromEnv());
  const holders = portHolders(
    ports.map((p) => p.port),
    root,
  );
  const ours = [...new Set(holders.filter((h) => h.meshcart && h.pid).map((h) => h.pid!))];
  if (ours.length) {
    log(
      `stopping meshcart processes still holding ports:\n${describeHolders(holders.filter((h) => h.meshcart))}`,
    );
    for (const pid of ours) kill(pid, 'SIGTERM');
    const left = await waitGone(ours, 15_000);
    for (const pid of left) {
      log(`pid ${pid} did not exit in 15 s: SIGKILL`);
      kill(pid, 'SIGKILL');
    }
    await waitGone(left, 5_000);
  }
  for (const infra of ['temporal', 'mariadb', 'stripe-mock']) {
    execFileSync('bash', [path.join(root, 'scripts', `${infra}.sh`), 'stop'], { stdio: 'inherit' });
  }
  const rest = portHolders(
    ports.map((p) => p.port),
    root,
  );
  if (rest.length) {
    log(`still in use, not by meshcart (left alone):\n${describeHolders(rest)}`);
    return 1;
  }
  log(
    sup || ours.length ? 'stopped; all meshcart ports are free' : 'nothing of meshcart was running',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[meshcart] error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
