import { Connection, Client } from '@temporalio/client';

/** Address of the Temporal server the test run started (scripts/temporal.sh). */
export function temporalAddress(): string {
  return (
    process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.MESHCART_TEMPORAL_PORT ?? '7233'}`
  );
}

/** Connects to the local Temporal server; fails with a clear message when it is not running. */
export async function connectTestTemporal(): Promise<{
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}> {
  const address = temporalAddress();
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: 5_000 });
  } catch (e) {
    throw new Error(
      `Temporal server not reachable at ${address}: start it with scripts/temporal.sh start (${(e as Error).message})`,
    );
  }
  return {
    connection,
    client: new Client({ connection, namespace: 'default' }),
    close: () => connection.close(),
  };
}
