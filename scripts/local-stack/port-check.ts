import { createServer } from 'node:net';
import { describeHolders, portHolders } from './port-holders';

async function isFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Fails with one clear message listing every port already taken on 127.0.0.1, which process
 * holds it (pid and command), and the way out: `npm run stop` stops exactly the meshcart
 * processes among them, by pid; anything else is left for the user to deal with.
 */
export async function assertPortsFree(
  ports: { name: string; port: number }[],
  root: string,
): Promise<void> {
  const taken: { name: string; port: number }[] = [];
  for (const p of ports) if (!(await isFree(p.port))) taken.push(p);
  if (taken.length === 0) return;
  const holders = portHolders(
    taken.map((t) => t.port),
    root,
  );
  const ours = holders.some((h) => h.meshcart);
  throw new Error(
    `port(s) already in use: ${taken.map((t) => `${t.port} (${t.name})`).join(', ')}.\n` +
      (holders.length ? `held by:\n${describeHolders(holders)}\n` : '') +
      (ours
        ? '  These are left over from an earlier meshcart run: `npm run stop` stops exactly them (by pid).'
        : '  Stop those programs, or move meshcart with MESHCART_<SERVICE>_PORT / MESHCART_EDGE_PORT /\n' +
          '  MESHCART_WORKER_HEALTH_PORT / MESHCART_MYSQL_PORT / MESHCART_TEMPORAL_PORT.'),
  );
}
