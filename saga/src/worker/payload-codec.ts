/**
 * Encrypts every payload the saga puts in Temporal (workflow inputs with the shipping address,
 * activity arguments and results, queries, failures' details) with AES-256-GCM before it leaves
 * the process, so history in Temporal's database, `temporal workflow show` and the Web UI hold
 * ciphertext only. Used by both ends: orders' client (it starts sagas and reads their state) and
 * the worker (dataConverter.payloadCodecs).
 *
 * Wire format of an encrypted payload: metadata `encoding: binary/encrypted`,
 * `encryption-cipher: AES-256-GCM`, `encryption-key-id: <kid>`; data = 12-byte IV | ciphertext |
 * 16-byte tag of the original payload (its metadata and data as JSON with base64 values, so the
 * original encoding is hidden too). The key id is also authenticated (GCM additional data).
 *
 * Keys (TEMPORAL_PAYLOAD_KEYS, a secret): `{"current": "<kid>", "keys": {"<kid>": "<base64 of 32
 * bytes>", ...}}`. New payloads use `current`; any listed key decrypts, so a rotation adds a key,
 * makes it current, and drops the old one only once no open saga's history uses it. Payloads
 * that were never encrypted (histories from before, the replay fixtures) pass through decode.
 *
 * Node-side (node:crypto): not for the workflow sandbox; other processes import `@meshcart/saga/payload-codec`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ConfigError } from '@meshcart/kit';

const ENCODING = 'binary/encrypted';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKeys {
  current: string;
  keys: Record<string, string>;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function serialize(p: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = b64(v);
  return Buffer.from(JSON.stringify({ m: metadata, d: b64(p.data ?? new Uint8Array()) }));
}

function deserialize(b: Buffer): Payload {
  const { m, d } = JSON.parse(b.toString('utf8')) as { m: Record<string, string>; d: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(m)) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(d, 'base64') };
}
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

/** Checks and decodes the key set; throws one line naming what is wrong. */
export function parsePayloadKeys(raw: unknown): Map<string, Buffer> & { current: string } {
  const k = raw as Partial<PayloadKeys> | undefined;
  if (!k || typeof k !== 'object' || typeof k.current !== 'string' || !k.keys)
    throw new Error('must be {"current": "<kid>", "keys": {"<kid>": "<base64, 32 bytes>"}}');
  const out = new Map<string, Buffer>() as Map<string, Buffer> & { current: string };
  for (const [kid, b64] of Object.entries(k.keys)) {
    if (!KID.test(kid)) throw new Error(`key id ${JSON.stringify(kid)} must match ${KID}`);
    const key = Buffer.from(String(b64), 'base64');
    if (key.length !== 32)
      throw new Error(`key ${kid} must be 32 bytes (base64), got ${key.length}`);
    out.set(kid, key);
  }
  if (!out.has(k.current)) throw new Error(`current key ${k.current} is not in keys`);
  out.current = k.current;
  return out;
}

/** The codec for a key set (parsePayloadKeys' input). */
export function createPayloadCodec(keys: PayloadKeys): PayloadCodec {
  const set = parsePayloadKeys(keys);
  const currentKey = set.get(set.current)!;
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((p) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
        cipher.setAAD(Buffer.from(set.current));
        const plain = serialize(p);
        const sealed = Buffer.concat([
          iv,
          cipher.update(plain),
          cipher.final(),
          cipher.getAuthTag(),
        ]);
        return {
          metadata: {
            encoding: utf8(ENCODING),
            'encryption-cipher': utf8(CIPHER),
            'encryption-key-id': utf8(set.current),
          },
          data: sealed,
        };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((p) => {
        if (text(p.metadata?.encoding) !== ENCODING) return p;
        const kid = text(p.metadata?.['encryption-key-id']);
        const key = set.get(kid);
        if (!key) throw new Error(`payload encrypted with unknown key id ${JSON.stringify(kid)}`);
        const data = Buffer.from(p.data ?? new Uint8Array());
        if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is truncated');
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(kid));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return deserialize(plain);
      });
    },
  };
}

/**
 * The data converter of a process configured with TEMPORAL_PAYLOAD_KEYS (undefined without):
 * for `new Client({ dataConverter })` and `Worker.create({ dataConverter })`. A bad key set is a
 * configuration error (the process exits 2 naming it).
 */
export function payloadDataConverter(config: {
  temporalPayloadKeys?: unknown;
}): { payloadCodecs: PayloadCodec[] } | undefined {
  if (config.temporalPayloadKeys === undefined) return undefined;
  try {
    return { payloadCodecs: [createPayloadCodec(config.temporalPayloadKeys as PayloadKeys)] };
  } catch (e) {
    throw new ConfigError([`TEMPORAL_PAYLOAD_KEYS ${(e as Error).message}`]);
  }
}
