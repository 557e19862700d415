/**
 * The stack's reaper: a tiny watchdog that makes sure nothing a supervisor started outlives it.
 *
 * The supervisor spawns it first, detached (its own session, so a Ctrl-C in the terminal does
 * not reach it), with a pipe on its stdin that only the supervisor holds. Over that pipe the
 * supervisor announces, one JSON object per line, what it starts:
 *   {"add":{"pid":123,"name":"users","group":true}}   a child (group: its own process group)
 *   {"addPidFile":{"path":".../mariadbd.pid","name":"mariadb"}}   a daemon found by pid file
 *   {"remove":123} / {"removePidFile":"..."}          stopped cleanly by the supervisor
 *   {"done":true}                                     the supervisor is exiting on purpose
 * When the pipe reaches end-of-file without "done" - the supervisor was SIGKILLed, crashed, or its
 * terminal closed - the kernel has closed the pipe for us: the reaper sends SIGTERM to everything
 * still registered, SIGKILL to what is left after MESHCART_REAPER_GRACE_MS (default 3500, so a
 * stack is gone within 5 s), and exits. Pids are checked against their start time before any
 * signal, so a recycled pid is never hit.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

interface Target {
  name: string;
  pid?: number;
  pidFile?: string;
  group?: boolean;
  /** /proc/<pid>/stat start time when registered: guards against pid reuse. */
  startTime?: string;
}

const graceMs = Number(process.env.MESHCART_REAPER_GRACE_MS ?? 3500);
const logFile = process.env.MESHCART_REAPER_LOG;
const targets = new Map<string, Target>();
let done = false;

function log(msg: string): void {
  if (!logFile) return;
  try {
    appendFileSync(logFile, `${new Date().toISOString()} reaper[${process.pid}] ${msg}\n`);
  } catch {
    /* logging is best effort: the reaper's job matters more */
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or undefined if gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function pidOf(t: Target): number | undefined {
  if (t.pid !== undefined) return t.pid;
  try {
    const pid = Number(readFileSync(t.pidFile!, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(t: Target): boolean {
  const pid = pidOf(t);
  if (pid === undefined) return false;
  const start = processStartTime(pid);
  if (start === undefined) return false;
  return t.startTime === undefined || t.startTime === start;
}

function signal(t: Target, sig: NodeJS.Signals): void {
  const pid = pidOf(t);
  if (pid === undefined || !alive(t)) return;
  try {
    process.kill(t.group ? -pid : pid, sig);
  } catch {
    try {
      process.kill(pid, sig); // the group may be gone while the leader lingers
    } catch {
      /* already gone */
    }
  }
}

async function reap(): Promise<void> {
  const all = [...targets.values()];
  log(`supervisor gone: stopping ${all.map((t) => t.name).join(', ') || 'nothing'}`);
  for (const t of all) signal(t, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && all.some(alive)) await new Promise((r) => setTimeout(r, 100));
  for (const t of all.filter(alive)) {
    log(`${t.name} still running after ${graceMs} ms: SIGKILL`);
    signal(t, 'SIGKILL');
  }
  process.exit(0);
}

function apply(line: string): void {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  if (msg.done) done = true;
  const add = msg.add as { pid: number; name: string; group?: boolean } | undefined;
  if (add) {
    targets.set(`pid:${add.pid}`, { ...add, startTime: processStartTime(add.pid) });
  }
  const addFile = msg.addPidFile as { path: string; name: string } | undefined;
  if (addFile) targets.set(`file:${addFile.path}`, { name: addFile.name, pidFile: addFile.path });
  if (typeof msg.remove === 'number') targets.delete(`pid:${msg.remove}`);
  if (typeof msg.removePidFile === 'string') targets.delete(`file:${msg.removePidFile}`);
}

if (require.main === module) {
  // Signals meant for the terminal's foreground group are not for us (SIGTERM still ends us).
  for (const s of ['SIGINT', 'SIGHUP'] as const) process.on(s, () => undefined);
  createInterface({ input: process.stdin }).on('line', apply);
  process.stdin.on('close', () => {
    if (done) process.exit(0);
    void reap();
  });
}
