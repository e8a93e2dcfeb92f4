import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The project root (compiled tests live in dist/test/helpers). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * A repository with this project's hooks installed as `npm ci` installs them: the `.husky`
 * hook files, `dist/` and `node_modules` of this project, and husky's own install run in it.
 */
export async function createHookedRepo(options: { projectKeys?: string[]; withDist?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hooks-'));
  const git = (...args: string[]) => execa('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  await git('config', 'user.name', 'Hook Test');
  await git('config', 'user.email', 'hooks@example.com');
  await mkdir(path.join(dir, '.husky'));
  for (const hook of ['commit-msg', 'prepare-commit-msg']) {
    await copyFile(path.join(PROJECT_ROOT, '.husky', hook), path.join(dir, '.husky', hook));
  }
  await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  if (options.withDist !== false) await symlink(path.join(PROJECT_ROOT, 'dist'), path.join(dir, 'dist'));
  await writeFile(path.join(dir, '.gitignore'), 'node_modules\ndist\n');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ releaseCut: { jiraProjectKeys: options.projectKeys ?? ['DEV'] } }));
  const installed = await execa(process.execPath, ['--input-type=module', '-e', "import husky from 'husky'; process.stdout.write(husky())"], { cwd: dir });
  if (installed.stdout) throw new Error(`husky install: ${installed.stdout}`);
  await execa('git', ['add', '-A'], { cwd: dir });
  await execa('git', ['commit', '--quiet', '--no-verify', '-m', 'DEV-1: start'], { cwd: dir });
  return dir;
}
