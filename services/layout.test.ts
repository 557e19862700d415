/**
 * One layout for every service (HOUSE-STYLE, issue 10): a maintainer who knows one service finds
 * the same file in the same place in all of them, and a new service (npm run new-service) starts
 * from it. This test pins the layout; change it here, on purpose, for all services at once.
 *
 *   src/main.ts             the chassis call only (runService), no wiring of its own
 *   src/server.ts           buildServer(deps): the gRPC server, what tests start on port 0
 *   src/config.ts           the service's env, read through the kit's config spec
 *   src/grpc/               <name>.handlers.ts (wire <-> app), one <service>.mapping.ts
 *   src/domain/             rules and validation (<name>.validation.ts), no I/O
 *   src/store/db.ts         the DB client; <name>.store.ts the queries
 *   src/app/, downstream/, saga/, provider/, seed/   where a service needs them
 *   test/harness.ts         the service's part of the kit's shared harness
 *   test/database.test.ts   schema drift + the connection killed mid-call
 *   test/process.test.ts    the real process: start, health, SIGTERM
 *   README.md, prisma/schema.prisma, prisma/migrations/
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = __dirname;
const SERVICES = readdirSync(ROOT).filter((d) => statSync(path.join(ROOT, d)).isDirectory());
const ALLOWED_SRC_DIRS = new Set([
  'app',
  'domain',
  'grpc',
  'store',
  'downstream',
  'saga',
  'provider',
  'seed',
]);
const REQUIRED = [
  'README.md',
  'package.json',
  'prisma.config.ts',
  'prisma/schema.prisma',
  'prisma/migrations',
  'src/main.ts',
  'src/server.ts',
  'src/config.ts',
  'src/store/db.ts',
  'test/harness.ts',
  'test/database.test.ts',
  'test/process.test.ts',
];
/** Names the services used before they were one house: each has one place now. */
const RETIRED = /(^|\/)(mappers|prisma|prisma-client|validation)\.ts$|(^|\/)drift\.test\.ts$/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.split(path.sep).includes('generated'))
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

test('the six services are all here', () => {
  expect(SERVICES).toEqual(
    expect.arrayContaining(['users', 'catalog', 'inventory', 'payments', 'shipping', 'orders']),
  );
});

describe.each(SERVICES)('%s', (name) => {
  const dir = path.join(ROOT, name);
  const src = filesUnder(path.join(dir, 'src'));
  const tests = filesUnder(path.join(dir, 'test'));

  test('has every file of the layout', () => {
    expect(REQUIRED.filter((f) => !existsSync(path.join(dir, f)))).toEqual([]);
  });

  test('src/ holds only the layout folders; no retired file names', () => {
    const dirs = [...new Set(src.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];
    expect(dirs.filter((d) => !ALLOWED_SRC_DIRS.has(d!))).toEqual([]);
    expect([...src, ...tests.map((t) => `test/${t}`)].filter((f) => RETIRED.test(f))).toEqual([]);
  });

  test('grpc/ holds handlers and one mapping module; validation lives in domain/', () => {
    const grpc = src.filter((f) => f.startsWith('grpc/'));
    expect(grpc.filter((f) => !/^grpc\/[a-z-]+\.(handlers|mapping)\.ts$/.test(f))).toEqual([]);
    expect(grpc.filter((f) => f.endsWith('.handlers.ts')).length).toBeGreaterThan(0);
    expect(grpc.filter((f) => f.endsWith('.mapping.ts'))).toHaveLength(1);
    expect(src.filter((f) => f.endsWith('.validation.ts') && !f.startsWith('domain/'))).toEqual([]);
  });

  test('main.ts is the chassis call, nothing more (at most 25 lines)', () => {
    const main = readFileSync(path.join(dir, 'src/main.ts'), 'utf8');
    expect(main).toMatch(/runService\(/);
    expect(main.trimEnd().split('\n').length).toBeLessThanOrEqual(25);
  });

  test('log fields are snake_case', () => {
    const camel: string[] = [];
    for (const f of src.filter((x) => x.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, 'src', f), 'utf8');
      // The object literal a log call starts with (pino's merge object), on one line.
      for (const m of text.matchAll(
        /\b(?:logger|log)\.(?:trace|debug|info|warn|error|fatal)\(\s*\{([^}]*)\}/g,
      )) {
        for (const k of m[1]!.matchAll(/(?:^|[,{])\s*([A-Za-z_$][\w$]*)\s*(?=[:,]|$)/g)) {
          if (/[A-Z]/.test(k[1]!)) camel.push(`${f}: ${k[1]}`);
        }
      }
    }
    expect(camel).toEqual([]);
  });
});
