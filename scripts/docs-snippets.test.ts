/**
 * Code in the documentation is copied, never retyped: a fenced block whose first line is
 * `// from: <path>` (ts, go, proto) or `# from: <path>` (yaml) must have its other lines,
 * blank ones included, as one contiguous run of that file (trailing whitespace ignored). When
 * the source changes, the doc fails here until its block is copied again. The guide for
 * service teams goes further: every ts/go/proto/yaml block in it names its source.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** Docs whose every code block must name its source (shell blocks excepted). */
const SOURCED_ONLY = ['docs/service-teams.md'];
const SOURCED_LANGS = new Set(['ts', 'typescript', 'go', 'proto', 'protobuf', 'yaml', 'yml']);

interface Block {
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  lines: string[];
}

interface Snippet extends Block {
  source: string;
  /** The block's lines after the `from:` line. */
  body: string[];
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)/;
const FROM = /^(?:\/\/|#)\s*from:\s*(\S+)\s*$/;

/** The fenced code blocks of a markdown text (CommonMark fences: ``` or ~~~, up to 3 spaces in). */
function blocksOf(doc: string, text: string): Block[] {
  const lines = text.split(/\r?\n/);
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(l);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      // Content lines lose at most the opening fence's indentation (CommonMark).
      body.push(l.replace(new RegExp(`^ {0,${indent.length}}`), ''));
    }
    out.push({ doc, line: i + 1, lang: lang.toLowerCase(), lines: body });
    i = j;
  }
  return out;
}

/** The blocks that name a source file on their first line. */
function snippetsOf(doc: string, text: string): Snippet[] {
  return blocksOf(doc, text).flatMap((b) => {
    const m = FROM.exec(b.lines[0] ?? '');
    return m ? [{ ...b, source: m[1]!, body: b.lines.slice(1) }] : [];
  });
}

/** Start index of `needle` as one contiguous run of `haystack`, or -1. */
function findRun(haystack: readonly string[], needle: readonly string[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Where the longest partial match starts and the first snippet line that breaks it. */
function closest(haystack: readonly string[], needle: readonly string[]) {
  let best = { at: -1, matched: 0 };
  for (let i = 0; i < haystack.length; i++) {
    let k = 0;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k > best.matched) best = { at: i, matched: k };
  }
  return best;
}

const trimEnds = (lines: readonly string[]) => lines.map((l) => l.trimEnd());

/**
 * Why a snippet does not hold, or undefined when it does. `read` returns a source file's text
 * (undefined: no such file); paths are relative to the repository root.
 */
function checkSnippet(s: Snippet, read: (p: string) => string | undefined): string | undefined {
  const where = `${s.doc}:${s.line} (block from ${s.source})`;
  if (path.isAbsolute(s.source) || path.normalize(s.source).startsWith('..'))
    return `${where}: the source must be a path inside the repository`;
  const text = read(s.source);
  if (text === undefined) return `${where}: ${s.source} does not exist`;
  const body = trimEnds(s.body);
  if (body.every((l) => l === '')) return `${where}: the block has no code after its from: line`;
  const source = trimEnds(text.split(/\r?\n/));
  if (findRun(source, body) >= 0) return undefined;
  const { at, matched } = closest(source, body);
  const hint =
    matched === 0
      ? `its first line ${JSON.stringify(body[0])} is not in the file`
      : `${matched} of ${body.length} lines match from ${s.source}:${at + 1}, then the doc has ` +
        `${JSON.stringify(body[matched])} where the file has ${JSON.stringify(source[at + matched] ?? '<end of file>')}`;
  return `${where}: not a contiguous run of ${s.source}: ${hint}`;
}

/** README.md and every markdown file under docs/. */
function docFiles(): string[] {
  const dir = path.join(ROOT, 'docs');
  const docs = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md') && statSync(path.join(dir, f)).isFile())
    .map((f) => `docs/${f.split(path.sep).join('/')}`);
  return ['README.md', ...docs.sort()];
}

const readRepoFile = (p: string): string | undefined => {
  const abs = path.join(ROOT, p);
  return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
};

describe('the checker itself (in-memory doc and sources)', () => {
  const doc = [
    '# Example',
    '',
    '```ts',
    '// from: src/a.ts',
    'export function a(): number {',
    '',
    '  return 1;   ',
    '}',
    '```',
    '',
    '```yaml',
    '# from: chart/values.yaml',
    'replicas: 2',
    'image: x',
    '```',
    '',
    '```ts',
    'const untouched = true; // no from: line, not checked',
    '```',
    '',
    '```ts',
    '// from: src/missing.ts',
    'x();',
    '```',
  ].join('\n');
  const sources: Record<string, string> = {
    'src/a.ts': ['// header', 'export function a(): number {', '', '  return 1;', '}', ''].join(
      '\n',
    ),
    'chart/values.yaml': ['replicas: 2', 'pullPolicy: Always', 'image: x'].join('\n'),
  };
  const snippets = snippetsOf('example.md', doc);
  const problems = snippets.map((s) => checkSnippet(s, (p) => sources[p]));

  test('finds the blocks with a from: line, at their fence line', () => {
    expect(blocksOf('example.md', doc)).toHaveLength(4);
    expect(snippets.map((s) => [s.line, s.lang, s.source])).toEqual([
      [3, 'ts', 'src/a.ts'],
      [11, 'yaml', 'chart/values.yaml'],
      [21, 'ts', 'src/missing.ts'],
    ]);
  });

  test('accepts a copied run (blank lines and trailing spaces included)', () => {
    expect(problems[0]).toBeUndefined();
  });

  test('refuses lines that are not contiguous in the source, naming doc, line and path', () => {
    expect(problems[1]).toBe(
      'example.md:11 (block from chart/values.yaml): not a contiguous run of chart/values.yaml: ' +
        '1 of 2 lines match from chart/values.yaml:1, then the doc has "image: x" where the file ' +
        'has "pullPolicy: Always"',
    );
  });

  test('refuses a source that does not exist or lies outside the repository', () => {
    expect(problems[2]).toBe(
      'example.md:21 (block from src/missing.ts): src/missing.ts does not exist',
    );
    const outside = { ...snippets[0]!, source: '../elsewhere.ts' };
    expect(checkSnippet(outside, () => '')).toMatch(/inside the repository/);
  });

  test('an edited line fails even when every other line matches', () => {
    const edited = { ...snippets[0]!, body: ['export function a(): number {', '  return 2;'] };
    expect(checkSnippet(edited, (p) => sources[p])).toMatch(
      /1 of 2 lines match from src\/a\.ts:2, then the doc has " {2}return 2;"/,
    );
  });
});

describe.each(docFiles())('%s', (doc) => {
  const text = readFileSync(path.join(ROOT, doc), 'utf8');

  test('every block with a from: line is a verbatim excerpt of its source', () => {
    const problems = snippetsOf(doc, text)
      .map((s) => checkSnippet(s, readRepoFile))
      .filter((p): p is string => p !== undefined);
    expect(problems).toEqual([]);
  });

  if (SOURCED_ONLY.includes(doc)) {
    test('every ts/go/proto/yaml block names its source', () => {
      const unsourced = blocksOf(doc, text)
        .filter((b) => SOURCED_LANGS.has(b.lang) && !FROM.test(b.lines[0] ?? ''))
        .map((b) => `${doc}:${b.line} (${b.lang}): no "from:" line`);
      expect(unsourced).toEqual([]);
      expect(snippetsOf(doc, text).length).toBeGreaterThanOrEqual(20);
    });
  }
});

test('the guide for service teams is among the checked docs', () => {
  expect(docFiles()).toEqual(expect.arrayContaining(['README.md', ...SOURCED_ONLY]));
});
