/**
 * The shared vocabulary: one definition of each rule every service checks (see README.md).
 * Each rule is also data (VOCABULARY) so the published API description can be fed from it.
 */
import { ADDRESS_RULE } from './address';
import { COUNTRY_CODES } from './country';
import { CURRENCIES } from './currency';
import { ID_RULE } from './id';
import { AMOUNT_RULE } from './money';
import { POSTAL_CODE_RULE } from './postal-code';
import { SKU_RULE } from './sku';
import { TEXT_RULE } from './text';

export * from './address';
export * from './country';
export * from './currency';
export * from './id';
export * from './money';
export * from './postal-code';
export * from './sku';
export * from './text';

/** Every rule as plain JSON-able data (regexes as their source), e.g. for OpenAPI schemas. */
export const VOCABULARY = {
  sku: { ...SKU_RULE, pattern: SKU_RULE.pattern.source },
  id: { ...ID_RULE, pattern: ID_RULE.pattern.source },
  amountMinor: { ...AMOUNT_RULE, pattern: AMOUNT_RULE.pattern.source },
  currencies: CURRENCIES,
  countryCodes: COUNTRY_CODES,
  postalCode: { ...POSTAL_CODE_RULE, pattern: POSTAL_CODE_RULE.pattern.source },
  address: ADDRESS_RULE,
  text: {
    controlCharacters: TEXT_RULE.controlCharacters.source,
    multilineControlCharacters: TEXT_RULE.multilineControlCharacters.source,
  },
} as const;
