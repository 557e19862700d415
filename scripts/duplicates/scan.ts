/**
 * The duplicate-code check (scripts/duplicates/duplicates.test.ts): which files count, an own
 * detector of identical runs (always available), a reader of the `duplicates` tool's rows
 * (where the tool is installed), and the allowlist they are both held to.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const ALLOWLIST = path.join(__dirname, 'allowlist.txt');

/**
 * Tests, fixtures, generated code and vendored code are outside the check, and so is the new
 * service generator's template text (scripts/new-service/templates.ts): what it generates is
 * meant to look like the services it is modelled on.
 */
const EXCLUDED =
  /(^|\/)(gen|generated|node_modules|third_party|__fixtures__|test|testdata)\/|\.test\.ts$|_test\.go$|^e2e\/|^delivery\/|^scripts\/new-service\/templates\.ts$/;
const CODE = /\.(ts|mts|js|mjs|go|sh|py|sql|proto)$/;

/**
 * First line of the source files `npm run new-service` writes: scaffolding, alike in every new
 * service until its team makes it its own (and deletes the line); left out like generated code.
 */
export const SCAFFOLD_MARKER =
  '// Scaffolding from `npm run new-service`: delete this line once the code is your own.';

/** The files the check covers: tracked or untracked-not-ignored, code only. */
export function checkedFiles(root = ROOT): string[] {
  const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .split('\n')
    .filter((f) => f && CODE.test(f) && !EXCLUDED.test(f))
    .filter((f) => {
      try {
        return !readFileSync(path.join(root, f), 'utf8').startsWith(SCAFFOLD_MARKER);
      } catch {
        return false; // deleted in the work tree
      }
    });
}

/** Copies `files` (relative to `root`) below `dir`, for the tool to read them alone. */
export function copyTree(files: string[], root: string, dir: string): void {
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(dir, f));
  }
}

export interface Place {
  file: string;
  line: number;
}
export interface Pair {
  a: Place;
  b: Place;
}

const RUN = 6;

/** The lines that carry logic: no blanks, comments, lone punctuation or imports. */
function meaningful(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let inImport = false;
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim().replace(/\s+/g, ' ');
    if (inImport) {
      if (/^\)|from '[^']*';?$/.test(t)) inImport = false;
      return;
    }
    if (/^import (type )?\{$|^import \($/.test(t)) {
      inImport = true;
      return;
    }
    if (
      t === '' ||
      /^(\/\/|\/\*|\*|#|--)/.test(t) ||
      /^[{}()[\];,]+$/.test(t) ||
      /^import\b|^export \* from|^export \{[^}]*\} from/.test(t)
    )
      return;
    out.push({ text: t, line: i + 1 });
  });
  return out;
}

/**
 * Identical runs of RUN or more meaningful lines, one pair per pair of places (the first run
 * found; overlapping windows of the same run are one pair).
 */
export function identicalRuns(files: Map<string, string>): Pair[] {
  const seen = new Map<string, Place[]>();
  for (const [file, text] of files) {
    const lines = meaningful(text);
    for (let i = 0; i + RUN <= lines.length; i++) {
      const key = lines
        .slice(i, i + RUN)
        .map((l) => l.text)
        .join('\n');
      const places = seen.get(key) ?? [];
      places.push({ file, line: lines[i]!.line });
      seen.set(key, places);
    }
  }
  const pairs = new Map<string, Pair>();
  for (const places of seen.values()) {
    for (let i = 0; i < places.length; i++)
      for (let j = i + 1; j < places.length; j++) {
        const [a, b] = [places[i]!, places[j]!];
        if (a.file === b.file && Math.abs(a.line - b.line) < RUN) continue; // a repeated line
        const id = `${a.file}\0${b.file}`;
        if (!pairs.has(id)) pairs.set(id, { a, b });
      }
  }
  return [...pairs.values()];
}

/** Rows of the `duplicates` tool, boilerplate rows left out (the tool calls them thin). */
export function toolPairs(output: string): Pair[] {
  const rows = output.split('\n').filter((l) => /^D\d+ /.test(l) && !/\bboilerplate\b/.test(l));
  return rows.map((row) => {
    const m = /^D\d+ (\S+):(\d+)-\d+ ~ (\S+):(\d+)-\d+/.exec(row);
    if (!m) throw new Error(`unreadable duplicates row: ${row}`);
    return { a: { file: m[1]!, line: Number(m[2]) }, b: { file: m[3]!, line: Number(m[4]) } };
  });
}

export interface AllowEntry {
  a: RegExp;
  b: RegExp;
  text: string;
  reason: string;
}

function globToRegExp(glob: string): RegExp {
  const src = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${src}$`);
}

/** The allowlist: `<glob> ~ <glob> | reason` per line; a missing reason is an error. */
export function readAllowlist(text: string): AllowEntry[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+) ~ (\S+) \| (.{10,})$/.exec(l);
      if (!m) throw new Error(`allowlist line needs "<glob> ~ <glob> | reason": ${l}`);
      return {
        a: globToRegExp(m[1]!),
        b: globToRegExp(m[2]!),
        text: `${m[1]} ~ ${m[2]}`,
        reason: m[3]!,
      };
    });
}

export function allows(e: AllowEntry, p: Pair): boolean {
  return (e.a.test(p.a.file) && e.b.test(p.b.file)) || (e.a.test(p.b.file) && e.b.test(p.a.file));
}

export const describePair = (p: Pair) => `${p.a.file}:${p.a.line} ~ ${p.b.file}:${p.b.line}`;
