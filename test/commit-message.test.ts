import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCommitMessage, exemptionOf, prefillMessage, stripComments } from '../src/commit-message.js';

const check = suite('checkCommitMessage');
const DEV = { projectKeys: ['DEV'], branch: null };

check('comments and everything below the scissors line are ignored', () => {
  assert.is(stripComments('DEV-1: x\n# Please enter\n\nbody\n'), 'DEV-1: x\n\nbody');
  assert.is(stripComments('fix: x\n# ------------------------ >8 ------------------------\nDEV-1 in the diff'), 'fix: x');
  assert.is(stripComments('fix: x\n; note', ';'), 'fix: x');
  assert.not.ok(checkCommitMessage('fix: x\n# DEV-1 only in a comment', DEV).ok);
});

check('exemptions: merges, reverts, fixup/squash/amend, the release cut', () => {
  assert.is(exemptionOf("Merge branch 'develop' into main for release/2026-11-24"), 'merge');
  assert.is(exemptionOf("Merge remote-tracking branch 'origin/main'"), 'merge');
  assert.is(exemptionOf('Merge pull request #4 from team/x'), 'merge');
  assert.is(exemptionOf('Revert "fix: typo"\n\nThis reverts commit abc.'), 'revert');
  assert.is(exemptionOf('amend! fix: typo'), 'fixup');
  assert.is(exemptionOf('chore(release): release/2026-11-24'), 'release');
  assert.is(exemptionOf('Merge the two configs'), null);
  assert.is(exemptionOf('Revert typo'), null);
});

check('a rejection says what is missing, with an example from the branch', () => {
  const verdict = checkCommitMessage('fix: login', { projectKeys: ['DEV'], branch: 'feature/DEV-42-login' });
  assert.equal(verdict, { ok: false, problem: 'the commit message has no Jira key (DEV)', example: 'DEV-42: fix: login' });
  const lower = checkCommitMessage('dev-7: login', DEV);
  assert.is(!lower.ok && lower.problem, '"dev-7" is not a Jira key: keys are uppercase (DEV-7)');
  const empty = checkCommitMessage('# only a comment\n', DEV);
  assert.is(!empty.ok && empty.problem, 'the commit message is empty');
  const unconfigured = checkCommitMessage('fix', { projectKeys: null, branch: null });
  assert.is(!unconfigured.ok && unconfigured.example, 'ABC-123: fix');
});
check.run();

const prefill = suite('prefillMessage');
const on = (branch: string | null, source?: 'message' | 'merge' | 'commit' | 'squash') => ({ branch, source, projectKeys: ['DEV'] });

prefill('puts the branch key in front of a message without one', () => {
  assert.is(prefillMessage('\n# Please enter the commit message\n', on('feature/DEV-42-login-fix')), 'DEV-42: \n# Please enter the commit message\n');
  assert.is(prefillMessage('fix login\n', on('feature/DEV-42-login-fix', 'message')), 'DEV-42: fix login\n');
});

prefill('leaves keyed messages, merges, amends, squashes and keyless branches alone', () => {
  assert.is(prefillMessage('DEV-7: fix\n', on('feature/DEV-42-x', 'message')), 'DEV-7: fix\n');
  for (const source of ['merge', 'commit', 'squash'] as const) assert.is(prefillMessage('x\n', on('feature/DEV-42-x', source)), 'x\n');
  assert.is(prefillMessage('x\n', on('fix/UTF-8-bug')), 'x\n');
  assert.is(prefillMessage('x\n', on('feature/OPS-1-x')), 'x\n', 'not a configured project');
  assert.is(prefillMessage('x\n', on(null)), 'x\n', 'detached HEAD');
});
prefill.run();
