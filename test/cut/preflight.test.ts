/**
 * What the cut refuses before it changes anything (a staging that diverged, a rebase under a
 * released branch, a CHANGELOG.md with conflict markers), and what it shows of what commits say.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { commit, git } from '../../src/sandbox.js';
import { visible } from '../../src/visible.js';
import { onBranch, runCutCli, sha, snapshot, withSandbox } from '../helpers/cut.js';
import { concurrentSuite } from '../helpers/suite.js';

const { test, run } = concurrentSuite('release cut: preflight refusals and what commits say', 3);

const errorLine = (stderr: string): string => stderr.split('\n').find((line) => line.startsWith('release-cut: ')) ?? '';

test('a staging with a commit pushed straight to it is refused before origin changes, naming the commit and the command', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
  // From another clone: this one has never seen staging's commit, the cut fetches it to name it.
  const elsewhere = path.join(sandbox.root, 'elsewhere');
  await git(sandbox.root)`git clone --quiet ${sandbox.staging} ${elsewhere}`;
  await git(elsewhere)`git -c user.name=Ops -c user.email=ops@example.com commit --quiet --allow-empty -m ${'OPS-7: hotfix straight on staging'}`;
  await git(elsewhere)`git push --quiet origin main`;
  const stagingSha = await sha(sandbox.staging, 'main');
  const before = await snapshot(sandbox);

  for (const args of [['--dry-run'], []]) {
    const result = await runCutCli(sandbox, args);
    assert.is(result.exitCode, 1, result.stderr);
    const line = errorLine(result.stderr);
    assert.match(line, `staging/main has commits main lacks (pushed straight to staging): ${stagingSha.slice(0, 7)}`);
    assert.match(line, 'OPS-7: hotfix straight on staging');
    assert.match(line, `bring them into develop through review, or overwrite them on staging with: git push --force-with-lease=refs/heads/main:${stagingSha} staging origin/main:refs/heads/main; then re-run; nothing was changed`);
    assert.equal(await snapshot(sandbox), before);
  }
}));

test('a rebase of main under way in a linked worktree (HEAD detached there) is refused before anything moves', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
  const linked = path.join(sandbox.root, 'linked');
  await git(sandbox.work)`git worktree add --quiet ${linked} main`;
  await git(linked)`git -c ${'sequence.editor=sed -i 1s/^pick/edit/'} rebase --quiet -i --root`;
  assert.is((await git(linked)`git symbolic-ref --quiet HEAD`.nothrow()).exitCode, 1, 'detached while rebasing');
  const before = await snapshot(sandbox);

  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1, result.stderr);
  assert.is(errorLine(result.stderr), `release-cut: a rebase of main is in progress in ${linked} — finish or abort it there, then re-run; nothing was changed`);
  assert.equal(await snapshot(sandbox), before);
  await git(linked)`git rebase --abort`;
  assert.is((await runCutCli(sandbox)).exitCode, 0);
}));

test('control bytes in commit subjects are shown escaped on the terminal, in CHANGELOG.md and in the JSON report', () => withSandbox(async (sandbox) => {
  const subject = 'EPN-1: pay \x1b[2J\x1b]0;owned\x07 now\rEPN-2: fake \u202etxt.exe';
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, subject, { 'pay.txt': 'pay\n' }));
  const shown = visible(subject);
  assert.is(shown, 'EPN-1: pay \\x1b[2J\\x1b]0;owned\\x07 now\\x0dEPN-2: fake \\u202etxt.exe');

  const dryRun = await runCutCli(sandbox, ['--dry-run']);
  assert.is(dryRun.exitCode, 0, dryRun.stderr);
  assert.not.match(dryRun.stdout + dryRun.stderr, /[\x00-\x08\x0b-\x1f\x7f\u202e]/, 'no control byte reaches the terminal');
  assert.match(dryRun.stdout, shown);

  const released = await runCutCli(sandbox, ['--json']);
  assert.is(released.exitCode, 0, released.stderr);
  assert.is((JSON.parse(released.stdout) as { jira: Array<{ commits: Array<{ subject: string }> }> }).jira[0]!.commits[0]!.subject, shown);
  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.not.match(changelog, /[\x00-\x08\x0b-\x1f\x7f\u202e]/);
  assert.match(changelog, 'pay \\\\x1b\\[2J\\\\x1b\\]0;owned\\\\x07 now\\\\x0dEPN-2: fake \\\\u202etxt.exe');
}));

run();
