import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { locateCallGraph, parseCallGraph, type CallGraph } from '../call/call-graph';

type Callers = Record<string, Record<string, string[]>>;

/**
 * The project's call graph plus `extra` edges, for tests of a service nobody calls yet (a
 * service fresh from `npm run new-service`): servers enforce the graph, so its tests call as an
 * example caller granted here, never in helm/meshcart/files/call-graph.yaml. `graph` is for
 * in-process servers (buildServer's `callGraph`); `env` points a spawned process at the same
 * graph written to a temporary file (MESHCART_CALL_GRAPH_FILE).
 */
export function callGraphWith(extra: Callers): {
  graph: CallGraph;
  env: { MESHCART_CALL_GRAPH_FILE: string };
} {
  const doc = parseYaml(readFileSync(locateCallGraph(), 'utf8')) as { callers?: Callers };
  const callers: Callers = { ...(doc.callers ?? {}) };
  for (const [caller, callees] of Object.entries(extra))
    for (const [callee, methods] of Object.entries(callees))
      callers[caller] = {
        ...callers[caller],
        [callee]: [...(callers[caller]?.[callee] ?? []), ...methods],
      };
  const text = stringify({ callers });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'meshcart-graph-')), 'call-graph.yaml');
  writeFileSync(file, text);
  return { graph: parseCallGraph(text), env: { MESHCART_CALL_GRAPH_FILE: file } };
}
