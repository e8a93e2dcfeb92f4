import { rm } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commit, createSandbox, git, type Sandbox } from '../../src/sandbox.js';
import type { ChannelResult } from '../../src/release/report.js';
import { commandScript, onBranch, refsOf, runCommandCli, runCutCli, runNotifyCli, withSandbox } from '../helpers/cut.js';
import { basicAuth, FakeHttp, fakeJira, githubRoute, routes, slackRoute, type Received, type Route } from '../helpers/fake-http.js';
import { fixOnMain, runWeekCli, slackPosts, STAGE_SCRIPT, withWeek } from '../week/helpers.js';

const WEBHOOK = '/services/T01/B02/budget-hook-1';
const GITHUB_TOKEN = 'ghp_budgetTest0001';
const JIRA_EMAIL = 'bot@acme.test';
const JIRA_TOKEN = 'jira-budget-token-2';
/** Longer than any test: a service that never answers. */
const NEVER_MS = 600_000;
/**
 * The budgets the tests set: the channels that answer finish well within them even on a loaded
 * machine, the ones that never answer are stopped by them; the per-request timeout is longer, so
 * that only a budget can stop a request.
 */
const CHANNEL_BUDGET_MS = 4000;
const SHARE_BUDGET_MS = 5000;
const LONG_TIMEOUT = { NOTIFY_TIMEOUT_MS: '60000' };

/** Requests that change something in Jira (the search and the JQL parser only read). */
const jiraWrites = (fake: FakeHttp): Received[] =>
  fake.requestsTo('/rest/api/3/').filter((request) => request.method !== 'GET' && !/\/(search\/jql|jql\/parse)(\?|$)/.test(request.path));
const githubRequests = (fake: FakeHttp): Received[] => fake.requestsTo('/repos/');
const slackRequests = (fake: FakeHttp): Received[] => fake.requestsTo(WEBHOOK);

interface Services {
  fake: FakeHttp;
  /** Every channel but email on, pointed at the stand-ins. */
  env: Record<string, string>;
  /** Requests this answers never get an answer (a hung service); change it at any time. */
  hang: (request: Received) => boolean;
}

/** Slack, GitHub and Jira on one local server (`hang` holds the requests it names), and develop with two cards to release. */
async function withServices(test: (services: Services, sandbox: Sandbox) => Promise<void>): Promise<void> {
  const fake = await FakeHttp.start();
  const jira = fakeJira([
    { key: 'EPN-1', summary: 'Login with SSO', type: 'Story', status: 'Done' },
    { key: 'EPN-2', summary: 'Cart empties itself', type: 'Bug', status: 'In Progress' },
  ], { auth: basicAuth(JIRA_EMAIL, JIRA_TOKEN) });
  const services: Services = {
    fake,
    hang: () => false,
    env: {
      JIRA_PROJECT_KEYS: 'EPN', JIRA_BASE_URL: fake.url, JIRA_EMAIL, JIRA_API_TOKEN: JIRA_TOKEN,
      SLACK_WEBHOOK_URL: `${fake.url}${WEBHOOK}`,
      GITHUB_TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: fake.url,
    },
  };
  const hung: Route = (request) => (services.hang(request) ? { status: 200, text: 'ok', delayMs: NEVER_MS } : undefined);
  fake.route = routes(hung, jira.route, slackRoute(WEBHOOK), githubRoute('acme/shop', GITHUB_TOKEN).route);
  try {
    await withSandbox(async (sandbox) => {
      await onBranch(sandbox, 'develop', async () => {
        await commit(sandbox.work, 'EPN-1: sign in with SSO', { 'sso.txt': 'sso\n' });
        await commit(sandbox.work, 'fix: cart\n\nRefs: EPN-2', { 'cart.txt': 'cart\n' });
      });
      await test(services, sandbox);
    });
  } finally {
    await fake.stop();
  }
}

const byChannel = (results: ChannelResult[]): Record<string, ChannelResult> => Object.fromEntries(results.map((result) => [result.channel, result]));

/** The `shared` events of the release's record, as origin has it. */
async function sharedEvents(sandbox: Sandbox, commitSha: string): Promise<{ channel: string; status: string; budget?: unknown; detail: string }[]> {
  const note = (await git(sandbox.origin)`git notes --ref=release-cut show ${commitSha}`).stdout;
  return note.split('\n').slice(1).filter(Boolean).map((line) => JSON.parse(line) as { event: string }).filter((event) => event.event === 'shared') as never;
}

const budget = suite('time budgets: each channel\'s and the whole share\'s');

budget('a channel over its own budget (NOTIFY_CHANNEL_BUDGET_MS) is left undone while the others finish; release:notify then sends only it', () => withServices(async (services, sandbox) => {
  services.hang = (request) => request.path === WEBHOOK;
  const cut = await runCutCli(sandbox, ['--json'], { ...services.env, ...LONG_TIMEOUT, NOTIFY_CHANNEL_BUDGET_MS: String(CHANNEL_BUDGET_MS) });
  assert.is(cut.exitCode, 3, cut.stderr);
  const document = JSON.parse(cut.stdout) as { tag: string; releaseCommit: string; notifications: ChannelResult[] };
  const results = byChannel(document.notifications);
  assert.is(results.slack!.status, 'not-done');
  assert.equal(results.slack!.budget, { setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: CHANNEL_BUDGET_MS });
  assert.match(results.slack!.detail, `not done: the channel's time budget ran out (NOTIFY_CHANNEL_BUDGET_MS=${CHANNEL_BUDGET_MS})`);
  assert.is(results.github!.status, 'sent', results.github!.detail);
  assert.is(results.jira!.status, 'sent', results.jira!.detail);
  assert.match(cut.stderr, `sharing on slack was not done (not done: the channel's time budget ran out (NOTIFY_CHANNEL_BUDGET_MS=${CHANNEL_BUDGET_MS})`);
  assert.match(cut.stderr, `finish it with: npm run release:notify -- ${document.tag}`);
  const recorded = byChannel(await sharedEvents(sandbox, document.releaseCommit) as never);
  assert.is(recorded.slack!.status, 'not-done', 'the record keeps what was left undone');
  assert.equal(recorded.slack!.budget, { setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: CHANNEL_BUDGET_MS });

  services.hang = () => false;
  const [github, jira, slack] = [githubRequests(services.fake).length, jiraWrites(services.fake).length, slackRequests(services.fake).length];
  const finish = await runNotifyCli(sandbox, [document.tag], services.env);
  assert.is(finish.exitCode, 0, finish.stderr);
  assert.equal(finish.stdout.split('\n').filter((line) => !line.includes(': off (')), ['slack: sent (posted (6 blocks))'], 'only the channel left undone is sent');
  assert.is(slackRequests(services.fake).length, slack + 1);
  assert.is(githubRequests(services.fake).length, github, 'GitHub, done by the cut, is not asked again');
  assert.is(jiraWrites(services.fake).length, jira, 'Jira, done by the cut, is not written again');
  const again = await runNotifyCli(sandbox, [document.tag], services.env);
  assert.is(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, 'the release record shows every configured channel sent');
}));

budget('the whole share\'s budget (NOTIFY_BUDGET_MS) stops every channel still going, though their own budget is larger; release:notify finishes exactly those', () => withServices(async (services, sandbox) => {
  // The cut's Jira details (a search) answer; the release in Jira (versions) and GitHub never do.
  services.hang = (request) => request.path.startsWith('/repos/') || request.path.includes('/rest/api/3/project/');
  const cut = await runCutCli(sandbox, ['--json'], { ...services.env, ...LONG_TIMEOUT, NOTIFY_BUDGET_MS: String(SHARE_BUDGET_MS), NOTIFY_CHANNEL_BUDGET_MS: '600000' });
  assert.is(cut.exitCode, 3, cut.stderr);
  const document = JSON.parse(cut.stdout) as { tag: string; releaseCommit: string; notifications: ChannelResult[]; jiraDetails: { available: boolean } };
  assert.ok(document.jiraDetails.available, 'the details were read before the share');
  const results = byChannel(document.notifications);
  assert.is(results.slack!.status, 'sent', results.slack!.detail);
  for (const channel of ['github', 'jira']) {
    assert.is(results[channel]!.status, 'not-done', `${channel}: ${results[channel]!.detail}`);
    assert.equal(results[channel]!.budget, { setting: 'NOTIFY_BUDGET_MS', ms: SHARE_BUDGET_MS }, channel);
    assert.match(results[channel]!.detail, `the whole share's time budget ran out (NOTIFY_BUDGET_MS=${SHARE_BUDGET_MS})`);
  }
  const recorded = byChannel(await sharedEvents(sandbox, document.releaseCommit) as never);
  assert.equal([recorded.slack!.status, recorded.github!.status, recorded.jira!.status], ['sent', 'not-done', 'not-done']);

  services.hang = () => false;
  const slack = slackRequests(services.fake).length;
  const finish = await runNotifyCli(sandbox, [document.tag, '--json'], services.env);
  assert.is(finish.exitCode, 0, finish.stderr);
  const finished = (JSON.parse(finish.stdout) as { notifications: ChannelResult[] }).notifications.filter((result) => result.status !== 'off');
  assert.equal(finished.map((result) => [result.channel, result.status]), [['github', 'sent'], ['jira', 'sent']]);
  assert.is(slackRequests(services.fake).length, slack, 'Slack, posted by the cut, is not posted again');
}));

budget('release:notify counts the Jira details it asks for against the whole share: a Jira that never answers leaves every channel undone, none started', () => withServices(async (services, sandbox) => {
  // Cut with Jira off: the record's report has no details, so release:notify asks Jira for them first.
  const cut = await runCutCli(sandbox, ['--json'], { JIRA_PROJECT_KEYS: 'EPN' });
  assert.is(cut.exitCode, 0, cut.stderr);
  const { tag } = JSON.parse(cut.stdout) as { tag: string };
  services.hang = (request) => request.path.startsWith('/rest/api/3/');
  const share = await runNotifyCli(sandbox, [tag, '--json'], { ...services.env, ...LONG_TIMEOUT, NOTIFY_BUDGET_MS: '1000' });
  assert.is(share.exitCode, 3, share.stderr);
  const results = (JSON.parse(share.stdout) as { notifications: ChannelResult[] }).notifications.filter((result) => result.status !== 'off');
  assert.equal(results.map((result) => [result.channel, result.status, result.budget]), ['slack', 'github', 'jira'].map((channel) => [channel, 'not-done', { setting: 'NOTIFY_BUDGET_MS', ms: 1000 }]));
  assert.is(slackRequests(services.fake).length + githubRequests(services.fake).length, 0, 'no channel started after the details spent the budget');
  assert.match(share.stderr, `release-notify: slack not-done (not done: the whole share's time budget ran out (NOTIFY_BUDGET_MS=1000)) — re-run npm run release:notify -- ${tag} to finish it`);
}));

budget('release:stage shares within the same budgets: a channel over its budget is not done, and re-running the stage finishes only it', () => {
  let hangSlack = false;
  return withWeek(async (week) => {
    await fixOnMain(week, 'fix: EPN-1 login button\n\nRefs: EPN-1', { 'button.txt': 'fixed\n' });
    hangSlack = true;
    const stage = await runWeekCli(STAGE_SCRIPT, week, ['--json'], { ...LONG_TIMEOUT, NOTIFY_CHANNEL_BUDGET_MS: String(CHANNEL_BUDGET_MS) });
    assert.is(stage.exitCode, 3, stage.stderr);
    const results = byChannel((JSON.parse(stage.stdout) as { notifications: ChannelResult[] }).notifications);
    assert.is(results.slack!.status, 'not-done');
    assert.equal(results.slack!.budget, { setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: CHANNEL_BUDGET_MS });
    assert.equal([results.github!.status, results.jira!.status], ['sent', 'sent']);
    assert.match(stage.stderr, 'release-stage: sharing on slack was not done');

    hangSlack = false;
    const [posts, github] = [slackPosts(week).length, githubRequests(week.fake).length];
    const again = await runWeekCli(STAGE_SCRIPT, week, ['--json']);
    assert.is(again.exitCode, 0, again.stderr);
    const finished = (JSON.parse(again.stdout) as { notifications: ChannelResult[] }).notifications.filter((result) => result.status !== 'off');
    assert.equal(finished.map((result) => [result.channel, result.status]), [['slack', 'sent']]);
    assert.is(slackPosts(week).length, posts + 1);
    assert.is(githubRequests(week.fake).length, github, 'the GitHub release, updated by the first stage, is not touched again');
  }, { route: (request) => (hangSlack && request.path.startsWith('/services/') ? { status: 200, text: 'ok', delayMs: NEVER_MS } : undefined) });
});

budget('a bad budget setting is refused in one line naming it and the fix, exit 2, before any request reaches a service', () => withServices(async (services, sandbox) => {
  const before = await refsOf(sandbox.origin);
  const cut = await runCutCli(sandbox, ['--json'], { ...services.env, NOTIFY_CHANNEL_BUDGET_MS: '-5' });
  assert.is(cut.exitCode, 2, cut.stderr);
  const { error } = JSON.parse(cut.stdout) as { error: { message: string; hint: string } };
  assert.is(error.message, 'NOTIFY_CHANNEL_BUDGET_MS must be a whole number of milliseconds above 0, not "-5"');
  assert.is(error.hint, "set it to e.g. NOTIFY_CHANNEL_BUDGET_MS=120000, or leave it unset for the whole share's budget (120000 ms); nothing was sent");
  assert.is(await refsOf(sandbox.origin), before, 'nothing was released');

  const notify = await runNotifyCli(sandbox, ['release/2026-01-01'], { ...services.env, NOTIFY_BUDGET_MS: 'soon' });
  assert.is(notify.exitCode, 2, notify.stderr);
  assert.is(notify.stderr, 'release-notify: NOTIFY_BUDGET_MS must be a whole number of milliseconds above 0, not "soon" — set it to e.g. NOTIFY_BUDGET_MS=120000, or leave it unset for 120000 ms; nothing was sent');

  const promote = await runCommandCli(commandScript('release-promote'), ['--repo', sandbox.work, '--yes'], { ...services.env, NOTIFY_BUDGET_MS: '0' });
  assert.is(promote.exitCode, 2, promote.stderr);
  assert.match(promote.stderr, /^release-promote: NOTIFY_BUDGET_MS must be a whole number of milliseconds above 0, not "0" — /m);
  assert.is(services.fake.received.length, 0, 'no request reached Slack, GitHub or Jira');
}));

budget('release:stage reads the budgets from package.json\'s releaseCut block too, and refuses a bad one there by its key', async () => {
  const sandbox = await createSandbox({ packageJson: { name: 'shop', releaseCut: { notifyBudgetMs: 60000, notifyChannelBudgetMs: '1.5' } } });
  try {
    const stage = await runCommandCli(STAGE_SCRIPT, ['--repo', sandbox.work, '--yes'], {});
    assert.is(stage.exitCode, 2, stage.stderr);
    assert.match(stage.stderr, `release-stage: package.json releaseCut.notifyChannelBudgetMs must be a whole number of milliseconds above 0, not "1.5" — set it to e.g. "notifyChannelBudgetMs": 60000, or leave it unset for the whole share's budget (60000 ms); nothing was sent`);
  } finally {
    await rm(sandbox.root, { recursive: true, force: true });
  }
});

budget.run();
