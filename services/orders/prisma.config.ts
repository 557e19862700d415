// Prisma CLI config (generate; `migrate deploy` where Prisma's schema engine exists).
// The service itself never reads this: src/config.ts is its only reader of the environment.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
