/**
 * Applies hand-written Prisma-layout migrations (prisma/migrations/<ts>_<name>/migration.sql)
 * and records them in `_prisma_migrations` exactly like `prisma migrate deploy`,
 * so where Prisma's schema engine exists it adopts our history unchanged.
 * (Here it cannot run: it needs an engine binary nobody can download.)
 *
 * Fence: an environment-only stand-in. A fork that can install Prisma's schema engine may run
 * `prisma migrate deploy` instead (the history is compatible) and delete this runner and the
 * `migrate` subcommand of runService; the drift tests (schema-drift.ts) stay useful either way.
 *
 * MariaDB/MySQL DDL is NOT transactional: every CREATE/ALTER commits on its
 * own. A migration that fails half-way leaves the statements before the
 * failure applied and its row unfinished; like Prisma (P3009) we then refuse
 * to run until a human repaired the schema and marked the row rolled back
 * (`prisma migrate resolve --rolled-back <name>`, or set rolled_back_at).
 * Keep each migration small, ideally one concern, to make that repair easy.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mariadb';
import { quoteIdent, withConnection } from './connection';
import { redactUrl } from './mysql-url';

/** Prisma's own DDL for MySQL (schema-engine mysql flavour), plus IF NOT EXISTS. */
export const PRISMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

export interface MigrateOptions {
  /** URL of the service database (its own user is enough: ALL on that database). */
  url: string;
  /** A prisma/migrations folder. */
  migrationsDir: string;
  log?: (line: string) => void;
  /** How long to wait for a concurrent runner (GET_LOCK timeout), default 60 s. */
  lockTimeoutSeconds?: number;
}

export interface MigrateResult {
  /** Migrations run by this call, in order. */
  applied: string[];
  /** Migrations found already applied (checksum verified). */
  skipped: string[];
}

/** A migration folder on disk. */
export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/** sha256 hex of the exact bytes of migration.sql, as Prisma stores it. */
export function migrationChecksum(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Same acceptance rule as Prisma's `script_matches_checksum`: the stored
 * checksum may have been computed with the other line endings (git autocrlf),
 * or by an old engine that did not zero-pad hex bytes.
 */
export function matchesChecksum(sql: string, recorded: string): boolean {
  const variants = [sql, sql.replace(/\r\n/g, '\n'), sql.replace(/\r?\n/g, '\r\n')];
  return variants.some((s) => {
    const digest = createHash('sha256').update(s, 'utf8').digest();
    const hex =
      recorded.length === 64
        ? digest.toString('hex')
        : [...digest].map((b) => b.toString(16)).join('');
    return hex === recorded;
  });
}

/** Reads migration folders in lexical order (Prisma's order); ignores migration_lock.toml. */
export function readMigrations(migrationsDir: string): LocalMigration[] {
  if (!existsSync(migrationsDir)) throw new Error(`migrations folder not found: ${migrationsDir}`);
  return readdirSync(migrationsDir)
    .filter((name) => statSync(join(migrationsDir, name)).isDirectory())
    .sort()
    .map((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`migration ${name} has no migration.sql (${file})`);
      const bytes = readFileSync(file);
      const sql = bytes.toString('utf8');
      // DELIMITER is a mysql-client command; the server would reject it mid-script.
      if (/^\s*DELIMITER\s/im.test(sql))
        throw new Error(`migration ${name} uses DELIMITER, which only the mysql CLI understands`);
      return { name, sql, checksum: migrationChecksum(bytes) };
    });
}

/** GET_LOCK names are capped at 64 characters; long database names get hashed. */
function lockName(database: string): string {
  const name = `meshcart_migrate_${database}`;
  return name.length <= 64 ? name : `meshcart_migrate_${migrationChecksum(database).slice(0, 40)}`;
}

/** Applies pending migrations under a named lock; refuses edited, failed or vanished ones. */
export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const local = readMigrations(opts.migrationsDir);
  const log = opts.log ?? (() => undefined);
  // multipleStatements: the server splits migration.sql itself, so quotes,
  // comments and compound statements are parsed exactly as Prisma sends them.
  return withConnection(
    opts.url,
    async (conn) => {
      const rows = (await conn.query('SELECT DATABASE() AS db')) as Array<{ db: string | null }>;
      const database = rows[0]?.db;
      if (!database) throw new Error(`no database selected in ${redactUrl(opts.url)}`);
      const lock = lockName(database);
      const got = (await conn.query('SELECT GET_LOCK(?, ?) AS got', [
        lock,
        opts.lockTimeoutSeconds ?? 60,
      ])) as Array<{ got: number | null }>;
      if (got[0]?.got !== 1)
        throw new Error(
          `could not take migration lock ${lock} on ${database}: another migrate is still running`,
        );
      try {
        return await migrateLocked(conn, quoteIdent(database), local, log);
      } finally {
        await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
      }
    },
    { multipleStatements: true },
  );
}

async function migrateLocked(
  conn: Connection,
  db: string,
  local: LocalMigration[],
  log: (line: string) => void,
): Promise<MigrateResult> {
  // Table names are qualified with the database: a migration may `USE` another schema.
  const table = `${db}._prisma_migrations`;
  await conn.query(PRISMA_MIGRATIONS_DDL.replace('_prisma_migrations', table));
  // Rolled-back rows are history only (prisma migrate resolve --rolled-back): ignore them.
  const rows = (await conn.query(
    `SELECT id, migration_name, checksum, finished_at FROM ${table} WHERE rolled_back_at IS NULL ORDER BY started_at`,
  )) as MigrationRow[];

  const failed = rows.find((r) => r.finished_at === null);
  if (failed) {
    throw new Error(
      `migration ${failed.migration_name} started but never finished (it failed or was interrupted). ` +
        `MariaDB DDL is not transactional, so part of it may be applied: repair the schema by hand, then ` +
        `mark it rolled back (prisma migrate resolve --rolled-back ${failed.migration_name}, or set rolled_back_at) and re-run.`,
    );
  }
  const byName = new Map(local.map((m) => [m.name, m]));
  const vanished = rows.filter((r) => !byName.has(r.migration_name)).map((r) => r.migration_name);
  if (vanished.length > 0) {
    throw new Error(
      `database has applied migrations missing from disk: ${vanished.join(', ')} (restore them; never delete applied migrations)`,
    );
  }
  const recorded = new Set<string>();
  for (const r of rows) {
    const m = byName.get(r.migration_name);
    if (m && !matchesChecksum(m.sql, r.checksum)) {
      throw new Error(
        `migration ${r.migration_name} was edited after it was applied (checksum mismatch): add a new migration instead`,
      );
    }
    recorded.add(r.migration_name);
  }

  const result: MigrateResult = { applied: [], skipped: [] };
  for (const m of local) {
    if (recorded.has(m.name)) {
      result.skipped.push(m.name);
      continue;
    }
    log(`applying ${m.name}`);
    await applyOne(conn, table, m);
    result.applied.push(m.name);
  }
  return result;
}

/** Same bookkeeping sequence as Prisma: row started -> script -> step counted + finished. */
async function applyOne(conn: Connection, table: string, m: LocalMigration): Promise<void> {
  const id = randomUUID();
  await conn.query(
    `INSERT INTO ${table} (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, CURRENT_TIMESTAMP(3), 0)`,
    [id, m.checksum, m.name],
  );
  try {
    // The driver rejects an empty string; a whitespace-only migration has nothing to run.
    if (m.sql.trim() !== '') await conn.query(m.sql);
  } catch (err) {
    const message = (err as Error).message;
    // Best effort: if the connection died, the unfinished row already blocks re-runs.
    await conn
      .query(`UPDATE ${table} SET logs = ? WHERE id = ?`, [message, id])
      .catch(() => undefined);
    throw new Error(
      `migration ${m.name} failed: ${message}. Statements before the failure stay applied (MariaDB DDL is not transactional).`,
      { cause: err },
    );
  }
  await conn.query(
    `UPDATE ${table} SET finished_at = CURRENT_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?`,
    [id],
  );
}
