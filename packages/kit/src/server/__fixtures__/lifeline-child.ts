/**
 * A minimal kit process for lifeline.process.test.ts, started the way the local supervisor
 * starts every child. `server`: a gRPC server (health only) stopped by onShutdownSignal, as in
 * every service main.ts. `oneshot`: runMain alone with work that never ends, like a seed job
 * waiting on a service.
 */
import { createGrpcServer } from '../grpc-server';
import { runMain } from '../run-main';
import { grpcServerStep, onShutdownSignal } from '../shutdown-signal';
import { createLogger } from '../../logging/logger';

const mode = process.argv[2];
const logger = createLogger({ service: 'lifeline-child' });

runMain(async () => {
  if (mode === 'oneshot') {
    logger.info('ready');
    await new Promise((r) => setTimeout(r, 120_000));
    return;
  }
  const server = createGrpcServer({ services: [], logger, reflection: false });
  const port = await server.listen('127.0.0.1', 0);
  onShutdownSignal(
    logger,
    [grpcServerStep(server, { shutdownDrainMs: 0, shutdownGraceMs: 1_000 })],
    { deadlineMs: 5_000 },
  );
  // Whether the variable is still visible to anything this process would spawn.
  logger.info({ port, lifeline_env_left: process.env.MESHCART_LIFELINE_FD ?? null }, 'ready');
});
