/** scripts/bundle.ts: first-party code is compiled in, third-party packages stay runtime requires. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleEntry, entryOf } from '../scripts/bundle';

describe('scripts/bundle.ts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meshcart-bundle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps deployables to their entry files', () => {
    expect(entryOf('users')).toBe('services/users/src/main.ts');
    expect(entryOf('saga-worker')).toBe('saga/src/worker/main.ts');
    expect(() => entryOf('edge')).toThrow(/unknown deployable/);
  });

  it('inlines @meshcart/* sources and keeps third-party packages external', async () => {
    const out = path.join(dir, 'probe.js');
    await bundleEntry(path.join(__dirname, 'fixtures/bundle-entry.ts'), out);
    const code = readFileSync(out, 'utf8');
    expect(code).toMatch(/require\("yaml"\)/);
    expect(code).not.toMatch(/require\("@meshcart\//);
    expect(code).toContain('packages/kit/src/');
    expect(code).toMatch(/sourceMappingURL=probe\.js\.map/);
  });
});
