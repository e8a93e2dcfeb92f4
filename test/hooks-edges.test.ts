/**
 * The commit hooks where round 3 found them wrong: a configuration file deleted, branch names
 * that only look like cards, messages that come from an existing commit, comment characters.
 * Each case has its own repository (real git, the hooks installed as npm installs them).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { createHookedRepo, pathWithoutNode, type HookedRepo } from './helpers/hooks.js';
import { concurrentSuite } from './helpers/suite.js';

interface Commit {
  exitCode: number;
  output: string;
  subject: string;
  message: string;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd: dir })).stdout;
}

async function gitCommit(dir: string, args: string[], env: Record<string, string> = {}): Promise<Commit> {
  const result = await execa('git', ['commit', '--allow-empty', ...args], { cwd: dir, reject: false, env, all: true });
  const [subject, message] = await Promise.all([git(dir, 'log', '-1', '--format=%s'), git(dir, 'log', '-1', '--format=%B')]);
  return { exitCode: result.exitCode ?? -1, output: String(result.all), subject, message: message.trimEnd() };
}

async function withRepo(test: (repo: HookedRepo) => Promise<void>, options: Parameters<typeof createHookedRepo>[0] = {}): Promise<void> {
  const repo = await createHookedRepo(options);
  try {
    await test(repo);
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
}

const { test, run } = concurrentSuite('commit hooks: configuration changes, branch names, messages from other commits', 3);

test('a deleted .env takes its project list with it: the rules are refreshed', () => withRepo(async (repo) => {
  const dotEnv = path.join(repo.packageDir, '.env');
  await writeFile(dotEnv, 'JIRA_PROJECT_KEYS=DEV,OPS\n');
  assert.is((await gitCommit(repo.dir, ['-m', 'OPS-1: configured in .env'])).exitCode, 0);
  await rm(dotEnv);
  const refused = await gitCommit(repo.dir, ['-m', 'OPS-2: no longer configured']);
  assert.is.not(refused.exitCode, 0, refused.output);
  assert.match(refused.output, 'OPS-2 is not a key of a configured project (DEV)');
}));

test('no project list: bot branches and version numbers prefill nothing; a key that starts a segment does', () => withRepo(async (repo) => {
  for (const branch of ['renovate/eslint-9.x', 'dependabot/npm_and_yarn/axios-1.7.4', 'feature/bump-node-20', 'release/v2-3']) {
    await git(repo.dir, 'checkout', '--quiet', '-b', branch);
    const commit = await gitCommit(repo.dir, ['-m', 'chore: bump']);
    assert.is.not(commit.exitCode, 0, `${branch}: nothing invented, so no key: ${commit.output}`);
    assert.match(commit.output, 'no Jira key (any Jira project)', branch);
  }
  await git(repo.dir, 'checkout', '--quiet', '-b', 'feature/abc-12-login');
  assert.is((await gitCommit(repo.dir, ['-m', 'fix login'])).subject, 'ABC-12: fix login');
}, { releaseCut: {} }));

test("cherry-pick keeps the picked commit's message: not relabelled with this branch's card", () => withRepo(async (repo) => {
  await git(repo.dir, 'checkout', '--quiet', '-b', 'topic');
  await writeFile(path.join(repo.dir, 'topic.txt'), 'topic\n');
  await git(repo.dir, 'add', 'topic.txt');
  await git(repo.dir, 'commit', '--quiet', '--no-verify', '-m', 'topic file 1 without key');
  await git(repo.dir, 'checkout', '--quiet', '-b', 'feature/DEV-601-x', 'main');
  await execa('git', ['cherry-pick', 'topic'], { cwd: repo.dir, reject: false });
  assert.is(await git(repo.dir, 'log', '-1', '--format=%s'), 'topic file 1 without key');
}));

test('core.commentChar=auto and commit.cleanup=strip: comment lines are read as git reads them', () => withRepo(async (repo) => {
  await git(repo.dir, 'config', 'core.commentChar', 'auto');
  const editor = (text: string) => ({ GIT_EDITOR: `sh -c 'printf "%s\\n" "${text}" | cat - "$1" > "$1.new" && mv "$1.new" "$1"' --` });
  // git picks ';' when a line starts with '#': its own "; new file: DEV-5-notes.txt" status lines are comments, not content.
  await writeFile(path.join(repo.dir, 'DEV-5-notes.txt'), 'notes\n');
  await git(repo.dir, 'add', 'DEV-5-notes.txt');
  const keyless = await gitCommit(repo.dir, ['-m', '#1 fix the login', '-e'], editor('more words'));
  assert.is.not(keyless.exitCode, 0, keyless.output);
  const keyed = await gitCommit(repo.dir, ['-m', '#1 fix the login for DEV-5', '-e'], editor('more words'));
  assert.is(keyed.exitCode, 0, keyed.output);
  await git(repo.dir, 'config', '--unset', 'core.commentChar');

  await git(repo.dir, 'config', 'commit.cleanup', 'strip');
  const stripped = await gitCommit(repo.dir, ['-m', 'fix: no key', '-m', '#DEV-9']);
  assert.is.not(stripped.exitCode, 0, `git drops the #-line, so there is no key: ${stripped.output}`);
}));

test('git commit -n with an untouched editor on a card branch commits nothing; a written message gets the key', () => withRepo(async (repo) => {
  await git(repo.dir, 'checkout', '--quiet', '-b', 'feature/DEV-971-x');
  const before = await git(repo.dir, 'rev-parse', 'HEAD');
  const untouched = await gitCommit(repo.dir, ['-n'], { GIT_EDITOR: 'true' });
  assert.is.not(untouched.exitCode, 0, untouched.output);
  assert.is(await git(repo.dir, 'rev-parse', 'HEAD'), before, 'no commit whose whole message is the key');
  const written = await gitCommit(repo.dir, [], { GIT_EDITOR: 'sed -i "1s/^/feat(auth): sessions/"' });
  assert.is(written.subject, 'feat(auth): DEV-971 sessions', written.output);
}));

test('without node: keys next to « », “ ”, — and a no-break space are accepted by the shell alone', () => withRepo(async (repo) => {
  const bin = await pathWithoutNode();
  try {
    for (const message of ['fix: «DEV-1» login', 'fix: “DEV-2” login', 'fix login—DEV-3—today', 'fix:\u00a0DEV-4\u00a0login']) {
      const commit = await gitCommit(repo.dir, ['-m', message], { PATH: bin });
      assert.is(commit.exitCode, 0, `${message}: ${commit.output}`);
    }
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
}));

test("installing next to the repository's own hooks (core.hooksPath, .git/hooks) keeps them and says how to run both", () => withRepo(async (repo) => {
  const install = () => execa(process.execPath, [path.join(repo.packageDir, '.husky', 'install.mjs')], { cwd: repo.packageDir, all: true });
  await git(repo.dir, 'config', 'core.hooksPath', '.githooks');
  const kept = await install();
  assert.is(kept.exitCode, 0);
  assert.match(String(kept.all), "commit hooks not installed: core.hooksPath is already .githooks (this repository's own hooks)");
  assert.match(String(kept.all), 'sh ".husky/commit-msg" "$@"');
  assert.is(await git(repo.dir, 'config', 'core.hooksPath'), '.githooks');

  await git(repo.dir, 'config', '--unset', 'core.hooksPath');
  const globalConfig = path.join(repo.dir, '.git', 'global-config');
  await writeFile(globalConfig, '[core]\n\thooksPath = ~/.githooks\n');
  const global = await execa(process.execPath, [path.join(repo.packageDir, '.husky', 'install.mjs')], { cwd: repo.packageDir, all: true, env: { GIT_CONFIG_GLOBAL: globalConfig } });
  assert.match(String(global.all), "core.hooksPath is already ~/.githooks (every repository's hooks, from your global git configuration)");
  assert.is((await execa('git', ['config', '--local', 'core.hooksPath'], { cwd: repo.dir, reject: false })).exitCode, 1, 'not set over the global one');

  await writeFile(path.join(repo.dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const lefthook = await install();
  assert.match(String(lefthook.all), 'holds hooks (pre-commit) that a core.hooksPath would turn off');
  assert.is((await execa('git', ['config', 'core.hooksPath'], { cwd: repo.dir, reject: false })).exitCode, 1, 'still unset');
}));

test('a refusal during rebase -i (a reword) names git commit --amend; another project\'s key is named as not configured', () => withRepo(async (repo) => {
  await writeFile(path.join(repo.dir, 'reword.txt'), 'reword\n');
  await git(repo.dir, 'add', 'reword.txt');
  await git(repo.dir, 'commit', '--quiet', '-m', 'DEV-2: to be reworded');
  const reword = await execa('git', ['rebase', '-i', 'HEAD~1'], {
    cwd: repo.dir, reject: false, all: true,
    env: { GIT_SEQUENCE_EDITOR: 'sed -i 1s/^pick/reword/', GIT_EDITOR: 'sed -i 1s/.*/reworded\\ without\\ a\\ key/' },
  });
  assert.is.not(reword.exitCode, 0, reword.all);
  assert.match(String(reword.all), 'git commit --amend   (then: git rebase --continue)');
  await execa('git', ['rebase', '--abort'], { cwd: repo.dir, reject: false });

  const other = await gitCommit(repo.dir, ['-m', 'OPS-1: not ours']);
  assert.match(other.output, 'commit-msg: OPS-1 is not a key of a configured project (DEV)');
}));

test('two work trees with different project lists committing at once: each judged by its own, each with its own rules file', () => withRepo(async (repo) => {
  const linked = `${repo.dir}-ops`;
  try {
    await git(repo.dir, 'worktree', 'add', '--quiet', '-b', 'ops', linked);
    await writeFile(path.join(linked, 'package.json'), `${JSON.stringify({ name: 'hooked', releaseCut: { jiraProjectKeys: ['OPS'] } }, null, 2)}\n`);
    const rounds = Array.from({ length: 4 }, (_, i) => i + 1);
    const results = await Promise.all(rounds.flatMap((i) => [gitCommit(repo.dir, ['-m', `DEV-${i}: main`]), gitCommit(linked, ['-m', `OPS-${i}: linked`])]));
    // Commits in one work tree queue on its index lock; none may be judged by the other's list.
    for (const result of results) assert.not.match(result.output, /is not a key of a configured project|has no Jira key/, result.output);
    assert.is((await gitCommit(linked, ['-m', 'DEV-9: not this work tree\'s'])).exitCode === 0, false);
    const gitDir = await git(linked, 'rev-parse', '--absolute-git-dir');
    assert.match(await readFile(path.join(gitDir, 'jira-rules.sh'), 'utf8'), "JIRA_PROJECTS='OPS'");
    assert.match(await readFile(path.join(repo.dir, '.git', 'jira-rules.sh'), 'utf8'), "JIRA_PROJECTS='DEV'");
  } finally {
    await rm(linked, { recursive: true, force: true });
  }
}));

run();
