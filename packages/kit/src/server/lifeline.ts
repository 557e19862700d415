/**
 * The lifeline: a pipe the local supervisor (scripts/local-stack/supervisor.ts) hands every
 * child on the file descriptor named by MESHCART_LIFELINE_FD. The supervisor holds the other
 * end and never writes; when it dies, however it dies (SIGKILL included), the kernel closes its
 * end and we read end-of-file. That is our cue to stop: nobody is left to stop us, and an
 * orphan would keep the ports the next `npm start` needs.
 */
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { loadConfig, parse, v } from '../config/load-config';

const lifelineSpec = {
  fd: v('MESHCART_LIFELINE_FD', parse.int({ min: 3, max: 1_000_000 }), {
    default: undefined as number | undefined,
  }),
};

interface Listener {
  onLost: (why: string) => void;
  fallback: boolean;
}

interface Watcher {
  listeners: Set<Listener>;
  lost?: string;
}

// One watcher per process, even if the kit is loaded twice (tsx plus a bundle): the fd can be
// wrapped only once.
const KEY = Symbol.for('meshcart.lifeline');
type Holder = { [KEY]?: Watcher | null };

/**
 * Calls `onLost` once when the supervisor's end of the lifeline closes (or reading it fails).
 * Without MESHCART_LIFELINE_FD this does nothing. The pipe never keeps the process alive.
 * A `fallback` listener is called only when no regular listener is registered: runMain's
 * "exit now" for one-shot scripts, which a server's bounded shutdown replaces.
 * Returns a function that removes the listener.
 */
export function watchLifeline(
  onLost: (why: string) => void,
  opts: { fallback?: boolean; env?: Record<string, string | undefined> } = {},
): () => void {
  const watcher = lifelineWatcher(opts.env ?? process.env);
  if (!watcher) return () => undefined;
  const listener: Listener = { onLost, fallback: opts.fallback ?? false };
  if (watcher.lost !== undefined) {
    const why = watcher.lost;
    setImmediate(() => onLost(why));
    return () => undefined;
  }
  watcher.listeners.add(listener);
  return () => watcher.listeners.delete(listener);
}

function lifelineWatcher(env: Record<string, string | undefined>): Watcher | null {
  const holder = globalThis as Holder;
  if (holder[KEY] !== undefined) return holder[KEY];
  const { fd } = loadConfig(lifelineSpec, env);
  // Our own children must not inherit the variable: fd 3 in them is whatever they opened
  // first (in a Node child, often an internal descriptor), not a pipe from the supervisor.
  delete env.MESHCART_LIFELINE_FD;
  if (fd === undefined || !isPipe(fd)) {
    if (fd !== undefined)
      process.stderr.write(`MESHCART_LIFELINE_FD=${fd} is not an open pipe: lifeline ignored\n`);
    holder[KEY] = null;
    return null;
  }
  const watcher: Watcher = { listeners: new Set() };
  const socket = new Socket({ fd, readable: true, writable: false });
  const lose = (why: string) => {
    if (watcher.lost !== undefined) return;
    watcher.lost = why;
    socket.destroy();
    const all = [...watcher.listeners];
    const regular = all.filter((l) => !l.fallback);
    for (const l of regular.length > 0 ? regular : all) l.onLost(why);
  };
  socket.on('end', () => lose('lifeline closed'));
  socket.on('close', () => lose('lifeline closed'));
  socket.on('error', (err) => lose(`lifeline read failed: ${err.message}`));
  socket.resume(); // the supervisor never writes; anything that arrives is dropped
  socket.unref();
  holder[KEY] = watcher;
  return watcher;
}

/** Only a pipe or a socket pair can be a lifeline: never wrap a file or an unknown descriptor. */
function isPipe(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}
