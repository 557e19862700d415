/**
 * Where a GetProduct's server CPU goes, measured in one process with process.cpuUsage() (CPU
 * time, so a busy machine inflates it far less than it inflates latency):
 *   prisma   the catalog service's own read: createCatalogStore(prisma).get(sku)
 *            (Prisma 7 client + @prisma/adapter-mariadb, pool of 10, as services/catalog runs it)
 *   driver   the same SELECT through the mariadb driver alone (prepared statement, pool of 10)
 *   encode   GetProductResponse encoding of the result (what the echo server also pays)
 * Each is run `n` times with `concurrency` calls in flight, after a warm-up, against a fresh
 * database migrated with the catalog's migrations (dropped at the end).
 *
 * Usage: npx tsx bench/micro/catalog-read.ts [n=4000] [concurrency=16]
 */
import path from 'node:path';
import * as mariadb from 'mariadb';
import { GetProductResponse } from '@meshcart/proto/shop/catalog/v1/catalog';
import { createTestDatabase, migrate, parseMysqlUrl } from '@meshcart/kit/db';
import { toProtoProduct } from '@meshcart/catalog/read-path';
import { createCatalogStore } from '@meshcart/catalog/read-path';
import { createDb } from '@meshcart/catalog/read-path';

const ROOT = path.resolve(__dirname, '../..');

async function measure(name: string, n: number, concurrency: number, op: () => Promise<unknown>) {
  for (let i = 0; i < 300; i++) await op(); // warm-up (JIT, pool)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await op();
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / n;
  process.stdout.write(
    `${name.padEnd(8)} ${cpuUs.toFixed(0).padStart(6)} µs CPU/op   ${((n / wallMs) * 1000).toFixed(0).padStart(6)} ops/s   (${n} ops, ${concurrency} in flight)\n`,
  );
  return cpuUs;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 4000);
  const concurrency = Number(process.argv[3] ?? 16);
  const db = await createTestDatabase('bench_micro_catalog');
  try {
    await migrate({
      url: db.url,
      migrationsDir: path.join(ROOT, 'services/catalog/prisma/migrations'),
    });
    const prisma = createDb(db.url);
    const store = createCatalogStore(prisma);
    const sku = 'BENCH-0001';
    await store.create(sku, {
      name: 'Cast Iron Skillet 20 cm',
      description:
        'Pre-seasoned skillet for every hob, oven safe. Benchmark product, never sold out.',
      category: 'kitchen',
      price: { currencyCode: 'EUR', amountMinor: 3990n },
      active: true,
    } as Parameters<typeof store.create>[1]);
    const p = parseMysqlUrl(db.url);
    const pool = mariadb.createPool({
      host: p.host,
      port: p.port,
      user: p.user,
      password: p.password,
      database: p.database,
      connectionLimit: 10,
    });
    const product = await store.get(sku);
    const proto = { product: toProtoProduct(product) };
    const viaPrisma = await measure('prisma', n, concurrency, () => store.get(sku));
    const viaDriver = await measure('driver', n, concurrency, () =>
      pool.execute(
        'SELECT sku, name, description, category, price_minor, currency_code, active, updated_at FROM products WHERE sku = ?',
        [sku],
      ),
    );
    const encode = await measure('encode', n * 10, 1, async () =>
      GetProductResponse.encode(proto).finish(),
    );
    process.stdout.write(
      `prisma read costs ${(viaPrisma / viaDriver).toFixed(1)}x the driver alone (+${(viaPrisma - viaDriver).toFixed(0)} µs CPU per GetProduct); encoding ${encode.toFixed(1)} µs\n`,
    );
    await pool.end();
    await prisma.$disconnect();
  } finally {
    await db.drop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
