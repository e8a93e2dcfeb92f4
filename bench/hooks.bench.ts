/**
 * What the commit hooks add to `git commit`, against `git commit --no-verify` and against the
 * usual alternative (husky + `npx commitlint` with commitlint-plugin-jira-rules), on the same
 * kind of repository in the same run.
 * Targets: the hooks add < 100 ms per commit and cost >= 5x less than commitlint.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { createHookedRepo } from '../test/helpers/hooks.js';
import { measure, ratio, verdict } from './measure.js';

const RUNS = 15;
const MESSAGE = 'DEV-1: benchmark commit';

function commitCommand(...flags: string[]): string[] {
  return ['git', 'commit', '--quiet', '--allow-empty', ...flags, '-m', MESSAGE];
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
  const repo = await createHookedRepo();
  try {
    const bare = measure(commitCommand('--no-verify'), { cwd: repo, runs: RUNS }).ms;
    const onMain = measure(commitCommand(), { cwd: repo, runs: RUNS }).ms;
    await execa('git', ['checkout', '--quiet', '-b', 'feature/DEV-1-bench'], { cwd: repo });
    const onFeature = measure(commitCommand(), { cwd: repo, runs: RUNS }).ms;
    await useCommitlint(repo);
    const commitlint = measure(commitCommand(), { cwd: repo, runs: 5 }).ms;

    const hooksCost = Math.max(onMain, onFeature) - bare;
    const commitlintCost = commitlint - bare;
    console.log(`git commit --no-verify ${bare.toFixed(0)} ms; with our hooks ${onMain.toFixed(0)} ms on main, ${onFeature.toFixed(0)} ms on a card branch (prefill and check)`);
    console.log(`hooks add ${hooksCost.toFixed(0)} ms per commit, ${ratio(Math.max(onMain, onFeature), bare)} of --no-verify (target < 100 ms: ${verdict(hooksCost < 100)})`);
    console.log(`commitlint + jira rules via npx adds ${commitlintCost.toFixed(0)} ms => ours is ${ratio(commitlintCost, hooksCost)} faster (target >= 5x: ${verdict(commitlintCost / hooksCost >= 5)})`);
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}
