/**
 * The fault matrix: each case builds its fault for real (origin and staging served by
 * `git daemon` outside the cut's process group, hooks that sleep, refuse or drop the connection
 * after applying, a terminal's Ctrl-C to the whole process group, kill -9, fresh clones) and
 * checks the clone, origin and staging, the exit code and the line the user reads first.
 * Independent cases run concurrently: each has its own sandbox and daemon.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { commit, git } from '../../src/sandbox.js';
import { releaseDate } from '../../src/release/plan.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { onBranch, runCutCli, runNotifyCli, sha, snapshot, type CliResult } from '../helpers/cut.js';
import { basicAuth, FakeHttp, jiraRoute, routes, slackRoute } from '../helpers/fake-http.js';
import { dropConnectionAfterApplying, exists, freshClone, GitDaemon, installHook, slowPush, startCutInSession, withDaemonSandbox, type DaemonSandbox } from '../helpers/faults.js';
import { suite } from '../helpers/suite.js';
import { present, SYSTEM_TOOLS, testNeeding } from '../helpers/system-tool.js';
import { waitUntil } from '../helpers/wait.js';

interface Fault extends DaemonSandbox {
  /** Prefix of the files a slow hook touches when it starts and ends. */
  marks: string;
}

/** A sandbox whose origin and staging the clone reaches through `git daemon`, with one reviewed commit on develop. */
function withFault(test: (fault: Fault) => Promise<void>): Promise<void> {
  return withDaemonSandbox((world) => test({ ...world, marks: path.join(world.sandbox.root, 'push') }));
}

const errorLine = (result: CliResult): string => result.stderr.split('\n').find((line) => line.startsWith('release-cut: ')) ?? '';
const firstLine = (text: string): string => text.split('\n')[0] ?? '';
const json = (result: CliResult): ReleaseReport & { status: string } => JSON.parse(result.stdout) as ReleaseReport & { status: string };

async function tagsOf(dir: string): Promise<string[]> {
  return (await git(dir)`git tag --list release/*`).stdout.split('\n').filter(Boolean);
}

/** main and develop of the clone and origin, and staging's main, are all `release`; the tag on origin points at it. */
async function assertReleasedEverywhere(fault: Fault, release: string, work = fault.sandbox.work): Promise<void> {
  const { sandbox, tag } = fault;
  for (const [dir, ref] of [[work, 'main'], [work, 'develop'], [sandbox.origin, 'main'], [sandbox.origin, 'develop'], [sandbox.staging, 'main']] as const) {
    assert.is(await sha(dir, ref), release, `${path.basename(dir)} ${ref}`);
  }
  assert.is(await sha(sandbox.origin, `${tag}^{commit}`), release, 'tag on origin');
  assert.equal(await tagsOf(sandbox.origin), [tag], 'one tag, no .2');
}

const cases: Array<{ name: string; body: () => Promise<void> }> = [];
function fault(name: string, body: () => Promise<void>): void {
  cases.push({ name, body });
}

fault('origin applies the push, then the connection drops: released, staging pushed, exit 0', () => withFault(async (fault) => {
  await dropConnectionAfterApplying(fault.sandbox.origin);
  const result = await runCutCli(fault.sandbox);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(firstLine(result.stdout), `Released ${fault.tag} (${releaseDate(new Date())}): develop -> main`);
  assert.match(result.stderr, /warning: git push reported a failure \(.+\), but origin shows the whole release: carrying on/);
  assert.match(result.stdout, 'Pushed: origin yes, staging yes');
  await assertReleasedEverywhere(fault, await sha(fault.sandbox.work, 'main'));
}));

fault('origin ends up with part of the release (develop moved meanwhile): each ref named, the local release kept, exit 1', () => withFault(async (fault) => {
  const { sandbox } = fault;
  await installHook(sandbox.origin, 'reference-transaction', [
    'if [ "$1" = committed ] && [ -z "$MOVING" ]; then',
    '  MOVING=1 git update-ref refs/heads/develop refs/heads/develop^',
    '  kill -9 "$PPID"',
    'fi',
    'exit 0',
  ].join('\n'));
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1, result.stderr);
  assert.match(errorLine(result), new RegExp(`^release-cut: origin took only part of the release push \\(.+\\): origin has main; origin has ${fault.tag}; origin has refs/notes/release-cut; origin's develop was moved by someone else meanwhile`));
  assert.match(errorLine(result), '— your local branches and tag are kept');
  const kept = await sha(sandbox.work, 'main');
  assert.is(await sha(sandbox.origin, 'main'), kept);
  assert.is(await sha(sandbox.work, `${fault.tag}^{commit}`), kept);
  assert.is(await sha(sandbox.origin, 'develop'), await sha(sandbox.work, 'main^'));
  assert.is.not(await sha(sandbox.staging, 'main'), kept, 'staging is not pushed');
}));

fault('origin refuses the push: its reason (--porcelain) is shown, everything rolled back, exit 1', () => withFault(async (fault) => {
  await installHook(fault.sandbox.origin, 'pre-receive', 'echo "protected branch" >&2; exit 1');
  const before = await snapshot(fault.sandbox);
  const result = await runCutCli(fault.sandbox);
  assert.is(result.exitCode, 1, result.stderr);
  assert.match(errorLine(result), /^release-cut: origin rejected the release push \(.*! \[remote rejected\] main -> main \(pre-receive hook declined\).*\) — nothing was released/);
  assert.match(errorLine(result), 'remote: protected branch');
  assert.equal(await snapshot(fault.sandbox), before);
}));

fault('staging applies the push, then the connection drops: read back from staging, staging yes, exit 0', () => withFault(async (fault) => {
  await dropConnectionAfterApplying(fault.sandbox.staging);
  const result = await runCutCli(fault.sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, /warning: git push reported a failure \(.+\), but staging has [0-9a-f]{7}: carrying on/);
  const report = json(result);
  assert.equal([report.status, report.pushed], ['released', { origin: true, staging: true }]);
  await assertReleasedEverywhere(fault, report.releaseCommit!);
}));

/** A terminal's Ctrl-C (SIGINT to the cut's whole process group) while `bareRepo`'s hook holds the push, which it then answers with `exitCode`. */
async function ctrlCDuringPush(fault: Fault, bareRepo: string, exitCode: 0 | 1): Promise<CliResult> {
  await slowPush(bareRepo, fault.marks, 1, exitCode);
  const cut = startCutInSession(fault.sandbox.work);
  await waitUntil(exists(`${fault.marks}.started`), `the push to ${path.basename(bareRepo)}`);
  cut.signalGroup('SIGINT');
  return cut.result;
}

fault('Ctrl-C (SIGINT to the process group) while origin takes the push: the push is finished, then the release, exit 0', () => withFault(async (fault) => {
  const result = await ctrlCDuringPush(fault, fault.sandbox.origin, 0);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, 'SIGINT: stopping after the current step');
  assert.is(firstLine(result.stdout), `Released ${fault.tag} (${releaseDate(new Date())}): develop -> main`);
  await assertReleasedEverywhere(fault, await sha(fault.sandbox.work, 'main'));
  assert.not.ok(existsSync(path.join(fault.sandbox.work, '.git', 'release-cut.lock')));
}));

fault('CI cancels (SIGINT, then SIGTERM) while origin takes the push: the second signal waits for the push, reads origin, finishes, exit 0', () => withFault(async (fault) => {
  await slowPush(fault.sandbox.origin, fault.marks, 2, 0);
  const cut = startCutInSession(fault.sandbox.work, {}, ['--json']);
  await waitUntil(exists(`${fault.marks}.started`), 'the push to origin');
  cut.signalGroup('SIGINT');
  await waitUntil(async () => (await cut.peek()).includes('stopping after the current step'), 'the first signal taken');
  cut.signalGroup('SIGTERM');
  const result = await cut.result;
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, "SIGTERM again: the push to origin is still running; waiting up to 20 s for it and for origin's answer");
  assert.is(json(result).status, 'released');
  await assertReleasedEverywhere(fault, await sha(fault.sandbox.work, 'main'));
}));

fault('Ctrl-C while origin refuses the push: rolled back exactly, exit 1', () => withFault(async (fault) => {
  const before = await snapshot(fault.sandbox);
  const result = await ctrlCDuringPush(fault, fault.sandbox.origin, 1);
  assert.is(result.exitCode, 1, result.stderr);
  assert.match(errorLine(result), /^release-cut: origin rejected the release push \(.*pre-receive hook declined.*\) — nothing was released/);
  assert.equal(await snapshot(fault.sandbox), before);
}));

fault('Ctrl-C while staging takes the push: finished and shared, exit 0', () => withFault(async (fault) => {
  const result = await ctrlCDuringPush(fault, fault.sandbox.staging, 0);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(firstLine(result.stdout), `Released ${fault.tag} (${releaseDate(new Date())}): develop -> main`);
  assert.match(result.stdout, 'Pushed: origin yes, staging yes');
  await assertReleasedEverywhere(fault, await sha(fault.sandbox.work, 'main'));
}));

fault("Ctrl-C while staging refuses the push: judged by git's exit status, exit 3, staging no", () => withFault(async (fault) => {
  const result = await ctrlCDuringPush(fault, fault.sandbox.staging, 1);
  assert.is(result.exitCode, 3, result.stderr);
  assert.match(errorLine(result), new RegExp(`^release-cut: ${fault.tag} is released on origin, but the push of main to staging failed \\(.*frozen for the test`));
  assert.match(result.stdout, 'Pushed: origin yes, staging no');
  const release = await sha(fault.sandbox.work, 'main');
  assert.is(await sha(fault.sandbox.origin, 'main'), release);
  assert.is.not(await sha(fault.sandbox.staging, 'main'), release);
}));

fault('Ctrl-C during the fetch: the fetch finishes, then the cut stops, nothing changed, exit 130', () => withFault(async (fault) => {
  const w = git(fault.sandbox.work);
  await w`git remote set-url origin ${fault.sandbox.origin}`;
  await w`git config remote.origin.uploadpack ${`sh -c 'touch "${fault.marks}.started"; sleep 1; exec git-upload-pack "$@"' --`}`;
  const before = await snapshot(fault.sandbox);
  const cut = startCutInSession(fault.sandbox.work);
  await waitUntil(exists(`${fault.marks}.started`), 'the fetch');
  cut.signalGroup('SIGINT');
  const result = await cut.result;
  assert.is(result.exitCode, 130, result.stderr);
  assert.match(result.stderr, '✔ fetch origin');
  assert.is(errorLine(result), 'release-cut: interrupted by SIGINT — re-run the cut when ready');
  assert.equal(await snapshot(fault.sandbox), before);
}));

/** kill -9 of the whole cut while origin's hook holds the push, which `exitCode` then answers; returns once the push is over. */
async function killMidPush(fault: Fault, exitCode: 0 | 1): Promise<string> {
  await slowPush(fault.sandbox.origin, fault.marks, 1, exitCode);
  const cut = startCutInSession(fault.sandbox.work);
  await waitUntil(exists(`${fault.marks}.started`), 'the origin push');
  cut.signalGroup('SIGKILL');
  assert.is((await cut.result).exitCode, 137);
  await waitUntil(exists(`${fault.marks}.ended`), 'the origin hook to end');
  const leftover = await sha(fault.sandbox.work, 'main');
  // The detached push outlives the cut: wait for origin's answer to reach it.
  await waitUntil(async () => exitCode === 1 || (await sha(fault.sandbox.origin, 'main')) === leftover, 'origin to show the release');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await rm(path.join(fault.sandbox.origin, 'hooks', 'pre-receive'));
  return leftover;
}

fault('kill -9 mid-push, origin unchanged since: the same clone finishes pushing its own release', () => withFault(async (fault) => {
  const leftover = await killMidPush(fault, 1);
  assert.is.not(await sha(fault.sandbox.origin, 'main'), leftover, 'origin refused it');
  const result = await runCutCli(fault.sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, `finished pushing ${fault.tag}: a previous cut had committed it here but not pushed it`);
  assert.not.match(result.stderr, 'push them through review');
  const report = json(result);
  assert.is(report.status, 'staging-retried');
  assert.equal(report.jira.map((card) => card.key), ['EPN-1'], 'the report comes from the note pushed with the release');
  await assertReleasedEverywhere(fault, leftover);
}));

fault('kill -9 mid-push, a fresh clone releases meanwhile: the old clone removes its leftover, no .2', () => withFault(async (fault) => {
  const leftover = await killMidPush(fault, 1);
  const colleague = await freshClone(fault.sandbox, 'colleague', fault.originUrl, fault.stagingUrl);
  const theirs = await runCutCli({ ...fault.sandbox, work: colleague }, ['--json']);
  assert.is(theirs.exitCode, 0, theirs.stderr);
  assert.is(json(theirs).tag, fault.tag, 'a fresh clone knows nothing of the leftover');
  const released = json(theirs).releaseCommit!;

  const result = await runCutCli(fault.sandbox);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, `removed ${fault.tag} (its release commits and tag): a previous cut had committed it here but not pushed it, and origin has moved on since`);
  assert.is(firstLine(result.stdout), 'nothing to release: develop has no commits that main lacks');
  await assertReleasedEverywhere(fault, released);
  assert.is(await sha(fault.sandbox.work, `${fault.tag}^{commit}`), released, 'the clone now has origin\'s tag');
  assert.is((await git(fault.sandbox.work)`git status --porcelain`).stdout, '', 'work tree clean');
  assert.is.not(released, leftover);
}));

fault('kill -9 mid-push, then branches reset by hand: the orphan tag is removed, no .2', () => withFault(async (fault) => {
  await killMidPush(fault, 1);
  const w = git(fault.sandbox.work);
  await w`git reset --quiet --hard origin/main`;
  await w`git branch --force develop origin/develop`;
  const result = await runCutCli(fault.sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, `removed the tag ${fault.tag}: a previous cut made it here and it was never released`);
  const report = json(result);
  assert.equal([report.status, report.tag], ['released', fault.tag]);
  await assertReleasedEverywhere(fault, report.releaseCommit!);
}));

fault('kill -9 after origin took the push: a fresh clone, then the same clone, push staging with the cards from the note', () => withFault(async (fault) => {
  const leftover = await killMidPush(fault, 0);
  const ci = await freshClone(fault.sandbox, 'ci', fault.originUrl, fault.stagingUrl);
  const retried = await runCutCli({ ...fault.sandbox, work: ci }, ['--json']);
  assert.is(retried.exitCode, 0, retried.stderr);
  const report = json(retried);
  assert.is(report.status, 'staging-retried');
  assert.equal([report.tag, report.commitCount, report.jira.map((card) => card.key)], [fault.tag, 1, ['EPN-1']]);
  await assertReleasedEverywhere(fault, leftover, ci);

  const same = await runCutCli(fault.sandbox);
  assert.is(same.exitCode, 0, same.stderr);
  assert.is(firstLine(same.stdout), 'nothing to release: develop has no commits that main lacks');
  await assertReleasedEverywhere(fault, leftover);
}));

fault('origin unreachable in the middle of the push: local release kept, then a re-run finishes it', () => withFault(async (fault) => {
  await slowPush(fault.sandbox.origin, fault.marks, 5, 0);
  const cut = startCutInSession(fault.sandbox.work);
  await waitUntil(exists(`${fault.marks}.started`), 'the origin push');
  fault.daemon.stop();
  const result = await cut.result;
  assert.is(result.exitCode, 1, result.stderr);
  assert.match(errorLine(result), /^release-cut: the push to origin failed \(.+\) and origin cannot be read to tell whether it took the release/);
  const kept = await sha(fault.sandbox.work, 'main');
  assert.is(await sha(fault.sandbox.work, `${fault.tag}^{commit}`), kept, 'the local release is kept');
  assert.is.not(await sha(fault.sandbox.origin, 'main'), kept);

  await rm(path.join(fault.sandbox.origin, 'hooks', 'pre-receive'));
  const daemon = await GitDaemon.start(fault.sandbox.root);
  try {
    const w = git(fault.sandbox.work);
    await w`git remote set-url origin ${daemon.url(fault.sandbox.origin)}`;
    await w`git remote set-url staging ${daemon.url(fault.sandbox.staging)}`;
    const rerun = await runCutCli(fault.sandbox);
    assert.is(rerun.exitCode, 0, rerun.stderr);
    assert.match(rerun.stderr, `finished pushing ${fault.tag}`);
    assert.is(firstLine(rerun.stdout), `${fault.tag} was already released; pushed it to staging now`);
    await assertReleasedEverywhere(fault, kept);
  } finally {
    daemon.stop();
  }
}));

fault('a fetch refused by git names the ref and why', () => withFault(async (fault) => {
  const w = git(fault.sandbox.work);
  await w`git tag -a -m ${'mine'} release/2020-01-01 main~0`;
  const other = await freshClone(fault.sandbox, 'other', fault.originUrl, fault.stagingUrl);
  await commit(other, 'chore: elsewhere');
  await git(other)`git tag -a -m ${'theirs'} release/2020-01-01`;
  await git(other)`git push --quiet origin refs/tags/release/2020-01-01`;
  const before = await snapshot(fault.sandbox);
  const result = await runCutCli(fault.sandbox);
  assert.is(result.exitCode, 1);
  assert.match(errorLine(result), /^release-cut: git fetch origin failed: .*! \[rejected\] release\/2020-01-01 -> release\/2020-01-01 \(would clobber existing tag\)/);
  assert.equal(await snapshot(fault.sandbox), before);
}));

fault('staging retry and release:notify from fresh clones share the real cards, Jira details included', async () => {
  const fake = await FakeHttp.start();
  fake.route = routes(jiraRoute([{ key: 'EPN-1', summary: 'Login with SSO', type: 'Story', status: 'Done' }], basicAuth('bot@acme.test', 'jira-token')), slackRoute('/hook'));
  const env = {
    JIRA_PROJECT_KEYS: 'EPN', JIRA_BASE_URL: fake.url, JIRA_EMAIL: 'bot@acme.test', JIRA_API_TOKEN: 'jira-token',
    SLACK_WEBHOOK_URL: `${fake.url}/hook`, NOTIFY_TIMEOUT_MS: '3000', NOTIFY_RETRY_MAX_WAIT_MS: '1000',
    // The release in Jira (fixVersion) searches Jira on its own; this case counts the details' searches.
    JIRA_RELEASE: 'off',
  };
  try {
    await withFault(async (fault) => {
      const { sandbox } = fault;
      await installHook(sandbox.staging, 'pre-receive', 'echo "staging is frozen" >&2; exit 1');
      const failed = await runCutCli(sandbox, ['--json'], env);
      assert.is(failed.exitCode, 3, failed.stderr);
      assert.is(fake.requestsTo('/hook').length, 0, 'not shared before staging has it');
      await rm(path.join(sandbox.staging, 'hooks', 'pre-receive'));
      const jiraAsked = fake.requestsTo('/rest/api/3/search/jql').length;

      const ci = await freshClone(sandbox, 'ci', fault.originUrl, fault.stagingUrl);
      const retried = await runCutCli({ ...sandbox, work: ci }, ['--json'], env);
      assert.is(retried.exitCode, 0, retried.stderr);
      const report = json(retried);
      assert.equal([report.status, report.tag, report.jira.map((card) => card.key)], ['staging-retried', fault.tag, ['EPN-1']]);
      assert.match(JSON.stringify(report.jiraDetails), 'Login with SSO');
      await assertReleasedEverywhere(fault, report.releaseCommit!, ci);
      const [shared] = fake.requestsTo('/hook');
      assert.match(JSON.stringify(shared?.json), 'Login with SSO');
      assert.match(JSON.stringify(shared?.json), 'EPN-1');

      const qa = await freshClone(sandbox, 'qa', fault.originUrl, fault.stagingUrl);
      const resent = await runNotifyCli({ ...sandbox, work: qa }, [fault.tag, '--channel', 'slack'], env);
      assert.is(resent.exitCode, 0, resent.stderr);
      assert.match(firstLine(resent.stdout), /^slack: sent/);
      assert.is(fake.requestsTo('/hook').length, 2);
      assert.match(JSON.stringify(fake.requestsTo('/hook')[1]?.json), 'Login with SSO');
      assert.is(fake.requestsTo('/rest/api/3/search/jql').length, jiraAsked, 'the details come from the note, Jira is not asked again');
    });
  } finally {
    await fake.stop();
  }
});

fault('a release without a note (cut by an older version): a fresh clone rebuilds its report from the release commits', () => withFault(async (fault) => {
  const { sandbox } = fault;
  await installHook(sandbox.staging, 'pre-receive', 'exit 1');
  assert.is((await runCutCli(sandbox)).exitCode, 3);
  await rm(path.join(sandbox.staging, 'hooks', 'pre-receive'));
  await git(sandbox.origin)`git update-ref -d refs/notes/release-cut`;
  const ci = await freshClone(sandbox, 'ci', fault.originUrl, fault.stagingUrl);
  const retried = await runCutCli({ ...sandbox, work: ci }, ['--json']);
  assert.is(retried.exitCode, 0, retried.stderr);
  const report = json(retried);
  assert.equal([report.status, report.tag, report.commitCount, report.jira.map((card) => card.key)], ['staging-retried', fault.tag, 1, ['EPN-1']]);
  assert.is(report.range, `${await sha(ci, `${fault.tag}^^1`)}..${await sha(ci, `${fault.tag}^^2`)}`);
  await assertReleasedEverywhere(fault, report.releaseCommit!, ci);
}));

fault('nothing to release while staging lags main: says so and how to sync it', () => withFault(async (fault) => {
  const { sandbox } = fault;
  await onBranch(sandbox, 'main', async () => {
    await git(sandbox.work)`git merge --quiet --ff-only develop`;
    await commit(sandbox.work, 'OPS-1: hotfix straight to main');
  });
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.split('\n').slice(0, 2), [
    'nothing to release: develop has no commits that main lacks',
    'staging is behind main (not a release this cut made); to sync it: git push staging origin/main:refs/heads/main',
  ]);
  await git(sandbox.work)`git push --quiet staging origin/main:refs/heads/main`;
  const synced = await runCutCli(sandbox);
  assert.is(synced.stdout, 'nothing to release: develop has no commits that main lacks');
}));

// Independent cases run concurrently, a few at a time (their hooks sleep); each test reports its own case.
const CONCURRENT = 4;
const faults = suite('release cut: fault matrix');
const TOOLS = [SYSTEM_TOOLS.gitDaemon, SYSTEM_TOOLS.setsid];
const needed = testNeeding(faults, ...TOOLS);
const outcomes = new Map<string, Promise<unknown>>();
faults.before(() => {
  if (!TOOLS.every(present)) return; // each case is skipped (or failed under CI=true) by `needed`
  const waiting: Array<() => void> = [];
  let free = CONCURRENT;
  const slot = (): Promise<void> => {
    if (free === 0) return new Promise((resolve) => waiting.push(resolve));
    free -= 1;
    return Promise.resolve();
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  for (const { name, body } of cases) outcomes.set(name, slot().then(body).then(() => null, (error: unknown) => error).finally(release));
});
for (const { name } of cases) {
  needed(name, async () => {
    const error = await outcomes.get(name);
    if (error) throw error;
  });
}
faults.run();
