/**
 * CPU and memory of processes from /proc (Linux): utime+stime from /proc/<pid>/stat (all
 * threads), VmRSS from /proc/<pid>/status. Also finds the processes to watch: the children
 * of this process (the stack's services, worker, edge, the echo server, the no-op worker) by
 * their command line, and the servers behind a listening TCP port (MariaDB, Temporal).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Watched {
  name: string;
  pid: number;
}

interface Tick {
  at: number;
  cpuTicks: number;
  rssKb: number;
}

export interface ProcStats {
  name: string;
  pid: number;
  /** Mean CPU over the window, percent of one core. */
  cpuPct: number;
  /** Highest CPU over any sampling interval, percent of one core. */
  cpuPeakPct: number;
  rssMbMean: number;
  rssMbMax: number;
  samples: number;
}

let clkTck: number | undefined;
export function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** One reading of a process, or undefined when it is gone. */
export function readProc(pid: number): { cpuTicks: number; rssKb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    const cpuTicks = Number(rest[11]) + Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { cpuTicks, rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function ppid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

const pids = (): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

/** Children of `parent` whose command line matches, named by `name(cmdline)` (undefined: skip). */
export function childProcesses(
  parent: number,
  name: (cmd: string) => string | undefined,
): Watched[] {
  const out: Watched[] = [];
  for (const pid of pids()) {
    if (ppid(pid) !== parent) continue;
    const n = name(cmdline(pid));
    if (n) out.push({ name: n, pid });
  }
  return out;
}

/** Samples a set of processes every `intervalMs` until stopped; summarises per process. */
export class ProcSampler {
  private readonly series = new Map<number, { name: string; ticks: Tick[] }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly watched: Watched[],
    private readonly intervalMs = 1_000,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private sample(): void {
    const at = performance.now();
    for (const w of this.watched) {
      const r = readProc(w.pid);
      if (!r) continue;
      let s = this.series.get(w.pid);
      if (!s) this.series.set(w.pid, (s = { name: w.name, ticks: [] }));
      s.ticks.push({ at, ...r });
    }
  }

  stop(): ProcStats[] {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const hz = ticksPerSecond();
    const out: ProcStats[] = [];
    for (const [pid, { name, ticks }] of this.series) {
      if (ticks.length < 2) continue;
      const first = ticks[0]!;
      const last = ticks[ticks.length - 1]!;
      const wallS = (last.at - first.at) / 1000;
      let peak = 0;
      for (let i = 1; i < ticks.length; i++) {
        const dt = (ticks[i]!.at - ticks[i - 1]!.at) / 1000;
        if (dt > 0.2)
          peak = Math.max(peak, ((ticks[i]!.cpuTicks - ticks[i - 1]!.cpuTicks) / hz / dt) * 100);
      }
      const rss = ticks.map((t) => t.rssKb / 1024);
      out.push({
        name,
        pid,
        cpuPct: wallS > 0 ? ((last.cpuTicks - first.cpuTicks) / hz / wallS) * 100 : 0,
        cpuPeakPct: peak,
        rssMbMean: rss.reduce((a, b) => a + b, 0) / rss.length,
        rssMbMax: Math.max(...rss),
        samples: ticks.length,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** Machine-wide CPU use (all cores) from /proc/stat, percent of the whole machine. */
export class SystemCpu {
  private first = SystemCpu.read();
  static read(): { busy: number; total: number } {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  }
  reset(): void {
    this.first = SystemCpu.read();
  }
  /** Busy percent since construction / reset. */
  busyPct(): number {
    const now = SystemCpu.read();
    const dt = now.total - this.first.total;
    return dt > 0 ? ((now.busy - this.first.busy) / dt) * 100 : 0;
  }
}

/** Load averages from /proc/loadavg. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a ?? 0, b ?? 0, c ?? 0];
}

/** CPU seconds each process uses while `fn` runs (user + system, all threads). */
export async function cpuSecondsDuring<T>(
  procs: Watched[],
  fn: () => Promise<T>,
): Promise<{ result: T; cpuS: Record<string, number> }> {
  const before = new Map(procs.map((w) => [w.name, readProc(w.pid)?.cpuTicks]));
  const result = await fn();
  const hz = ticksPerSecond();
  const cpuS: Record<string, number> = {};
  for (const w of procs) {
    const a = before.get(w.name);
    const b = readProc(w.pid)?.cpuTicks;
    if (a !== undefined && b !== undefined) cpuS[w.name] = (b - a) / hz;
  }
  return { result, cpuS };
}
