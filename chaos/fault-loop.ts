/**
 * Repeatable fault loop against a private meshcart platform (chaos/README.md):
 *
 *   npm run fault-loop -- --rounds 20 --orders 600 --seed 7
 *
 * Exits 0 when every round passed, 1 on any failure (a process died, an invariant broke),
 * 2 on bad arguments, 130 on Ctrl-C (after tearing everything down).
 */
import { parseArgs } from './lib/args';
import { runFaultLoop } from './lib/run-loop';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const interrupted = new AbortController();
  let sigints = 0;
  process.on('SIGINT', () => {
    // First Ctrl-C: stop cleanly (thaw, stop processes, remove the temp dir). Second: give up.
    if (++sigints > 1) process.exit(130);
    process.stdout.write('interrupted: stopping the platform and cleaning up\n');
    interrupted.abort();
  });
  process.on('SIGTERM', () => interrupted.abort());
  const result = await runFaultLoop(opts, {
    print: (line) => process.stdout.write(`${line}\n`),
    signal: interrupted.signal,
  }).catch((e: unknown) => {
    // Ctrl-C during the boot: the platform has cleaned up after itself already.
    if (interrupted.signal.aborted) return undefined;
    throw e;
  });
  if (interrupted.signal.aborted || !result) return 130;
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fault loop crashed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
