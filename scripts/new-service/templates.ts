/**
 * The files of a new service, in the one layout (services/layout.test.ts): a contract with one
 * resource (Record: create idempotently, read), its own database and first migration, the
 * chassis main.ts, handlers + mapping, validation in domain/, a store, and the tests every
 * service has (the service's behaviour, the database, the real process). `n` carries the names.
 */
export interface Names {
  /** `loyalty` (topology, folder, database suffix). */
  name: string;
  /** `Loyalty` (proto service and message prefix). */
  pascal: string;
  grpcPort: number;
  /** The calls it makes: `{ target: 'users', service: 'UserService', method: 'GetUser' }`. */
  calls: Call[];
}

export interface Call {
  target: string;
  service: string;
  method: string;
}

const camel = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** proto/shop/<name>/v1/<name>.proto */
export function proto(n: Names): string {
  return `syntax = "proto3";

package shop.${n.name}.v1;

import "google/api/field_behavior.proto";
import "google/protobuf/timestamp.proto";

// ${n.pascal}Service keeps records. Internal: callers need a \`service\` token (or \`admin\` to
// read); the call graph (helm/meshcart/files/call-graph.yaml) says which workloads may call.
service ${n.pascal}Service {
  // Creates a record. Idempotent on record_id: a repeat returns the stored record, the same id
  // with another title fails ALREADY_EXISTS reason IDEMPOTENCY_KEY_REUSED.
  rpc CreateRecord(CreateRecordRequest) returns (CreateRecordResponse);
  // Reads a record. Unknown id: NOT_FOUND reason NOT_FOUND.
  rpc GetRecord(GetRecordRequest) returns (GetRecordResponse);
}

// One record.
message Record {
  // Client-chosen id (the idempotency key), 1-64 of [A-Za-z0-9._:-].
  string record_id = 1;
  // 1-200 characters, no control characters.
  string title = 2;
  // When it was first created.
  google.protobuf.Timestamp create_time = 3 [(google.api.field_behavior) = OUTPUT_ONLY];
}

// CreateRecord input.
message CreateRecordRequest {
  // See Record.record_id.
  string record_id = 1 [(google.api.field_behavior) = REQUIRED];
  // See Record.title.
  string title = 2 [(google.api.field_behavior) = REQUIRED];
}

// CreateRecord output.
message CreateRecordResponse {
  // The stored record.
  Record record = 1;
}

// GetRecord input.
message GetRecordRequest {
  // See Record.record_id.
  string record_id = 1 [(google.api.field_behavior) = REQUIRED];
}

// GetRecord output.
message GetRecordResponse {
  // The record.
  Record record = 1;
}
`;
}

const tsImportOf = (n: Names) => `@meshcart/proto/shop/${n.name}/v1/${n.name}`;

export function files(n: Names): Record<string, string> {
  const P = n.pascal;
  const N = n.name;
  const def = `${P}ServiceService`;
  const calls = n.calls;
  return {
    'package.json': `${JSON.stringify(
      {
        name: `@meshcart/${N}`,
        version: '0.0.0',
        private: true,
        description: `meshcart ${N} service (gRPC, owns the shop_${N} database)`,
        main: 'src/server.ts',
        exports: { '.': './src/server.ts', './package.json': './package.json' },
        scripts: { start: 'tsx src/main.ts' },
      },
      null,
      2,
    )}\n`,
    'README.md': `# ${N} service

Keeps records. gRPC \`shop.${N}.v1.${P}Service\` on \`GRPC_PORT\` (default ${n.grpcPort}); database
\`shop_${N}\`. Made by \`npm run new-service -- ${N}\`: replace the example resource with your own,
keeping the layout (services/layout.test.ts) and the guide (docs/service-teams.md).

| RPC | Access | Errors (code / ErrorInfo reason) |
| --- | --- | --- |
| CreateRecord | service | INVALID_ARGUMENT (\`recordId\`, \`title\`); ALREADY_EXISTS \`IDEMPOTENCY_KEY_REUSED\` |
| GetRecord | service, admin | INVALID_ARGUMENT (\`recordId\`); NOT_FOUND \`NOT_FOUND\` |

Database failures answer ABORTED \`DB_CONFLICT\` or UNAVAILABLE \`DB_UNAVAILABLE\` (retry;
\`test/database.test.ts\` kills the connection mid-call). Error domain \`${N}.meshcart\`.
${calls.length ? `\nCalls (call graph edges): ${calls.map((c) => `\`${c.target}.${c.service}/${c.method}\``).join(', ')}; the clients are in \`src/downstream/\`.\n` : ''}
Layout: \`src/main.ts\` (the chassis call) · \`src/server.ts\` (buildServer) · \`src/config.ts\` ·
\`src/grpc/\` handlers + mapping · \`src/domain/\` rules and validation · \`src/store/\` db + store ·
\`prisma/\` schema and hand-written migrations · \`test/\` harness, behaviour, database, process.

| Env | Default |
| --- | --- |
| \`DATABASE_URL\` | required (\`mysql://…/shop_${N}\`) |
| \`DB_POOL_SIZE\` | \`10\` |
| \`GRPC_PORT\`, \`GRPC_HOST\` | \`${n.grpcPort}\`, \`127.0.0.1\` |
${calls.map((c) => `| \`${c.target.toUpperCase()}_ADDR\` | the topology's address of ${c.target} |\n`).join('')}`,
    'prisma.config.ts': `/** Prisma CLI config for the ${N} service (generate; migrate deploy where the engine exists). */
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only migrate/introspect commands read it; \`prisma generate\` works without.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
`,
    'prisma/schema.prisma': `// ${N} owns shop_${N}. Migrations are hand-written SQL in prisma/migrations (applied by
// \`main.ts migrate\`); test/database.test.ts fails when this file and the migrations disagree.
generator client {
  provider     = "prisma-client"
  output       = "../src/store/generated/prisma"
  moduleFormat = "cjs"
}

datasource db {
  provider = "mysql"
}

/// One record per record_id (the client's idempotency key).
model Record {
  id        String   @id @map("record_id") @db.VarChar(64)
  title     String   @db.VarChar(200)
  createdAt DateTime @default(now()) @map("created_at") @db.DateTime(3)

  @@map("records")
}
`,
    'prisma/migrations/migration_lock.toml': `# Please do not edit this file manually
# It should be added in your version-control system (e.g., Git)
provider = "mysql"
`,
    'prisma/migrations/20270101000000_init/migration.sql': `-- CreateTable
CREATE TABLE \`records\` (
    \`record_id\` VARCHAR(64) NOT NULL,
    \`title\` VARCHAR(200) NOT NULL,
    \`created_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    PRIMARY KEY (\`record_id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
`,
    'src/main.ts': `/** ${N} service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { ${camel(P)}ConfigSpec } from './config';
${calls.map((c) => `import { connect${cap(c.target)} } from './downstream/${c.target}.client';\n`).join('')}import { buildServer } from './server';
import { createDb } from './store/db';

runService({
  spec: ${camel(P)}ConfigSpec,
  dir: __dirname,
  async start({ config, base, onShutdown${calls.length ? ', client' : ''} }) {
${calls.map((c) => `    const ${c.target} = await connect${cap(c.target)}(client, config.${c.target}Addr);\n`).join('')}    const db = createDb(config.databaseUrl, { connectionLimit: config.dbPoolSize });
    onShutdown('database pool', () => db.$disconnect());
    await db.$queryRaw\`SELECT 1\`; // fail fast on a wrong URL or password
    return buildServer({ ...base, db${calls.map((c) => `, ${c.target}`).join('')} });
  },
});
`,
    'src/config.ts': `/** ${P} configuration: the shared service keys plus its database${calls.length ? ' and the services it calls' : ''}. */
import { ${calls.length ? 'localAddress, ' : ''}parse, serviceConfigSpec, ${calls.length ? 'signingKeySpec, ' : ''}v, type ConfigOf } from '@meshcart/kit';

export const ${camel(P)}ConfigSpec = {
  ...serviceConfigSpec('${N}'),
  databaseUrl: v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true }),
  dbPoolSize: v('DB_POOL_SIZE', parse.int({ min: 1, max: 500 }), { default: 10 }),
${calls.map((c) => `  ${c.target}Addr: v('${c.target.toUpperCase()}_ADDR', parse.address(), { default: localAddress('${c.target}') }),\n`).join('')}${
      calls.length
        ? `  /** This workload's own signing key (JWT_PRIVATE_KEY or _FILE): it mints its own service token. */
  ...signingKeySpec(),
`
        : ''
    }};

export type ${P}Config = ConfigOf<typeof ${camel(P)}ConfigSpec>;
`,
    'src/server.ts': `/** Builds the ${N} gRPC server (never listens: main.ts and tests decide where). */
import { createGrpcServer, type GrpcServer, type HandlerBase } from '@meshcart/kit';
import { ${def} } from '${tsImportOf(n)}';
${calls.map((c) => `import type { ${cap(c.target)}Client } from './downstream/${c.target}.client';\n`).join('')}import { ${camel(P)}ServiceImpl } from './grpc/${N}.handlers';
import { createRecordStore } from './store/records.store';
import type { Db } from './store/db';

export interface ${P}ServerDeps extends HandlerBase {
  db: Db;
${calls.map((c) => `  ${c.target}?: ${cap(c.target)}Client;\n`).join('')}}

export function buildServer(deps: ${P}ServerDeps): GrpcServer {
  return createGrpcServer({
    logger: deps.logger,
    reflection: deps.reflection,
    services: [
      {
        name: 'shop.${N}.v1.${P}Service',
        definition: ${def},
        implementation: ${camel(P)}ServiceImpl({ ...deps, store: createRecordStore(deps.db) }),
      },
    ],
  });
}
`,
    [`src/grpc/${N}.handlers.ts`]: `/** ${P}Service handlers: validate, call the store, map back. Nothing else. */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errorDomain, implement, serviceOptions, type HandlerBase } from '@meshcart/kit';
import { ${def} } from '${tsImportOf(n)}';
import { validateCreateRecord, validateRecordId } from '../domain/record.validation';
import type { RecordStore } from '../store/records.store';
import { toProtoRecord } from './${N}.mapping';

export const ${N.toUpperCase()}_ERROR_DOMAIN = errorDomain('${N}');

export interface ${P}HandlerDeps extends HandlerBase {
  store: RecordStore;
}

export function ${camel(P)}ServiceImpl(deps: ${P}HandlerDeps): UntypedServiceImplementation {
  const { store } = deps;
  return implement(
    ${def},
    {
      createRecord: async (req, ctx) => {
        const cmd = validateCreateRecord(req);
        ctx.logger.info({ record_id: cmd.recordId }, 'create record');
        return { record: toProtoRecord(await store.create(cmd)) };
      },
      getRecord: async (req) => ({
        record: toProtoRecord(await store.get(validateRecordId(req))),
      }),
    },
    {
      ...serviceOptions(deps, ${N.toUpperCase()}_ERROR_DOMAIN),
      access: { createRecord: 'service', getRecord: ['service', 'admin'] },
    },
  );
}
`,
    [`src/grpc/${N}.mapping.ts`]: `/** Domain record <-> wire message. */
import { toTimestamp } from '@meshcart/kit';
import type { Record as ProtoRecord } from '${tsImportOf(n)}';
import type { StoredRecord } from '../domain/record';

export function toProtoRecord(r: StoredRecord): ProtoRecord {
  return { recordId: r.recordId, title: r.title, createTime: toTimestamp(r.createdAt) };
}
`,
    'src/domain/record.ts': `/** A record as the service keeps it: plain data. */
export interface NewRecord {
  recordId: string;
  title: string;
}

export interface StoredRecord extends NewRecord {
  createdAt: Date;
}

/** A repeat of a create (same id) is the same request only with the same content. */
export const sameRecord = (a: NewRecord, b: NewRecord): boolean => a.title === b.title;
`,
    'src/domain/record.validation.ts': `/** Request rules: ids by the kit's one id rule, titles one line of 1-200 characters. */
import { checkId, checkLine, Violations } from '@meshcart/kit';
import type { NewRecord } from './record';

export const TITLE_MAX_LENGTH = 200;

export function validateCreateRecord(req: { recordId: string; title: string }): NewRecord {
  const v = new Violations();
  checkId(v, 'recordId', req.recordId);
  const title = checkLine(v, 'title', req.title, TITLE_MAX_LENGTH);
  v.throwIfAny();
  return { recordId: req.recordId, title };
}

export function validateRecordId(req: { recordId: string }): string {
  const v = new Violations();
  checkId(v, 'recordId', req.recordId);
  v.throwIfAny();
  return req.recordId;
}
`,
    'src/store/db.ts': `/** The ${N} database: its generated Prisma client over the MariaDB driver adapter (text protocol). */
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { mariadbPoolConfig, type DbPoolOptions } from '@meshcart/kit';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

/** Opens a pool on DATABASE_URL (mysql:// or mariadb://); nothing connects until the first query. */
export const createDb = (url: string, opts: DbPoolOptions = {}): Db =>
  new PrismaClient({
    adapter: new PrismaMariaDb(mariadbPoolConfig(url, opts), { useTextProtocol: true }),
  });
`,
    'src/store/records.store.ts': `/** Records in shop_${N}.records; database errors reach the kit's one mapping (statusOf). */
import { ErrorReason, errors } from '@meshcart/kit';
import { sameRecord, type NewRecord, type StoredRecord } from '../domain/record';
import type { Db } from './db';

export interface RecordStore {
  /** Stores a record, or returns the stored one for a repeat; another title: IDEMPOTENCY_KEY_REUSED. */
  create(r: NewRecord): Promise<StoredRecord>;
  get(recordId: string): Promise<StoredRecord>;
}

const toStored = (row: { id: string; title: string; createdAt: Date }): StoredRecord => ({
  recordId: row.id,
  title: row.title,
  createdAt: row.createdAt,
});

export function createRecordStore(db: Db): RecordStore {
  async function find(recordId: string): Promise<StoredRecord | undefined> {
    const row = await db.record.findUnique({ where: { id: recordId } });
    return row ? toStored(row) : undefined;
  }
  return {
    async create(r) {
      // INSERT IGNORE: a concurrent repeat never fails on the key, it reads the winner below.
      await db.$executeRaw\`INSERT IGNORE INTO records (record_id, title) VALUES (\${r.recordId}, \${r.title})\`;
      const stored = await find(r.recordId);
      if (!stored) throw new Error(\`record \${r.recordId} vanished after its insert\`);
      if (!sameRecord(stored, r))
        throw errors.alreadyExists(ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, {
          message: 'record_id was already used for another record',
        });
      return stored;
    },
    async get(recordId) {
      const stored = await find(recordId);
      if (!stored)
        throw errors.notFound(ErrorReason.ERROR_REASON_NOT_FOUND, {
          message: \`no record \${recordId}\`,
        });
      return stored;
    },
  };
}
`,
    ...Object.fromEntries(
      calls.map((c) => [
        `src/downstream/${c.target}.client.ts`,
        `/** ${c.target}: the calls this service makes (call graph edge ${N} -> ${c.target}.${c.service}/${c.method}). */
import type { CallContext, ServiceContext, TypedClient } from '@meshcart/kit';
import {
  ${c.service}Service,
  type ${c.method}Request,
  type ${c.method}Response,
} from '@meshcart/proto/shop/${c.target}/v1/${c.target}';

export interface ${cap(c.target)}Client {
  /** ${c.service}.${c.method} with this call's deadline, cancellation and trace (\`{ ctx }\`). */
  ${camel(c.method)}(request: ${c.method}Request, ctx: CallContext): Promise<${c.method}Response>;
}

/** Over a typed client of ${c.service}; errors pass through as GrpcCallError (reason, code). */
export function ${c.target}Client(client: TypedClient<typeof ${c.service}Service>): ${cap(c.target)}Client {
  return { ${camel(c.method)}: (request, ctx) => client.${camel(c.method)}(request, { ctx }) };
}

/** Opened by the chassis as this workload (its service token), closed on shutdown. */
export async function connect${cap(c.target)}(
  client: ServiceContext<unknown>['client'],
  address: string,
): Promise<${cap(c.target)}Client> {
  return ${c.target}Client(await client(${c.service}Service, address));
}
`,
      ]),
    ),
    ...Object.fromEntries(
      calls.map((c) => [
        `test/downstream.${c.target}.test.ts`,
        `/**
 * The ${c.target} client as this service uses it, against a real gRPC server of ${c.service} on
 * port 0 standing in for ${c.target}: the call goes out as this workload (its service token),
 * carries the caller's deadline and request id, errors come back with their reason to branch
 * on, and the call graph lets it call only what --calls declared.
 */
import { Metadata, status } from '@grpc/grpc-js';
import {
  createClient,
  createGrpcServer,
  ErrorReason,
  errorDomain,
  errors,
  GrpcCallError,
  implement,
  silentLogger,
  type AccessRule,
  type CallContext,
  type Principal,
  type UnaryHandlers,
} from '@meshcart/kit';
import { createTestAuth, startTestServer } from '@meshcart/kit/testkit';
import { ${c.service}Service } from '@meshcart/proto/shop/${c.target}/v1/${c.target}';
import { ${c.target}Client } from '../src/downstream/${c.target}.client';

const seen: { caller?: Principal; deadline: Date; requestId: unknown }[] = [];
let fail = false;
let server: Awaited<ReturnType<typeof startTestServer>>;
let client: ReturnType<typeof createClient<typeof ${c.service}Service>>;

beforeAll(async () => {
  const auth = await createTestAuth();
  const methods = Object.keys(${c.service}Service) as (keyof typeof ${c.service}Service)[];
  const handler = async (_req: unknown, ctx: CallContext) => {
    seen.push({ caller: ctx.caller, deadline: ctx.deadline, requestId: ctx.metadata.get('x-request-id')[0] });
    if (fail) throw errors.notFound(ErrorReason.ERROR_REASON_NOT_FOUND);
    return {};
  };
  const grpc = createGrpcServer({
    logger: silentLogger(),
    reflection: false,
    services: [
      {
        name: 'shop.${c.target}.v1.${c.service}',
        definition: ${c.service}Service,
        implementation: implement(
          ${c.service}Service,
          Object.fromEntries(methods.map((m) => [m, handler])) as unknown as UnaryHandlers<
            typeof ${c.service}Service
          >,
          {
            logger: silentLogger(),
            domain: errorDomain('${c.target}'),
            verifier: auth.verifier,
            access: Object.fromEntries(methods.map((m) => [m, 'service' as AccessRule])),
          },
        ),
      },
    ],
  });
  server = await startTestServer(grpc);
  client = createClient(${c.service}Service, server.address, {
    caller: '${N}',
    token: () => auth.serviceToken('${N}'),
  });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

/** The context of a call this service is serving (what a handler passes on as \`ctx\`). */
const parent = (ms: number): CallContext => ({
  method: '/shop.${N}.v1.${P}Service/CreateRecord',
  logger: silentLogger(),
  metadata: new Metadata(),
  deadline: new Date(Date.now() + ms),
  signal: new AbortController().signal,
  caller: undefined,
  propagate: { 'x-request-id': 'req-${N}-1' },
});

test('${c.method} goes out as this workload, within the caller’s deadline, with its request id', async () => {
  fail = false;
  const ctx = parent(3_000);
  await ${c.target}Client(client).${camel(c.method)}({} as never, ctx);
  const call = seen.at(-1)!;
  expect(call.caller?.subject).toBe('service:${N}');
  expect(call.requestId).toBe('req-${N}-1');
  expect(call.deadline.getTime()).toBeLessThanOrEqual(ctx.deadline.getTime() + 50);
});

test('an error comes back as GrpcCallError with its code and reason', async () => {
  fail = true;
  const e = await ${c.target}Client(client)
    .${camel(c.method)}({} as never, parent(3_000))
    .catch((err: unknown) => err);
  expect(e).toBeInstanceOf(GrpcCallError);
  expect([(e as GrpcCallError).code, (e as GrpcCallError).reason]).toEqual([
    status.NOT_FOUND,
    'NOT_FOUND',
  ]);
});

test('the call graph lets ${N} call only the declared methods of ${c.service}', async () => {
  const undeclared = Object.keys(${c.service}Service).filter(
    (m) => m !== '${camel(c.method)}',
  ) as (keyof typeof ${c.service}Service)[];
  for (const m of undeclared) {
    const call = client[m] as unknown as (req: unknown) => Promise<unknown>;
    const e = await call({}).catch((err: unknown) => err);
    expect([m, (e as GrpcCallError).code]).toEqual([m, status.PERMISSION_DENIED]);
  }
});
`,
      ]),
    ),
    'test/harness.ts': `/** A ${N} server on port 0 over a throwaway, migrated database (one per test file). */
import path from 'node:path';
import { silentLogger, type TestDatabase, type TypedClient } from '@meshcart/kit';
import {
  callGraphWith,
  startServiceHarness,
  uniqueId,
  type TestAuth,
} from '@meshcart/kit/testkit';
import { ${def} } from '${tsImportOf(n)}';
import { buildServer } from '../src/server';
import { createDb, type Db } from '../src/store/db';

export { failure, fieldsOf } from '@meshcart/kit/testkit';

export const SERVICE_DIR = path.resolve(__dirname, '..');

/**
 * Servers enforce the call graph, and no workload calls ${N} yet: until its first caller is in
 * helm/meshcart/files/call-graph.yaml (then call as that workload and drop this), the tests call
 * as an example caller granted in a test copy of the graph.
 */
export const EXAMPLE_CALLER = 'example-caller';
export const TEST_GRAPH = callGraphWith({
  [EXAMPLE_CALLER]: {
    ${N}: ['shop.${N}.v1.${P}Service/CreateRecord', 'shop.${N}.v1.${P}Service/GetRecord'],
  },
});

export interface ${P}Harness {
  /** Calls as a workload (a \`service\` token on every call). */
  client: TypedClient<typeof ${def}>;
  /** Calls as an operator (an \`admin\` token). */
  admin: TypedClient<typeof ${def}>;
  address: string;
  auth: TestAuth;
  db: Db;
  database: TestDatabase;
  stop(): Promise<void>;
}

export async function start${P}(prefix: string): Promise<${P}Harness> {
  const h = await startServiceHarness({
    serviceDir: SERVICE_DIR,
    prefix,
    openDb: (url) => createDb(url, { connectionLimit: 8, lockWaitTimeoutSeconds: 5 }),
    closeDb: (db) => db.$disconnect(),
    build: ({ db, auth }) =>
      buildServer({
        db,
        logger: silentLogger(),
        verifier: auth.verifier,
        reflection: false,
        callGraph: TEST_GRAPH.graph,
      }),
  });
  return {
    client: h.client(${def}, { token: await h.auth.serviceToken(EXAMPLE_CALLER) }),
    admin: h.client(${def}, { token: await h.auth.adminToken() }),
    address: h.address,
    auth: h.auth,
    db: h.db,
    database: h.database,
    stop: h.stop,
  };
}

/** A unique id per call (tests share a database but never an id). */
export const uid = (tag = 'r') => uniqueId(tag);
`,
    'test/records.test.ts': `/** CreateRecord / GetRecord over a real server and database: answers, errors, idempotency. */
import { status } from '@grpc/grpc-js';
import { createClient } from '@meshcart/kit';
import { ${def} } from '${tsImportOf(n)}';
import { failure, fieldsOf, start${P}, uid, type ${P}Harness } from './harness';

let h: ${P}Harness;
beforeAll(async () => {
  h = await start${P}('${N}_rec');
});
afterAll(() => h?.stop());

test('a created record reads back, with its create time', async () => {
  const recordId = uid();
  const { record } = await h.client.createRecord({ recordId, title: 'First' });
  expect(record).toMatchObject({ recordId, title: 'First' });
  expect(Number(record?.createTime?.seconds)).toBeGreaterThan(1_700_000_000);
  expect((await h.admin.getRecord({ recordId })).record).toEqual(record);
});

test('a repeat returns the stored record; the same id with another title is refused', async () => {
  const recordId = uid();
  const first = await h.client.createRecord({ recordId, title: 'Once' });
  expect(await h.client.createRecord({ recordId, title: 'Once' })).toEqual(first);
  const e = await failure(h.client.createRecord({ recordId, title: 'Twice' }));
  expect([e.code, e.reason]).toEqual([status.ALREADY_EXISTS, 'IDEMPOTENCY_KEY_REUSED']);
  expect((await h.client.getRecord({ recordId })).record?.title).toBe('Once');
});

test('bad input is INVALID_ARGUMENT naming each field; nothing is written', async () => {
  const e = await failure(h.client.createRecord({ recordId: 'bad id!', title: '' }));
  expect(e.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldsOf(e).sort()).toEqual(['recordId', 'title']);
  expect(await h.db.record.count({ where: { id: 'bad id!' } })).toBe(0);
});

test('an unknown record is NOT_FOUND', async () => {
  const e = await failure(h.client.getRecord({ recordId: uid() }));
  expect([e.code, e.reason]).toEqual([status.NOT_FOUND, 'NOT_FOUND']);
});

test('callers need a token: without one UNAUTHENTICATED, a customer is PERMISSION_DENIED', async () => {
  const anonymous = createClient(${def}, h.address, { caller: null });
  expect((await failure(anonymous.getRecord({ recordId: uid() }))).code).toBe(
    status.UNAUTHENTICATED,
  );
  const customer = createClient(${def}, h.address, {
    caller: null,
    token: () => h.auth.userToken('u-1'),
  });
  expect((await failure(customer.createRecord({ recordId: uid(), title: 'x' }))).code).toBe(
    status.PERMISSION_DENIED,
  );
  anonymous.close();
  customer.close();
});
`,
    'test/database.test.ts': `/** The database side: migrations in step with schema.prisma, and the connection dying mid-call. */
import { status } from '@grpc/grpc-js';
import { expectNoSchemaDrift } from '@meshcart/kit';
import { killConnectionMidCall } from '@meshcart/kit/testkit';
import { SERVICE_DIR, start${P}, uid, type ${P}Harness } from './harness';

test('schema.prisma and the migrations describe the same database', async () => {
  await expectNoSchemaDrift(SERVICE_DIR);
});

describe('the database connection killed mid-call', () => {
  let h: ${P}Harness;
  beforeAll(async () => {
    h = await start${P}('${N}_db');
  });
  afterAll(() => h?.stop());

  test('GetRecord answers UNAVAILABLE DB_UNAVAILABLE (retryable), never INTERNAL', async () => {
    const recordId = uid();
    await h.client.createRecord({ recordId, title: 'Locked' });
    const e = await killConnectionMidCall(
      h.database,
      'SELECT record_id FROM records WHERE record_id = ? FOR UPDATE',
      [recordId],
      // A write that must wait for the row lock: the waiter whose connection gets killed.
      () => h.client.createRecord({ recordId, title: 'Locked' }),
    );
    expect(e).toMatchObject({ code: status.UNAVAILABLE, reason: 'DB_UNAVAILABLE' });
    expect((await h.client.getRecord({ recordId })).record?.title).toBe('Locked');
  });
});
`,
    'test/process.test.ts': `/** The real process: \`main.ts migrate\`, then serve health, reflection and a call, exit 0 on SIGTERM. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkHealth, createClient } from '@meshcart/kit';
import { createTestDatabase, type TestDatabase } from '@meshcart/kit/db';
import { createTestAuth, freePort, REPO_ROOT, spawnTs } from '@meshcart/kit/testkit';
import { ${def} } from '${tsImportOf(n)}';
import { EXAMPLE_CALLER, TEST_GRAPH } from './harness';

const ENTRY = 'services/${N}/src/main.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('${N}_proc');
});
afterAll(() => db.drop());

test('\`main.ts migrate\` (DATABASE_URL only), then serve health and a call, exit 0 on SIGTERM', async () => {
  const migrated = await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO_ROOT, ENTRY), 'migrate'],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url }, encoding: 'utf8' },
  );
  expect(migrated.stdout).toContain('applying 20270101000000_init');

  const auth = await createTestAuth();
  const proc = await spawnTs({
    name: '${N}',
    entry: ENTRY,
    port: await freePort(),
    env: { ...auth.env, ...TEST_GRAPH.env, DATABASE_URL: db.url },
  });
  try {
    expect(await checkHealth(proc.address, 'shop.${N}.v1.${P}Service')).toBe('SERVING');
    const client = createClient(${def}, proc.address, {
      caller: null,
      token: () => auth.serviceToken(EXAMPLE_CALLER),
    });
    const { record } = await client.createRecord({ recordId: 'proc-1', title: 'From the process' });
    expect(record?.recordId).toBe('proc-1');
    client.close();
  } finally {
    expect(await proc.kill('SIGTERM')).toBe(0);
  }
}, 60_000);
`,
  };
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
