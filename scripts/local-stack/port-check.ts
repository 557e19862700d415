import { createServer } from 'node:net';

/** Fails with one clear message listing every port already taken on 127.0.0.1. */
export async function assertPortsFree(ports: { name: string; port: number }[]): Promise<void> {
  const taken: string[] = [];
  for (const { name, port } of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (!free) taken.push(`${port} (${name})`);
  }
  if (taken.length > 0) {
    throw new Error(
      `port(s) already in use: ${taken.join(', ')}.\n  Is another meshcart running? Stop it, or move ports with ` +
        `MESHCART_<SERVICE>_PORT / MESHCART_EDGE_PORT / MESHCART_WORKER_HEALTH_PORT.`,
    );
  }
}
