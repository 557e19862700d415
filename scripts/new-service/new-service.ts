/**
 * npm run new-service -- <name> [--calls <target>.<Service>/<Method> ...] [--root DIR] [--no-codegen]
 *
 * Makes a working service on the chassis and registers it everywhere (see register.ts):
 *   proto/shop/<name>/v1/<name>.proto   one resource, two RPCs (buf lint clean)
 *   services/<name>/                    the one layout, its own database and first migration,
 *                                       tests (behaviour, database, process), README
 *   gen/                                regenerated (buf), Prisma client generated
 *   package-lock.json, node_modules     the new workspace linked (no network)
 * --calls adds a call graph edge, a typed client in src/downstream/ wired into main.ts and the
 * server's deps, and its *_ADDR config key (the topology's address by default).
 * Then: `npm test` runs its tests with everyone's, `npm start` runs it (health, reflection).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCAFFOLD_MARKER } from '../duplicates/scan';
import { nextPorts, register } from './register';
import { files, proto, type Call, type Names } from './templates';

const NAME = /^[a-z][a-z0-9]{1,19}$/;
const RESERVED = new Set(['edge', 'ops', 'saga', 'worker', 'kit', 'proto', 'common', 'gateway']);

export interface Options {
  name: string;
  calls: string[];
  root: string;
  /** Skip buf and Prisma generation (the generator's own unit tests). */
  codegen: boolean;
  log: (line: string) => void;
}

export function parseArgs(argv: string[]): Omit<Options, 'log'> {
  const calls: string[] = [];
  let root = path.resolve(__dirname, '../..');
  let codegen = true;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--calls') calls.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a === '--root') root = path.resolve(argv[++i] ?? '.');
    else if (a === '--no-codegen') codegen = false;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest.length !== 1)
    throw new Error('usage: npm run new-service -- <name> [--calls target.Service/Method]');
  return { name: rest[0]!, calls, root, codegen };
}

/** `users.UserService/GetUser` -> a Call, checked against the target's contract. */
export function parseCall(root: string, spec: string): Call {
  const m = /^([a-z][a-z0-9]*)\.([A-Z]\w*)\/([A-Z]\w*)$/.exec(spec);
  if (!m)
    throw new Error(
      `--calls ${spec}: expected <service>.<Service>/<Method>, e.g. users.UserService/GetUser`,
    );
  const [, target, service, method] = m as unknown as [string, string, string, string];
  const file = path.join(root, 'proto/shop', target, 'v1', `${target}.proto`);
  if (!existsSync(file))
    throw new Error(`--calls ${spec}: no contract proto/shop/${target}/v1/${target}.proto`);
  const text = readFileSync(file, 'utf8');
  const block = new RegExp(`\\nservice ${service} \\{([\\s\\S]*?)\\n\\}`).exec(text);
  if (!block) throw new Error(`--calls ${spec}: ${target} has no service ${service}`);
  if (!new RegExp(`rpc ${method}\\(`).test(block[1]!))
    throw new Error(`--calls ${spec}: ${service} has no method ${method}`);
  return { target, service, method };
}

function linkWorkspace(root: string, name: string): void {
  const lockPath = path.join(root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
    packages: Record<string, Record<string, unknown>>;
  };
  lock.packages[`node_modules/@meshcart/${name}`] = { resolved: `services/${name}`, link: true };
  lock.packages[`services/${name}`] = { name: `@meshcart/${name}`, version: '0.0.0' };
  // npm's order: the root first, then every other key sorted.
  const [first, ...others] = Object.keys(lock.packages);
  const sorted: Record<string, Record<string, unknown>> = { [first!]: lock.packages[first!]! };
  for (const k of others.sort((a, b) => a.localeCompare(b, 'en'))) sorted[k] = lock.packages[k]!;
  lock.packages = sorted;
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  const link = path.join(root, 'node_modules/@meshcart', name);
  if (existsSync(path.join(root, 'node_modules/@meshcart')) && !existsSync(link))
    symlinkSync(`../../services/${name}`, link);
}

export function newService(o: Options): Names {
  const { name, root } = o;
  if (!NAME.test(name) || RESERVED.has(name))
    throw new Error(
      `service name ${name}: 2-20 lowercase letters/digits, starting with a letter, not ${[...RESERVED].join('/')}`,
    );
  const topology = readFileSync(path.join(root, 'helm/meshcart/files/topology.yaml'), 'utf8');
  if (
    new RegExp(`^  ${name}:`, 'm').test(topology) ||
    existsSync(path.join(root, 'services', name))
  )
    throw new Error(`service ${name} exists already`);
  const calls = o.calls.map((c) => parseCall(root, c));
  const ports = nextPorts(topology);
  const n: Names = {
    name,
    pascal: name[0]!.toUpperCase() + name.slice(1),
    grpcPort: ports.grpc,
    calls,
  };

  const protoFile = path.join(root, 'proto/shop', name, 'v1', `${name}.proto`);
  mkdirSync(path.dirname(protoFile), { recursive: true });
  writeFileSync(protoFile, proto(n));
  const dir = path.join(root, 'services', name);
  for (const [rel, text] of Object.entries(files(n))) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    // Source files are marked as scaffolding (left out of the duplicates check until edited).
    writeFileSync(
      path.join(dir, rel),
      /^src\/.*\.ts$/.test(rel) ? `${SCAFFOLD_MARKER}\n${text}` : text,
    );
  }
  register(root, n, ports.metrics);
  linkWorkspace(root, name);
  o.log(
    `wrote proto/shop/${name}/v1/${name}.proto and services/${name}/ (gRPC ${ports.grpc}, metrics ${ports.metrics})`,
  );

  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  run('bash', [
    'scripts/run.sh',
    'prettier',
    '--write',
    '--log-level',
    'warn',
    `services/${name}`,
    'scripts/local-stack/ports.ts',
    'delivery',
    'scripts/bundle.ts',
  ]);
  if (o.codegen) {
    o.log('generating code (buf, Prisma)');
    run('bash', ['scripts/generate.sh']);
    run('bash', ['scripts/prisma-generate.sh', `services/${name}`]);
  }
  o.log(
    [
      `service ${name} is ready:`,
      `  npx jest services/${name}        its tests (real MariaDB)`,
      `  npm start                        runs it with the platform (127.0.0.1:${ports.grpc})`,
      `  grpcurl -plaintext 127.0.0.1:${ports.grpc} list`,
      `next: replace the example Record resource; let callers in via helm/meshcart/files/call-graph.yaml;`,
      `see docs/service-teams.md`,
    ].join('\n'),
  );
  return n;
}

if (require.main === module) {
  try {
    newService({ ...parseArgs(process.argv.slice(2)), log: (l) => process.stdout.write(`${l}\n`) });
  } catch (e) {
    process.stderr.write(`new-service: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
