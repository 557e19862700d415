// Validates Kubernetes objects (JSON array on stdin) against the published schemas:
// kubernetes-models for core kinds, @kubernetes-models/istio for *.istio.io CRDs.
// Runs as a plain Node ES module because both packages are ESM-only and jest (CommonJS via swc)
// cannot import them. Prints one JSON line: [{ apiVersion, kind, name, errors: string|null }].
// An object whose kind has no model is an error, so nothing passes unvalidated.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));

/** Module path of the model class for an apiVersion/kind, e.g. kubernetes-models/apps/v1/Deployment. */
function modelPath(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group.endsWith('.istio.io')) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  return group
    ? `kubernetes-models/${group}/${version}/${kind}`
    : `kubernetes-models/${version}/${kind}`;
}

const results = [];
for (const obj of objects) {
  const id = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name };
  let errors = null;
  try {
    const mod = await import(modelPath(obj.apiVersion, obj.kind));
    const Model = mod[obj.kind];
    if (typeof Model !== 'function')
      throw new Error(`no model class ${obj.kind} in ${modelPath(obj.apiVersion, obj.kind)}`);
    new Model(obj).validate();
  } catch (e) {
    errors = String(e?.message ?? e);
  }
  results.push({ ...id, errors });
}
process.stdout.write(JSON.stringify(results));
