/**
 * Keys that can change while the process runs: the JWKS (JWT_PUBLIC_KEYS_FILE) and a workload's
 * private key (JWT_PRIVATE_KEY_FILE), both mounted from Kubernetes (a ConfigMap, a Secret). The
 * kubelet swaps mounted files in place (a symlink flip) within about a minute; we read the file
 * again every KEY_POLL_MS and compare the content, so a rotation takes effect without a restart.
 *
 * The first read happens at startup and fails fast (ConfigError, exit 2); a later bad file (half
 * written, invalid JSON, no keys) keeps the last good keys and logs a warning, once per content.
 * Polling instead of fs.watch: watches on symlinked Secret volumes miss the swap on some kernels,
 * and a read of a few hundred bytes every few seconds costs nothing.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/load-config';

export const KEY_POLL_MS = 5_000;

/** The current value of something that may be reloaded. */
export interface KeySource<T> {
  current(): T;
  /** Stops polling (tests; processes just exit). */
  close(): void;
}

export interface KeyLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export function staticSource<T>(value: T): KeySource<T> {
  return { current: () => value, close: () => undefined };
}

/**
 * `parse(text)` of `file`, re-read every `intervalMs`. `what` names the variable in errors and
 * logs (never the content: private keys go through here).
 */
export function fileSource<T>(opts: {
  file: string;
  what: string;
  parse: (text: string) => T;
  intervalMs?: number;
  log?: KeyLog;
}): KeySource<T> {
  let text: string;
  let value: T;
  try {
    text = readFileSync(opts.file, 'utf8');
    value = opts.parse(text);
  } catch (e) {
    throw new ConfigError([`${opts.what} ${opts.file}: ${(e as Error).message}`]);
  }
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const next = await readFile(opts.file, 'utf8');
      if (next === text) return;
      text = next;
      value = opts.parse(next);
      opts.log?.info({ file: opts.file, variable: opts.what }, 'keys reloaded');
    } catch (e) {
      opts.log?.warn(
        { file: opts.file, variable: opts.what, err: (e as Error).message },
        'key file not reloaded, keeping the last good keys',
      );
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), opts.intervalMs ?? KEY_POLL_MS);
  timer.unref();
  return { current: () => value, close: () => clearInterval(timer) };
}
