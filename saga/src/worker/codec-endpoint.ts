/** Starts the codec server (codec-server.ts) when the worker's config asks for one. */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { PayloadCodec } from '@temporalio/common';
import { ConfigError, createTokenVerifier, openPublicKeys } from '@meshcart/kit';
import type { WorkerConfig } from './config';
import { createCodecServer } from './codec-server';

export async function startCodecServer(
  config: WorkerConfig,
  dataConverter: { payloadCodecs: PayloadCodec[] } | undefined,
  logger: Logger,
): Promise<{ close(): Promise<void> } | undefined> {
  if (config.codecServerPort === undefined) return undefined;
  if (!dataConverter)
    throw new ConfigError(['CODEC_SERVER_PORT is set but TEMPORAL_PAYLOAD_KEYS is not']);
  const jwks = openPublicKeys(config, logger)!;
  const server: Server = createCodecServer({
    codec: dataConverter.payloadCodecs[0]!,
    verifier: createTokenVerifier({
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      jwks: () => jwks.current(),
    }),
    allowedOrigins: config.codecAllowedOrigins
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.codecServerPort, config.healthHost, () => resolve());
  });
  logger.info({ port: config.codecServerPort }, 'codec server listening');
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
