/** Prisma CLI config for the payments service (generate; migrate deploy where the engine exists). */
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only migrate/introspect commands read it; `prisma generate` works without.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
