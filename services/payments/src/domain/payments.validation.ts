/** Request validation: proto requests in, domain commands out, or INVALID_ARGUMENT with every violation. */
import { checkId, checkMoney, Violations } from '@meshcart/kit';
import type { Money as ProtoMoney } from '@meshcart/proto/shop/common/v1/money';
import type {
  AuthorizePaymentRequest,
  RefundPaymentRequest,
  VaultPaymentMethodRequest,
} from '@meshcart/proto/shop/payments/v1/payments';
import type { Money } from './money';

/** What AuthorizePayment charges: a vaulted payment method, or (older sagas) the token itself. */
export type PaymentSource = { token: string } | { paymentMethodId: string };

/** A valid AuthorizePayment: what the use case runs. */
export interface AuthorizeCommand {
  paymentId: string;
  orderId: string;
  amount: Money;
  source: PaymentSource;
}

/** A valid VaultPaymentMethod. */
export interface VaultCommand {
  customerId: string;
  vaultRequestId: string;
  token: string;
}

/** A valid RefundPayment. */
export interface RefundCommand {
  refundId: string;
  paymentId: string;
  amount: Money;
}

const MAX_TOKEN_LENGTH = 256;
/** pm_ + a UUID (what VaultPaymentMethod hands out). */
export const PAYMENT_METHOD_ID =
  /^pm_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkToken(
  v: Violations,
  field: string,
  token: string,
  provider: { acceptsToken(token: string): boolean },
): void {
  if (token.length === 0) v.add(field, 'is required');
  else if (token.length > MAX_TOKEN_LENGTH || !provider.acceptsToken(token)) {
    v.add(field, 'is not a token this payment provider accepts');
  }
}

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
  const methodId = req.paymentMethodId ?? '';
  if (methodId !== '' && req.paymentToken !== '') {
    v.add('paymentMethodId', 'give payment_method_id or payment_token, not both');
  } else if (methodId !== '') {
    if (!PAYMENT_METHOD_ID.test(methodId))
      v.add('paymentMethodId', 'must be a payment method id from VaultPaymentMethod (pm_<uuid>)');
  } else if (req.paymentToken === '') {
    v.add('paymentMethodId', 'is required (or, deprecated, payment_token)');
  } else {
    checkToken(v, 'paymentToken', req.paymentToken, provider);
  }
  v.throwIfAny();
  return {
    paymentId: req.paymentId,
    orderId: req.orderId,
    amount: amount!,
    source: methodId !== '' ? { paymentMethodId: methodId } : { token: req.paymentToken },
  };
}

export function validateVault(
  req: VaultPaymentMethodRequest,
  provider: { acceptsToken(token: string): boolean },
): VaultCommand {
  const v = new Violations();
  checkId(v, 'customerId', req.customerId);
  checkId(v, 'vaultRequestId', req.vaultRequestId);
  checkToken(v, 'paymentToken', req.paymentToken, provider);
  v.throwIfAny();
  return {
    customerId: req.customerId,
    vaultRequestId: req.vaultRequestId,
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
