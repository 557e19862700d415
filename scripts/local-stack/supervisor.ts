import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { formatLogLine } from './log-format';

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];
const REAPER = path.join(__dirname, 'reaper.ts');

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Expected to exit by itself (e.g. the seed job): its exit is not reported as a crash. */
  oneShot?: boolean;
}

interface Running {
  spec: ProcessSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Starts child processes with prefixed, colourised log lines and stops them in reverse order:
 * SIGTERM, then SIGKILL after a grace period.
 *
 * Children run in their own process group, so a Ctrl-C in the terminal reaches only the
 * supervisor, which then stops them in order. Nothing may outlive the supervisor, though, even
 * when it dies abruptly (SIGKILL, a crash, a closed terminal), so two independent lifelines:
 * - every child gets a pipe on fd 3 (MESHCART_LIFELINE_FD=3) that only the supervisor holds;
 *   the kit and the edge treat its end-of-file as SIGTERM (a bounded shutdown);
 * - a reaper process (reaper.ts), started before anything else, learns every pid and pid file
 *   and stops whatever is still registered when its own pipe from the supervisor closes - this
 *   covers children that do not watch fd 3 (MariaDB, Temporal, bash steps).
 * Every child also carries MESHCART_STACK_ID, so a test (or a person) can find all processes
 * of one stack in /proc.
 */
export class Supervisor {
  private readonly running: Running[] = [];
  private readonly width: number;
  private reaper?: ChildProcess;
  readonly stackId = randomBytes(6).toString('hex');
  onUnexpectedExit: (name: string, code: number | null) => void = () => undefined;
  private stopping = false;

  constructor(
    names: string[],
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly pretty = true,
    /** Where the reaper appends what it did (nothing when unset). */
    private readonly reaperLog?: string,
  ) {
    this.width = Math.max(...names.map((n) => n.length));
  }

  /** Environment every child of this stack gets. */
  get childEnv(): Record<string, string> {
    return { MESHCART_STACK_ID: this.stackId };
  }

  /** Starts the reaper (idempotent); called before the first child so no child escapes it. */
  private ensureReaper(): Writable {
    if (!this.reaper) {
      this.reaper = spawn(process.execPath, ['--require', 'tsx/cjs', REAPER], {
        cwd: path.resolve(__dirname, '../..'),
        env: {
          ...process.env,
          ...this.childEnv,
          ...(this.reaperLog ? { MESHCART_REAPER_LOG: this.reaperLog } : {}),
        },
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      });
      // Neither the reaper nor our end of its pipe may keep this process alive.
      this.reaper.unref();
      (this.reaper.stdin as unknown as { unref(): void }).unref();
      this.reaper.stdin!.on('error', () => undefined);
    }
    return this.reaper.stdin!;
  }

  private tellReaper(msg: object): void {
    const pipe = this.ensureReaper();
    if (pipe.writable) pipe.write(JSON.stringify(msg) + '\n');
  }

  /** Have the reaper stop the daemon behind `pidFile` if this supervisor dies abruptly. */
  guardPidFile(name: string, pidFile: string): void {
    this.tellReaper({ addPidFile: { name, path: pidFile } });
  }

  releasePidFile(pidFile: string): void {
    this.tellReaper({ removePidFile: pidFile });
  }

  start(spec: ProcessSpec): ChildProcess {
    this.ensureReaper();
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, ...this.childEnv, MESHCART_LIFELINE_FD: '3' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid !== undefined)
      this.tellReaper({ add: { pid: child.pid, name: spec.name, group: true } });
    const lifeline = child.stdio[3] as unknown as { unref?(): void; destroy(): void };
    lifeline.unref?.();
    (child.stdio[3] as NodeJS.EventEmitter | null)?.on('error', () => undefined);
    const color = COLORS[this.running.length % COLORS.length];
    const prefix = `\x1b[${color}m${spec.name.padEnd(this.width)} |\x1b[0m `;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.out.write(prefix + (this.pretty ? formatLogLine(line) : line) + '\n');
      });
    }
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', (err) => {
        this.out.write(`${prefix}could not start: ${err.message}\n`);
        resolve(null);
      });
      child.once('exit', (code, signal) => {
        lifeline.destroy();
        if (child.pid !== undefined) this.tellReaper({ remove: child.pid });
        if (!this.stopping && !spec.oneShot)
          this.onUnexpectedExit(spec.name, code ?? signalCode(signal));
        resolve(code);
      });
    });
    this.running.push({ spec, child, exited });
    return child;
  }

  /** Pids of the children still running (status output, tests). */
  pids(): { name: string; pid: number }[] {
    return this.running
      .filter((r) => r.child.exitCode === null && r.child.signalCode === null && r.child.pid)
      .map((r) => ({ name: r.spec.name, pid: r.child.pid! }));
  }

  /** Stops every child, last started first (SIGTERM, then SIGKILL after graceMs). */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const r of [...this.running].reverse()) {
      if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
      signalGroup(r.child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(r.child, 'SIGKILL'), graceMs);
      await r.exited;
      clearTimeout(timer);
    }
  }

  /** A second Ctrl-C: SIGKILL every child group at once, without waiting for any order. */
  killAll(): void {
    this.stopping = true;
    for (const r of this.running) signalGroup(r.child, 'SIGKILL');
  }

  /** This supervisor is ending on purpose: the reaper has nothing left to do. */
  release(): void {
    if (!this.reaper) return;
    this.tellReaper({ done: true });
    this.reaper.stdin!.end();
  }
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, sig);
  } catch {
    child.kill(sig);
  }
}

/** 128 + signal number, as a shell reports a death by signal. */
function signalCode(signal: NodeJS.Signals | null): number | null {
  if (!signal) return null;
  return 128 + constants.signals[signal];
}
