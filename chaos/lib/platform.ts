/**
 * One private meshcart platform for the fault loop: its own MariaDB and Temporal (infra.ts),
 * then the six services, the saga worker and the edge booted by the same startStack as
 * `npm start` and the e2e fixture, on free ports, with its own database prefix and task queue.
 * It owns the supervisor, so it knows every process's pid (to freeze it), and it reports any
 * exit it did not cause as a death, with the process's last lines.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freeStackPorts, SERVICES, type ServiceName } from '../../scripts/local-stack/ports';
import { withLoadProfile } from '../../scripts/local-stack/load-profile';
import { startStack, type RunningStack } from '../../scripts/local-stack/stack';
import { Supervisor } from '../../scripts/local-stack/supervisor';
import { isAlive, privateInfra, type PrivateInfra } from './infra';
import { sleep } from './random';
import { OutputTail } from './output-tail';

export type StackProcess = ServiceName | 'worker' | 'edge';

export interface ProcessDeath {
  name: string;
  pid: number;
  /** The exit code, or 128 + the signal number when a signal ended it (the supervisor's way). */
  code: number | null;
  /** The signal that 128 + n names, when code is above 128. */
  signal?: string;
  /** The last lines the process printed (stdout and stderr). */
  lastLines: string[];
}

const STACK_PROCESSES: StackProcess[] = [...SERVICES, 'worker', 'edge'];

export interface PlatformOptions {
  root: string;
  log: (line: string) => void;
  /** Extra environment for every stack process. */
  env?: Record<string, string>;
  /** Aborts the boot (Ctrl-C while the platform starts). */
  signal?: AbortSignal;
}

export class ChaosPlatform {
  readonly deaths: ProcessDeath[] = [];
  private readonly frozen = new Set<number>();
  private stopping = false;
  private deathListener: (d: ProcessDeath) => void = () => undefined;

  private constructor(
    readonly dataDir: string,
    readonly logPath: string,
    readonly infra: PrivateInfra,
    readonly stack: RunningStack,
    readonly output: OutputTail,
    readonly dbPrefix: string,
    private readonly sup: Supervisor,
    private readonly pids: Map<StackProcess, number>,
  ) {}

  static async start(o: PlatformOptions): Promise<ChaosPlatform> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'meshcart-chaos-'));
    const logPath = path.join(dataDir, 'stack.log');
    const output = new OutputTail(logPath);
    const run = randomBytes(3).toString('hex');
    let infra: PrivateInfra | undefined;
    const sup = new Supervisor([...STACK_PROCESSES, 'seed'], output.stream, false);
    const cleanup = async () => {
      await infra?.temporal.stop();
      await infra?.mariadb.stop();
      await output.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
    try {
      infra = await privateInfra(o.root, dataDir);
      o.log(`private MariaDB :${infra.mysqlPort}, Temporal :${infra.temporalPort} in ${dataDir}`);
      await Promise.all([infra.mariadb.start(), infra.temporal.start()]);
      const ports = await freeStackPorts({
        temporal: infra.temporalPort,
        temporalUi: infra.temporalUiPort,
        mysql: infra.mysqlPort,
      });
      // If this process dies abruptly, the supervisor's reaper stops the servers too.
      sup.guardPidFile('mariadb', infra.mariadb.pidFile);
      sup.guardPidFile('temporal', infra.temporal.pidFile);
      const stack = await startStack({
        root: o.root,
        dataDir,
        ports,
        adminUrl: infra.adminUrl,
        temporalAddress: infra.temporalAddress,
        dbPrefix: `chaos_${run}_`,
        taskQueue: `meshcart-chaos-${run}`,
        seed: true,
        logLevel: 'info',
        out: output.stream,
        prettyLogs: false,
        log: (l) => output.note(`[stack] ${l}`),
        env: withLoadProfile(o.env),
        supervisor: sup,
        signal: o.signal,
      });
      const running = new Map(sup.pids().map((p) => [p.name, p.pid]));
      const pids = new Map<StackProcess, number>();
      for (const name of STACK_PROCESSES) {
        const pid = running.get(name);
        if (pid === undefined) throw new Error(`no running ${name} process after boot`);
        pids.set(name, pid);
      }
      const platform = new ChaosPlatform(
        dataDir,
        logPath,
        infra,
        stack,
        output,
        `chaos_${run}_`,
        sup,
        pids,
      );
      stack.onUnexpectedExit((name, code) => void platform.reportDeath(name, code));
      return platform;
    } catch (e) {
      await sup.stopAll(2_000);
      sup.release();
      const tail = output.last('worker').concat(output.last('orders')).join('\n');
      await cleanup();
      throw new Error(`${(e as Error).message}\n--- last stack output ---\n${tail}`);
    }
  }

  get edgeUrl(): string {
    return this.stack.edgeUrl;
  }

  pid(name: StackProcess): number {
    return this.pids.get(name)!;
  }

  onDeath(fn: (d: ProcessDeath) => void): void {
    this.deathListener = fn;
  }

  /** SIGSTOP the process for `ms`, then SIGCONT (its whole process group: it leads one). */
  async freeze(name: StackProcess, ms: number): Promise<void> {
    const pid = this.pid(name);
    this.signalGroup(pid, 'SIGSTOP');
    this.frozen.add(pid);
    try {
      await new Promise((r) => setTimeout(r, ms));
    } finally {
      this.frozen.delete(pid);
      this.signalGroup(pid, 'SIGCONT');
    }
  }

  /** Stops every process and server this run started and removes its temp dir. */
  async stop(opts: { keepLogAt?: string } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // A stopped process cannot handle SIGTERM: wake everything first.
    for (const pid of this.frozen) this.signalGroup(pid, 'SIGCONT');
    this.frozen.clear();
    await this.stack.stop().catch(() => undefined);
    await this.infra.temporal.stop();
    await this.infra.mariadb.stop();
    for (const s of [this.infra.temporal, this.infra.mariadb]) {
      const pid = s.pid();
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    // Everything is down: the reaper (which would stop it all had we died) can go.
    this.sup.release();
    await this.output.close();
    if (opts.keepLogAt) {
      const { copyFileSync } = await import('node:fs');
      copyFileSync(this.logPath, opts.keepLogAt);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone: the supervisor reports its exit */
      }
    }
  }

  private async reportDeath(name: string, code: number | null): Promise<void> {
    if (this.stopping) return;
    // The exit can overtake the last lines on its pipes: give them a moment to arrive.
    await sleep(500);
    const death: ProcessDeath = {
      name,
      pid: this.pids.get(name as StackProcess) ?? 0,
      code,
      signal: code !== null && code > 128 ? signalName(code - 128) : undefined,
      lastLines: this.output.last(name),
    };
    this.deaths.push(death);
    this.deathListener(death);
  }
}

function signalName(n: number): string | undefined {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0];
}
