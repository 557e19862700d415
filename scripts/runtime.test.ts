/**
 * The pinned runtime (.node-version) is the one the tests run on: scripts/test.sh puts it first
 * on PATH whatever Node the machine has (README: "Runtime"). The platform's processes are checked
 * in scripts/local-stack/lifecycle.process.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const pinned = readFileSync(path.join(root, '.node-version'), 'utf8').trim();

test('jest runs on the pinned Node.js', () => {
  expect(process.version).toBe(`v${pinned}`);
});

test('package.json engines admit the pinned version and nothing older than its major', () => {
  const engines = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      engines: { node: string };
    }
  ).engines.node;
  const major = pinned.split('.')[0];
  expect(engines).toMatch(new RegExp(`^>=${major}\\.`));
  expect(engines).toContain(`<${Number(major) + 1}`);
});
