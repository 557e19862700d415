import type { GrpcServer } from '../server/grpc-server';

/** Starts a built server on 127.0.0.1:0; stop() shuts it down quickly. */
export async function startTestServer(
  s: GrpcServer,
): Promise<{ address: string; port: number; stop(): Promise<void> }> {
  const port = await s.listen('127.0.0.1', 0);
  return { address: `127.0.0.1:${port}`, port, stop: () => s.shutdown({ graceMs: 2_000 }) };
}
