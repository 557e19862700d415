import { status } from '@grpc/grpc-js';
import type { GrpcCallError } from '@meshcart/kit';

/** The error a call failed with (fails the test when it succeeded). */
export async function failure(call: Promise<unknown>): Promise<GrpcCallError> {
  return call.then(
    (res) => {
      throw new Error(`expected the call to fail, it answered ${JSON.stringify(res)}`);
    },
    (e: GrpcCallError) => e,
  );
}

/** [code name, reason]: compact to assert and readable when it fails. */
export const codeAndReason = (e: GrpcCallError): [string, string | undefined] => [
  status[e.code],
  e.reason,
];

/** The payment token must never appear in anything the service answers. */
export function expectNoSecret(answer: unknown, secret: string): void {
  expect(JSON.stringify(answer)).not.toContain(secret);
}
