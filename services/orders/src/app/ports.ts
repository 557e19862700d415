import type { CallContext } from '@meshcart/kit';
import type { Address, Money } from '../domain/order';
import type { CatalogProduct } from '../domain/pricing';

/** Product lookup (CatalogService.BatchGetProducts); unknown skus are simply absent. */
export interface CatalogPort {
  getProducts(skus: string[], ctx?: CallContext): Promise<ReadonlyMap<string, CatalogProduct>>;
}

/** A shipping quote, or the carrier's refusal to serve the destination (a business outcome, not an error). */
export type ShippingQuote = { served: true; price: Money } | { served: false };

/** Shipping prices (ShippingService.QuoteShipping). */
export interface ShippingPort {
  quote(
    req: { address: Address; items: { sku: string; quantity: number }[]; currencyCode: string },
    ctx?: CallContext,
  ): Promise<ShippingQuote>;
}

/**
 * The card-token vault (PaymentService.VaultPaymentMethod): the token goes to payments, orders
 * keeps the expiring payment method id. Idempotent per (customer, vault request id).
 */
export interface PaymentVaultPort {
  vault(
    req: { customerId: string; vaultRequestId: string; paymentToken: string },
    ctx?: CallContext,
  ): Promise<{
    paymentMethodId: string;
    /** When the vault stops resolving it. */ expireTime?: Date;
  }>;
}
