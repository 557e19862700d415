import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jwksFromPrivateKey } from '@meshcart/kit';

export const DEV_KEY_ID = 'meshcart-dev-1';

/**
 * The local stack's token signing key: an Ed25519 key generated on first start into
 * .data/keys (gitignored, mode 0600) and reused afterwards. Never committed; production keys
 * come from Kubernetes Secrets.
 */
export function ensureDevSigningKey(dataDir: string): {
  privateKeyPem: string;
  jwksJson: string;
  keyId: string;
} {
  const file = path.join(dataDir, 'keys', 'jwt-ed25519.pem');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const privateKeyPem = readFileSync(file, 'utf8');
  return {
    privateKeyPem,
    keyId: DEV_KEY_ID,
    jwksJson: JSON.stringify(jwksFromPrivateKey(privateKeyPem, DEV_KEY_ID)),
  };
}
