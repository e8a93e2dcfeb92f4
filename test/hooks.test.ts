import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from './helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { createHookedRepo } from './helpers/hooks.js';

interface Commit {
  exitCode: number;
  output: string;
  subject: string;
}

/** A real `git commit`, with an editor that writes `edited` when given (as a person would). */
async function gitCommit(dir: string, args: string[], options: { edited?: string; env?: Record<string, string> } = {}): Promise<Commit> {
  const env: Record<string, string> = { ...options.env };
  if (options.edited !== undefined) {
    await writeFile(path.join(dir, '.git', 'EDITED'), options.edited);
    env.GIT_EDITOR = `cp "${path.join(dir, '.git', 'EDITED')}"`;
  }
  const result = await execa('git', ['commit', '--allow-empty', ...args], { cwd: dir, reject: false, env, all: true });
  const subject = (await execa('git', ['log', '-1', '--format=%s'], { cwd: dir })).stdout;
  return { exitCode: result.exitCode ?? -1, output: String(result.all), subject };
}

const accepted: Array<[string, string]> = [
  ['key in the subject', 'DEV-1: add login'],
  ['key only in the body', 'fix: login\n\nbody mentions DEV-2 here'],
  ['key in a trailer', 'fix: login\n\nRefs: DEV-3'],
  ['browse URL', 'fix: see https://acme.atlassian.net/browse/DEV-4'],
  ['in parentheses', 'fix: login (DEV-5)'],
  ['in brackets', '[DEV-6] fix login'],
  ['two keys', 'DEV-7, DEV-8: shared fix'],
  ['after a full stop', 'fix: done.DEV-9'],
  ['before punctuation', 'fix login for DEV-10.'],
  ['non-ASCII around it', 'Ünïcödé DEV-11 ✓ 日本語'],
  ['merge commit', "Merge branch 'feature/x' into develop"],
  ['pull request merge', 'Merge pull request #12 from team/feature-x'],
  ['revert', 'Revert "fix: typo"\n\nThis reverts commit 1234567.'],
  ['fixup!', 'fixup! fix: typo'],
  ['squash!', 'squash! fix: typo'],
  ['amend!', 'amend! fix: typo'],
  ['release cut commit', 'chore(release): release/2026-11-24'],
  ['key with a comment paragraph below', 'DEV-12: subject\n\n# a comment'],
];

const rejected: Array<[string, string, RegExp]> = [
  ['no key', 'fix: login', /has no Jira key \(DEV\)/],
  ['lowercase key', 'dev-1: login', /"dev-1" is not a Jira key: keys are uppercase \(DEV-1\)/],
  ['UTF-8', 'fix: UTF-8 encoding', /has no Jira key/],
  ['SHA-256', 'fix: SHA-256 sums', /has no Jira key/],
  ['ISO-8859-1', 'fix: ISO-8859-1 export', /has no Jira key/],
  ['glued to letters', 'fix: fooDEV-1 thing', /has no Jira key/],
  ['number zero', 'fix: DEV-0', /has no Jira key/],
  ['letters after the number', 'fix: DEV-12abc', /has no Jira key/],
  ['another project', 'OPS-1: not ours', /has no Jira key/],
  ['URL of another project', 'see https://acme.atlassian.net/browse/OPS-1', /has no Jira key/],
  ['underscore instead of dash', 'DEV_1: login', /has no Jira key/],
  ['"Merge" that is not a merge', 'Merge the two configs', /has no Jira key/],
  ['"Revert" without quotes', 'Revert typo', /has no Jira key/],
  ['fixup! without a space', 'fixup!typo', /has no Jira key/],
  ['key only in a comment', 'fix: login\n# DEV-13', /has no Jira key/],
];

const hooks = suite('commit hooks in a real repository');
let repo = '';
hooks.before(async () => {
  repo = await createHookedRepo();
});
hooks.after(async () => {
  await rm(repo, { recursive: true, force: true });
});

hooks(`${accepted.length} messages are accepted`, async () => {
  for (const [name, message] of accepted) {
    const commit = await gitCommit(repo, ['-m', message]);
    assert.is(commit.exitCode, 0, `${name}: ${commit.output}`);
    assert.is(commit.subject, message.split('\n')[0], name);
  }
});

hooks(`${rejected.length} messages are rejected with the problem, an example and the bypass`, async () => {
  for (const [name, message, problem] of rejected) {
    const before = (await execa('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout;
    const commit = await gitCommit(repo, ['-m', message]);
    assert.is.not(commit.exitCode, 0, name);
    assert.match(commit.output, problem, name);
    assert.match(commit.output, 'e.g.  DEV-123: ', name);
    assert.match(commit.output, 'git commit --no-verify', name);
    assert.is((await execa('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout, before, `${name}: no commit made`);
  }
});

hooks('an empty message and a comment-only edit are refused', async () => {
  const empty = await gitCommit(repo, ['--allow-empty-message', '-m', '']);
  assert.is.not(empty.exitCode, 0);
  assert.match(empty.output, 'the commit message is empty');
  const commentOnly = await gitCommit(repo, ['--allow-empty-message'], { edited: '# nothing but a comment\n' });
  assert.is.not(commentOnly.exitCode, 0);
});

hooks('a key below the scissors line of --verbose does not count', async () => {
  const edited = 'fix: login\n# ------------------------ >8 ------------------------\ndiff --git a/DEV-14 b/DEV-14\n';
  const commit = await gitCommit(repo, ['--verbose'], { edited });
  assert.is.not(commit.exitCode, 0);
  assert.match(commit.output, 'has no Jira key');
});

hooks('a branch named after a card prefills its key; keyed, merge and amend messages are left alone', async () => {
  const git = (...args: string[]) => execa('git', args, { cwd: repo });
  await git('checkout', '--quiet', '-b', 'feature/DEV-42-login-fix');
  assert.is((await gitCommit(repo, ['-m', 'fix the login'])).subject, 'DEV-42: fix the login');
  assert.is((await gitCommit(repo, ['-m', 'DEV-7: already keyed'])).subject, 'DEV-7: already keyed');
  const edited = await gitCommit(repo, [], { env: { GIT_EDITOR: 'sed -i "1s/$/handle expired sessions/"' } });
  assert.is(edited.subject, 'DEV-42: handle expired sessions', edited.output);
  assert.is((await gitCommit(repo, ['--amend', '--no-edit'])).subject, 'DEV-42: handle expired sessions');
  const keyRemoved = await gitCommit(repo, [], { edited: 'fix: the key was deleted in the editor\n' });
  assert.is.not(keyRemoved.exitCode, 0, 'the prefill check does not vouch for an edited message');
  assert.match(keyRemoved.output, 'e.g.  DEV-42: fix: the key was deleted in the editor');

  await git('checkout', '--quiet', 'main');
  await git('checkout', '--quiet', '-b', 'fix/UTF-8-export');
  const keyless = await gitCommit(repo, ['-m', 'fix export']);
  assert.is.not(keyless.exitCode, 0, 'no card in the branch name: nothing prefilled, so rejected');
  await git('checkout', '--quiet', 'main');
  const merge = await git('merge', '--no-ff', '--no-edit', 'feature/DEV-42-login-fix');
  assert.is(merge.exitCode, 0);
  assert.is((await git('log', '-1', '--format=%s')).stdout, "Merge branch 'feature/DEV-42-login-fix'");
});

hooks('HUSKY=0 disables the hooks; --no-verify bypasses them', async () => {
  assert.is((await gitCommit(repo, ['-m', 'no key, hooks off'], { env: { HUSKY: '0' } })).exitCode, 0);
  assert.is((await gitCommit(repo, ['--no-verify', '-m', 'no key, emergency'])).exitCode, 0);
});

hooks('JIRA_PROJECT_KEYS in the environment overrides package.json', async () => {
  assert.is((await gitCommit(repo, ['-m', 'OPS-3: theirs'], { env: { JIRA_PROJECT_KEYS: 'OPS' } })).exitCode, 0);
  assert.is.not((await gitCommit(repo, ['-m', 'DEV-3: ours'], { env: { JIRA_PROJECT_KEYS: 'OPS' } })).exitCode, 0);
});
hooks.run();

const unbuilt = suite('commit hooks before the build');

unbuilt('a missing dist/ is named with its fix', async () => {
  const dir = await createHookedRepo({ withDist: false });
  try {
    const commit = await gitCommit(dir, ['-m', 'DEV-1: x']);
    assert.is.not(commit.exitCode, 0);
    assert.match(commit.output, 'commit-msg: dist/ is not built; run npm run build (npm ci does it), or commit with --no-verify');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
unbuilt.run();
