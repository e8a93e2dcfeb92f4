import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';

/** A throwaway team repository: bare `origin` and `staging` remotes and a working clone. */
export interface Sandbox {
  root: string;
  work: string;
  origin: string;
  staging: string;
}

export const SANDBOX_IDENTITY = { name: 'Release Demo', email: 'release-demo@example.com' };

export function git(dir: string) {
  return $({ cwd: dir, quiet: true, verbose: false });
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** Commits `files` (or an empty change) with `message` on the checked-out branch; returns the sha. */
export async function commit(dir: string, message: string, files: Record<string, string> = {}): Promise<string> {
  const $$ = git(dir);
  await writeFiles(dir, files);
  await $$`git add -A`;
  await $({ cwd: dir, quiet: true, input: message })`git commit --quiet --allow-empty --no-verify -F -`;
  return (await $$`git rev-parse HEAD`).stdout.trim();
}

/**
 * origin and staging hold `main` with one commit; origin also holds `develop` at the same
 * commit; the clone has both branches, its own identity, and `main` checked out.
 */
export async function createSandbox(options: { root?: string; packageJson?: object } = {}): Promise<Sandbox> {
  const root = options.root ?? (await mkdtemp(path.join(os.tmpdir(), 'release-cut-')));
  const sandbox = {
    root,
    work: path.join(root, 'work'),
    origin: path.join(root, 'origin.git'),
    staging: path.join(root, 'staging.git'),
  };
  const $$ = git(root);
  await $$`git init --quiet --bare --initial-branch=main ${sandbox.origin}`;
  await $$`git init --quiet --bare --initial-branch=main ${sandbox.staging}`;
  await $$`git init --quiet --initial-branch=main ${sandbox.work}`;
  const w = git(sandbox.work);
  await w`git config user.name ${SANDBOX_IDENTITY.name}`;
  await w`git config user.email ${SANDBOX_IDENTITY.email}`;
  await w`git config commit.gpgsign false`;
  await w`git remote add origin ${sandbox.origin}`;
  await w`git remote add staging ${sandbox.staging}`;
  await writeFiles(sandbox.work, {
    'README.md': '# Shop\n',
    ...(options.packageJson ? { 'package.json': `${JSON.stringify(options.packageJson, null, 2)}\n` } : {}),
  });
  await w`git add -A`;
  await w`git commit --quiet --no-verify -m ${'chore: start the shop'}`;
  await w`git branch develop`;
  await w`git push --quiet origin main develop`;
  await w`git push --quiet staging main`;
  return sandbox;
}
