/** Shipping zones and served destinations (country codes themselves: the kit vocabulary). */
/** Destinations the carrier does not serve at all (a business refusal, not a bad request). */
export const NOT_SERVED: ReadonlySet<string> = new Set(['AQ']);

/** Shipping zones, seen from the warehouse in Germany. */
export type Zone = 'DOMESTIC' | 'EU' | 'EUROPE' | 'WORLD';

const EU = new Set(
  'AT BE BG CY CZ DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);
const EUROPE = new Set(
  'AD AL AX BA BY CH FO GB GG GI IM IS JE LI MC MD ME MK NO RS SJ SM TR UA VA'.split(' '),
);

export function zoneOf(country: string): Zone {
  if (country === 'DE') return 'DOMESTIC';
  if (EU.has(country)) return 'EU';
  if (EUROPE.has(country)) return 'EUROPE';
  return 'WORLD';
}
