/** users service: its own wiring only; the kit's chassis (runService) does the rest. */
import { runService } from '@meshcart/kit';
import { loginSecurity } from './app/login-security';
import { limitsOf, usersConfigSpec } from './config';
import { buildServer } from './server';
import { createDb } from './store/db';
import { createUsersStore } from './store/users.store';

runService({
  spec: usersConfigSpec,
  dir: __dirname,
  async start({ config, base, logger, onShutdown, signer }) {
    const prisma = createDb(config.databaseUrl);
    onShutdown('database pool', () => prisma.$disconnect());
    await prisma.$queryRaw`SELECT 1`; // fail fast on a wrong URL or password
    return buildServer({
      ...base,
      ...(await loginSecurity(config, prisma, { logger, onShutdown })), // hashing, throttling
      signer: await signer({ roles: ['customer'] }), // users signs customer tokens only
      store: createUsersStore(prisma),
      sessionTtlSeconds: Math.floor(config.sessionTtlMs / 1000),
    });
  },
  limits: limitsOf, // logged at start with the chassis' own
});
