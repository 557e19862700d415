import { isCurrencyCode } from '@meshcart/kit';
import type { Money as ProtoMoney } from '@meshcart/proto/shop/common/v1/money';
import type { Money } from '../domain/order';

/** Proto Money (int64 as a decimal string) -> domain Money; a malformed amount is a contract bug (INTERNAL). */
export function moneyFromProto(m: ProtoMoney | undefined, what: string): Money {
  if (!m || !isCurrencyCode(m.currencyCode) || !/^-?\d{1,19}$/.test(m.amountMinor)) {
    throw new Error(`malformed money in ${what}`);
  }
  return { currencyCode: m.currencyCode, amountMinor: BigInt(m.amountMinor) };
}

export function moneyToProto(currencyCode: string, amountMinor: bigint): ProtoMoney {
  return { currencyCode, amountMinor: amountMinor.toString() };
}
