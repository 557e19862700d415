/** Renders the chart with the real (pinned) helm binary and validates objects against schemas. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');
export const CHART = path.join(ROOT, 'helm/meshcart');
export const NAMESPACE = 'shop';

/** A rendered Kubernetes object (loosely typed: tests read fields by path). */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: any };
  [k: string]: any;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The scenarios every suite checks: dev defaults, dev + Istio, production overlay. */
export const SCENARIOS: Record<string, string[]> = {
  default: [],
  'default+istio': ['--set', 'istio.enabled=true'],
  // A production install names its real payment provider; without one the chart refuses to
  // render (delivery/production-safety.test.ts).
  production: [
    '-f',
    path.join(CHART, 'values-production.yaml'),
    '--set',
    'payments.provider=stripe',
  ],
};

let helmPath: string | undefined;

/** Path of .tools/bin/helm, installed on first use by scripts/ensure-helm.sh (needs Go). */
export function helm(): string {
  if (helmPath) return helmPath;
  try {
    helmPath = execFileSync('bash', [path.join(ROOT, 'scripts/ensure-helm.sh')], {
      encoding: 'utf8',
    }).trim();
  } catch (e) {
    throw new Error(
      `helm is not available: scripts/ensure-helm.sh failed (it installs the pinned helm into .tools/bin from the Go module proxy; Go >= 1.22 must be on PATH). Cause: ${String(e)}`,
    );
  }
  return helmPath;
}

/** Runs helm and returns stdout; throws with helm's stderr on failure. */
export function runHelm(args: string[]): string {
  return execFileSync(helm(), args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

/** `helm template` of the chart for a scenario (hooks included), parsed strictly (duplicate keys fail). */
export function render(extraArgs: string[]): K8sObject[] {
  const out = runHelm(['template', 'meshcart', CHART, '--namespace', NAMESPACE, ...extraArgs]);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(out, { uniqueKeys: true })) {
    if (doc.errors.length > 0)
      throw new Error(`rendered YAML does not parse: ${doc.errors.map(String).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) objects.push(value);
  }
  return objects;
}

/** Schema validation in a child Node process (the model packages are ESM-only). */
export function validateSchemas(
  objects: unknown[],
): { apiVersion: string; kind: string; name: string; errors: string | null }[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-schemas.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}

/** files/call-graph.yaml as (caller, callee, "/pkg.Svc/Method") triples. */
export function callGraph(): { caller: string; callee: string; path: string }[] {
  const graph = parse(readFileSync(path.join(CHART, 'files/call-graph.yaml'), 'utf8')) as {
    callers: Record<string, Record<string, string[]>>;
  };
  const edges: { caller: string; callee: string; path: string }[] = [];
  for (const [caller, callees] of Object.entries(graph.callers)) {
    for (const [callee, methods] of Object.entries(callees)) {
      for (const m of methods) edges.push({ caller, callee, path: `/${m}` });
    }
  }
  return edges;
}

export const byKind = (objects: K8sObject[], kind: string) =>
  objects.filter((o) => o.kind === kind);

/** Every container spec of pod-bearing objects (Deployments, Jobs), labelled with its owner. */
export function containers(objects: K8sObject[]) {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .flatMap((o) => {
      const pod = o.spec.template.spec;
      return [...(pod.initContainers ?? []), ...pod.containers].map((c: K8sObject['spec']) => ({
        owner: `${o.kind}/${o.metadata.name}`,
        pod,
        c,
      }));
    });
}
