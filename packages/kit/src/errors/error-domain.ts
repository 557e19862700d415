/**
 * ErrorInfo.domain: "<service>.meshcart", the spelling every service, the edge ("edge.meshcart",
 * gateway/internal/edge/errors.go) and the tests already use. Built here, never typed by hand.
 */
export const ERROR_DOMAIN_ROOT = 'meshcart';

/**
 * ErrorInfo.domain of a workload's errors (its topology name: a service, or 'edge'), e.g.
 * errorDomain('orders') === 'orders.meshcart'.
 */
export function errorDomain(owner: string): string {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(owner)) throw new Error(`not a workload name: ${owner}`);
  return `${owner}.${ERROR_DOMAIN_ROOT}`;
}
