import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The project root (compiled tests live in dist/test/helpers). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The files of .husky/, all tracked. */
export const HOOK_FILES = ['commit-msg', 'prepare-commit-msg', 'jira-keys.sh', 'install.mjs'];

export interface HookedRepo {
  /** The top of the repository's work tree. */
  dir: string;
  /** Where package.json and .husky/ are: `dir`, or a subfolder of it. */
  packageDir: string;
}

/**
 * A repository with this project's hooks installed as `npm ci` installs them: the tracked
 * `.husky` files, `dist/` and `node_modules` of this project, and the project's own `prepare`
 * installer run in it (package.json in `subfolder` when given, as in a monorepo).
 */
export async function createHookedRepo(options: { releaseCut?: Record<string, unknown>; subfolder?: string } = {}): Promise<HookedRepo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hooks-'));
  const packageDir = path.join(dir, options.subfolder ?? '');
  const git = (...args: string[]) => execa('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  await git('config', 'user.name', 'Hook Test');
  await git('config', 'user.email', 'hooks@example.com');
  await mkdir(path.join(packageDir, '.husky'), { recursive: true });
  for (const file of HOOK_FILES) await copyFile(path.join(PROJECT_ROOT, '.husky', file), path.join(packageDir, '.husky', file));
  await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(packageDir, 'node_modules'));
  await symlink(path.join(PROJECT_ROOT, 'dist'), path.join(packageDir, 'dist'));
  await writeFile(path.join(dir, '.gitignore'), 'node_modules\ndist\n');
  const releaseCut = options.releaseCut ?? { jiraProjectKeys: ['DEV'] };
  await writeFile(path.join(packageDir, 'package.json'), `${JSON.stringify({ name: 'hooked', releaseCut }, null, 2)}\n`);
  const installed = await execa(process.execPath, [path.join(packageDir, '.husky', 'install.mjs')], { cwd: packageDir, all: true });
  if (installed.all) throw new Error(`hook install: ${installed.all}`);
  await git('add', '-A');
  await git('commit', '--quiet', '--no-verify', '-m', 'DEV-1: start');
  return { dir, packageDir };
}

/**
 * A PATH with the tools a GUI client's environment has (git, sh and the usual commands) but no
 * node, as in a git client started from the desktop by an nvm user.
 */
export async function pathWithoutNode(): Promise<string> {
  const bin = await mkdtemp(path.join(os.tmpdir(), 'no-node-'));
  const tools = ['git', 'sh', 'dash', 'bash', 'sed', 'grep', 'cat', 'rm', 'cp', 'mv', 'dirname', 'basename', 'env', 'tr', 'head', 'printf', 'mkdir', 'ls', 'true'];
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const tool of tools) {
    const found = dirs.map((dir) => path.join(dir, tool)).find((file) => existsSync(file));
    if (found) await symlink(found, path.join(bin, tool));
  }
  return bin;
}
