import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds one of the chart's shared files (helm/meshcart/files/<name>: the call graph, the
 * topology): `envVar` when set (images, pods: the chart mounts its own copy), else upwards from
 * the working directory and from this module (a checkout, an image's /app).
 */
export function locateChartFile(
  name: string,
  envVar: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const explicit = env[envVar];
  if (explicit) return explicit;
  const relative = path.join('helm', 'meshcart', 'files', name);
  for (const start of [process.cwd(), __dirname]) {
    let dir = start;
    for (;;) {
      const candidate = path.join(dir, relative);
      if (existsSync(candidate)) return candidate;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error(`${name} not found: set ${envVar} (looked for ${relative})`);
}
