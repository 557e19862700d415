/**
 * Configuration of the operator commands (ops/cli.ts): where Temporal is, as the worker reads
 * it (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, TEMPORAL_API_KEY,
 * TEMPORAL_PAYLOAD_KEYS), plus what each command needs. Only the spec a command uses is loaded,
 * so the replay gate in CI needs no token and the setup job no keys.
 */
import {
  loadTopology,
  parse,
  publicKeysSpec,
  temporalConnectionConfigSpec,
  v,
  type ConfigOf,
} from '@meshcart/kit';
import { DEFAULT_REPLAY_LIMIT, DEFAULT_REPLAY_SINCE_MS } from './replay-gate';

export const temporalOpsSpec = {
  temporalAddress: v('TEMPORAL_ADDRESS', parse.address(), {
    default: `127.0.0.1:${loadTopology().servers.temporal!.port}`,
  }),
  ...temporalConnectionConfigSpec(),
  temporalNamespace: v('TEMPORAL_NAMESPACE', parse.string({ min: 1 }), { default: 'default' }),
};

export const replayGateSpec = {
  ...temporalOpsSpec,
  /** Replay the sagas started within this long (default 7d). */
  replaySinceMs: v('REPLAY_SINCE', parse.duration(), { default: DEFAULT_REPLAY_SINCE_MS }),
  /** At most this many (default 500). */
  replayLimit: v('REPLAY_LIMIT', parse.int({ min: 1, max: 100_000 }), {
    default: DEFAULT_REPLAY_LIMIT,
  }),
  /** Extra visibility filter, e.g. `TaskQueue = 'meshcart-order-saga'` (default none). */
  replayFilter: v('REPLAY_FILTER', parse.string({ max: 2000 }), { default: '' }),
};

export const operatorSpec = {
  ...temporalOpsSpec,
  jwtIssuer: v('JWT_ISSUER', parse.string({ min: 1 })),
  jwtAudience: v('JWT_AUDIENCE', parse.string({ min: 1 })),
  ...publicKeysSpec(),
  /** The operator's admin token (or MESHCART_ADMIN_TOKEN_FILE: a file holding it). */
  adminToken: v('MESHCART_ADMIN_TOKEN', parse.string(), { default: '' }),
  adminTokenFile: v('MESHCART_ADMIN_TOKEN_FILE', parse.string(), { default: '' }),
};

export type TemporalOpsConfig = ConfigOf<typeof temporalOpsSpec>;
export type ReplayGateConfig = ConfigOf<typeof replayGateSpec>;
export type OpsConfig = ConfigOf<typeof operatorSpec>;
