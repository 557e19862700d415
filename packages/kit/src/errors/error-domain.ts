/**
 * ErrorInfo.domain: "<service>.meshcart", the spelling every service, the edge ("edge.meshcart",
 * gateway/internal/edge/errors.go) and the tests already use. Built here, never typed by hand.
 */
export const ERROR_DOMAIN_ROOT = 'meshcart';

/** The services that raise errors (and the edge, which raises its own). */
export type ErrorDomainOwner =
  'users' | 'catalog' | 'inventory' | 'payments' | 'shipping' | 'orders' | 'edge';

/** ErrorInfo.domain of a service's errors, e.g. errorDomain('orders') === 'orders.meshcart'. */
export function errorDomain(owner: ErrorDomainOwner): string {
  return `${owner}.${ERROR_DOMAIN_ROOT}`;
}
