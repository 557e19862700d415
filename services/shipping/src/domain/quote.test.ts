import { status } from '@grpc/grpc-js';
import { DomainError } from '@meshcart/kit';
import { zoneOf } from './countries';
import { quote } from './quote';

test('zones: domestic, EU, rest of Europe, world', () => {
  expect(['DE', 'FR', 'CH', 'US'].map(zoneOf)).toEqual(['DOMESTIC', 'EU', 'EUROPE', 'WORLD']);
});

test('price = zone base + per-unit price x total quantity, deterministic, in EUR', () => {
  expect(quote('DE', [1])).toEqual({ currency: 'EUR', minor: 540n });
  expect(quote('FR', [2, 3])).toEqual({ currency: 'EUR', minor: 1390n });
  expect(quote('GB', [1000])).toEqual({ currency: 'EUR', minor: 151490n });
  expect(quote('JP', [1, 1])).toEqual(quote('JP', [2]));
});

test('AQ is not served', () => {
  const err = (() => {
    try {
      quote('AQ', [1]);
    } catch (e) {
      return e as DomainError;
    }
  })();
  expect([err?.code, err?.reason]).toEqual([status.FAILED_PRECONDITION, 'DESTINATION_NOT_SERVED']);
});
