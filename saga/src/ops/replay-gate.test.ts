import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { createPayloadCodec } from '../worker/payload-codec';
import { gateVerdict, isUndecodable, replayQuery } from './replay-gate';

const keys = (kid: string) => ({
  current: kid,
  keys: { [kid]: randomBytes(32).toString('base64') },
});
const historyWith = (payloads: unknown[]): History =>
  ({
    events: [{ workflowExecutionStartedEventAttributes: { input: { payloads } } }],
  }) as History;

test('an encrypted saga is undecodable without the key it was written with, readable with it', async () => {
  const codec = createPayloadCodec(keys('k1'));
  const encrypted = historyWith(await codec.encode([defaultPayloadConverter.toPayload({ a: 1 })]));
  expect(await isUndecodable(encrypted, undefined)).toBe(true);
  expect(await isUndecodable(encrypted, { payloadCodecs: [createPayloadCodec(keys('k2'))] })).toBe(
    true,
  );
  expect(await isUndecodable(encrypted, { payloadCodecs: [codec] })).toBe(false);
  const plain = historyWith([defaultPayloadConverter.toPayload({ a: 1 })]);
  expect(await isUndecodable(plain, undefined)).toBe(false);
});

test('the gate fails on any replay failure, and when nothing at all could be replayed', () => {
  expect(gateVerdict({ replayed: 3, failures: [], undecodable: ['x'] })).toBe(true);
  expect(gateVerdict({ replayed: 0, failures: [], undecodable: [] })).toBe(true);
  expect(
    gateVerdict({ replayed: 3, failures: ['a/b: DeterminismViolationError'], undecodable: [] }),
  ).toBe(false);
  expect(gateVerdict({ replayed: 0, failures: [], undecodable: ['x', 'y'] })).toBe(false);
});

test('the query selects sagas started in the window, with the extra filter', () => {
  expect(replayQuery(3_600_000, new Date('2026-01-01T01:00:00Z'), "TaskQueue = 'q'")).toBe(
    "WorkflowType = 'OrderSaga' AND StartTime > '2026-01-01T00:00:00.000Z' AND (TaskQueue = 'q')",
  );
});
