import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { abortError, type Lifecycle } from './lifecycle';
import type { Supervisor } from './supervisor';

const run = promisify(execFile);

/** A server the platform starts for itself through its script (scripts/<name>.sh). */
export type InfraName = 'mariadb' | 'temporal' | 'stripe-mock';

/**
 * Starts MariaDB, the Temporal dev server or stripe-mock as a lifecycle phase, unless one is already running
 * for this data dir (then it is reused and left running). The undo step and the reaper's guard
 * on the server's pid file are registered before the start, so Ctrl-C in the middle of it, or a
 * SIGKILL of the supervisor, still stops the server. The start script runs as a supervised
 * child in its own process group (Ctrl-C reaches only the supervisor, which decides).
 */
export async function startInfra(
  name: InfraName,
  o: { root: string; sup: Supervisor; life: Lifecycle; log: (line: string) => void },
): Promise<'started' | 'reused'> {
  const script = path.join(o.root, 'scripts', `${name}.sh`);
  const sh = (cmd: string) => run('bash', [script, cmd], { cwd: o.root, encoding: 'utf8' });
  if (
    await sh('status').then(
      () => true,
      () => false,
    )
  ) {
    o.log(`${name}: already running, reusing it`);
    return 'reused';
  }
  const pidFile = (await sh('pidfile')).stdout.trim();
  o.life.onUnwind(name, async () => {
    o.log(`stopping ${name}`);
    await sh('stop');
    o.sup.releasePidFile(pidFile);
  });
  o.sup.guardPidFile(name, pidFile);
  o.life.check();
  const child = o.sup.start({
    name,
    command: 'bash',
    args: [script, 'start'],
    env: {},
    cwd: o.root,
    oneShot: true,
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    const onAbort = () => {
      // Interrupted mid-start: end the script; the undo step then stops what it launched.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      child.once('exit', () => reject(abortError(o.life.signal)));
    };
    o.life.signal.addEventListener('abort', onAbort, { once: true });
    child.once('exit', (c) => {
      o.life.signal.removeEventListener('abort', onAbort);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`${name} did not start (exit ${code}); see its lines above`);
  return 'started';
}
