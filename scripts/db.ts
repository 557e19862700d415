/**
 * Local database chores for every service: `npx tsx scripts/db.ts <command>`
 *
 *   provision-all           create shop_<domain> + user <domain>_svc for each services/<domain>/prisma/migrations
 *   migrate-all             apply pending migrations of every service (as the service's own user)
 *   migrate --service <d>   the same for one service
 *   drop-all                drop every service database and user (local reset; data is lost)
 *   drop-test-dbs [--min-age-minutes N]
 *                           drop test databases/users older than N minutes (default 60) that
 *                           killed test runs left behind; younger ones may belong to running tests
 *
 * Admin URL: MESHCART_MYSQL_ADMIN_URL, else MYSQL_URL, else the local MariaDB of scripts/mariadb.sh.
 * Passwords: <DOMAIN>_DB_PASSWORD, else the dev default `<domain>-dev-password`.
 * MESHCART_SERVICES_DIR overrides where services are looked for (default: services/).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  dropDatabase,
  dropUser,
  migrate,
  provisionDatabase,
  redactUrl,
  resolveAdminUrl,
  serviceDatabaseUrl,
  TEST_NAME_PREFIX,
  testNameAgeSeconds,
  withConnection,
} from '@meshcart/kit/db';

const ROOT = resolve(__dirname, '..');

interface Service {
  domain: string;
  database: string;
  user: string;
  password: string;
  migrationsDir: string;
}

/** The only reader of process.env here: services found on disk + credentials. */
function loadConfig(env: NodeJS.ProcessEnv): { adminUrl: string; services: Service[] } {
  const servicesDir = resolve(env.MESHCART_SERVICES_DIR || join(ROOT, 'services'));
  const domains = existsSync(servicesDir)
    ? readdirSync(servicesDir)
        .filter((d) => existsSync(join(servicesDir, d, 'prisma', 'migrations')))
        .sort()
    : [];
  const services = domains.map((domain) => {
    const id = domain.toLowerCase().replace(/-/g, '_');
    return {
      domain,
      database: `shop_${id}`,
      user: `${id}_svc`,
      password: env[`${id.toUpperCase()}_DB_PASSWORD`] || `${domain}-dev-password`,
      migrationsDir: join(servicesDir, domain, 'prisma', 'migrations'),
    };
  });
  return Object.freeze({
    adminUrl: resolveAdminUrl(env),
    services: Object.freeze(services) as Service[],
  });
}

type Row = Record<string, string>;

/** Runs `fn` for each service, collecting a table row or the error; never stops half-way. */
async function eachService(
  services: Service[],
  fn: (s: Service) => Promise<Row>,
): Promise<{ rows: Row[]; failed: number }> {
  const rows: Row[] = [];
  let failed = 0;
  for (const s of services) {
    try {
      rows.push({ service: s.domain, database: s.database, ...(await fn(s)) });
    } catch (err) {
      failed++;
      rows.push({
        service: s.domain,
        database: s.database,
        result: `FAILED: ${(err as Error).message}`,
      });
    }
  }
  return { rows, failed };
}

function printTable(rows: Row[]): void {
  if (rows.length === 0) return;
  const order = ['service', 'database', 'user', 'applied', 'skipped', 'result'];
  const cols = order.filter((c) => rows.some((r) => r[c] !== undefined));
  const width = (c: string): number => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length));
  const line = (cells: string[]): string =>
    cells
      .map((v, i) => v.padEnd(width(cols[i] ?? '')))
      .join('  ')
      .trimEnd();
  console.log(line(cols));
  for (const r of rows) console.log(line(cols.map((c) => r[c] ?? '')));
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const cfg = loadConfig(process.env);
  const pick = (): Service[] => {
    if (command !== 'migrate') return cfg.services;
    const i = rest.indexOf('--service');
    const name = i >= 0 ? rest[i + 1] : undefined;
    const one = cfg.services.find((s) => s.domain === name);
    if (!one)
      throw new Error(
        `migrate needs --service <domain>, one of: ${cfg.services.map((s) => s.domain).join(', ') || '(none found)'}`,
      );
    return [one];
  };
  const migrateOne = async (s: Service): Promise<Row> => {
    const url = serviceDatabaseUrl(cfg.adminUrl, s);
    const r = await migrate({ url, migrationsDir: s.migrationsDir }).catch((err: Error) => {
      // An unprovisioned service shows up as a login failure: say what to do.
      if (/Access denied/i.test(err.message))
        throw new Error(`${err.message} (run 'npx tsx scripts/db.ts provision-all' first?)`);
      throw err;
    });
    return {
      applied: String(r.applied.length),
      skipped: String(r.skipped.length),
      result: r.applied.join(' ') || 'up to date',
    };
  };

  let outcome: { rows: Row[]; failed: number };
  switch (command) {
    case 'provision-all':
      outcome = await eachService(cfg.services, async (s) => {
        await provisionDatabase({ adminUrl: cfg.adminUrl, ...s });
        return { user: s.user, result: 'ok' };
      });
      break;
    case 'migrate-all':
    case 'migrate':
      outcome = await eachService(pick(), migrateOne);
      break;
    case 'drop-all':
      outcome = await eachService(cfg.services, async (s) => {
        await dropDatabase({ adminUrl: cfg.adminUrl, database: s.database, user: s.user });
        return { user: s.user, result: 'dropped' };
      });
      break;
    case 'drop-test-dbs': {
      const i = rest.indexOf('--min-age-minutes');
      const minutes = i >= 0 ? Number(rest[i + 1]) : 60;
      if (!Number.isFinite(minutes) || minutes < 0)
        throw new Error('--min-age-minutes needs a number >= 0');
      return dropTestDatabases(cfg.adminUrl, minutes * 60);
    }
    default:
      console.error(
        'usage: npx tsx scripts/db.ts provision-all | migrate-all | migrate --service <domain> | drop-all | drop-test-dbs [--min-age-minutes N]',
      );
      return 2;
  }
  if (cfg.services.length === 0)
    console.log('no services/*/prisma/migrations folders found: nothing to do');
  console.log(`server: ${redactUrl(cfg.adminUrl)}`);
  printTable(outcome.rows);
  if (outcome.failed > 0) console.error(`${outcome.failed} service(s) failed, see the table above`);
  return outcome.failed > 0 ? 1 : 0;
}

/** Leftovers of createTestDatabase (killed test runs never reach drop()). */
async function dropTestDatabases(adminUrl: string, minAgeSeconds: number): Promise<number> {
  const old = (name: string): boolean => (testNameAgeSeconds(name) ?? -1) >= minAgeSeconds;
  // `_` is a LIKE wildcard: escape it so only our exact prefix matches.
  const like = (prefix: string): string => `${prefix.replace(/_/g, '\\_')}%`;
  const found = await withConnection(adminUrl, async (c) => ({
    dbs: (
      (await c.query('SHOW DATABASES LIKE ?', [like(TEST_NAME_PREFIX)])) as Array<
        Record<string, string>
      >
    ).flatMap((r) => Object.values(r)),
    users: (
      (await c.query('SELECT DISTINCT User AS u FROM mysql.user WHERE User LIKE ?', [
        like(`${TEST_NAME_PREFIX}u_`),
      ])) as Array<{ u: string }>
    ).map((r) => r.u),
  }));
  const dbs = found.dbs.filter(old);
  const users = found.users.filter(old);
  for (const database of dbs) await dropDatabase({ adminUrl, database });
  for (const user of users) await dropUser({ adminUrl, user });
  console.log(
    `dropped ${dbs.length} test database(s) and ${users.length} test user(s) on ${redactUrl(adminUrl)}`,
  );
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`db: ${err.message}`);
    process.exit(1);
  },
);
