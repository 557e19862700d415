/**
 * Bundles one deployable into dist/<name>.js with esbuild (used by the Dockerfile's build stage):
 *   npx tsx scripts/bundle.ts <users|catalog|inventory|payments|shipping|orders|saga-worker> [--outdir dist]
 *
 * First-party code (services/, packages/, gen/ts: workspace packages whose main is a .ts file) is
 * compiled in, so the image runs plain JavaScript without tsx. Every third-party package stays a
 * runtime require() of node_modules, installed in the image by `npm ci --omit=dev`, because:
 *   - native / wasm packages cannot be bundled (@temporalio/core-bridge, @prisma/*, mariadb);
 *   - OpenTelemetry instruments grpc-js, mysql2 and http by hooking require(): bundled copies
 *     would be invisible to it and traces would lose their spans;
 *   - pino loads transports and thread-stream workers from files.
 * For saga-worker the Temporal workflow code is also prebundled (dist/saga-worker.workflows.js):
 * the worker loads it with `workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH }`, so
 * the image needs neither webpack at start-up nor the TypeScript workflow sources.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** The services: every folder of services/ with the chassis entry (src/main.ts). */
const SERVICES = readdirSync(path.join(ROOT, 'services')).filter((d) =>
  existsSync(path.join(ROOT, 'services', d, 'src/main.ts')),
);

/** Entry file of a deployable, relative to the repository root. */
export function entryOf(name: string): string {
  if (name === 'saga-worker') return 'saga/src/worker/main.ts';
  if (SERVICES.includes(name)) return `services/${name}/src/main.ts`;
  throw new Error(
    `unknown deployable "${name}": expected one of ${[...SERVICES, 'saga-worker'].join(', ')}`,
  );
}

/** Bare imports stay external unless they name a workspace package (@meshcart/*). */
export const externalThirdParty: Plugin = {
  name: 'external-third-party',
  setup(b) {
    // require.resolve() of a workspace asset (e.g. @meshcart/proto/descriptor.binpb) stays a
    // runtime lookup: the image ships the file at the same place (see Dockerfile).
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@meshcart/') && args.kind !== 'require-resolve'
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/** Bundles `entry` (absolute or repo-relative) to `outfile`; returns esbuild's warnings as text. */
export async function bundleEntry(entry: string, outfile: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Stack traces point at the TypeScript sources (node --enable-source-maps in the image).
    sourcemap: 'linked',
    sourcesContent: false,
    // Error class names and function names survive in logs.
    keepNames: true,
    plugins: [externalThirdParty],
    logLevel: 'silent',
  });
  return result.warnings.map(
    (w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`,
  );
}

/**
 * Prebundles the Temporal workflow code exactly as the worker would at start-up (same module,
 * same tracing interceptor modules): one bundler, saga/src/worker/saga-worker.ts.
 */
async function bundleWorkflows(outfile: string): Promise<void> {
  // Loaded lazily: only the worker build needs webpack.
  const { bundleSagaWorkflows } = await import('../saga/src/worker/saga-worker.ts');
  const bundle = await bundleSagaWorkflows();
  writeFileSync(outfile, (bundle as { code: string }).code);
}

async function main(argv: string[]): Promise<void> {
  const name = argv[0];
  if (!name) throw new Error('usage: tsx scripts/bundle.ts <deployable> [--outdir dist]');
  const i = argv.indexOf('--outdir');
  const outdir = path.resolve(ROOT, i >= 0 && argv[i + 1] ? argv[i + 1]! : 'dist');
  mkdirSync(outdir, { recursive: true });
  const warnings = await bundleEntry(entryOf(name), path.join(outdir, `${name}.js`));
  for (const w of warnings) console.warn(`[bundle] warning: ${w}`);
  // The OpenTelemetry preload (node --require dist/otel-register.js): it must run before
  // grpc-js is loaded, so it ships as its own file rather than inside the service bundle.
  await bundleEntry(
    'packages/kit/src/telemetry/register.ts',
    path.join(outdir, 'otel-register.js'),
  );
  if (name === 'saga-worker') await bundleWorkflows(path.join(outdir, `${name}.workflows.js`));
  console.log(`[bundle] ${name} -> ${path.relative(ROOT, outdir)}/${name}.js`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`[bundle] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
