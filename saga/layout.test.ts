/**
 * The saga package's layout (README): five rooms under src/ plus the package faces, every face
 * in package.json pointing at a file that exists, and the contract importable from workflow
 * code (no import of the worker, the activities, the kit or Node built-ins).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, 'src');

test('src/ holds the five rooms and the package faces, nothing else', () => {
  const entries = readdirSync(SRC, { withFileTypes: true });
  expect(
    entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(),
  ).toEqual(['activities', 'contract', 'ops', 'worker', 'workflow']);
  expect(
    entries
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort(),
  ).toEqual(['index.ts', 'saga-parts.ts']);
});

test('every export of package.json points at a file that exists', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string>;
  };
  expect(pkg.name).toBe('@meshcart/saga');
  for (const target of Object.values(pkg.exports))
    expect(existsSync(path.join(__dirname, target))).toBe(true);
});

test('the contract is sandbox-safe: only itself and the workflow SDK and its common part (correlation.ts, Node-only, adds the kit)', () => {
  const dir = path.join(SRC, 'contract');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const allowed =
      f === 'correlation.ts'
        ? /^(\.\/workflow-id|@meshcart\/kit)$/
        : /^(\.\/(?!correlation)[\w-]+|@temporalio\/(workflow|common))$/;
    const imports = [...readFileSync(path.join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)];
    for (const [, i] of imports) expect([f, i]).toEqual([f, expect.stringMatching(allowed)]);
  }
});
