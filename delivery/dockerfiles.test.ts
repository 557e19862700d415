/**
 * Static lint of the Dockerfiles (no engine runs here): pinned bases, a non-root final stage,
 * exec-form entrypoints that start node / the binary directly, production-only dependencies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/render';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, continuations joined). */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  // ARGs before the first FROM are global build arguments usable in FROM lines (their defaults).
  const globalArgs = new Map<string, string>();
  for (const raw of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'ARG' && stages.length === 0) {
      const [name, dflt = ''] = args.split('=', 2);
      globalArgs.set(name!, dflt);
      continue;
    }
    if (op === 'FROM') {
      const expanded = args.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a?: string, b?: string) => globalArgs.get((a ?? b)!) ?? '',
      );
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(expanded)!;
      stages.push({ from: f[1]!, name: f[2], body: [] });
    } else {
      stages[stages.length - 1]?.body.push({ op, args });
    }
  }
  return stages;
}

/** An exact version tag (x.y.z somewhere in it) or a digest; distroless has only release tags. */
function pinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
  if (/\d+\.\d+\.\d+/.test(tag)) return true;
  return /^gcr\.io\/distroless\/[a-z]+-debian\d+:nonroot$/.test(image);
}

const FILES = {
  node: 'Dockerfile',
  gateway: 'gateway/Dockerfile',
};

it('the Node image runs the Node.js version every local process runs on (.node-version)', () => {
  const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const pinnedNode = readFileSync(path.join(ROOT, '.node-version'), 'utf8').trim();
  const bases = stages.map((s) => s.from).filter((f) => f.startsWith('node:'));
  expect(bases.length).toBeGreaterThan(0);
  for (const b of bases) expect(b.split(':')[1]!.split('-')[0]).toBe(pinnedNode);
});

describe.each(Object.entries(FILES))('%s image (%s)', (kind, file) => {
  const stages = parseDockerfile(readFileSync(path.join(ROOT, file), 'utf8'));
  const final = stages[stages.length - 1]!;
  const stageNames = new Set(stages.map((s) => s.name));

  it('pins every external base image to an exact version', () => {
    const external = stages.map((s) => s.from).filter((f) => !stageNames.has(f));
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((f) => !pinned(f) || /:latest$/.test(f))).toEqual([]);
    expect(final.from).not.toBe(stages[0]!.name); // the final stage starts clean, not from a build stage
  });

  it('runs the final stage as a numeric non-root user', () => {
    const users = final.body.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1]!;
    expect(last).toMatch(/^[1-9]\d*(:\d+)?$/);
  });

  it('starts the process directly in exec form (signals reach it)', () => {
    const start = final.body.filter((i) => i.op === 'ENTRYPOINT' || i.op === 'CMD');
    expect(start.length).toBeGreaterThan(0);
    const first = start[0]!;
    const argv = JSON.parse(first.args) as string[];
    expect(Array.isArray(argv)).toBe(true);
    expect(kind === 'node' ? argv[0] === 'node' : argv[0]!.startsWith('/app/')).toBe(true);
    if (kind === 'node') expect(first.op).toBe('ENTRYPOINT'); // so Job args ["migrate"] append
  });

  it('downloads nothing with ADD and uses no shell-form ENTRYPOINT/CMD anywhere', () => {
    for (const s of stages) {
      for (const i of s.body) {
        if (i.op === 'ADD') expect(i.args).not.toMatch(/https?:\/\//);
        if (i.op === 'ENTRYPOINT' || i.op === 'CMD') expect(i.args.startsWith('[')).toBe(true);
      }
    }
  });

  if (kind === 'node') {
    it('installs production dependencies only in the final stage, from the lockfile', () => {
      const runs = final.body
        .filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join('\n');
      expect(runs).toMatch(/npm ci\b[^\n]*--omit=dev/);
      expect(runs).not.toMatch(/npm (install|i)\b/);
      expect(final.body.some((i) => i.op === 'ARG' && i.args === 'SERVICE')).toBe(true);
    });
  } else {
    it('ships the OpenAPI spec next to the binary and points EDGE_OPENAPI_PATH at it', () => {
      const copy = final.body.find(
        (i) => i.op === 'COPY' && i.args.includes('meshcart.swagger.json'),
      )!;
      const dest = copy.args.split(/\s+/).pop()!;
      const env = final.body
        .filter((i) => i.op === 'ENV')
        .map((i) => i.args)
        .join(' ');
      expect(env).toContain(`EDGE_OPENAPI_PATH=${dest}`);
    });
  }
});

it('.dockerignore keeps host installs and state out of the build context', () => {
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  expect(ignored).toEqual(
    expect.arrayContaining(['.git', '**/node_modules', '.tools', '.data', '**/dist']),
  );
});
