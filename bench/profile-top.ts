/**
 * Hottest frames of V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof`):
 * self time per function and total (inclusive) time per function, grouped by package/file.
 *
 * Usage: npx tsx bench/profile-top.ts <file.cpuprofile | dir> [--top 25] [--match services/catalog]
 * With a directory, every profile in it is summarised (one per process).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '~/')
    .replace(/^.*\/work\/main\//, '');

/** Which bucket a frame belongs to: a package (~/name) or a project folder. */
function bucket(url: string): string {
  const u = shortUrl(url);
  if (!u) return '(native/V8)';
  if (u.startsWith('node:')) return 'node core';
  const m = /^~\/((@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1]!;
  return u.split('/').slice(0, 2).join('/');
}

export function summarize(file: string, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample weights: time deltas (µs) when present, else hit counts of equal weight.
  const self = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas![i] ?? 0)));
  } else {
    const per =
      (p.endTime - p.startTime) /
      Math.max(
        1,
        p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0),
      );
    for (const n of p.nodes) self.set(n.id, (n.hitCount ?? 0) * per);
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const key = (n: Node) =>
    `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  const buckets = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + us);
    buckets.set(bucket(n.callFrame.url), (buckets.get(bucket(n.callFrame.url)) ?? 0) + us);
    // Inclusive: charge every distinct frame on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + us);
    }
  }
  // Percentages of busy time (idle excluded): where the CPU actually went.
  const idleUs = [...self]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((a, [, us]) => a + us, 0);
  const busyUs = Math.max(1, totalUs - idleUs);
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1).padStart(5)}%`;
  const lines: string[] = [];
  lines.push(
    `== ${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s sampled (wall ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s)`,
  );
  lines.push(
    `   busy ${(busyUs / 1e6).toFixed(2)} s (${((busyUs / totalUs) * 100).toFixed(0)}%); percentages below are of busy time`,
  );
  lines.push('-- self time by package / folder');
  for (const [b, us] of [...buckets].sort((a, z) => z[1] - a[1]).slice(0, 12))
    lines.push(`   ${pct(us)}  ${b}`);
  lines.push(`-- top ${top} self`);
  for (const [k, us] of [...selfBy].sort((a, z) => z[1] - a[1]).slice(0, top))
    lines.push(`   ${pct(us)}  ${k}`);
  lines.push(`-- top ${top} inclusive (project and kit frames)`);
  for (const [k, us] of [...totalBy]
    .filter(([k]) => /(packages|services|workflows|gen)\//.test(k))
    .sort((a, z) => z[1] - a[1])
    .slice(0, top))
    lines.push(`   ${pct(us)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const target = args.find((a) => !a.startsWith('--'));
  const top = Number(args[args.indexOf('--top') + 1]) || 25;
  const match = args.includes('--match') ? args[args.indexOf('--match') + 1] : undefined;
  if (!target) {
    process.stderr.write(
      'usage: tsx bench/profile-top.ts <file.cpuprofile | dir> [--top N] [--match TEXT]\n',
    );
    process.exit(2);
  }
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(target, f))
    : [target];
  const dir = statSync(target).isDirectory() ? target : path.dirname(target);
  let names: Record<string, string> = {};
  try {
    names = JSON.parse(readFileSync(path.join(dir, 'processes.json'), 'utf8')) as Record<
      string,
      string
    >;
  } catch {
    /* no process names recorded */
  }
  for (const f of files) {
    const pid = /^CPU\.\d+\.\d+\.(\d+)\./.exec(path.basename(f))?.[1];
    const text = `${pid && names[pid] ? `[${names[pid]}] ` : ''}${summarize(f, top)}`;
    if (!match || text.includes(match)) process.stdout.write(`${text}\n\n`);
  }
}
