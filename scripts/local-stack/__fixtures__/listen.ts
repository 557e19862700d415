/** Test fixture: a process of this checkout that listens on PORT (a left-over service, say). */
import { createServer } from 'node:net';

createServer(() => undefined).listen(Number(process.env.PORT), '127.0.0.1', () =>
  process.stdout.write('listening\n'),
);
