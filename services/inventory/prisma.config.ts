// Prisma CLI settings. Migrations are applied by `tsx src/main.ts migrate` (kit runner), not
// by the CLI, whose schema engine cannot be downloaded here; the url serves `prisma migrate
// deploy` where the engine exists.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
