import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCommitMessage, exemptionOf, keyOfBranch, revertedShaOf, stripComments, withoutKeyPrefix } from '../src/commit-message.js';
import { resolveCommitConfig } from '../src/config.js';
import { commitAnalyzer } from '../src/release/analyze.js';

const check = suite('checkCommitMessage');
const DEV = { projectKeys: ['DEV'], tagPrefix: 'release/', commentChar: '#' };

check('comments and everything below the scissors line are ignored', () => {
  assert.is(stripComments('DEV-1: x\n# Please enter\n\nbody\n'), 'DEV-1: x\n\nbody');
  assert.is(stripComments('fix: x\n# ------------------------ >8 ------------------------\nDEV-1 in the diff'), 'fix: x');
  assert.is(stripComments('fix: x\n; note', ';'), 'fix: x');
  assert.not.ok(checkCommitMessage('fix: x\n# DEV-1 only in a comment', DEV).ok);
  assert.ok(checkCommitMessage('fix: x\n# DEV-1 kept by git -m', { ...DEV, commentChar: null }).ok, 'a stored message has no comments left');
});

check('exemptions are exact: real merges, git reverts, fixup/squash/amend, the cut\'s own subject', () => {
  const rules = { tagPrefix: 'release/' };
  assert.is(exemptionOf('anything at all', rules, true), 'merge');
  assert.is(exemptionOf("Merge branch 'develop' into main", rules), null, 'a merge subject without a merge');
  assert.is(exemptionOf('Revert "fix: typo"\n\nThis reverts commit 1234567abc.', rules), 'revert');
  assert.is(exemptionOf('Reapply "fix: typo"\n\nThis reverts commit 1234567abc.', rules), 'revert');
  assert.is(exemptionOf('Revert "fix: typo"', rules), null, 'no "This reverts commit" line');
  assert.is(exemptionOf('Revert typo\n\nThis reverts commit 1234567abc.', rules), null);
  assert.is(exemptionOf('amend! fix: typo', rules), 'fixup');
  assert.is(exemptionOf('fixup!typo', rules), null);
  assert.is(exemptionOf('chore(release): release/2026-11-24', rules), 'release');
  assert.is(exemptionOf('chore(release): release/2026-11-24.2', rules), 'release');
  assert.is(exemptionOf('chore(release): anything', rules), null);
  assert.is(exemptionOf('chore(release): release/2026-11-24 and more', rules), null);
  assert.is(exemptionOf('chore(release): v2026-11-24', { tagPrefix: 'v' }), 'release');
  assert.is(exemptionOf('chore(release): vX2026-11-24', { tagPrefix: 'v.' }), null, 'the prefix is literal');
});

check('a rejection says what is missing', () => {
  const verdict = checkCommitMessage('fix: login', DEV);
  assert.equal(verdict, { ok: false, problem: 'the commit message has no Jira key (DEV)' });
  const lower = checkCommitMessage('dev-7: login', DEV);
  assert.is(!lower.ok && lower.problem, '"dev-7" is not a Jira key: keys are uppercase (DEV-7)');
  const empty = checkCommitMessage('# only a comment\n', DEV);
  assert.is(!empty.ok && empty.problem, 'the commit message is empty');
});
check('CRLF messages read as git stores them; a merge needs no key; the projects are named in the refusal', () => {
  assert.is(stripComments('DEV-1: x\r\n# comment\r\n\r\nbody\r\n'), 'DEV-1: x\n\nbody');
  assert.equal(checkCommitMessage('fix: x\r\n\r\nDEV-1\r\n', { ...DEV, commentChar: null }), { ok: true, reason: 'key' });
  assert.equal(checkCommitMessage('Merge branch \'x\'', { ...DEV, merge: true }), { ok: true, reason: 'merge' });
  assert.equal(checkCommitMessage(' \r\n\n', { ...DEV, commentChar: null }), { ok: false, problem: 'the commit message is empty' });
  assert.equal(checkCommitMessage('fix: x', { ...DEV, projectKeys: ['DEV', 'OPS'] }), { ok: false, problem: 'the commit message has no Jira key (DEV, OPS)' });
  assert.equal(checkCommitMessage('fix: x', { ...DEV, projectKeys: null }), { ok: false, problem: 'the commit message has no Jira key (any Jira project)' });
  assert.equal(checkCommitMessage('fix: dev-7 and DEV-8 elsewhere', { ...DEV, commentChar: null, projectKeys: ['OPS'] }), { ok: false, problem: 'DEV-8 is not a key of a configured project (OPS): the commit message has no Jira key of those' }, 'a key of another project is named as such');
});

check('the exact shapes: a revert names a full or abbreviated sha (7 to 64 hex digits); the cut\'s date and counter', () => {
  const rules = { tagPrefix: 'release/' };
  assert.is(exemptionOf('Revert "x"\n\nThis reverts commit 123456a.', rules), 'revert');
  assert.is(exemptionOf('Revert "x"\n\nThis reverts commit 123456.', rules), null, 'six digits are no sha');
  assert.is(exemptionOf(`Revert "x"\n\nThis reverts commit ${'a'.repeat(64)}.`, rules), 'revert');
  assert.is(exemptionOf('Revert "x"\n\nThis reverts commit 123456G.', rules), null);
  assert.is(exemptionOf('Revert "x" again\n\nThis reverts commit 1234567.', rules), null);
  assert.is(exemptionOf('Revert "x"\n\nSee: This reverts commit 1234567.', rules), null, 'the line starts with it');
  for (const [subject, expected] of [
    ['chore(release): release/2026-11-24.12', 'release'], ['chore(release): release/2026-11-24.0', null], ['chore(release): release/2026-11-24.', null],
    ['chore(release): release/26-11-24', null], ['chore(release): release/2026-1-24', null], ['chore(release): release/2026-11-2', null],
    ['chore(release): release/20261-11-24', null], ['xchore(release): release/2026-11-24', null], ['chore(release):  release/2026-11-24', null],
    ['chore(release)x release/2026-11-24', null], ['squash! x', 'fixup'], ['fixup! x', 'fixup'], ['a fixup! x', null],
  ] as const) assert.is(exemptionOf(subject, rules), expected, subject);
  assert.is(exemptionOf('chore(release): a+b2026-11-24', { tagPrefix: 'a+b' }), 'release', 'a + in the prefix is literal');
  assert.is(exemptionOf('chore(release): aab2026-11-24', { tagPrefix: 'a+b' }), null);
});
check.run();

const branches = suite('keyOfBranch: keys as people type them');
const branchCases: Array<[string, string | null]> = [
  ['feature/DEV-42-login-fix', 'DEV-42'],
  ['bugfix/dev-321-x', 'DEV-321'],
  ['hotfix/DEV-12_fix', 'DEV-12'],
  ['feature/dev-7.retry', 'DEV-7'],
  ['feature/DEV-7-DEV-8-shared', 'DEV-7'],
  ['fix/UTF-8-export', null],
  ['feature/OPS-1-theirs', null],
  ['feature/devx-1', null],
];
branches('the first key, uppercase, with - _ . as separators', () => {
  for (const [branch, key] of branchCases) assert.is(keyOfBranch(branch, ['DEV']), key, branch);
  assert.is(keyOfBranch(null, ['DEV']), null, 'detached HEAD');
});

branches('no project list: only a key that starts a segment, never one made of a version; bot branches have none', () => {
  const cases: Array<[string, string | null]> = [
    ['renovate/eslint-9.x', null],
    ['dependabot/npm_and_yarn/axios-1.7.4', null],
    ['feature/bump-node-20', null],
    ['release/v2-3', null],
    ['feature/eslint-9.x', null],
    ['feature/ABC-12-login', 'ABC-12'],
    ['bugfix/abc-12.retry', 'ABC-12'],
    ['ABC-7_fix', 'ABC-7'],
    ['feature/fix-ABC-12', null],
    ['feature/ABC-12.3-x', null],
    ['feature/V12-3-x', null],
    ['feature/AV2-3-x', 'AV2-3'],
  ];
  for (const [branch, key] of cases) assert.is(keyOfBranch(branch, null), key, branch);
  assert.is(keyOfBranch('feature/bump-node-20', []), null, 'an empty project list reads branches as no list does');
  assert.is(keyOfBranch('dependabot/npm_and_yarn/DEV-1.2', ['DEV']), null, 'bot branches, whatever the project list');
});
branches.run();

const reverts = suite('revertedShaOf: the sha git revert names');

reverts('the sha at the start of a line, 7 to 64 hex digits, whole; anything else names none', () => {
  assert.is(revertedShaOf('Revert "x"\n\nThis reverts commit ed7ad6d.'), 'ed7ad6d');
  assert.is(revertedShaOf(`Revert "x"\n\nThis reverts commit ${'a'.repeat(40)}.`), 'a'.repeat(40));
  assert.is(revertedShaOf('fix: y\n\nSee: This reverts commit ed7ad6d.'), null, 'not at the start of a line');
  assert.is(revertedShaOf('Revert "x"\n\nThis reverts commit ed7ad.'), null, 'too short to name a commit');
  assert.is(revertedShaOf('Revert "x"\n\nThis reverts commit the old login.'), null);
});

reverts.run();

const placements = suite('the cut reads type and breaking change from every key placement');
placements('conventional, prefix, scope, trailer, and older DEV-321: feat(x): history', () => {
  const analyze = commitAnalyzer({ jiraProjectKeys: ['DEV'], jiraBaseUrl: 'https://acme.atlassian.net', jiraHosts: [] });
  const facts = (subject: string, body = '') => analyze({ sha: 'a'.repeat(40), parents: [], subject, message: body ? `${subject}\n\n${body}` : subject });
  for (const subject of ['feat(auth)!: DEV-321 drop v1 tokens', 'DEV-321: feat(auth)!: drop v1 tokens', 'feat(DEV-321)!: drop v1 tokens']) {
    const read = facts(subject);
    assert.is(read.type, 'feat', subject);
    assert.equal(read.keys, ['DEV-321'], subject);
    assert.is(read.breaking.length, 1, subject);
    assert.ok(read.breaking[0]!.endsWith('drop v1 tokens'), subject);
  }
  const trailer = facts('fix(auth): expire sessions', 'Refs: DEV-322');
  assert.is(trailer.type, 'fix');
  assert.equal(trailer.keys, ['DEV-322']);
  assert.is(facts('DEV-1, DEV-2: fix: shared').type, 'fix');
  assert.is(facts('[DEV-3] perf: faster').type, 'perf');
  assert.is(facts('DEV-4: add login').type, 'other');
  assert.is(withoutKeyPrefix('DEV-4 is not a prefix: x'), 'DEV-4 is not a prefix: x');
});
placements.run();

const commitConfig = suite('resolveCommitConfig: only what the hooks need');
commitConfig('a malformed release setting does not matter; a bad placement is named with the fix', () => {
  const config = resolveCommitConfig({ JIRA_BASE_URL: 'not a url', SLACK_WEBHOOK_URL: '::' }, { jiraProjectKeys: ['DEV'], jiraBaseUrl: '::', tagPrefix: 'v' });
  assert.equal(config, { jiraProjectKeys: ['DEV'], tagPrefix: 'v', commitKeyPlacement: 'conventional' });
  assert.throws(() => resolveCommitConfig({}, { commitKeyPlacement: 'sideways' }), /"sideways" is not a placement/);
  assert.throws(() => resolveCommitConfig({ JIRA_PROJECT_KEYS: 'dev' }, {}), /"dev" is not a Jira project key/);
});
commitConfig.run();
