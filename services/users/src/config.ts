/** Configuration of the users service: the only place that reads its environment. */
import {
  parse,
  serviceConfigSpec,
  signingKeySpec,
  v,
  type ConfigOf,
  type Parser,
} from '@meshcart/kit';

const durationBetween =
  (minMs: number, maxMs: number): Parser<number> =>
  (raw) => {
    const ms = parse.duration()(raw);
    if (ms < minMs || ms > maxMs)
      throw new Error(`must be between ${minMs / 1000}s and ${maxMs / 3_600_000}h`);
    return ms;
  };

const databaseUrl = v('DATABASE_URL', parse.url(['mysql', 'mariadb']), { secret: true });

export const usersConfigSpec = {
  ...serviceConfigSpec('users'),
  databaseUrl,
  /** users' own key: bound to customer tokens only (key-bindings.ts); JWT_PRIVATE_KEY or _FILE. */
  ...signingKeySpec(),
  /** Lifetime of customer access tokens (CreateSession). */
  sessionTtlMs: v('SESSION_TTL', durationBetween(60_000, 24 * 3_600_000), { default: 3_600_000 }),
};
export type UsersConfig = ConfigOf<typeof usersConfigSpec>;
