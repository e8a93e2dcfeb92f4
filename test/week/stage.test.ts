/**
 * release:stage on real git with real HTTP stand-ins: a QA fix on main reaches staging, develop
 * (a merge commit), the release's CHANGELOG section and the record, and is announced once; a
 * conflicting back-merge changes nothing; a failed staging push is finished by a re-run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { parseRecord } from '../../src/record/record.js';
import { commit, git } from '../../src/sandbox.js';
import { onBranch, sha, snapshot } from '../helpers/cut.js';
import { exists, installHook, slowPush, startCutInSession } from '../helpers/faults.js';
import { waitUntil } from '../helpers/wait.js';
import { concurrentSuite } from '../helpers/suite.js';
import { fixOnMain, runWeekCli, slackPosts, STAGE_SCRIPT, withWeek, type Week } from './helpers.js';

const { test, run } = concurrentSuite('release:stage', 3);

const originRecord = async (week: Week) => parseRecord((await git(week.sandbox.origin)`git notes --ref=release-cut show ${week.releaseCommit}`).stdout)!;

test('a QA fix on main: CHANGELOG section extended byte-exactly, develop back-merged with a merge commit, origin and staging pushed, the delta announced once', () => withWeek(async (week) => {
  const changelogBefore = await git(week.sandbox.origin)`git show main:CHANGELOG.md`;
  const fix = await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  const slackBefore = slackPosts(week).length;
  const result = await runWeekCli(STAGE_SCRIPT, week, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const outcome = JSON.parse(result.stdout) as { status: string; headline: string; main: string; develop: string };
  assert.is(outcome.status, 'staged');
  assert.is(outcome.headline, `${week.tag} on staging again: 1 fix, EPN-9`);

  const [main, develop, staging] = await Promise.all([sha(week.sandbox.origin, 'main'), sha(week.sandbox.origin, 'develop'), sha(week.sandbox.staging, 'main')]);
  assert.is(main, outcome.main);
  assert.is(staging, main, 'staging runs main');
  assert.is((await git(week.sandbox.origin)`git rev-list --parents -n 1 ${develop}`).stdout.trim().split(' ').length, 3, 'develop got a merge commit (two parents), not a squash');
  assert.ok((await git(week.sandbox.origin)`git merge-base --is-ancestor ${fix} ${develop}`.nothrow()).exitCode === 0, 'the fix is on develop');

  const changelog = (await git(week.sandbox.origin)`git show main:CHANGELOG.md`).stdout;
  const added = changelog.indexOf(`### Fixed on main since ${week.tag}`);
  assert.ok(added > 0, changelog);
  assert.is(changelog.slice(0, added).trimEnd(), changelogBefore.stdout.trimEnd(), 'the old text is kept and the block is at the end of the release\'s section');
  assert.match(changelog.slice(added), `- [EPN-9](${week.env.JIRA_BASE_URL}/browse/EPN-9)\n  - EPN-9: fix the login button (\`${fix.slice(0, 7)}\`)`);
  assert.is(await readFile(path.join(week.sandbox.work, 'CHANGELOG.md'), 'utf8'), changelog, 'the checked-out main followed');

  const posts = slackPosts(week).slice(slackBefore);
  assert.is(posts.length, 1);
  assert.match(posts[0]!.text, `${week.tag} on staging again: 1 fix, EPN-9`);
  assert.match(week.github.releases.get(week.tag)?.body ?? '', 'EPN-9', 'the GitHub release now lists the fix too');
  assert.match(week.github.releases.get(week.tag)?.body ?? '', 'EPN-1');
  const version = week.jira.versions.find((entry) => entry.name === week.tag)!;
  assert.equal(week.jira.issues.get('EPN-9')!.fixVersions, [version.id], 'the fix card gets the release\'s fixVersion');
  const events = (await originRecord(week)).events.map((event) => (event.event === 'shared' ? `${event.event} ${event.channel} ${event.status}` : event.event));
  assert.ok(events.includes('staged') && events.includes(`shared stage:${main.slice(0, 12)}:slack sent`), events.join(', '));

  const before = await snapshot(week.sandbox);
  const again = await runWeekCli(STAGE_SCRIPT, week);
  assert.is(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, `nothing to stage: main has nothing new since ${week.tag} was last announced`);
  assert.equal(await snapshot(week.sandbox), before);
  assert.is(slackPosts(week).length, slackBefore + 1, 'nothing sent twice');
}));

test('a back-merge that conflicts: nothing changes anywhere, and the message gives the exact commands', () => withWeek(async (week) => {
  await onBranch(week.sandbox, 'develop', () => commit(week.sandbox.work, 'EPN-1: login copy on develop', { 'login.txt': 'develop wording\n' }));
  await fixOnMain(week, 'EPN-9: login copy fixed on main', { 'login.txt': 'main wording\n' });
  const before = await snapshot(week.sandbox);
  const result = await runWeekCli(STAGE_SCRIPT, week, ['--json']);
  assert.is(result.exitCode, 1, result.stderr);
  const document = JSON.parse(result.stdout) as { status: string; conflicts: string[]; error: { message: string; hint: string } };
  assert.is(document.status, 'conflict');
  assert.equal(document.conflicts, ['login.txt']);
  assert.match(document.error.hint, 'git fetch origin && git checkout develop && git merge --no-ff origin/main');
  assert.equal(await snapshot(week.sandbox), before);
}));

test('staging refuses the push: origin is staged, exit 3; a re-run pushes staging and announces once', () => withWeek(async (week) => {
  await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  await installHook(week.sandbox.staging, 'pre-receive', 'echo "staging frozen" >&2; exit 1');
  const slackBefore = slackPosts(week).length;
  const first = await runWeekCli(STAGE_SCRIPT, week);
  assert.is(first.exitCode, 3, first.stderr);
  assert.match(first.stderr, /the push to staging failed \(.*staging frozen/);
  assert.is(slackPosts(week).length, slackBefore, 'nothing announced while staging lacks it');
  assert.ok((await originRecord(week)).events.some((event) => event.event === 'staged'), 'origin has the stage');

  await installHook(week.sandbox.staging, 'pre-receive', 'exit 0');
  const second = await runWeekCli(STAGE_SCRIPT, week);
  assert.is(second.exitCode, 0, second.stderr);
  assert.is(await sha(week.sandbox.staging, 'main'), await sha(week.sandbox.origin, 'main'));
  assert.is(slackPosts(week).length, slackBefore + 1);
  const third = await runWeekCli(STAGE_SCRIPT, week);
  assert.is(third.exitCode, 0, third.stderr);
  assert.is(slackPosts(week).length, slackBefore + 1, 'a third run sends nothing');
}));

test('CI cancels (SIGINT, then SIGTERM) while origin takes the stage: the push finishes, origin is read, and the stage completes', () => withWeek(async (week) => {
  await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  const marks = path.join(week.sandbox.root, 'push');
  await slowPush(week.sandbox.origin, marks, 2, 0);
  const stage = startCutInSession(week.sandbox.work, week.env, [], STAGE_SCRIPT);
  await waitUntil(exists(`${marks}.started`), 'the push to origin to start');
  stage.signalGroup('SIGINT');
  await waitUntil(async () => (await stage.peek()).includes('stopping after the current step'), 'the first signal taken');
  stage.signalGroup('SIGTERM');
  const result = await stage.result;
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, /SIGTERM again: the push to origin is still running; waiting up to 20 s/);
  assert.is(await sha(week.sandbox.staging, 'main'), await sha(week.sandbox.origin, 'main'), 'finished: staging has it too');
  assert.ok((await originRecord(week)).events.some((event) => event.event === 'staged'));
}));

test('two release:stage runs from two clones at once: both exit 0, develop gets one back-merge, the delta is posted once', () => withWeek(async (week) => {
  await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  const clones = await Promise.all(['one', 'two'].map(async (name) => {
    const dir = path.join(week.sandbox.root, name);
    await git(week.sandbox.root)`git clone --quiet ${week.sandbox.origin} ${dir}`;
    await git(dir)`git remote add staging ${week.sandbox.staging}`;
    await git(dir)`git branch --quiet --track develop origin/develop`;
    return { ...week, sandbox: { ...week.sandbox, work: dir } };
  }));
  const slackBefore = slackPosts(week).length;
  const results = await Promise.all(clones.map((clone) => runWeekCli(STAGE_SCRIPT, clone)));
  for (const result of results) assert.is(result.exitCode, 0, result.stderr);
  assert.is(slackPosts(week).length, slackBefore + 1, 'one delta');
  const develop = await sha(week.sandbox.origin, 'develop');
  assert.is((await git(week.sandbox.origin)`git rev-list --count --merges ${week.releaseCommit}..${develop}`).stdout.trim(), '1', 'one back-merge');
  assert.is(await sha(week.sandbox.staging, 'main'), await sha(week.sandbox.origin, 'main'));
  assert.is((await originRecord(week)).events.filter((event) => event.event === 'staged').length, 1);
}));

test('nothing new on main: says so and changes nothing', () => withWeek(async (week) => {
  const before = await snapshot(week.sandbox);
  const result = await runWeekCli(STAGE_SCRIPT, week, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is((JSON.parse(result.stdout) as { status: string }).status, 'nothing-to-stage');
  assert.equal(await snapshot(week.sandbox), before);
}));

run();
