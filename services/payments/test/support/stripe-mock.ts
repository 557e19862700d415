/**
 * Starts stripe-mock (scripts/stripe-mock.sh builds the pinned binary once into the shared tool
 * cache) on a free port for one test file, and stops it after. Real sockets, real HTTP: what it
 * checks is that every request we send conforms to Stripe's OpenAPI description and that we read
 * its fixture answers correctly.
 */
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

/**
 * For the beforeAll that starts it: on a machine whose tool cache is cold the first start builds
 * stripe-mock from the Go module proxy (a minute or two); later starts take milliseconds.
 */
export const STRIPE_MOCK_START_TIMEOUT_MS = 300_000;

export interface StripeMock {
  /** http://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/** The binary's path (installed on first use; later calls are instant). */
export function stripeMockBinary(): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/stripe-mock.sh'), 'path'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1)!;
}

export async function startStripeMock(): Promise<StripeMock> {
  const port = await freePort();
  // Its HTTPS listener always starts too (on 12112 unless told): a system-chosen port, so two
  // test files (or the local stack) never collide on it.
  const args = ['-http-addr', `127.0.0.1:${port}`, '-https-addr', '127.0.0.1:'];
  const child = spawn(stripeMockBinary(), args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`stripe-mock exited: ${stderr.slice(-500)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stripe-mock did not listen on ${port} within 15s: ${stderr.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
