/**
 * A throwaway copy of the work tree for the generator's test: every tracked (and untracked,
 * not ignored) file, node_modules as links to the real packages except @meshcart/* (linked to
 * the copy's own workspaces, so its regenerated contracts and new service resolve), and the
 * project-local tools linked. Nothing in the real tree is written.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function copyWorkTree(root: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshcart-tree-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\n')
    .filter((f) => f && existsSync(path.join(root, f)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(dir, f));
  }
  // Prisma clients are generated (git-ignored): link each service's into the copy.
  for (const s of readdirSync(path.join(root, 'services'))) {
    const generated = path.join(root, 'services', s, 'src/store/generated');
    if (existsSync(generated))
      symlinkSync(generated, path.join(dir, 'services', s, 'src/store/generated'));
  }
  const nm = path.join(dir, 'node_modules');
  mkdirSync(path.join(nm, '@meshcart'), { recursive: true });
  for (const entry of readdirSync(path.join(root, 'node_modules')))
    if (entry !== '@meshcart')
      symlinkSync(path.join(root, 'node_modules', entry), path.join(nm, entry));
  for (const entry of readdirSync(path.join(root, 'node_modules/@meshcart'))) {
    const target = execFileSync('readlink', [path.join(root, 'node_modules/@meshcart', entry)], {
      encoding: 'utf8',
    }).trim();
    symlinkSync(target, path.join(nm, '@meshcart', entry));
  }
  for (const tools of ['.tools'])
    if (existsSync(path.join(root, tools)))
      symlinkSync(path.join(root, tools), path.join(dir, tools));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}
