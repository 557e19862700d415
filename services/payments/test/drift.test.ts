import { expectNoSchemaDrift } from '@meshcart/kit/src/db';
import { SERVICE_DIR } from './harness';

test('schema.prisma and the migrations describe the same database', async () => {
  await expectNoSchemaDrift(SERVICE_DIR);
});
