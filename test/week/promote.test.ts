/**
 * release:promote on real git with real HTTP: the tested commit reaches production without a
 * force push, refused when main moved past staging, an older tag rolls back as a commit on top,
 * production verified by what a real server serves, the Jira version released, announced once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { parseRecord } from '../../src/record/record.js';
import { commit, git } from '../../src/sandbox.js';
import { onBranch, runCutCli, sha, snapshot } from '../helpers/cut.js';
import { exists, slowPush, startCutInSession } from '../helpers/faults.js';
import { concurrentSuite } from '../helpers/suite.js';
import { waitUntil } from '../helpers/wait.js';
import { fixOnMain, PROMOTE_SCRIPT, runWeekCli, slackPosts, STAGE_SCRIPT, withWeek } from './helpers.js';

const { test, run } = concurrentSuite('release:promote', 3);

async function versionServer(served: () => Promise<string | null>): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    void served().then((commitNow) => {
      if (commitNow === null) {
        response.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commit: commitNow }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('promotes the tested commit: production verified by what it serves, Jira version released, announced once; a re-run does nothing', () => withWeek(async (week) => {
  const { url, server } = await versionServer(() => sha(week.production, 'main').catch(() => null));
  try {
    const slackBefore = slackPosts(week).length;
    const result = await runWeekCli(PROMOTE_SCRIPT, week, ['--json'], { PRODUCTION_URL: url });
    assert.is(result.exitCode, 0, result.stderr);
    const outcome = JSON.parse(result.stdout) as { status: string; pushed: string; deploys: { status: string }[] };
    assert.is(outcome.status, 'promoted');
    assert.is(await sha(week.production, 'main'), week.releaseCommit);
    assert.equal(outcome.deploys.map((check) => check.status), ['verified']);
    assert.is(week.jira.versions.find((version) => version.name === week.tag)?.released, true, 'the Jira version is released');
    const posts = slackPosts(week).slice(slackBefore);
    assert.is(posts.length, 1);
    assert.match(posts[0]!.text, `${week.tag} in production`);
    const events = parseRecord((await git(week.sandbox.origin)`git notes --ref=release-cut show ${week.releaseCommit}`).stdout)!.events.map((event) => event.event);
    assert.ok(events.includes('promoted') && events.includes('verified'), events.join(', '));

    const again = await runWeekCli(PROMOTE_SCRIPT, week, [], { PRODUCTION_URL: url });
    assert.is(again.exitCode, 0, again.stderr);
    assert.match(again.stdout, `nothing to promote: production already runs ${week.tag}`);
    assert.is(slackPosts(week).length, slackBefore + 1, 'not announced twice');
  } finally {
    server.close();
  }
}));

test('CI cancels (SIGINT, then SIGTERM) while production takes the push: the push finishes, production is read, and the promotion is recorded and announced once', () => withWeek(async (week) => {
  const marks = path.join(week.sandbox.root, 'push');
  await slowPush(week.production, marks, 2, 0);
  const slackBefore = slackPosts(week).length;
  const promote = startCutInSession(week.sandbox.work, week.env, [], PROMOTE_SCRIPT);
  await waitUntil(exists(`${marks}.started`), 'the push to production to start');
  promote.signalGroup('SIGINT');
  await waitUntil(async () => (await promote.peek()).includes('stopping after the current step'), 'the first signal taken');
  promote.signalGroup('SIGTERM');
  const result = await promote.result;
  assert.is(await sha(week.production, 'main'), week.releaseCommit, 'the push landed');
  assert.is(result.exitCode, 0, result.stderr);
  const events = parseRecord((await git(week.sandbox.origin)`git notes --ref=release-cut show ${week.releaseCommit}`).stdout)!.events.map((event) => event.event);
  assert.ok(events.includes('promoted'), events.join(', '));
  assert.is(slackPosts(week).length, slackBefore + 1, 'announced once');

  const again = await runWeekCli(PROMOTE_SCRIPT, week);
  assert.is(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, `nothing to promote: production already runs ${week.tag}`);
  assert.is(slackPosts(week).length, slackBefore + 1, 'a re-run sends nothing');
}));

test('main moved past what staging runs: refused, nothing changed; after release:stage it goes through with the fix', () => withWeek(async (week) => {
  await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  const before = await snapshot(week.sandbox);
  const refused = await runWeekCli(PROMOTE_SCRIPT, week);
  assert.is(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, /release-promote: main has moved past what staging runs .* — run npm run release:stage/);
  assert.equal(await snapshot(week.sandbox), before);
  assert.is((await git(week.production)`git for-each-ref`).stdout, '', 'production untouched');

  assert.is((await runWeekCli(STAGE_SCRIPT, week)).exitCode, 0);
  const promoted = await runWeekCli(PROMOTE_SCRIPT, week);
  assert.is(promoted.exitCode, 0, promoted.stderr);
  assert.is(await sha(week.production, 'main'), await sha(week.sandbox.staging, 'main'), 'production runs what QA tested on staging');
}));

test('an older tag is a rollback: said in the plan, pushed as a commit on top (no force), files of that release', () => withWeek(async (week) => {
  assert.is((await runWeekCli(PROMOTE_SCRIPT, week)).exitCode, 0);
  await onBranch(week.sandbox, 'develop', () => commit(week.sandbox.work, 'EPN-1: login v2', { 'login.txt': 'login v2\n' }));
  const second = await runCutCli(week.sandbox, ['--json'], week.env);
  assert.is(second.exitCode, 0, second.stderr);
  await git(week.sandbox.work)`git checkout --quiet main`;
  assert.is((await runWeekCli(PROMOTE_SCRIPT, week)).exitCode, 0);
  const newer = await sha(week.production, 'main');

  const rollback = await runWeekCli(PROMOTE_SCRIPT, week, [week.tag]);
  assert.is(rollback.exitCode, 0, rollback.stderr);
  assert.match(rollback.stderr, `plan: ROLLBACK: production goes back to ${week.tag}`);
  const now = await sha(week.production, 'main');
  assert.is((await git(week.production)`git rev-parse ${now}^`).stdout.trim(), newer, 'on top of what production ran: no force push');
  assert.is((await git(week.production)`git rev-parse ${now}^{tree}`).stdout.trim(), (await git(week.sandbox.origin)`git rev-parse ${week.releaseCommit}^{tree}`).stdout.trim(), 'the older release\'s files');
  assert.is((await git(week.production)`git show ${now}:login.txt`).stdout, 'login\n');
}));

test('production answers 500 with HTML: pushed and recorded, exit 4 naming what it answered', () => withWeek(async (week) => {
  const { url, server } = await versionServer(async () => null);
  try {
    const result = await runWeekCli(PROMOTE_SCRIPT, week, ['--json', '--verify-timeout', '1'], { PRODUCTION_URL: url });
    assert.is(result.exitCode, 4, result.stderr);
    const outcome = JSON.parse(result.stdout) as { deploys: { status: string; lastAnswer: string }[] };
    assert.is(outcome.deploys[0]?.status, 'unverified');
    assert.match(outcome.deploys[0]!.lastAnswer, 'HTTP 500');
    assert.is(await sha(week.production, 'main'), week.releaseCommit);
  } finally {
    server.close();
  }
}));

run();
