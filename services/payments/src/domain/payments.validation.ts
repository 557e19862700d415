/** Request validation: proto requests in, domain commands out, or INVALID_ARGUMENT with every violation. */
import { checkId, checkMoney, Violations } from '@meshcart/kit';
import type { Money as ProtoMoney } from '@meshcart/proto/shop/common/v1/money';
import type {
  AuthorizePaymentRequest,
  RefundPaymentRequest,
} from '@meshcart/proto/shop/payments/v1/payments';
import type { Money } from './money';

/** A valid AuthorizePayment: what the use case runs. */
export interface AuthorizeCommand {
  paymentId: string;
  orderId: string;
  amount: Money;
  token: string;
}

/** A valid RefundPayment. */
export interface RefundCommand {
  refundId: string;
  paymentId: string;
  amount: Money;
}

const MAX_TOKEN_LENGTH = 256;

/** An amount to charge or refund: a listed currency and 1-MAX_AMOUNT_MINOR minor units. */
function readMoney(v: Violations, field: string, m: ProtoMoney | undefined): Money | undefined {
  const money = checkMoney(v, field, m, { positive: true });
  return money && { currency: money.currencyCode, minor: money.amountMinor };
}

/** A bare payment id (capture, void, get). */
export function validatePaymentId(req: { paymentId: string }): string {
  const v = new Violations();
  checkId(v, 'paymentId', req.paymentId);
  v.throwIfAny();
  return req.paymentId;
}

export function validateAuthorize(
  req: AuthorizePaymentRequest,
  provider: { acceptsToken(token: string): boolean },
): AuthorizeCommand {
  const v = new Violations();
  checkId(v, 'paymentId', req.paymentId);
  checkId(v, 'orderId', req.orderId);
  const amount = readMoney(v, 'amount', req.amount);
  if (req.paymentToken.length === 0) v.add('paymentToken', 'is required');
  else if (req.paymentToken.length > MAX_TOKEN_LENGTH || !provider.acceptsToken(req.paymentToken)) {
    v.add('paymentToken', 'is not a token this payment provider accepts');
  }
  v.throwIfAny();
  return {
    paymentId: req.paymentId,
    orderId: req.orderId,
    amount: amount!,
    token: req.paymentToken,
  };
}

export function validateRefund(req: RefundPaymentRequest): RefundCommand {
  const v = new Violations();
  checkId(v, 'refundId', req.refundId);
  checkId(v, 'paymentId', req.paymentId);
  const amount = readMoney(v, 'amount', req.amount);
  v.throwIfAny();
  return { refundId: req.refundId, paymentId: req.paymentId, amount: amount! };
}
