import { existsSync } from 'node:fs';
import path from 'node:path';
import { migrate, provisionDatabase, serviceDatabaseUrl } from '@meshcart/kit/db';
import { abortError } from './lifecycle';
import { SERVICES, type ServiceName } from './ports';

/**
 * Provisions each service's own database and user (rights on that database only) and applies
 * its migrations. Names: `<prefix><service>` for both (local default prefix `shop_`, so
 * databases shop_orders ..., users shop_orders_svc ...).
 */
export async function prepareDatabases(opts: {
  root: string;
  adminUrl: string;
  prefix: string;
  password: (service: ServiceName) => string;
  log: (line: string) => void;
  /** Checked between databases: Ctrl-C during migrations stops after the current one. */
  signal?: AbortSignal;
}): Promise<Record<ServiceName, string>> {
  const urls = {} as Record<ServiceName, string>;
  for (const service of SERVICES) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const migrationsDir = path.join(opts.root, 'services', service, 'prisma', 'migrations');
    const database = `${opts.prefix}${service}`;
    const user = `${opts.prefix}${service}_svc`;
    const password = opts.password(service);
    await provisionDatabase({ adminUrl: opts.adminUrl, database, user, password });
    urls[service] = serviceDatabaseUrl(opts.adminUrl, { database, user, password });
    if (existsSync(migrationsDir)) {
      const { applied } = await migrate({ url: urls[service], migrationsDir });
      opts.log(`${database}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    }
  }
  return urls;
}
