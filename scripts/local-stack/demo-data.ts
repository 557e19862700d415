/**
 * The shopper the load tools (bench, fault loop) order as: one shipping address in a country
 * shipping serves (DE), valid by every rule of the address vocabulary.
 */
export const DEMO_ADDRESS = {
  recipient: 'Ada Lovelace',
  lines: ['12 Analytical Street'],
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
};
