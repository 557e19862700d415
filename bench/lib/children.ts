/** Child processes the benchmark starts itself (echo server, no-op worker): bounded and stoppable. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = path.resolve(__dirname, '../..');

export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of output, for error messages. */
  tail(): string;
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node --require tsx/cjs <entry>` (the way the stack runs services) and resolves once a
 * line matches `ready` (rejects on exit or after `timeoutMs`). `onLine` sees every stdout line.
 */
export async function startTsChild(opts: {
  name: string;
  entry: string;
  env: Record<string, string>;
  ready: RegExp;
  timeoutMs?: number;
  onLine?: (line: string) => void;
  nodeArgs?: string[];
}): Promise<Child & { readyLine: string }> {
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--require', 'tsx/cjs', path.join(ROOT, opts.entry)],
    { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const keep = (l: string) => {
    lines.push(l);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  let onReady: (line: string) => void = () => undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (opts.onLine) opts.onLine(l);
    if (!l.startsWith('CONFIRMED ')) keep(l);
    if (opts.ready.test(l)) onReady(l);
  });
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: Child = {
    name: opts.name,
    child,
    pid: child.pid!,
    tail: () => lines.slice(-40).join('\n'),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `${opts.name} not ready within ${(opts.timeoutMs ?? 120_000) / 1000}s:\n${handle.tail()}`,
        ),
      );
    }, opts.timeoutMs ?? 120_000);
    onReady = (l) => {
      clearTimeout(timer);
      resolve(l);
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${opts.name} exited (code ${code}) before it was ready:\n${handle.tail()}`),
      );
    });
  }).catch(async (e: unknown) => {
    await handle.stop(1_000);
    throw e;
  });
  return { ...handle, readyLine };
}
