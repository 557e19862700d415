/**
 * The local platform's lifecycle, tested as a person meets it: `npm start`'s own entry
 * (scripts/start.sh) in its own process group, Ctrl-C (SIGINT to the whole group, as a terminal
 * sends it) at several points of the boot, and a SIGKILL of the supervisor of a running
 * platform. Each run has its own data dir (its own MariaDB and Temporal) and free ports; after
 * each, no process of that platform may be left - found by the data dir in their environment
 * (every process of the stack inherits it, MariaDB and Temporal included) - every port is free
 * and the pid files name no live process.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@meshcart/kit/testkit';
import { SERVICES } from './ports';

const root = path.resolve(__dirname, '../..');
jest.setTimeout(300_000);

let dataDir: string;
let env: Record<string, string>;
let portList: number[];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'meshcart-life-'));
  const named: Record<string, number> = {};
  for (const s of SERVICES) named[`MESHCART_${s.toUpperCase()}_PORT`] = await freePort();
  for (const p of [...SERVICES, 'worker', 'edge'])
    named[`MESHCART_${p.toUpperCase()}_METRICS_PORT`] = await freePort();
  for (const k of [
    'MESHCART_WORKER_HEALTH_PORT',
    'MESHCART_EDGE_PORT',
    'MESHCART_MYSQL_PORT',
    'MESHCART_TEMPORAL_PORT',
    'MESHCART_TEMPORAL_UI_PORT',
    'MESHCART_TEMPORAL_HTTP_PORT',
    'MESHCART_TEMPORAL_METRICS_PORT',
  ])
    named[k] = await freePort();
  portList = Object.values(named);
  env = {
    ...Object.fromEntries(Object.entries(named).map(([k, v]) => [k, String(v)])),
    MESHCART_DATA: dataDir,
    MESHCART_SEED: '0',
    MESHCART_RAW_LOGS: '1',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
  };
});

afterAll(() => {
  // Belt and braces: whatever a failed assertion left behind must not outlive the test.
  for (const pid of platformPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

interface Boot {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(marker: string, timeoutMs?: number): Promise<void>;
}

function boot(): Boot {
  const child = spawn('bash', [path.join(root, 'scripts/start.sh')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a terminal's foreground job: -pid reaches what Ctrl-C reaches.
    detached: true,
  });
  let out = '';
  const waiters: (() => void)[] = [];
  for (const s of [child.stdout!, child.stderr!])
    s.on('data', (d: Buffer) => {
      out += d.toString();
      waiters.forEach((w) => w());
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor: (marker, timeoutMs = 180_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${marker}" within ${timeoutMs} ms:\n${out.slice(-4000)}`)),
          timeoutMs,
        );
        const check = () => {
          if (out.includes(marker)) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        check();
        void exited.then(() => {
          if (!out.includes(marker)) {
            clearTimeout(timer);
            reject(new Error(`exited before "${marker}":\n${out.slice(-4000)}`));
          }
        });
      }),
  };
}

/** Every live process whose environment carries this test's data dir. */
function platformPids(): number[] {
  const mark = `MESHCART_DATA=${dataDir}`;
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${e}/environ`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (environ.includes(mark) && state !== 'Z') pids.push(Number(e));
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return pids;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function pidFilePids(): number[] {
  const files = [
    path.join(dataDir, 'mariadb/run/mariadbd.pid'),
    path.join(dataDir, 'temporal/temporal.pid'),
  ];
  return files.flatMap((f) => {
    try {
      return [Number(readFileSync(f, 'utf8').trim())];
    } catch {
      return [];
    }
  });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until nothing of the platform is left, or fails listing what is. */
async function expectNothingLeft(withinMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const pids = platformPids();
    const busy: number[] = [];
    for (const p of portList) if (!(await portFree(p))) busy.push(p);
    const pidFiles = pidFilePids().filter(isAlive);
    if (pids.length === 0 && busy.length === 0 && pidFiles.length === 0) return Date.now() - t0;
    if (Date.now() - t0 > withinMs) {
      const cmds = pids.map((p) => {
        try {
          return `${p}: ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
        } catch {
          return `${p}`;
        }
      });
      throw new Error(
        `left after ${withinMs} ms: processes ${JSON.stringify(cmds)}, ports ${busy.join(',')}, pid files ${pidFiles.join(',')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const interruptions: [string, string, number][] = [
  ['before MariaDB is up', 'phase: starting MariaDB', 0],
  ['during migrations', 'preparing databases', 0],
  ['just after the services spawn', 'waiting for services to report SERVING', 300],
  ['while waiting for health', 'waiting for services to report SERVING', 2_500],
];

test.each(interruptions)(
  'Ctrl-C %s stops everything that was started, leaving no process and no port',
  async (_label, marker, delayMs) => {
    const b = boot();
    await b.waitFor(marker);
    await new Promise((r) => setTimeout(r, delayMs));
    const t0 = Date.now();
    process.kill(-b.child.pid!, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const res = await Promise.race([
      b.exited,
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 90_000))),
    ]);
    clearTimeout(timer);
    expect(res).not.toBe('timeout');
    expect(res).toEqual({ code: 0, signal: null });
    await expectNothingLeft(5_000);
    const stops = b
      .output()
      .split('\n')
      .filter((l) => /\[meshcart\].*(Ctrl-C|stopping|stopped)/.test(l));
    process.stdout.write(
      `${_label}: stopped ${Date.now() - t0} ms after Ctrl-C\n${stops.join('\n')}\n`,
    );
  },
);

test('a running platform: health through reflection on every service; after a SIGKILL of the supervisor every child is gone within 5 s', async () => {
  const b = boot();
  await b.waitFor('meshcart is up');
  const before = platformPids();
  // services, worker, edge, MariaDB, Temporal, the reaper and the supervisor itself at least
  expect(before.length).toBeGreaterThanOrEqual(SERVICES.length + 5);
  // Every Node process of the platform runs on the pinned runtime (.node-version), whatever
  // Node the machine has: the supervisor, the reaper, the six services and the worker.
  const pinned = readFileSync(path.join(root, '.node-version'), 'utf8').trim();
  const nodeExes = before
    .map((p) => {
      try {
        return readlinkSync(`/proc/${p}/exe`);
      } catch {
        return '';
      }
    })
    .filter((exe) => path.basename(exe) === 'node');
  expect(nodeExes.length).toBeGreaterThanOrEqual(SERVICES.length + 3);
  for (const exe of nodeExes) {
    expect(execFileSync(exe, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${pinned}`);
  }
  // Every service answers health through reflection alone (grpcurl knows no .proto files).
  const grpcurl = path.join(root, '.tools/bin/grpcurl');
  for (const s of SERVICES) {
    const addr = `127.0.0.1:${env[`MESHCART_${s.toUpperCase()}_PORT`]}`;
    expect(execFileSync(grpcurl, ['-plaintext', addr, 'list'], { encoding: 'utf8' })).toContain(
      'grpc.health.v1.Health',
    );
    const check = execFileSync(grpcurl, ['-plaintext', addr, 'grpc.health.v1.Health/Check'], {
      encoding: 'utf8',
    });
    expect(JSON.parse(check)).toEqual({ status: 'SERVING' });
  }
  process.kill(b.child.pid!, 'SIGKILL');
  await b.exited;
  const took = await expectNothingLeft(5_000);
  process.stdout.write(`all ${before.length} processes gone ${took} ms after the SIGKILL\n`);
});
