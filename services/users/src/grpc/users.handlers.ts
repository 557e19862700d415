/** UserService handlers: validate, call the domain and store, translate. Nothing else. */
import {
  type CallContext,
  DomainError,
  errorDomain,
  ErrorReason,
  errors,
  implement,
  isReason,
  type TokenSigner,
  serviceOptions,
  toTimestamp,
  type HandlerBase,
} from '@meshcart/kit';
import type { LoginThrottle } from '../app/login-throttle';
import { UserServiceService } from '@meshcart/proto/shop/users/v1/users';
import { validateAddAddress } from '../domain/address';
import type { PasswordHasher } from '../domain/password-hasher';
import { validateCredentials, validateRegistration, validateUserId } from '../domain/user';
import type { UsersStore } from '../store/users.store';
import { clientIpOf, peerList } from '../app/client-ip';
import { toProtoSavedAddress, toProtoUser } from './users.mapping';

export interface UsersHandlerDeps extends HandlerBase {
  /** Signs customer access tokens (CreateSession). */
  signer: TokenSigner;
  store: UsersStore;
  sessionTtlSeconds: number;
  /** Every password hash goes through it (bounded concurrency, hash-gate.ts). */
  passwords: PasswordHasher;
  /** Per-account and per-IP backoff of failed logins. */
  loginThrottle: LoginThrottle;
  /** Peer addresses / subnets whose x-client-ip is believed besides the edge's identity. */
  trustedClientIpPeers?: readonly string[];
}

/** The caller's user id; 'customer' methods always have one (the wrapper checked the token). */
function ownerOf(ctx: CallContext): string {
  if (!ctx.caller)
    throw errors.unauthenticated(ErrorReason.ERROR_REASON_TOKEN_MISSING, {
      message: 'bearer token required',
    });
  return ctx.caller.subject;
}

const invalidCredentials = () =>
  errors.unauthenticated(ErrorReason.ERROR_REASON_INVALID_CREDENTIALS, {
    message: 'wrong email or password',
  });

export function usersImplementation(deps: UsersHandlerDeps) {
  const { store, passwords, loginThrottle } = deps;
  const ipTrust = {
    meshPeerIdentity: deps.meshPeerIdentity ?? 'none',
    trustedPeers: deps.trustedClientIpPeers?.length
      ? peerList(deps.trustedClientIpPeers)
      : undefined,
  };
  return implement(
    UserServiceService,
    {
      async registerUser(req, ctx) {
        const reg = validateRegistration(req);
        try {
          const user = await store.createUser({
            email: reg.email,
            displayName: reg.displayName,
            passwordHash: await passwords.hash(reg.password),
          });
          ctx.logger.info({ user_id: user.id }, 'user registered');
          return { user: toProtoUser(user) };
        } catch (e) {
          // The email is the idempotency key: an exact repeat (same password and name) is a
          // retry whose first answer was lost (a mesh or client retry), so it gets the same user.
          // Anything else keeps EMAIL_TAKEN, which reveals no more than the conflict already does.
          if (
            !(e instanceof DomainError) ||
            !isReason(e.reason, ErrorReason.ERROR_REASON_EMAIL_TAKEN)
          )
            throw e;
          const found = await store.findCredentials(reg.email);
          const same =
            found !== undefined &&
            found.user.displayName === reg.displayName &&
            (await passwords.verify(reg.password, found.passwordHash));
          if (!same) throw e;
          return { user: toProtoUser(found.user) };
        }
      },

      async createSession(req, ctx) {
        const creds = validateCredentials(req);
        const clientIp = clientIpOf(ctx, ipTrust);
        // Locked accounts and IPs are refused before the lookup and the hash: a throttled guess
        // costs one indexed read, and answers the same whether or not the email exists.
        const found = await loginThrottle.attempt(
          creds.email,
          clientIp,
          async () => {
            const user = await store.findCredentials(creds.email);
            // Unknown emails burn the same hashing time as a wrong password: no timing oracle.
            const ok = user
              ? await passwords.verify(creds.password, user.passwordHash)
              : await passwords.verifyUnknown(creds.password);
            return ok ? user : undefined;
          },
          ctx.signal,
        );
        if (!found) throw invalidCredentials();
        if (passwords.needsRehash(found.passwordHash)) {
          // An older, weaker hash of a password we now hold: upgrade it. Best effort - the login
          // succeeds either way (also when the hash gate is full), and the next login tries again.
          await passwords
            .hash(creds.password)
            .then((next) => store.upgradePasswordHash(found.user.id, found.passwordHash, next))
            .then(
              (written) =>
                written && ctx.logger.info({ user_id: found.user.id }, 'password hash upgraded'),
            )
            .catch((e: unknown) =>
              ctx.logger.warn({ err: e, user_id: found.user.id }, 'password hash upgrade failed'),
            );
        }
        const { token, expiresAt } = await deps.signer.sign({
          subject: found.user.id,
          roles: ['customer'],
          ttlSeconds: deps.sessionTtlSeconds,
        });
        ctx.logger.info({ user_id: found.user.id }, 'session created');
        return { accessToken: token, expireTime: toTimestamp(expiresAt) };
      },

      async getUser(req, ctx) {
        const userId = validateUserId(req.userId);
        if (userId !== ownerOf(ctx)) {
          throw errors.permissionDenied(ErrorReason.ERROR_REASON_NOT_OWNER, {
            message: 'a user may only read its own profile',
          });
        }
        return { user: toProtoUser(await store.getUser(userId)) };
      },

      async addAddress(req, ctx) {
        const owner = ownerOf(ctx);
        const { requestId, address } = validateAddAddress(req);
        return { address: toProtoSavedAddress(await store.addAddress(owner, requestId, address)) };
      },

      async listAddresses(_req, ctx) {
        return { addresses: (await store.listAddresses(ownerOf(ctx))).map(toProtoSavedAddress) };
      },
    },
    {
      ...serviceOptions(deps, errorDomain('users')),
      access: {
        registerUser: 'public',
        createSession: 'public',
        getUser: 'customer',
        addAddress: 'customer',
        listAddresses: 'customer',
      },
    },
  );
}
