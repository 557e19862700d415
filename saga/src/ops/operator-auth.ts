/**
 * Who may run the operator commands: the holder of an admin token, checked exactly as every
 * service checks one (the kit's token verifier over the same JWKS, issuer and audience; the
 * `admin` role, like OrderAdminService and the codec server). The Temporal credentials the
 * command also needs are not enough on their own: an operator is named by the token's subject
 * in every request the command makes (identity, memo) and in its output.
 */
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  createTokenVerifier,
  errors,
  hasAccess,
  openPublicKeys,
  type Principal,
} from '@meshcart/kit';
import { ErrorReason } from '@meshcart/proto/shop/common/v1/error_reason';
import type { OpsConfig } from './config';

export async function authorizeOperator(config: OpsConfig): Promise<Principal> {
  const token = (
    config.adminTokenFile ? readFileSync(config.adminTokenFile, 'utf8') : config.adminToken
  ).trim();
  if (!token)
    throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_MISSING, {
      message: 'an admin token is required (MESHCART_ADMIN_TOKEN or MESHCART_ADMIN_TOKEN_FILE)',
    });
  const jwks = openPublicKeys(config);
  if (!jwks) throw new ConfigError(['JWT_PUBLIC_KEYS or JWT_PUBLIC_KEYS_FILE is required']);
  const verifier = createTokenVerifier({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    jwks: () => jwks.current(),
  });
  try {
    const principal = await verifier.verify(token);
    if (!hasAccess(principal, 'admin'))
      throw errors.permissionDenied(ErrorReason.ERROR_REASON_ROLE_REQUIRED, {
        message: 'operators (admin role) only',
      });
    return principal;
  } finally {
    jwks.close();
  }
}
