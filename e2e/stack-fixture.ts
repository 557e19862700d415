import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { dropDatabase, resolveAdminUrl } from '@meshcart/kit/db';
import { withLoadProfile } from '../scripts/local-stack/load-profile';
import { freeStackPorts, portsFromEnv, SERVICES } from '../scripts/local-stack/ports';
import { startStack, type RunningStack } from '../scripts/local-stack/stack';

/**
 * Boots the platform exactly as `npm start` does (same startStack), but on free ports, with its
 * own databases (prefix e2e_<random>_) and its own Temporal task queue, so it never collides
 * with a developer's running stack. Logs are kept in memory and printed only on failure.
 */
export async function startE2EStack(
  opts: {
    env?: Record<string, string>;
    /** Another MariaDB (a private one the test may stop); default: the shared one. */
    adminUrl?: string;
  } = {},
): Promise<
  RunningStack & {
    logs(): string;
    /** Databases of this run: `${dbPrefix}<service>` (e2e_<run>_). */
    dbPrefix: string;
    adminUrl: string;
    temporalAddress: string;
  }
> {
  const root = path.resolve(__dirname, '..');
  const ports = await freeStackPorts(portsFromEnv());
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (d: Buffer) => lines.push(d.toString()));
  const run = randomBytes(3).toString('hex');
  const adminUrl = opts.adminUrl ?? resolveAdminUrl();
  const temporalAddress = process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${ports.temporal}`;
  const dropAll = () =>
    Promise.all(
      SERVICES.map((s) =>
        dropDatabase({ adminUrl, database: `e2e_${run}_${s}`, user: `e2e_${run}_${s}_svc` }).catch(
          () => undefined,
        ),
      ),
    );
  const stack = await startStack({
    root,
    dataDir: path.join(root, '.data'),
    ports,
    adminUrl,
    temporalAddress,
    dbPrefix: `e2e_${run}_`,
    taskQueue: `meshcart-e2e-${run}`,
    seed: true,
    logLevel: 'info',
    out,
    prettyLogs: false,
    log: (l) => lines.push(`[stack] ${l}\n`),
    // The shared Temporal outlives the run: no orphan-reconcile schedule left firing on it.
    env: withLoadProfile({ ORPHAN_RECONCILE_INTERVAL: 'off', ...opts.env }),
  }).catch(async (e: Error) => {
    await dropAll();
    throw new Error(`${e.message}\n--- stack output ---\n${lines.join('').slice(-20_000)}`);
  });
  return {
    ...stack,
    stop: async () => {
      await stack.stop();
      await dropAll();
    },
    logs: () => lines.join(''),
    dbPrefix: `e2e_${run}_`,
    adminUrl,
    temporalAddress,
  };
}
