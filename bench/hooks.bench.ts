/**
 * What the commit hooks add to `git commit` (against `git -c core.hooksPath=/dev/null commit`),
 * interleaved in one run: the -m flow and the editor flow on a card branch (prefill + check),
 * a bare `node -e 0`, and husky 9's own wrappers around two empty hooks (husky's price: the
 * yardstick; git runs the project's hooks directly, without them). Then the usual alternative, husky + `npx commitlint`
 * with commitlint-plugin-jira-rules.
 * Target: each flow adds at most husky's price + 20 ms per commit.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { createHookedRepo, PROJECT_ROOT } from '../test/helpers/hooks.js';
import { measure, measureInterleaved, ratio, verdict } from './measure.js';

const RUNS = 21;

const commit = (...flags: string[]) => ['git', ...flags, 'commit', '--quiet', '--allow-empty'];
const withoutHooks = ['-c', 'core.hooksPath=/dev/null'];

/** A scratch repository with husky 9 installed around two empty hooks. */
async function huskyWithEmptyHooks(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'husky-empty-'));
  await execa('git', ['init', '--quiet'], { cwd: dir });
  await execa('git', ['config', 'user.name', 'Bench'], { cwd: dir });
  await execa('git', ['config', 'user.email', 'bench@example.com'], { cwd: dir });
  await mkdir(path.join(dir, '.husky'));
  for (const hook of ['commit-msg', 'prepare-commit-msg']) await writeFile(path.join(dir, '.husky', hook), '');
  const husky = path.join(PROJECT_ROOT, 'node_modules', 'husky', 'index.js');
  await execa(process.execPath, ['--input-type=module', '-e', `import husky from ${JSON.stringify(husky)}; process.stdout.write(husky())`], { cwd: dir });
  return dir;
}

/** The same repository, but with commitlint as its commit-msg hook, as commitlint's docs set it up. */
async function useCommitlint(repo: string): Promise<void> {
  const hooks = path.join(repo, '.commitlint-hooks');
  await mkdir(hooks, { recursive: true });
  await writeFile(path.join(repo, 'commitlint.config.cjs'), "module.exports = { plugins: ['commitlint-plugin-jira-rules'], extends: ['jira'] };\n");
  await writeFile(path.join(hooks, 'commit-msg'), '#!/bin/sh\nexec npx --no -- commitlint --edit "$1"\n');
  await chmod(path.join(hooks, 'commit-msg'), 0o755);
  await execa('git', ['config', 'core.hooksPath', hooks], { cwd: repo });
}

export async function bench(): Promise<void> {
  const { dir: repo } = await createHookedRepo();
  const scratch = await huskyWithEmptyHooks();
  try {
    await execa('git', ['checkout', '--quiet', '-b', 'feature/DEV-1-bench'], { cwd: repo });
    const editor = { GIT_EDITOR: 'sed -i "1s/$/bench/"' };
    const ms = measureInterleaved([
      { name: 'bare -m', command: [...commit(...withoutHooks), '-m', 'DEV-1: bench'], cwd: repo },
      { name: 'hooks -m', command: [...commit(), '-m', 'bench'], cwd: repo },
      { name: 'bare editor', command: commit(...withoutHooks), cwd: repo, env: editor },
      { name: 'hooks editor', command: commit(), cwd: repo, env: editor },
      { name: 'node -e 0', command: [process.execPath, '-e', '0'], cwd: repo },
      { name: 'husky bare', command: [...commit(...withoutHooks), '-m', 'x'], cwd: scratch },
      { name: 'husky empty hooks', command: [...commit(), '-m', 'x'], cwd: scratch },
    ], RUNS);
    const husky = ms['husky empty hooks']! - ms['husky bare']!;
    const mFlow = ms['hooks -m']! - ms['bare -m']!;
    const editorFlow = ms['hooks editor']! - ms['bare editor']!;
    const target = husky + 20;
    console.log(`medians of ${RUNS} interleaved runs (a shared, noisy machine: compare within this run only):`);
    console.log(`  git -c core.hooksPath=/dev/null commit: ${ms['bare -m']!.toFixed(0)} ms (-m), ${ms['bare editor']!.toFixed(0)} ms (editor)`);
    console.log(`  node -e 0: ${ms['node -e 0']!.toFixed(0)} ms; husky 9 around two empty hooks adds ${husky.toFixed(0)} ms (husky's price)`);
    console.log(`  card branch, -m flow: hooks add ${mFlow.toFixed(0)} ms per commit (target <= husky + 20 = ${target.toFixed(0)} ms: ${verdict(mFlow <= target)})`);
    console.log(`  card branch, editor flow: hooks add ${editorFlow.toFixed(0)} ms per commit (target <= ${target.toFixed(0)} ms: ${verdict(editorFlow <= target)})`);

    await useCommitlint(repo);
    const commitlint = measure([...commit(), '-m', 'DEV-1: bench'], { cwd: repo, runs: 5 }).ms - ms['bare -m']!;
    const ours = Math.max(mFlow, editorFlow);
    console.log(`  commitlint + jira rules via npx adds ${commitlint.toFixed(0)} ms => ours costs ${ratio(commitlint, ours)} less`);
  } finally {
    await rm(repo, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}
