/**
 * Who listens on a TCP port, read from /proc (Linux): /proc/net/tcp{,6} maps listening sockets
 * to inodes, /proc/<pid>/fd maps inodes to processes. No `ss`/`lsof` needed, and it works for
 * processes of any language. Processes we may not inspect are reported without a pid.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  port: number;
  pid?: number;
  command?: string;
  /** True when the process belongs to a meshcart stack (see isMeshcartProcess). */
  meshcart: boolean;
}

const LISTEN = '0A';

/** inode -> port for every listening TCP socket (IPv4 and IPv6). */
function listeningInodes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      const port = parseInt(f[1]!.split(':')[1]!, 16);
      out.set(f[9]!, port);
    }
  }
  return out;
}

export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/**
 * A meshcart process: started by a stack supervisor (MESHCART_STACK_ID in its environment) or
 * running from this checkout (its command line names a path inside `root`: services and the
 * worker run `<root>/services/...`, the edge `<root>/.tools/bin/...`, MariaDB and Temporal keep
 * their data under `<root>/.data`).
 */
export function isMeshcartProcess(pid: number, root: string): boolean {
  if ((commandOf(pid) ?? '').includes(`${root}/`)) return true;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .some((kv) => kv.startsWith('MESHCART_STACK_ID='));
  } catch {
    return false;
  }
}

/** The processes listening on any of `ports` (one entry per port and process). */
export function portHolders(ports: number[], root: string): PortHolder[] {
  const wanted = new Set(ports);
  const inodes = new Map([...listeningInodes()].filter(([, port]) => wanted.has(port)));
  if (inodes.size === 0) return [];
  const found = new Map<string, PortHolder>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      const port = m ? inodes.get(m[1]!) : undefined;
      if (port === undefined) continue;
      found.set(`${port}/${pid}`, {
        port,
        pid,
        command: commandOf(pid),
        meshcart: isMeshcartProcess(pid, root),
      });
    }
  }
  // Ports whose socket no visible process holds (another user's process, a container).
  const seen = new Set([...found.values()].map((h) => h.port));
  for (const port of new Set(inodes.values())) {
    if (!seen.has(port)) found.set(`${port}/?`, { port, meshcart: false });
  }
  return [...found.values()].sort((a, b) => a.port - b.port);
}

/** One line per holder: "  50051  pid 1234  node --require tsx/cjs .../users/src/main.ts". */
export function describeHolders(holders: PortHolder[]): string {
  return holders
    .map(
      (h) =>
        `  ${String(h.port).padEnd(5)}  ${h.pid ? `pid ${h.pid}` : 'pid ?'}  ${
          h.meshcart ? '' : '(not meshcart) '
        }${(h.command ?? 'unknown process').slice(0, 160)}`,
    )
    .join('\n');
}
