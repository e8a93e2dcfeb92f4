/**
 * The local stand-ins refuse what the real services refuse, in the services' own answers, and
 * the project's messages get through them at their largest. The limits are the services'
 * documented numbers, written here as literals: a wrong constant in the code fails here.
 */
import * as assert from 'uvu/assert';
import { jiraExpectingOk } from '../../src/jira/client.js';
import { buildGithubRelease, publishGithubRelease } from '../../src/notify/github.js';
import { buildSlackMessage, sendSlackMessage } from '../../src/notify/slack.js';
import { releaseView } from '../../src/notify/view.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { basicAuth, fakeJira, githubRoute, slackRoute, withFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { suite } from '../helpers/suite.js';

const HOOK = '/services/T1/B2/hook';
const LIMITS = { timeoutMs: 5000, maxRetryWaitMs: 0 };

async function post(fake: FakeHttp, path: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  return { status: response.status, text: await response.text() };
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const header = (text: string) => ({ type: 'header', text: { type: 'plain_text', text } });

function report(cards: number, title = 'release/2026-11-24'): ReleaseReport {
  return {
    tag: title, date: '2026-11-24', base: 'main', head: 'develop',
    baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40), range: `${'a'.repeat(40)}..${'b'.repeat(40)}`,
    compareUrl: null, commitCount: cards,
    jira: Array.from({ length: cards }, (_, i) => ({ key: `EPN-${i + 1}`, url: `https://acme.atlassian.net/browse/EPN-${i + 1}`, commits: [{ sha: 'c'.repeat(40), subject: `EPN-${i + 1}: ${'a long subject '.repeat(40)}` }] })),
    withoutJira: [], releaseCommit: 'f'.repeat(40), dryRun: false, pushed: { origin: true, staging: true },
    changelogUrl: 'https://github.com/acme/shop/blob/release/2026-11-24/CHANGELOG.md',
  };
}

const slack = suite('Slack webhook stand-in: the webhook\'s documented answers');

slack('HTTP 400 invalid_payload, no_text, invalid_blocks as plain text; "ok" for a message within Block Kit limits', () => withFakeHttp(async (fake) => {
  fake.route = slackRoute(HOOK);
  const json = (body: unknown): string => JSON.stringify(body);
  const cases: Array<[string, string, string]> = [
    ['not JSON', '{"text": ', 'invalid_payload'],
    ['a JSON list', json([]), 'invalid_payload'],
    ['no text, no blocks', json({}), 'no_text'],
    ['empty text, empty blocks', json({ text: '', blocks: [] }), 'no_text'],
    ['51 blocks (at most 50)', json({ text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }), 'invalid_blocks'],
    ['a header of 151 characters (at most 150)', json({ text: 'x', blocks: [header('h'.repeat(151))] }), 'invalid_blocks'],
    ['a header in mrkdwn (plain_text only)', json({ text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] }), 'invalid_blocks'],
    ['a section of 3001 characters (at most 3000)', json({ text: 'x', blocks: [section('s'.repeat(3001))] }), 'invalid_blocks'],
    ['an empty section text (at least 1)', json({ text: 'x', blocks: [section('')] }), 'invalid_blocks'],
    ['11 section fields (at most 10)', json({ text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }] }), 'invalid_blocks'],
    ['a field of 2001 characters (at most 2000)', json({ text: 'x', blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }] }), 'invalid_blocks'],
    ['a context of 11 elements (at most 10)', json({ text: 'x', blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }] }), 'invalid_blocks'],
    ['a block_id of 256 characters (at most 255)', json({ text: 'x', blocks: [{ type: 'divider', block_id: 'b'.repeat(256) }] }), 'invalid_blocks'],
    ['an unknown block type', json({ text: 'x', blocks: [{ type: 'tabel' }] }), 'invalid_blocks'],
    ['blocks that are not a list', json({ text: 'x', blocks: { type: 'divider' } }), 'invalid_blocks_format'],
  ];
  for (const [name, body, error] of cases) assert.equal(await post(fake, HOOK, body), { status: 400, text: error }, name);
  assert.equal(await post(fake, HOOK, json({ text: 'x' }), 'application/x-www-form-urlencoded'), { status: 400, text: 'invalid_payload' }, 'JSON sent as a form');
  const largest = { text: 'x', blocks: [header('h'.repeat(150)), ...Array.from({ length: 49 }, () => section('s'.repeat(3000)))] };
  assert.equal(await post(fake, HOOK, json(largest)), { status: 200, text: 'ok' }, 'exactly at every limit');
  assert.equal(await post(fake, HOOK, json({ blocks: [section('only blocks')] })), { status: 200, text: 'ok' }, 'blocks without text');
}));

slack('the release message at its largest (3000 cards, long subjects, a 300-character title) is posted', () => withFakeHttp(async (fake) => {
  fake.route = slackRoute(HOOK);
  for (const view of [releaseView(report(3000)), releaseView(report(1, `release/${'x'.repeat(300)}`)), releaseView(report(0))]) {
    assert.match(await sendSlackMessage(buildSlackMessage(view), { webhookUrl: `${fake.url}${HOOK}` }, LIMITS), /^posted \(\d+ blocks\)$/);
  }
}));
slack.run();

const github = suite('GitHub releases stand-in: 125,000-character bodies, target_commitish');
const TOKEN = 'ghp_stand_in_token';
const github_headers = { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

github('a body over 125,000 characters and an unknown target_commitish get GitHub\'s 422; the largest release body is created', () => withFakeHttp(async (fake) => {
  const release = 'e'.repeat(40);
  const stand = githubRoute('acme/shop', TOKEN, { knows: (sha) => sha === release });
  fake.route = stand.route;
  const create = (body: Record<string, unknown>) => post(fake, '/repos/acme/shop/releases', JSON.stringify(body), 'application/json', github_headers);
  const tooLong = await create({ tag_name: 'r1', body: 'b'.repeat(125_001) });
  assert.is(tooLong.status, 422);
  assert.match(tooLong.text, '"message":"body is too long (maximum is 125000 characters)"');
  const unknown = await create({ tag_name: 'r2', body: 'b', target_commitish: 'd'.repeat(40) });
  assert.is(unknown.status, 422);
  assert.match(unknown.text, '"field":"target_commitish"');
  assert.is((await create({ tag_name: 'r3', body: 'b'.repeat(125_000), target_commitish: release })).status, 201, 'exactly 125,000 characters, a known commit');
  assert.is((await create({ tag_name: 'r4', body: 'b', target_commitish: 'main' })).status, 201, 'a branch');

  const view = releaseView({ ...report(4000), releaseCommit: release });
  const built = buildGithubRelease(view);
  assert.match((await publishGithubRelease(built, { token: TOKEN, repository: 'acme/shop', apiUrl: fake.url }, 'acme/shop', LIMITS)).detail, /^created /);
  assert.is(stand.releases.get('release/2026-11-24')?.target_commitish, release);
}));
github.run();

const jira = suite('Jira stand-in: authentication and JSON bodies');

jira('a request without the right credentials gets 401; a body that is not application/json gets 415', () => withFakeHttp(async (fake) => {
  fake.route = fakeJira([{ key: 'EPN-1', summary: 's', type: 'Story', status: 'Done' }], { auth: basicAuth('bot@acme.test', 'tok') }).route;
  const search = JSON.stringify({ jql: 'key in ("EPN-1")', fields: ['summary'] });
  assert.is((await post(fake, '/rest/api/3/search/jql', search, 'application/json', { authorization: basicAuth('bot@acme.test', 'wrong') })).status, 401);
  assert.is((await post(fake, '/rest/api/3/search/jql', search, 'text/plain', { authorization: basicAuth('bot@acme.test', 'tok') })).status, 415);
  assert.is((await post(fake, '/rest/api/3/search/jql', search, 'application/json', { authorization: basicAuth('bot@acme.test', 'tok') })).status, 200);
  const client = { settings: { baseUrl: fake.url, deployment: 'cloud' as const, email: 'bot@acme.test', apiToken: 'tok' }, limits: LIMITS };
  assert.is((await jiraExpectingOk(client, 'POST', 'search/jql', { jql: 'key in ("EPN-1")', fields: ['summary'] })).status, 200, 'the client sends what Jira accepts');
}));
jira.run();
