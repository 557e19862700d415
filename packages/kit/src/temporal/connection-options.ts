/**
 * How a meshcart process reaches Temporal, beyond its address: TLS (server verification, a
 * private CA, an mTLS client certificate) and an API key. One spec for every Temporal client and
 * worker process, one function that turns it into the options both
 * `Connection.connect/lazy` (@temporalio/client) and `NativeConnection.connect` (@temporalio/worker)
 * take: `{ address, tls: { serverRootCACertificate, clientCertPair, serverNameOverride }, apiKey }`.
 *
 *   TEMPORAL_TLS_MODE          disabled | verify-full. Default: verify-full as soon as any of the
 *                              settings below is set, else disabled.
 *   TEMPORAL_TLS_CA_FILE            PEM file of the CA that signed the frontend's certificate (without
 *                              it, the system's roots: Temporal Cloud).
 *   TEMPORAL_TLS_CERT_FILE/_KEY     PEM files of this workload's client certificate and key (mTLS);
 *                              both or neither.
 *   TEMPORAL_TLS_SERVER_NAME   the name the frontend's certificate must carry (and SNI), when the
 *                              address is not it.
 *   TEMPORAL_API_KEY           sent as `authorization: Bearer <key>` (Temporal Cloud API keys, or a
 *                              server's authorizer); only over TLS.
 *
 * Like the database's, there is no unverified TLS: the SDK's core always verifies the chain and
 * the name. Files are read once at startup: rotating a certificate means restarting the pod.
 * Type-only on the SDK side: importing this does not load Temporal.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, parse, v, type Parser } from '../config/load-config';
import { readPemCertificates, readPemFile } from '../db/tls';

export const TEMPORAL_TLS_MODES = ['disabled', 'verify-full'] as const;
export type TemporalTlsMode = (typeof TEMPORAL_TLS_MODES)[number];

const certFile = (): Parser<string> => (raw) => {
  readPemCertificates(raw);
  return raw;
};

const keyFile = (): Parser<string> => (raw) => {
  readPemFile(raw, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PRIVATE KEY');
  return raw;
};

const optional = <T>() => ({ default: undefined as T | undefined });

/** The Temporal connection keys (every Temporal client's and worker's config spec spreads them). */
export function temporalConnectionConfigSpec() {
  return {
    temporalTlsMode: v(
      'TEMPORAL_TLS_MODE',
      parse.oneOf(TEMPORAL_TLS_MODES),
      optional<TemporalTlsMode>(),
    ),
    temporalTlsCa: v('TEMPORAL_TLS_CA_FILE', certFile(), optional<string>()),
    temporalTlsCert: v('TEMPORAL_TLS_CERT_FILE', certFile(), optional<string>()),
    temporalTlsKey: v('TEMPORAL_TLS_KEY_FILE', keyFile(), optional<string>()),
    temporalTlsServerName: v(
      'TEMPORAL_TLS_SERVER_NAME',
      parse.string({ min: 1, max: 253, pattern: /^[A-Za-z0-9.-]+$/ }),
      optional<string>(),
    ),
    temporalApiKey: v('TEMPORAL_API_KEY', parse.string({ min: 1 }), {
      ...optional<string>(),
      secret: true,
    }),
    /**
     * Payload encryption keys (`{"current": kid, "keys": {kid: base64 32 bytes}}`): the owner of
     * the workflows turns them into a payload codec (AES-256-GCM) for its client and worker.
     */
    temporalPayloadKeys: v('TEMPORAL_PAYLOAD_KEYS', parse.json<unknown>(), {
      ...optional<unknown>(),
      secret: true,
    }),
  };
}

export interface TemporalConnectionSettings {
  temporalTlsMode?: TemporalTlsMode;
  temporalTlsCa?: string;
  temporalTlsCert?: string;
  temporalTlsKey?: string;
  temporalTlsServerName?: string;
  temporalApiKey?: string;
  temporalPayloadKeys?: unknown;
}

/** Structurally the TLSConfig of @temporalio/common (client and worker share it). */
export interface TemporalTlsOptions {
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
  serverNameOverride?: string;
}

/** What Connection.connect/lazy and NativeConnection.connect take. */
export interface TemporalConnectionOptions {
  address: string;
  /** Absent: plaintext (the local dev server). */
  tls?: TemporalTlsOptions;
  apiKey?: string;
}

/** The mode the settings amount to (verify-full as soon as any TLS setting or the API key is set). */
export function temporalTlsMode(s: TemporalConnectionSettings): TemporalTlsMode {
  const any =
    s.temporalTlsCa ||
    s.temporalTlsCert ||
    s.temporalTlsKey ||
    s.temporalTlsServerName ||
    s.temporalApiKey;
  return s.temporalTlsMode ?? (any ? 'verify-full' : 'disabled');
}

/**
 * Connection options for `address` from the settings; contradictions are configuration errors
 * (the process exits 2): TLS settings or an API key with TLS disabled, half a client pair.
 */
export function temporalConnectionOptions(
  address: string,
  s: TemporalConnectionSettings,
): TemporalConnectionOptions {
  const mode = temporalTlsMode(s);
  if (mode === 'disabled') {
    const set = (
      [
        ['TEMPORAL_TLS_CA_FILE', s.temporalTlsCa],
        ['TEMPORAL_TLS_CERT_FILE', s.temporalTlsCert],
        ['TEMPORAL_TLS_KEY_FILE', s.temporalTlsKey],
        ['TEMPORAL_TLS_SERVER_NAME', s.temporalTlsServerName],
        ['TEMPORAL_API_KEY', s.temporalApiKey],
      ] as const
    )
      .filter(([, value]) => value)
      .map(([name]) => name);
    if (set.length > 0)
      throw new ConfigError([
        `TEMPORAL_TLS_MODE is disabled but ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set (an API key is never sent in plaintext): drop them or use verify-full`,
      ]);
    return { address };
  }
  if (Boolean(s.temporalTlsCert) !== Boolean(s.temporalTlsKey))
    throw new ConfigError([
      'TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together (the mTLS client certificate and its key)',
    ]);
  const tls: TemporalTlsOptions = {};
  if (s.temporalTlsCa) tls.serverRootCACertificate = readFileSync(s.temporalTlsCa);
  if (s.temporalTlsCert && s.temporalTlsKey)
    tls.clientCertPair = {
      crt: readFileSync(s.temporalTlsCert),
      key: readFileSync(s.temporalTlsKey),
    };
  if (s.temporalTlsServerName) tls.serverNameOverride = s.temporalTlsServerName;
  return { address, tls, ...(s.temporalApiKey ? { apiKey: s.temporalApiKey } : {}) };
}

/** For logs: what the connection uses, never the key or the certificates themselves. */
export function describeTemporalConnection(o: TemporalConnectionOptions) {
  return {
    address: o.address,
    tls: o.tls
      ? {
          ca: o.tls.serverRootCACertificate ? 'custom' : 'system',
          mtls: Boolean(o.tls.clientCertPair),
          ...(o.tls.serverNameOverride ? { serverName: o.tls.serverNameOverride } : {}),
        }
      : false,
    apiKey: Boolean(o.apiKey),
  };
}
