/**
 * Ports held by a previous run: `npm start` names the holders (pid and command) and points to
 * `npm run stop`, which stops exactly the meshcart processes among them, by pid, and leaves any
 * other program alone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@meshcart/kit/testkit';

const root = path.resolve(__dirname, '../..');
jest.setTimeout(120_000);

const started: ChildProcess[] = [];
afterAll(() => started.forEach((c) => c.kill('SIGKILL')));

function listen(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe' });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => resolve(child));
    child.stderr!.on('data', () => resolve(child)); // python's http.server logs to stderr
    child.once('exit', (code) => reject(new Error(`${command} exited ${code}`)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('npm start names the holders of its ports; npm run stop stops only the meshcart ones', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'meshcart-stop-'));
  const usersPort = await freePort();
  const edgePort = await freePort();
  const env: Record<string, string> = {
    MESHCART_DATA: dataDir,
    MESHCART_USERS_PORT: String(usersPort),
    MESHCART_EDGE_PORT: String(edgePort),
  };
  // Every other port of the stack: free ones, so only the two above clash.
  for (const k of [
    'CATALOG',
    'INVENTORY',
    'PAYMENTS',
    'SHIPPING',
    'ORDERS',
    'WORKER_HEALTH',
    'MYSQL',
    'TEMPORAL',
    'TEMPORAL_UI',
  ])
    env[`MESHCART_${k}_PORT`] = String(await freePort());
  for (const k of [
    'USERS',
    'CATALOG',
    'INVENTORY',
    'PAYMENTS',
    'SHIPPING',
    'ORDERS',
    'WORKER',
    'EDGE',
  ])
    env[`MESHCART_${k}_METRICS_PORT`] = String(await freePort());
  try {
    // A left-over meshcart process (runs from this checkout) and someone else's program.
    const leftover = await listen(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(__dirname, '__fixtures__/listen.ts')],
      {
        PORT: String(usersPort),
      },
    );
    const foreign = await listen(
      'python3',
      ['-m', 'http.server', String(edgePort), '--bind', '127.0.0.1'],
      {},
    );

    const start = spawnSync('bash', ['scripts/start.sh'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(start.status).toBe(1);
    const said = start.stdout + start.stderr;
    expect(said).toContain(`pid ${leftover.pid}`);
    expect(said).toContain(`pid ${foreign.pid}`);
    expect(said).toContain('npm run stop');

    const stop = spawnSync('bash', ['scripts/run.sh', 'tsx', 'scripts/local-stack/stop.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    // The foreign program still holds its port, so stop reports it and exits non-zero.
    expect(stop.status).toBe(1);
    expect(stop.stdout).toContain(`pid ${foreign.pid}`);
    // (it is our child: gone means it exited - a zombie still answers kill 0 until reaped)
    const leftoverExit = await new Promise<string>((resolve) => {
      if (leftover.exitCode !== null || leftover.signalCode !== null) return resolve('exited');
      leftover.once('exit', () => resolve('exited'));
      setTimeout(() => resolve('still running'), 2_000).unref();
    });
    expect(leftoverExit).toBe('exited');
    expect(alive(foreign.pid!)).toBe(true);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
