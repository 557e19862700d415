/** Prisma CLI settings for the users service (generate; `migrate deploy` where the engine exists). */
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Read lazily by the CLI; generate needs no database.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
