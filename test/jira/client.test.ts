import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JiraSettings } from '../../src/config.js';
import type { JiraClient } from '../../src/jira/client.js';
import { describeIssue, fetchJiraDetails } from '../../src/jira/details.js';
import { manageJiraRelease } from '../../src/jira/versions.js';
import { basicAuth, downUrl, FakeHttp, fakeJira, routes, withFakeHttp as withServer, type FakeIssue } from '../helpers/fake-http.js';

const LIMITS = { timeoutMs: 1000, maxRetryWaitMs: 2000 };
const EMAIL = 'bot@acme.test';
const TOKEN = 'jira-api-token-123';

function cloud(fake: FakeHttp, limits = LIMITS): JiraClient {
  return { settings: { baseUrl: fake.url, deployment: 'cloud', email: EMAIL, apiToken: TOKEN }, limits };
}

const cards = (count: number, status = 'Done'): FakeIssue[] =>
  Array.from({ length: count }, (_, i) => ({ key: `EPN-${i + 1}`, summary: `Card ${i + 1}`, type: i % 2 ? 'Bug' : 'Story', status, assignee: 'Ana' }));

const search = suite('jira client: the issue search');

search('Cloud: every page is read (nextPageToken until isLast), 50 keys a batch, basic auth with the API token', () => withServer(async (fake) => {
  fake.route = fakeJira(cards(120), { auth: basicAuth(EMAIL, TOKEN), pageSize: 7 }).route;
  const details = await fetchJiraDetails(cards(120).map((card) => card.key), cloud(fake));
  assert.is(details.available, true);
  assert.is(Object.values(details.issues).filter(Boolean).length, 120, 'no card is lost on a later page');
  assert.equal(details.issues['EPN-120'], { summary: 'Card 120', type: 'Bug', status: 'Done', statusCategory: 'done', assignee: 'Ana' });
  const searches = fake.received.filter((request) => !request.path.includes('jql/parse'));
  const bodies = searches.map((request) => request.json as { jql: string; fields: string[]; maxResults: number; nextPageToken?: string });
  assert.ok(searches.every((request) => request.method === 'POST' && request.path === '/rest/api/3/search/jql'));
  assert.is(bodies.length, 8 + 8 + 3, 'pages of 7: 50, 50 and 20 keys');
  assert.is(bodies[0]!.nextPageToken, undefined);
  assert.ok(bodies[1]!.nextPageToken, 'the second page asks with the token of the first');
  assert.equal(bodies[0]!.fields, ['summary', 'issuetype', 'status', 'assignee']);
  assert.is(new Set(bodies.map((body) => body.jql)).size, 3);
}));

search('Cloud: unknown and invisible keys are named by the JQL parser in one request, in any language, and the searches leave them out', async () => {
  const wordings: ((key: string) => string)[] = [
    (key) => `An issue with key '${key}' does not exist for field 'key'.`,
    (key) => `La valeur « ${key} » n'existe pas pour le champ « key ».`,
  ];
  for (const wording of wordings) {
    await withServer(async (fake) => {
      const issues = [...cards(120), { key: 'EPN-777', summary: 'Secret', type: 'Bug', status: 'Done', hidden: true }];
      fake.route = fakeJira(issues, { auth: basicAuth(EMAIL, TOKEN), unknownKeyMessage: wording }).route;
      const keys = [...cards(120).map((card) => card.key), 'EPN-404', 'EPN-777', 'EPN-1200'];
      const details = await fetchJiraDetails(keys, cloud(fake));
      assert.is(details.available, true, details.reason ?? '');
      assert.is(details.issues['EPN-404'], null);
      assert.is(details.issues['EPN-1200'], null, 'EPN-1200 is not EPN-120');
      assert.is(details.issues['EPN-777'], null, 'a card this user may not see is unknown');
      assert.is(Object.values(details.issues).filter(Boolean).length, 120);
      assert.equal(fake.received.map((request) => request.path), ['/rest/api/3/jql/parse?validation=strict', ...Array(3).fill('/rest/api/3/search/jql')], 'one parse, then one search per batch of 50');
      assert.is((fake.received[0]!.json as { queries: string[] }).queries.length, 3);
    });
  }
});

search('a search Jira refuses for a reason other than a key fails once, with Jira\'s reason, without splitting the batch', () => withServer(async (fake) => {
  const jira = fakeJira(cards(3), { auth: basicAuth(EMAIL, TOKEN) });
  fake.route = (request) => request.path.includes('search/jql')
    ? { status: 400, json: { errorMessages: ["Field 'assignee' does not exist or you do not have permission to view it."] } }
    : jira.route(request);
  const details = await fetchJiraDetails(['EPN-1', 'EPN-2', 'EPN-3'], cloud(fake));
  assert.equal(details, { available: false, reason: "Jira did not answer usefully: HTTP 400: Field 'assignee' does not exist or you do not have permission to view it.", issues: {} });
  assert.is(fake.received.length, 2, 'the parse and one search');

  fake.received.length = 0;
  fake.route = (request) => request.path.includes('jql/parse')
    ? { json: { queries: [{ query: 'key in ("EPN-1")', errors: ["Field 'key' is not searchable: the search index is being rebuilt."] }] } }
    : jira.route(request);
  const refused = await fetchJiraDetails(['EPN-1'], cloud(fake));
  assert.is(refused.reason, "Jira did not answer usefully: Jira refused the search: Field 'key' is not searchable: the search index is being rebuilt.");
  assert.is(fake.received.length, 1);
}));

search('a card deleted between the parse and the search: the search is repeated without the key Jira names, once', () => withServer(async (fake) => {
  const jira = fakeJira(cards(5), { auth: basicAuth(EMAIL, TOKEN) });
  fake.route = (request) => {
    if (request.path.includes('search/jql')) jira.issues.get('EPN-3')!.hidden = true;
    return jira.route(request);
  };
  const details = await fetchJiraDetails(cards(5).map((card) => card.key), cloud(fake));
  assert.is(details.available, true, details.reason ?? '');
  assert.is(details.issues['EPN-3'], null);
  assert.is(Object.values(details.issues).filter(Boolean).length, 4);
  assert.is(fake.received.length, 3, 'parse, the refused search, the search without EPN-3');
}));

search('Data Center: REST v2 search paged by startAt, the personal access token as Bearer', () => withServer(async (fake) => {
  fake.route = fakeJira(cards(12), { auth: 'Bearer pat-Z9y8X7', deployment: 'datacenter', pageSize: 2 }).route;
  const client: JiraClient = { settings: { baseUrl: fake.url, deployment: 'datacenter', email: null, apiToken: 'pat-Z9y8X7' }, limits: LIMITS };
  const details = await fetchJiraDetails([...cards(12).map((card) => card.key), 'EPN-99'], client);
  assert.is(details.available, true, details.reason ?? '');
  assert.is(Object.values(details.issues).filter(Boolean).length, 12);
  assert.is(details.issues['EPN-99'], null);
  assert.ok(fake.received.every((request) => request.path === '/rest/api/2/search' && request.headers.authorization === 'Bearer pat-Z9y8X7'));
  assert.ok(fake.received.every((request) => (request.json as { validateQuery: string }).validateQuery === 'warn'), 'an unknown key is a warning, not a refusal');
  assert.is(fake.received.length, 6, 'pages of 2 for the 12 cards: no search is repeated for EPN-99');
  assert.ok(fake.received.some((request) => (request.json as { startAt: number }).startAt > 0), 'a further page was asked for');
}));

search('a Jira that hangs, refuses the credentials or is gone gives "unavailable" within the timeout', () => withServer(async (fake) => {
  fake.route = () => ({ delayMs: 5000, json: {} });
  const started = Date.now();
  const slow = await fetchJiraDetails(['EPN-1'], cloud(fake, { timeoutMs: 200, maxRetryWaitMs: 0 }));
  assert.ok(Date.now() - started < 2000, 'bounded');
  assert.equal(slow, { available: false, reason: 'Jira did not answer usefully: no answer within 200 ms', issues: {} });

  fake.route = fakeJira([], { auth: basicAuth(EMAIL, 'another token') }).route;
  const refused = await fetchJiraDetails(['EPN-1'], cloud(fake));
  assert.is(refused.reason, 'Jira did not answer usefully: HTTP 401: Client must be authenticated to access this resource.');

  let calls = 0;
  fake.route = () => (calls++ === 0 ? { status: 429, headers: { 'retry-after': '0' }, json: { errorMessages: ['Rate limit exceeded.'] } } : undefined);
  const limited = await fetchJiraDetails(['EPN-1'], cloud(fake));
  assert.is(calls, 2, 'a 429 is retried');
  assert.is(limited.reason, 'Jira did not answer usefully: HTTP 404: Not Found');

  const gone = await fetchJiraDetails(['EPN-1'], { settings: { ...cloud(fake).settings, baseUrl: await downUrl() } as JiraSettings, limits: LIMITS });
  assert.match(gone.reason!, /^Jira did not answer usefully: could not connect \(ECONNREFUSED\)$/);
}));

search('an error body that echoes the Authorization header is reduced to its status and a short reason', () => withServer(async (fake) => {
  fake.route = (request) => ({ status: 403, json: { message: `Forbidden for authorization: ${request.headers.authorization}`, request: { headers: request.headers } } });
  const details = await fetchJiraDetails(['EPN-1'], cloud(fake));
  const base64 = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
  assert.is(details.reason, 'Jira did not answer usefully: HTTP 403: Forbidden for authorization: Basic ***');
  assert.not.match(JSON.stringify(details), base64);
}));

const release = suite('jira client: the release in Jira');

const RELEASE = { tag: 'release/2026-11-24', date: '2026-11-24' };
const MIXED: FakeIssue[] = [
  { key: 'EPN-1', summary: 'Login', type: 'Story', status: 'In Progress', fixVersions: [] },
  { key: 'EPN-2', summary: 'Cart', type: 'Bug', status: 'In QA' },
  { key: 'EPN-3', summary: 'Docs', type: 'Task', status: 'Done' },
  { key: 'OPS-7', summary: 'Alerts', type: 'Task', status: 'To Do' },
];

release('a version per project, created once with the release date; every card gets it next to its other versions; the transition where it applies', () => withServer(async (fake) => {
  const jira = fakeJira(MIXED, { auth: basicAuth(EMAIL, TOKEN) });
  jira.versions.push({ id: '19999', name: '2026.11 hardening', projectId: 10_000 });
  jira.issues.get('EPN-1')!.fixVersions = ['19999'];
  fake.route = jira.route;
  const keys = ['EPN-1', 'EPN-2', 'EPN-3', 'OPS-7', 'EPN-404'];
  const outcome = await manageJiraRelease(cloud(fake), { keys, ...RELEASE }, { versionName: '{tag}', transition: 'Ready for QA', transitionFrom: null });
  assert.equal(outcome.projects, { EPN: 'created', OPS: 'created' });
  assert.equal(jira.versions.filter((version) => version.name === RELEASE.tag).map((version) => [version.projectId, version.releaseDate]), [[10_000, '2026-11-24'], [10_001, '2026-11-24']]);
  const epnVersion = jira.versions.find((version) => version.name === RELEASE.tag && version.projectId === 10_000)!.id;
  assert.equal(jira.issues.get('EPN-1')!.fixVersions, ['19999', epnVersion], 'the card keeps its other version');
  assert.equal(outcome.cards.map((card) => [card.key, card.ok, card.did]), [
    ['EPN-1', true, `fixVersion "${RELEASE.tag}" added; moved through "Ready for QA" to "Ready for QA"`],
    ['EPN-2', true, `fixVersion "${RELEASE.tag}" added; "Ready for QA" is not offered from "In QA" (offered: Reopen, Close): left as is`],
    ['EPN-3', true, `fixVersion "${RELEASE.tag}" added; already past "Ready for QA" (Done)`],
    ['OPS-7', true, `fixVersion "${RELEASE.tag}" added; "Ready for QA" is not offered from "To Do" (offered: Start): left as is`],
    ['EPN-404', true, 'not found in Jira: skipped'],
  ]);
  assert.equal([...jira.issues.values()].map((issue) => issue.status), ['Ready for QA', 'In QA', 'Done', 'To Do'], 'only EPN-1 moved; Done was not reopened');
  const edits = fake.received.filter((request) => request.method === 'PUT');
  assert.equal(edits[0]!.json, { update: { fixVersions: [{ add: { id: epnVersion } }] } });

  const writesBefore = fake.received.filter((request) => request.method !== 'GET' && !/\/(search\/jql|jql\/parse\?.*)$/.test(request.path)).length;
  const again = await manageJiraRelease(cloud(fake), { keys, ...RELEASE }, { versionName: '{tag}', transition: 'Ready for QA', transitionFrom: null });
  assert.equal(again.projects, { EPN: 'reused', OPS: 'reused' });
  assert.equal(again.cards.map((card) => card.did.split(';')[0]), [`fixVersion "${RELEASE.tag}" already set`, `fixVersion "${RELEASE.tag}" already set`, `fixVersion "${RELEASE.tag}" already set`, `fixVersion "${RELEASE.tag}" already set`, 'not found in Jira: skipped']);
  assert.match(again.cards[0]!.did, 'already in "Ready for QA"');
  assert.is(fake.received.filter((request) => request.method !== 'GET' && !/\/(search\/jql|jql\/parse\?.*)$/.test(request.path)).length, writesBefore, 'a second run writes nothing');
  assert.is(jira.versions.filter((version) => version.name === RELEASE.tag).length, 2);
}));

release('a card Jira refuses to edit is reported as failed; the others are done', () => withServer(async (fake) => {
  const jira = fakeJira(MIXED, { auth: basicAuth(EMAIL, TOKEN) });
  fake.route = routes((request) => request.method === 'PUT' && request.path.endsWith('/issue/EPN-2')
    ? { status: 403, json: { errorMessages: [`You do not have permission to edit issues (${request.headers.authorization})`] } }
    : undefined, jira.route);
  const outcome = await manageJiraRelease(cloud(fake), { keys: ['EPN-1', 'EPN-2'], ...RELEASE }, { versionName: 'Shop {date}', transition: null, transitionFrom: null });
  assert.equal(outcome.cards.map((card) => [card.key, card.ok]), [['EPN-1', true], ['EPN-2', false]]);
  assert.is(outcome.cards[1]!.did, 'failed: HTTP 403: You do not have permission to edit issues (Basic ***)');
  assert.is(outcome.version, 'Shop 2026-11-24');
}));

release('a JIRA_TRANSITION that names no transition and no status (a typo) is a problem that names what the workflow offers; a real status is not', () => withServer(async (fake) => {
  const jira = fakeJira(MIXED, { auth: basicAuth(EMAIL, TOKEN) });
  fake.route = jira.route;
  const typo = await manageJiraRelease(cloud(fake), { keys: ['EPN-1', 'OPS-7'], ...RELEASE }, { versionName: '{tag}', transition: 'Redy for QA', transitionFrom: null });
  assert.is(typo.problem, 'JIRA_TRANSITION "Redy for QA" is neither a transition nor a status in this Jira; the transitions offered to these cards: Ready for QA, Reopen, Start');
  assert.equal([...jira.issues.values()].map((issue) => issue.status), ['In Progress', 'In QA', 'Done', 'To Do'], 'no card moved');

  const allDone = await manageJiraRelease(cloud(fake), { keys: ['EPN-3'], ...RELEASE }, { versionName: '{tag}', transition: 'In QA', transitionFrom: null });
  assert.is(allDone.problem, undefined, '"In QA" is a status of this Jira, though no card was offered it');
  assert.is(fake.requestsTo('/rest/api/3/status').length, 2, 'the statuses were read once per run: no card was offered the name');
  await manageJiraRelease(cloud(fake), { keys: ['OPS-7'], ...RELEASE }, { versionName: '{tag}', transition: 'Start', transitionFrom: null });
  assert.is(fake.requestsTo('/rest/api/3/status').length, 2, 'a card was offered "Start": the statuses are not read');
}));

release('a version is matched as Jira compares names: another case is reused and said, an archived one is refused, a released one reused with a note', () => withServer(async (fake) => {
  const jira = fakeJira(MIXED, { auth: basicAuth(EMAIL, TOKEN) });
  jira.versions.push({ id: '30001', name: 'Release/2026-11-24', projectId: 10_000, released: true }, { id: '30002', name: RELEASE.tag, projectId: 10_001, archived: true });
  fake.route = jira.route;
  const outcome = await manageJiraRelease(cloud(fake), { keys: ['EPN-1', 'OPS-7'], ...RELEASE }, { versionName: '{tag}', transition: null, transitionFrom: null });
  assert.equal(outcome.projects, {
    EPN: 'reused (named "Release/2026-11-24" in Jira), already marked released in Jira',
    OPS: `failed: version "${RELEASE.tag}" is archived in Jira: unarchive it, or name this release's version otherwise with JIRA_VERSION_NAME`,
  });
  assert.equal(jira.issues.get('EPN-1')!.fixVersions, ['30001']);
  assert.equal(outcome.cards.map((card) => [card.key, card.ok]), [['EPN-1', true], ['OPS-7', false]]);
  assert.is(jira.versions.length, 2, 'no version created beside them');
}));

release('a card moved to another project (EPN-7, now OPS-77) is followed under its new key and said so; only projects that receive cards get a version', () => withServer(async (fake) => {
  const jira = fakeJira([...MIXED, { key: 'OPS-77', summary: 'Moved', type: 'Task', status: 'To Do', formerKeys: ['EPN-7'] }], { auth: basicAuth(EMAIL, TOKEN) });
  fake.route = jira.route;
  const details = await fetchJiraDetails(['EPN-1', 'EPN-7'], cloud(fake));
  assert.equal(details.issues['EPN-7'], { summary: 'Moved', type: 'Task', status: 'To Do', statusCategory: 'new', assignee: null, movedTo: 'OPS-77' });
  assert.is(describeIssue(details.issues['EPN-7']!, details), 'Moved (To Do; now OPS-77)');

  const outcome = await manageJiraRelease(cloud(fake), { keys: ['EPN-7'], ...RELEASE }, { versionName: '{tag}', transition: null, transitionFrom: null });
  assert.equal(outcome.projects, { OPS: 'created' }, 'no stray version in EPN');
  assert.equal(outcome.cards, [{ key: 'EPN-7', ok: true, did: `moved to OPS-77; fixVersion "${RELEASE.tag}" added` }]);
  assert.equal(jira.issues.get('OPS-77')!.fixVersions, [jira.versions[0]!.id]);
}));

release('Data Center: the same steps over REST v2 with the personal access token', () => withServer(async (fake) => {
  const jira = fakeJira(MIXED, { auth: 'Bearer pat-Z9y8X7', deployment: 'datacenter' });
  fake.route = jira.route;
  const client: JiraClient = { settings: { baseUrl: fake.url, deployment: 'datacenter', email: null, apiToken: 'pat-Z9y8X7' }, limits: LIMITS };
  const outcome = await manageJiraRelease(client, { keys: ['EPN-1', 'OPS-7'], ...RELEASE }, { versionName: '{tag}', transition: 'Start', transitionFrom: null });
  assert.equal(outcome.cards.map((card) => card.ok), [true, true]);
  assert.equal(jira.versions.map((version) => version.name), [RELEASE.tag, RELEASE.tag]);
  assert.is(jira.issues.get('OPS-7')!.status, 'In Progress');
  assert.match(outcome.cards[0]!.did, '"Start" is not offered from "In Progress" (offered: Ready for QA, Reopen): left as is');
  assert.ok(fake.received.every((request) => request.path.startsWith('/rest/api/2/')));
}));

release('where the workflow lets a card move back (a global transition), JIRA_TRANSITION_FROM keeps cards past it where they are', () => withServer(async (fake) => {
  const globalWorkflow = [{ id: '21', name: 'Ready for QA', from: [], to: 'Ready for QA' }];
  const jira = fakeJira(MIXED, { auth: basicAuth(EMAIL, TOKEN), workflow: globalWorkflow });
  fake.route = jira.route;
  const outcome = await manageJiraRelease(cloud(fake), { keys: ['EPN-1', 'EPN-2', 'OPS-7'], ...RELEASE }, { versionName: '{tag}', transition: 'Ready for QA', transitionFrom: ['To Do', 'In Progress'] });
  assert.equal([...jira.issues.values()].map((issue) => [issue.key, issue.status]), [['EPN-1', 'Ready for QA'], ['EPN-2', 'In QA'], ['EPN-3', 'Done'], ['OPS-7', 'Ready for QA']]);
  assert.match(outcome.cards[1]!.did, '"In QA" is not one of JIRA_TRANSITION_FROM: left as is');
}));

search.run();
release.run();
