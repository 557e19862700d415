import path from 'node:path';
import { expectNoSchemaDrift } from '@meshcart/kit';

test('prisma/schema.prisma and the SQL migrations describe the same database', async () => {
  await expectNoSchemaDrift(path.resolve(__dirname, '..'));
});
