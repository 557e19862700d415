/**
 * One vocabulary, enforced identically everywhere: every RPC that takes a sku, a currency, an
 * amount or an address gets the same table of valid and invalid values, over real sockets,
 * against each real service (port 0, its own throwaway database), and must give the same
 * verdict: INVALID_ARGUMENT with a BadRequest violation naming the field, or acceptance (the
 * call succeeds or fails with a business code, never INVALID_ARGUMENT).
 *
 * Deliberately left out: amount 0 (a free product is a valid price, a zero charge is not) and
 * QuoteShipping.currency_code (shipping quotes EUR only, a business rule on a valid code).
 */
import { status } from '@grpc/grpc-js';
import type { GrpcCallError } from '@meshcart/kit';
import type { Address } from '@meshcart/proto/shop/common/v1/address';
import type { Money } from '@meshcart/proto/shop/common/v1/money';
import { fields as productFields, startCatalog, type CatalogHarness } from './catalog/test/harness';
import { startInventory, type Harness as InventoryHarness } from './inventory/test/harness';
import { fakeSaga } from './orders/test/support/fake-saga';
import {
  placeRequest,
  startHarness as startOrders,
  type Harness as OrdersHarness,
} from './orders/test/harness';
import { authorizeRequest, startPayments, type PaymentsHarness } from './payments/test/harness';
import {
  berlin,
  createRequest,
  startShipping,
  type ShippingHarness,
} from './shipping/test/harness';
import { startUsers, type UsersHarness } from './users/test/harness';

let catalog: CatalogHarness;
let inventory: InventoryHarness;
let payments: PaymentsHarness;
let shipping: ShippingHarness;
let orders: OrdersHarness;
let users: UsersHarness;

beforeAll(async () => {
  [catalog, inventory, payments, shipping, orders, users] = await Promise.all([
    startCatalog(),
    startInventory('vocab_inventory'),
    startPayments({ prefix: 'vocab_payments' }),
    startShipping('vocab_shipping'),
    startOrders('vocab', fakeSaga()),
    startUsers(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([catalog, inventory, payments, shipping, orders, users].map((h) => h?.stop()));
});

let n = 0;
/** A fresh id per call, so no call ever meets another one's idempotency key. */
const uid = (tag: string) => `${tag}-${process.pid}-${(n++).toString(36)}`;
/** A fresh valid sku per call (for probes about something else than the sku). */
const freshSku = () => `VT-${process.pid % 1000}-${(n++).toString(36).toUpperCase()}`;

/** One RPC taking the value under test, and the field path its violation must name. */
interface Probe {
  rpc: string;
  field: string;
  call(value: string): Promise<unknown>;
}

/**
 * Past validation, a call may still meet a business refusal (an unknown sku, a payment that does
 * not exist, a destination not served): that is acceptance of the value. Anything else (auth,
 * INTERNAL) would make the verdict meaningless, so it is reported as itself.
 */
const BUSINESS_CODES: ReadonlySet<status> = new Set([status.NOT_FOUND, status.FAILED_PRECONDITION]);

/** The verdict of one call: 'accepted', the fields of an INVALID_ARGUMENT, or the code name. */
async function verdict(p: Promise<unknown>): Promise<'accepted' | string[] | string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    const err = e as GrpcCallError;
    if (BUSINESS_CODES.has(err.code)) return 'accepted';
    if (err.code !== status.INVALID_ARGUMENT) return `code ${status[err.code]} ${err.reason}`;
    return err.violations.map((v) => v.field).sort();
  }
}

/** Runs every value against every probe and checks the one expected verdict. */
function table(concept: string, probes: Probe[], valid: string[], invalid: string[]): void {
  describe(concept, () => {
    const cases = probes.flatMap((p) => [
      ...valid.map((value) => ({ p, value, ok: true })),
      ...invalid.map((value) => ({ p, value, ok: false })),
    ]);
    test.each(cases.map((c) => [c.p.rpc, JSON.stringify(c.value), c.ok ? 'valid' : 'invalid', c]))(
      '%s %s: %s',
      async (_rpc, _shown, _ok, { p, value, ok }) => {
        const got = await verdict(p.call(value));
        if (ok) expect(got).toBe('accepted');
        else expect(got).toContain(p.field);
      },
    );
  });
}

const admin = () => ({ metadata: catalog.md.admin });
const asCustomer = async () => orders.asUser(uid('u'));
const eur = (amountMinor: string): Money => ({ currencyCode: 'EUR', amountMinor });

// --- sku -------------------------------------------------------------------------------------

const skuProbes: Probe[] = [
  { rpc: 'catalog.GetProduct', field: 'sku', call: (sku) => catalog.catalog.getProduct({ sku }) },
  {
    rpc: 'catalog.BatchGetProducts',
    field: 'skus[0]',
    call: (sku) =>
      catalog.catalog.batchGetProducts({ skus: [sku] }, { metadata: catalog.md.service }),
  },
  {
    rpc: 'catalog.CreateProduct',
    field: 'sku',
    call: (sku) => catalog.admin.createProduct({ sku, fields: productFields() }, admin()),
  },
  {
    rpc: 'catalog.UpdateProduct',
    field: 'sku',
    call: (sku) => catalog.admin.updateProduct({ sku, fields: productFields() }, admin()),
  },
  {
    rpc: 'inventory.GetStock',
    field: 'sku',
    call: (sku) => inventory.anonymous.inventory.getStock({ sku }),
  },
  {
    rpc: 'inventory.ReserveStock',
    field: 'items[0].sku',
    call: (sku) =>
      inventory.saga.reservations.reserveStock({
        reservationId: uid('r'),
        items: [{ sku, quantity: 1 }],
      }),
  },
  {
    rpc: 'inventory.SetStock',
    field: 'sku',
    call: (sku) => inventory.admin.admin.setStock({ sku, onHand: 1, note: '' }),
  },
  {
    rpc: 'inventory.AdjustStock',
    field: 'sku',
    call: (sku) =>
      inventory.admin.admin.adjustStock({ adjustmentId: uid('a'), sku, delta: 1, note: '' }),
  },
  {
    rpc: 'orders.PlaceOrder',
    field: 'items[0].sku',
    call: async (sku) =>
      orders.orders.placeOrder(placeRequest({ items: [{ sku, quantity: 1 }] }), await asCustomer()),
  },
  {
    rpc: 'shipping.QuoteShipping',
    field: 'items[0].sku',
    call: (sku) =>
      shipping.quoter.quoteShipping({
        address: berlin(),
        items: [{ sku, quantity: 1 }],
        currencyCode: '',
      }),
  },
  {
    rpc: 'shipping.CreateShipment',
    field: 'items[0].sku',
    call: (sku) => shipping.client.createShipment(createRequest({ items: [{ sku, quantity: 1 }] })),
  },
];

table(
  'sku',
  skuProbes,
  ['ABC', 'KIT-MUG-001', '0-A', 'A'.repeat(32)],
  // Shipping used to accept lower case, dots, underscores and up to 64 characters.
  ['', 'AB', 'A'.repeat(33), '-AB', 'mug-1', 'MUG.1', 'MUG_1', 'ÄBC'],
);

// --- ids and idempotency keys ----------------------------------------------------------------

const idProbes: Probe[] = [
  {
    rpc: 'users.AddAddress',
    field: 'requestId',
    call: async (id) =>
      users.client.addAddress(
        { requestId: id, address: berlin() },
        { metadata: users.auth.bearer(await users.auth.userToken(uid('user'))) },
      ),
  },
  {
    rpc: 'orders.PlaceOrder',
    field: 'requestId',
    call: async (id) =>
      orders.orders.placeOrder(placeRequest({ requestId: id }), await asCustomer()),
  },
  {
    rpc: 'inventory.ReserveStock',
    field: 'reservationId',
    call: (id) =>
      inventory.saga.reservations.reserveStock({
        reservationId: id,
        items: [{ sku: 'MUG-1', quantity: 1 }],
      }),
  },
  {
    rpc: 'inventory.AdjustStock',
    field: 'adjustmentId',
    call: (id) =>
      inventory.admin.admin.adjustStock({ adjustmentId: id, sku: 'MUG-1', delta: 1, note: '' }),
  },
  {
    rpc: 'payments.AuthorizePayment',
    field: 'paymentId',
    call: (id) => payments.client.authorizePayment(authorizeRequest({ paymentId: id })),
  },
  {
    rpc: 'payments.RefundPayment',
    field: 'refundId',
    call: (id) =>
      payments.client.refundPayment({ refundId: id, paymentId: uid('p'), amount: eur('100') }),
  },
  {
    rpc: 'shipping.CreateShipment',
    field: 'shipmentId',
    call: (id) => shipping.client.createShipment(createRequest({ shipmentId: id })),
  },
];

// Each value reaches each RPC once (fresh databases), so no call meets an earlier key.
table(
  'id',
  idProbes,
  ['a', 'order_1-A', 'x'.repeat(64)],
  ['', 'x'.repeat(65), 'a.b', 'a/b', 'a b', 'ä'],
);

// --- currency and amount ---------------------------------------------------------------------

/** Probes of a Money field; `money` builds the Money from the value under test. */
function moneyProbes(part: 'currencyCode' | 'amountMinor', money: (v: string) => Money): Probe[] {
  return [
    {
      rpc: 'catalog.CreateProduct',
      field: `fields.price.${part}`,
      call: (v) =>
        catalog.admin.createProduct(
          { sku: freshSku(), fields: productFields({ price: money(v) }) },
          admin(),
        ),
    },
    {
      rpc: 'catalog.UpdateProduct',
      field: `fields.price.${part}`,
      call: (v) =>
        catalog.admin.updateProduct(
          { sku: freshSku(), fields: productFields({ price: money(v) }) },
          admin(),
        ),
    },
    {
      rpc: 'payments.AuthorizePayment',
      field: `amount.${part}`,
      call: (v) => payments.client.authorizePayment({ ...authorizeRequest(), amount: money(v) }),
    },
    {
      rpc: 'payments.RefundPayment',
      field: `amount.${part}`,
      call: (v) =>
        payments.client.refundPayment({
          refundId: uid('rf'),
          paymentId: uid('p'),
          amount: money(v),
        }),
    },
  ];
}

table(
  'currency',
  moneyProbes('currencyCode', (currencyCode) => ({ currencyCode, amountMinor: '100' })),
  ['EUR', 'USD', 'JPY', 'KWD', 'ZWG'],
  // Payments used to accept the withdrawn CUC, SLL and ZWL.
  ['', 'eur', 'EURO', 'XAU', 'XXX', 'HRK', 'CUC', 'SLL', 'ZWL'],
);

table(
  'amount',
  moneyProbes('amountMinor', eur),
  ['1', '1299', '9000000000000000'],
  // Catalog used to accept prices up to int64 max.
  ['9000000000000001', '9223372036854775807', '-1'],
);

// --- address: country, postal code, free text ------------------------------------------------

/** Probes of an Address field; `patch` sets the value under test on a valid address. */
function addressProbes(part: string, patch: (v: string) => Partial<Address>): Probe[] {
  const at = (v: string): Address => ({ ...berlin(), ...patch(v) });
  return [
    {
      rpc: 'users.AddAddress',
      field: `address.${part}`,
      call: async (v) =>
        users.client.addAddress(
          { requestId: uid('ad'), address: at(v) },
          { metadata: users.auth.bearer(await users.auth.userToken(uid('user'))) },
        ),
    },
    {
      rpc: 'orders.PlaceOrder',
      field: `shippingAddress.${part}`,
      call: async (v) =>
        orders.orders.placeOrder(placeRequest({ shippingAddress: at(v) }), await asCustomer()),
    },
    {
      rpc: 'shipping.QuoteShipping',
      field: `address.${part}`,
      call: (v) =>
        shipping.quoter.quoteShipping({
          address: at(v),
          items: [{ sku: 'MUG-1', quantity: 1 }],
          currencyCode: '',
        }),
    },
    {
      rpc: 'shipping.CreateShipment',
      field: `address.${part}`,
      call: (v) => shipping.client.createShipment(createRequest({ address: at(v) })),
    },
  ];
}

table(
  'country',
  addressProbes('countryCode', (countryCode) => ({ countryCode })),
  // AQ is a valid code the carrier does not serve: a business refusal, not a bad request.
  ['DE', 'GB', 'US', 'JP', 'AQ'],
  ['', 'de', 'UK', 'XK', 'DEU', 'EU'],
);

table(
  'postal code',
  addressProbes('postalCode', (postalCode) => ({ postalCode })),
  // Surrounding blanks are trimmed everywhere (orders and shipping used to refuse them).
  ['10115', 'SW1A 1AA', '00-950', '101', ' 10117 '],
  // Orders and shipping used to accept 2 characters and a trailing dash or blank.
  ['', '12', '10115-', '1.234', '10115#', '1234567890123'],
);

table(
  'address text',
  addressProbes('recipient', (recipient) => ({ recipient })),
  ['Ada Lovelace', '📦'.repeat(100), 'Zoë Ångström'],
  // Orders and shipping used to accept control characters.
  ['', '   ', 'r'.repeat(101), 'Ada\nLovelace', 'Ada\u0000', 'Ada\u0007'],
);
