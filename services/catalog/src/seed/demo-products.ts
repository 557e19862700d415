/**
 * The demo catalog `scripts/seed.ts` loads: 24 products in 5 categories, priced in EUR minor
 * units, with demo stock levels (a few scarce, one sold out) and one discontinued product.
 */
export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  /** EUR cents, as the contract's int64 string. */
  priceMinor: string;
  active: boolean;
  /** on_hand the seed sets in inventory. */
  stock: number;
}

export const DEMO_CURRENCY = 'EUR';
/** Stock at or below this is "low" in the seed's summary. */
export const LOW_STOCK = 5;

// sku | category | cents | stock | active | name | description   (a table: easy to review and extend)
const TABLE = `
KIT-MUG-001 | kitchen | 1299  | 100 | yes | Stoneware Mug               | 350 ml glazed stoneware mug, dishwasher safe.
KIT-PAN-024 | kitchen | 3990  | 100 | yes | Cast Iron Skillet 24 cm     | Pre-seasoned skillet for every hob, oven safe.
KIT-KNF-020 | kitchen | 7450  | 3   | yes | Chef's Knife 20 cm          | Forged stainless steel, full tang, balanced handle.
KIT-BRD-045 | kitchen | 2900  | 100 | yes | Oak Cutting Board           | End-grain oak, 45 x 30 cm, with juice groove.
KIT-KTL-017 | kitchen | 5900  | 100 | yes | Gooseneck Kettle            | 1.7 l electric kettle with temperature control.
OFF-NTB-A5  | office  | 990   | 100 | yes | Dotted Notebook A5          | 160 pages of 100 g paper, lay-flat binding.
OFF-PEN-FTN | office  | 4500  | 100 | yes | Fountain Pen                | Steel nib (M), converter and two cartridges included.
OFF-LMP-LED | office  | 6490  | 2   | yes | LED Desk Lamp               | Dimmable, 2700-6500 K, USB-C powered.
OFF-CHR-ERG | office  | 34900 | 100 | yes | Ergonomic Chair             | Adjustable lumbar support, armrests and seat depth.
OFF-STD-MON | office  | 3900  | 100 | yes | Monitor Stand               | Bamboo riser with a drawer for cables and pens.
AUD-HP-ANC  | audio   | 19900 | 100 | yes | Noise-Cancelling Headphones | Over-ear, 30 h battery, multipoint Bluetooth.
AUD-SPK-BT  | audio   | 7900  | 100 | yes | Portable Speaker            | Waterproof (IP67) Bluetooth speaker, 12 h playtime.
AUD-EAR-TWS | audio   | 8900  | 0   | yes | True Wireless Earbuds       | Sold out in the demo: order it to see OUT_OF_STOCK.
AUD-TRN-BLT | audio   | 24900 | 3   | yes | Belt-Drive Turntable        | Two speeds, built-in phono preamp, aluminium platter.
AUD-CBL-3M  | audio   | 1490  | 100 | no  | Audio Cable 3 m             | Discontinued: readable by sku, never listed or sold.
OUT-TNT-2P  | outdoor | 18900 | 100 | yes | Two-Person Tent             | Freestanding, 2.1 kg, 3000 mm waterproof fly.
OUT-VST-10L | outdoor | 8900  | 100 | yes | Trail Running Vest          | 10 l vest with two soft flasks.
OUT-BTL-750 | outdoor | 2990  | 100 | yes | Insulated Bottle 750 ml     | Keeps drinks cold 24 h or hot 12 h.
OUT-LMP-HD  | outdoor | 3490  | 100 | yes | Headlamp 400 lm             | Rechargeable, red light mode, IPX4.
OUT-STV-GAS | outdoor | 4990  | 100 | yes | Camping Stove               | Compact gas stove with piezo ignition.
APP-TSH-ORG | apparel | 2490  | 100 | yes | Organic Cotton T-Shirt      | Heavyweight jersey, unisex fit.
APP-HOD-MRN | apparel | 11900 | 100 | yes | Merino Hoodie               | Warm, breathable and odour resistant.
APP-SCK-3PK | apparel | 1990  | 100 | yes | Hiking Socks (3 pack)       | Cushioned sole, merino blend.
APP-CAP-WOL | apparel | 2290  | 3   | yes | Wool Beanie                 | Ribbed knit from recycled wool.
`;

function parseRow(line: string): DemoProduct {
  const [
    sku = '',
    category = '',
    cents = '',
    stock = '',
    active = '',
    name = '',
    description = '',
  ] = line.split('|').map((c) => c.trim());
  return {
    sku,
    category,
    priceMinor: cents,
    stock: Number(stock),
    active: active === 'yes',
    name,
    description,
  };
}

export const DEMO_PRODUCTS: readonly DemoProduct[] = Object.freeze(
  TABLE.split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseRow),
);
