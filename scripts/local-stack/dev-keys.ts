import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  issuerBinding,
  jwksFromPrivateKey,
  loadCallGraph,
  loadTopology,
  type KeyBinding,
} from '@meshcart/kit';

/** One issuer's dev key: its private key file (PEM) and kid. */
export interface DevKey {
  privateKeyPem: string;
  keyFile: string;
  keyId: string;
}

export interface DevKeys {
  /** The one JWKS with every issuer's public key and binding (also written to `jwksFile`). */
  jwksJson: string;
  jwksFile: string;
  /** By issuer: `users` (customer tokens), `ops` (admin tokens), each workload (its own token). */
  keys: Record<string, DevKey>;
  /** payments' card-token vault key file (base64 of 32 bytes), for PAYMENT_VAULT_KEY_FILE. */
  paymentVaultKeyFile: string;
  /** Its content (the Tiltfile's k8s mode puts it in a Secret). */
  paymentVaultKey: string;
}

/**
 * Who signs what locally, as in the chart: users signs customer tokens, every workload that calls
 * another (call-graph.yaml callers, except the edge, which forwards the caller's token) its own
 * service token, and ops tooling (seed, chaos, bench, mint-token) admin tokens.
 */
export function signingWorkloads(): string[] {
  return [...loadCallGraph().allowed.keys()].filter((c) => c !== 'edge' && c !== 'ops');
}

/**
 * The dev keys: users, ops, and one per workload - the signers above, and also every other
 * workload of the topology, so tests over the stack can act as any workload (e.g. catalog
 * trying a method outside the call graph). Processes get only their own key, and only if they
 * sign (stack.ts), as in the chart.
 */
export function devIssuers(): Record<string, KeyBinding> {
  const out: Record<string, KeyBinding> = {
    users: issuerBinding.users(),
    ops: issuerBinding.ops(),
  };
  const workloads = new Set([...signingWorkloads(), ...Object.keys(loadTopology().workloads)]);
  for (const w of workloads) if (w !== 'users' && w !== 'edge') out[w] = issuerBinding.workload(w);
  return out;
}

/** kid = issuer + a digest of the public key: a rotated key file brings its own kid. */
function kidOf(issuer: string, privateKeyPem: string): string {
  const x = jwksFromPrivateKey(privateKeyPem, 'k').keys[0]!.x!;
  return `${issuer}-dev-${createHash('sha256').update(x).digest('hex').slice(0, 8)}`;
}

/**
 * The local stack's token signing keys: one Ed25519 key per issuer, generated on first start
 * into .data/keys/<issuer>.pem (gitignored, mode 0600) and reused afterwards, and the JWKS of
 * them all with their bindings in .data/keys/jwks.json (rewritten on every start, so replacing
 * a .pem file and restarting - or rewriting jwks.json while running - rotates a key). Never
 * committed; production keys come from Kubernetes Secrets.
 */
export function ensureDevKeys(dataDir: string): DevKeys {
  const dir = path.join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys: Record<string, DevKey> = {};
  const jwks = { keys: [] as object[] };
  for (const [issuer, binding] of Object.entries(devIssuers())) {
    const keyFile = path.join(dir, `${issuer}.pem`);
    if (!existsSync(keyFile)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    const privateKeyPem = readFileSync(keyFile, 'utf8');
    const keyId = kidOf(issuer, privateKeyPem);
    keys[issuer] = { privateKeyPem, keyFile, keyId };
    jwks.keys.push(...jwksFromPrivateKey(privateKeyPem, keyId, binding).keys);
  }
  const jwksJson = JSON.stringify(jwks);
  const jwksFile = path.join(dir, 'jwks.json');
  // Whole-file swap: a process polling the file never reads half of it.
  writeFileSync(`${jwksFile}.tmp`, `${jwksJson}\n`);
  renameSync(`${jwksFile}.tmp`, jwksFile);
  const paymentVaultKeyFile = ensureVaultKey(dir);
  const paymentVaultKey = readFileSync(paymentVaultKeyFile, 'utf8').trim();
  return { jwksJson, jwksFile, keys, paymentVaultKeyFile, paymentVaultKey };
}

/**
 * payments' AES-256-GCM vault key: .data/keys/payment-vault.key (base64 of 32 random bytes, mode
 * 0600), generated on first start and reused, so vaulted payment methods survive a restart.
 */
function ensureVaultKey(dir: string): string {
  const file = path.join(dir, 'payment-vault.key');
  if (!existsSync(file))
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return file;
}
