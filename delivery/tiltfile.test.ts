/**
 * The Tiltfile executes in both modes under tools/tiltcheck (Starlark with Tilt's built-ins
 * recorded; no tilt binary exists here), and the checker itself catches the mistakes it claims to.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helm, ROOT } from './lib/render';
import { SERVICES } from '../scripts/local-stack/ports';

const BIN = path.join(ROOT, '.tools/bin/tiltcheck');

function tiltcheck(tiltfile: string, args: string[] = []) {
  const r = spawnSync(BIN, ['-f', tiltfile, '--', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.dirname(helm())}:${process.env.PATH}` },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  // go.starlark.net and yaml.v3 come from the Go module proxy; the build cache makes reruns instant.
  execFileSync('go', ['build', '-o', BIN, '.'], {
    cwd: path.join(ROOT, 'tools/tiltcheck'),
    stdio: 'pipe',
  });
}, 600_000);

/** The services of the platform (six, plus any `npm run new-service` added). */
const N = SERVICES.length;

describe('Tiltfile', () => {
  it('loads in local mode: infra, migrations, every service, the worker, the edge (+ seed when scripts/seed.ts exists)', () => {
    const r = tiltcheck(path.join(ROOT, 'Tiltfile'));
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(
      new RegExp(`tiltcheck OK .* (${N + 5}|${N + 6}) local resources, 0 k8s workloads`),
    );
    console.log(`[helm-test] ${r.out.trim()}`);
  });

  it('loads in k8s mode: the chart rendered by helm, every image deployed, every dependency defined', () => {
    const r = tiltcheck(path.join(ROOT, 'Tiltfile'), ['--mode=k8s']);
    expect(r).toMatchObject({ code: 0 });
    // N+2 chart Deployments + N migration Jobs + dev MariaDB + dev Temporal; N+1 Node images +
    // edge + Temporal (N = 6: 16 workloads, 9 images).
    expect(r.out).toMatch(new RegExp(`${2 * N + 4} k8s workloads, ${N + 3} images`));
    console.log(`[helm-test] ${r.out.trim()}`);
  }, 60_000);

  it('rejects an unknown --mode', () => {
    const r = tiltcheck(path.join(ROOT, 'Tiltfile'), ['--mode=cloud']);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/--mode must be local or k8s/);
  });
});

describe('tools/tiltcheck catches', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tiltcheck-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (src: string) => {
    const f = path.join(dir, 'Tiltfile');
    writeFileSync(f, src);
    return tiltcheck(f);
  };

  it.each([
    [
      'a resource_deps entry that names no resource',
      "local_resource('a', cmd='true', resource_deps=['nope'])",
      /never defined/,
    ],
    ['a built-in Tilt does not have', "local_resourc('a', cmd='true')", /undefined: local_resourc/],
    [
      'a keyword the built-in does not take',
      "local_resource('a', cmd='true', serve_envs={})",
      /unexpected keyword argument "serve_envs"/,
    ],
    [
      'a k8s_resource for a workload never deployed',
      "k8s_resource('ghost')",
      /no workload of that name/,
    ],
    [
      'an image no workload uses',
      "docker_build('x/y', '.', dockerfile_contents='FROM scratch')",
      /no deployed workload uses/,
    ],
    ['a Starlark error', "local_resource('a', cmd=1 + 'x')", /unknown binary op/],
  ])('%s', (_what, src, message) => {
    const r = check(src);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(message);
  });
});
