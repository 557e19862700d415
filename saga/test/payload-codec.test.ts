/**
 * Payload encryption (src/worker/payload-codec.ts): the codec itself, then a saga run on the real
 * Temporal dev server with the codec on both ends, whose history - read without the keys, through
 * the SDK and through `temporal workflow show` - holds no address and no payment token.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createTestAuth, temporalAddress } from '@meshcart/kit/testkit';
import { orderWorkflowId } from '../src/contract';
import {
  createPayloadCodec,
  payloadDataConverter,
  type PayloadKeys,
} from '../src/worker/payload-codec';
import { createCodecServer } from '../src/worker/codec-server';
import { withSagaTelemetry } from '../src/worker/telemetry';
import type { OrderSaga } from '../src/workflow';
import { FAST, createSagaEnv, sagaInput, type SagaEnv } from './support/saga-env';
import { mockActivities } from './support/mock-activities';

jest.setTimeout(120_000);

const key = () => randomBytes(32).toString('base64');
const payload = (s: string): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(s),
});
const text = (p: Payload) => Buffer.from(p.data!).toString('utf8');

describe('the codec', () => {
  const keys: PayloadKeys = { current: 'k1', keys: { k1: key() } };

  test('round trip; the encrypted form hides data and encoding, names its key', async () => {
    const codec = createPayloadCodec(keys);
    const [sealed] = await codec.encode([payload('{"lines":["1 Main St"],"t":"tok_visa"}')]);
    const wire =
      Buffer.from(JSON.stringify(sealed)).toString() + Buffer.from(sealed!.data!).toString();
    expect(wire).not.toContain('Main St');
    expect(wire).not.toContain('json/plain');
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    const [back] = await codec.decode([sealed!]);
    expect(text(back!)).toBe('{"lines":["1 Main St"],"t":"tok_visa"}');
    expect(Buffer.from(back!.metadata!.encoding!).toString()).toBe('json/plain');
  });

  test('rotation: the new current key encrypts, the old one still decrypts; unknown keys fail', async () => {
    const old = createPayloadCodec(keys);
    const [sealedOld] = await old.encode([payload('"a"')]);
    const rotated = createPayloadCodec({ current: 'k2', keys: { ...keys.keys, k2: key() } });
    const [sealedNew] = await rotated.encode([payload('"b"')]);
    expect(Buffer.from(sealedNew!.metadata!['encryption-key-id']!).toString()).toBe('k2');
    expect((await rotated.decode([sealedOld!, sealedNew!])).map(text)).toEqual(['"a"', '"b"']);
    await expect(old.decode([sealedNew!])).rejects.toThrow(/unknown key id "k2"/);
  });

  test('payloads never encrypted (histories from before) pass through', async () => {
    const plain = payload('"x"');
    expect(await createPayloadCodec(keys).decode([plain])).toEqual([plain]);
  });

  test('a tampered payload or a key id swapped in is refused', async () => {
    const codec = createPayloadCodec({ current: 'k1', keys: { k1: key(), k2: key() } });
    const [sealed] = await codec.encode([payload('"x"')]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow();
    const swapped = {
      ...sealed!,
      metadata: { ...sealed!.metadata, 'encryption-key-id': new TextEncoder().encode('k2') },
    };
    await expect(codec.decode([swapped])).rejects.toThrow();
  });

  test('bad key sets are configuration errors naming the problem', () => {
    const bad = (k: unknown) => () => payloadDataConverter({ temporalPayloadKeys: k });
    expect(bad({ current: 'k1', keys: { k1: 'c2hvcnQ=' } })).toThrow(
      /TEMPORAL_PAYLOAD_KEYS key k1 must be 32 bytes/,
    );
    expect(bad({ current: 'k9', keys: { k1: key() } })).toThrow(/current key k9 is not in keys/);
    expect(bad('nope')).toThrow(/TEMPORAL_PAYLOAD_KEYS must be/);
    expect(payloadDataConverter({})).toBeUndefined();
  });
});

/** The text and every base64 `data` value of a history dump, decoded: where a secret would show. */
function readable(dump: string): string {
  const decoded = [...dump.matchAll(/"data"\s*:\s*"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [dump, ...decoded].join('\n');
}

const temporalCli = (args: string[]) =>
  promisify(execFile)(
    path.resolve(__dirname, '../../.tools/bin/temporal'),
    [...args, '--address', temporalAddress()],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  ).then((r) => r.stdout);

describe('a saga with the codec on both ends', () => {
  let env: SagaEnv;
  beforeAll(async () => {
    env = await createSagaEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  test('completes, and its history holds neither the address nor the payment token', async () => {
    const dataConverter = payloadDataConverter({
      temporalPayloadKeys: { current: 'test-1', keys: { 'test-1': key() } },
    });
    const taskQueue = `saga-codec-${randomUUID()}`;
    const worker = await Worker.create(
      withSagaTelemetry({
        connection: env.connection,
        taskQueue,
        workflowBundle: env.bundle,
        activities: mockActivities(),
        dataConverter,
      }),
    );
    const client = new Client({ connection: env.client.connection, dataConverter });
    const input = sagaInput();
    const workflowId = orderWorkflowId(input.orderId);
    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start<typeof OrderSaga>('OrderSaga', {
        taskQueue,
        workflowId,
        args: [input, FAST],
      });
      return handle.result();
    });
    expect(result).toMatchObject({ status: 'CONFIRMED' });

    // Read without the keys: what an operator with only network access to Temporal sees.
    const raw = JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory());
    const shown = await temporalCli(['workflow', 'show', '-w', workflowId, '-o', 'json']);
    for (const seen of [readable(raw), readable(shown)]) {
      // The encoding label, as text or in the base64 the JSON forms of history use.
      expect(seen).toMatch(/binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA==/);
      for (const secret of ['1 Main St', 'pm_00000000-0000-4000-8000-00000000000a'])
        expect(seen).not.toContain(secret);
    }
  });

  test('control: without the codec the same input is readable in history (the check can fail)', async () => {
    const input = sagaInput();
    const workflowId = orderWorkflowId(input.orderId);
    const handle = await env.client.workflow.start<typeof OrderSaga>('OrderSaga', {
      taskQueue: `saga-codec-nobody-${randomUUID()}`,
      workflowId,
      args: [input, FAST],
    });
    try {
      const shown = await temporalCli(['workflow', 'show', '-w', workflowId, '-o', 'json']);
      expect(readable(shown)).toContain('1 Main St');
    } finally {
      await handle.terminate('codec test control');
    }
  });
});

describe('the codec server (for the Temporal Web UI)', () => {
  test('decodes for operators only, over HTTP, with CORS for the Web UI', async () => {
    const auth = await createTestAuth();
    const codec = createPayloadCodec({ current: 'k1', keys: { k1: key() } });
    const server = createCodecServer({
      codec,
      verifier: auth.verifier,
      allowedOrigins: ['http://127.0.0.1:8233'],
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const [sealed] = await codec.encode([payload('{"city":"Berlin"}')]);
      const wire = {
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(sealed!.metadata!).map(([k, v]) => [
                k,
                Buffer.from(v).toString('base64'),
              ]),
            ),
            data: Buffer.from(sealed!.data!).toString('base64'),
          },
        ],
      };
      const post = (token?: string) =>
        fetch(`${url}/decode`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: 'http://127.0.0.1:8233',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(wire),
        });
      expect((await post()).status).toBe(401);
      expect((await post('not.a.token')).status).toBe(401);
      expect((await post(await auth.userToken('u1'))).status).toBe(403);
      const ok = await post(await auth.adminToken());
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
      const body = (await ok.json()) as { payloads: { data: string }[] };
      expect(Buffer.from(body.payloads[0]!.data, 'base64').toString()).toBe('{"city":"Berlin"}');
      const preflight = await fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const bad = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await auth.adminToken()}` },
        body: '{"payloads": 5}',
      });
      expect(bad.status).toBe(400);
    } finally {
      server.close();
    }
  });
});
