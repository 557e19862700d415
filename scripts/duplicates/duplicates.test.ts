/**
 * No duplicated logic outside tests and generated code, except the pairs in allowlist.txt (each
 * with its reason). Two scans: our own detector of identical runs (always), and the
 * `duplicates` tool over the same files (same-shape runs too) where it is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ALLOWLIST,
  allows,
  checkedFiles,
  copyTree,
  describePair,
  identicalRuns,
  readAllowlist,
  ROOT,
  toolPairs,
  type Pair,
} from './scan';

const allowlist = readAllowlist(readFileSync(ALLOWLIST, 'utf8'));
const files = checkedFiles();
const unexplained = (pairs: Pair[]) =>
  pairs.filter((p) => !allowlist.some((e) => allows(e, p))).map(describePair);

function toolOnPath(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v duplicates'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the check covers the code and leaves tests and generated code out', () => {
  expect(files.length).toBeGreaterThan(200);
  expect(files).toContain('packages/kit/src/server/unary-call.ts');
  expect(files).toContain('gateway/internal/edge/server.go');
  expect(files.filter((f) => /\.test\.ts$|_test\.go$|^gen\/|\/generated\//.test(f))).toEqual([]);
});

test('every allowlist entry has a reason', () => {
  expect(allowlist.length).toBeGreaterThan(0);
  for (const e of allowlist) expect(e.reason.length).toBeGreaterThanOrEqual(10);
});

test('the detector finds a copied run and ignores comments, imports and punctuation', () => {
  const body = ['const a = load(x);', 'if (!a) throw new Error("no a");', 'const b = a.map(f);'];
  const run = [...body, 'for (const c of b) use(c);', 'log.info({ b }, "done");', 'return b;'];
  const found = identicalRuns(
    new Map([
      ['one.ts', ['// header', "import { x } from './x';", ...run].join('\n')],
      ['two.ts', ['function g() {', ...run, '}'].join('\n')],
      ['three.ts', [...body, '// only three shared lines', 'other();'].join('\n')],
      [
        'four.ts',
        ['/**', ' * prose', ' */', '{', '}', ');', "import { x } from './x';"].join('\n'),
      ],
      [
        'five.ts',
        ['/**', ' * prose', ' */', '{', '}', ');', "import { x } from './x';"].join('\n'),
      ],
    ]),
  );
  expect(found.map(describePair)).toEqual(['one.ts:3 ~ two.ts:2']);
});

test('no identical run of 6+ lines outside the allowlist', () => {
  const texts = new Map(files.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));
  expect(unexplained(identicalRuns(texts))).toEqual([]);
});

// The tool is a developer-machine extra (/work/.library); CI runs the own detector above.
const withTool = toolOnPath() ? test : test.skip;

withTool(
  'the duplicates tool finds nothing outside the allowlist, and every entry is still needed',
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshcart-dups-'));
    try {
      copyTree(files, ROOT, dir);
      const out = execFileSync('duplicates', ['--repo', dir, '--most', '200', '--seconds', '120'], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(out).not.toMatch(/^incomplete:/m);
      const pairs = toolPairs(out);
      expect(unexplained(pairs)).toEqual([]);
      const stale = allowlist.filter((e) => !pairs.some((p) => allows(e, p))).map((e) => e.text);
      expect(stale).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
