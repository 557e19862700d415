import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { locateChartFile } from '../config/chart-file';

/**
 * The call graph (helm/meshcart/files/call-graph.yaml) is the single source of truth for
 * which workload may call which method. The Helm chart renders Istio AuthorizationPolicies
 * from it; clients built here refuse any method their workload does not list, so code and
 * mesh policy cannot drift apart without a failing test.
 */
export interface CallGraph {
  /** caller -> set of "package.Service/Method" */
  readonly allowed: ReadonlyMap<string, ReadonlySet<string>>;
  allows(caller: string, method: string): boolean;
}

/** Finds the file: MESHCART_CALL_GRAPH_FILE, else upwards from cwd and from this module. */
export function locateCallGraph(env: Record<string, string | undefined> = process.env): string {
  return locateChartFile('call-graph.yaml', 'MESHCART_CALL_GRAPH_FILE', env);
}

export function parseCallGraph(text: string): CallGraph {
  const doc = parseYaml(text) as { callers?: Record<string, Record<string, string[]>> };
  const allowed = new Map<string, Set<string>>();
  for (const [caller, callees] of Object.entries(doc.callers ?? {})) {
    const set = new Set<string>();
    for (const methods of Object.values(callees ?? {})) for (const m of methods ?? []) set.add(m);
    allowed.set(caller, set);
  }
  return {
    allowed,
    allows: (caller, method) => allowed.get(caller)?.has(method.replace(/^\//, '')) ?? false,
  };
}

let cached: CallGraph | undefined;

/** The project's call graph, read once. */
export function loadCallGraph(): CallGraph {
  cached ??= parseCallGraph(readFileSync(locateCallGraph(), 'utf8'));
  return cached;
}
