/** Database layer of the meshcart kit: provisioning, migrations, drift checks, test databases. */
export { provisionDatabase, dropDatabase, dropUser, serviceDatabaseUrl } from './provision';
export type { ProvisionOptions, DropOptions } from './provision';
export {
  migrate,
  readMigrations,
  migrationChecksum,
  matchesChecksum,
  PRISMA_MIGRATIONS_DDL,
} from './migrate';
export type { MigrateOptions, MigrateResult, LocalMigration } from './migrate';
export { checkSchemaDrift } from './schema-drift';
export type { DriftOptions } from './schema-drift';
export { parsePrismaSchema } from './prisma-schema';
export type { PrismaSchema, Model, Field } from './prisma-schema';
export { parseMysqlUrl, formatMysqlUrl, withDatabase, redactUrl } from './mysql-url';
export type { MysqlUrlParts } from './mysql-url';
export {
  mariadbPoolConfig,
  mariadbConnectionConfig,
  mariadbSslOptions,
  databaseTlsConfigSpec,
  withDatabaseTls,
  applyDatabaseTls,
  usesTls,
  DATABASE_TLS_MODES,
  TLS_PARAMS,
} from './tls';
export type { DbPoolOptions, DatabaseTlsMode, DatabaseTlsSettings } from './tls';
export {
  applyDatabasePoolSettings,
  databasePoolConfigSpec,
  withDatabasePoolSettings,
  poolSettingsOf,
  statementTimeoutSql,
  DEFAULT_DB_POOL_SETTINGS,
  POOL_PARAMS,
} from './pool-settings';
export type { DbPoolSettings } from './pool-settings';
export { openConnection, withConnection, checkConnection, assertIdentifier } from './connection';
export {
  createTestDatabase,
  expectNoSchemaDrift,
  resolveAdminUrl,
  testNameAgeSeconds,
  DEFAULT_ADMIN_URL,
  TEST_NAME_PREFIX,
} from './test-database';
export type { TestDatabase } from './test-database';
export {
  mapDbError,
  classifyDbError,
  dbErrno,
  prismaCode,
  isPrismaInitError,
  DB_ERROR_REASONS,
  DB_RETRY_DELAY_MS,
} from './db-errors';
export type { DbErrorKind, DbErrorReasons } from './db-errors';
