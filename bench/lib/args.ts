/** Command-line helpers shared by the benchmark and the abuse load test. */

/** The value after `--name`, if given. */
export function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Every `--stack-env KEY=VALUE` (repeatable): extra environment for the stack's processes. */
export function stackEnvArgs(argv: string[]): Record<string, string> {
  return Object.fromEntries(
    argv
      .flatMap((a, i) => (a === '--stack-env' ? [argv[i + 1] ?? ''] : []))
      .map((kv) => {
        const eq = kv.indexOf('=');
        if (eq < 1) throw new Error(`--stack-env wants KEY=VALUE (got ${kv})`);
        return [kv.slice(0, eq), kv.slice(eq + 1)];
      }),
  );
}
