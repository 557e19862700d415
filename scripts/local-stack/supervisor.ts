import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatLogLine } from './log-format';

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];

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
 * SIGTERM, then SIGKILL after a grace period. Children run in their own process group so a
 * Ctrl-C in the terminal reaches only the supervisor, which then shuts them down in order.
 */
export class Supervisor {
  private readonly running: Running[] = [];
  private readonly width: number;
  onUnexpectedExit: (name: string, code: number | null) => void = () => undefined;
  private stopping = false;

  constructor(
    names: string[],
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly pretty = true,
  ) {
    this.width = Math.max(...names.map((n) => n.length));
  }

  start(spec: ProcessSpec): ChildProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const color = COLORS[this.running.length % COLORS.length];
    const prefix = `\x1b[${color}m${spec.name.padEnd(this.width)} |\x1b[0m `;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.out.write(prefix + (this.pretty ? formatLogLine(line) : line) + '\n');
      });
    }
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        if (!this.stopping && !spec.oneShot) this.onUnexpectedExit(spec.name, code);
        resolve(code);
      }),
    );
    this.running.push({ spec, child, exited });
    return child;
  }

  /** Stops every child, last started first. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const r of [...this.running].reverse()) {
      if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
      try {
        process.kill(-r.child.pid!, 'SIGTERM');
      } catch {
        r.child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-r.child.pid!, 'SIGKILL');
        } catch {
          r.child.kill('SIGKILL');
        }
      }, graceMs);
      await r.exited;
      clearTimeout(timer);
    }
  }
}
