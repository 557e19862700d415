/**
 * Stock as the inventory database holds it (on_hand, reserved), read over the run's admin URL:
 * the edge only shows `available`, and the invariants need both numbers. A sampler reads it
 * every few seconds during a round to catch a negative value while faults are being applied.
 */
import { openConnection } from '@meshcart/kit/db';

export type StockLevels = Record<string, { onHand: number; reserved: number }>;

export async function readStock(
  adminUrl: string,
  dbPrefix: string,
  skus: string[],
): Promise<StockLevels> {
  const conn = await openConnection(adminUrl);
  try {
    const rows = (await conn.query(
      `SELECT sku, on_hand AS onHand, reserved FROM \`${dbPrefix}inventory\`.stock WHERE sku IN (?)`,
      [skus],
    )) as { sku: string; onHand: number; reserved: number }[];
    return Object.fromEntries(
      rows.map((r) => [r.sku, { onHand: Number(r.onHand), reserved: Number(r.reserved) }]),
    );
  } finally {
    await conn.end();
  }
}

/** The lowest on_hand and reserved, and the largest reserved - on_hand, seen while sampling. */
export interface StockExtremes {
  samples: number;
  minOnHand: number;
  minReserved: number;
  maxOverReserved: number;
}

export function sampleStock(
  adminUrl: string,
  dbPrefix: string,
  skus: string[],
  everyMs: number,
): { stop(): Promise<StockExtremes> } {
  const seen: StockExtremes = {
    samples: 0,
    minOnHand: Infinity,
    minReserved: Infinity,
    maxOverReserved: -Infinity,
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const levels = await readStock(adminUrl, dbPrefix, skus);
        seen.samples += 1;
        for (const { onHand, reserved } of Object.values(levels)) {
          seen.minOnHand = Math.min(seen.minOnHand, onHand);
          seen.minReserved = Math.min(seen.minReserved, reserved);
          seen.maxOverReserved = Math.max(seen.maxOverReserved, reserved - onHand);
        }
      } catch {
        /* MariaDB is being restarted by the fault loop: sample again later */
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return seen;
    },
  };
}
