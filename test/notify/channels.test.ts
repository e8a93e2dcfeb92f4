import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveNotifyConfig, type Env } from '../../src/config.js';
import { notifyRelease } from '../../src/notify/notify.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { basicAuth, downUrl, FakeHttp, fakeJira, githubRoute, routes, slackRoute, withFakeHttp as withServer } from '../helpers/fake-http.js';
import { CountingProxy } from '../helpers/proxy.js';
import { SmtpProcess, throwawayCertificate } from '../helpers/smtp.js';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fetchJiraDetails } from '../../src/jira/details.js';

const WEBHOOK = '/services/T000/B000/webhook-secret-xyz';

function report(keys: string[]): ReleaseReport {
  return {
    tag: 'release/2026-11-24', date: '2026-11-24', base: 'main', head: 'develop', baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40),
    range: 'a..b', compareUrl: null, commitCount: keys.length + 1,
    jira: keys.map((key) => ({ key, url: null, commits: [{ sha: 'c'.repeat(40), subject: `${key}: work` }] })),
    withoutJira: [{ sha: 'd'.repeat(40), subject: 'chore: tidy' }], releaseCommit: 'e'.repeat(40), dryRun: false, pushed: { origin: true, staging: true },
  };
}

const channels = suite('sharing channels');

function env(fake: FakeHttp, smtp: SmtpProcess | null, extra: Env = {}): Env {
  return {
    SLACK_WEBHOOK_URL: `${fake.url}${WEBHOOK}`,
    ...(smtp ? { SMTP_URL: smtp.url('mailer', 'smtp-pass-word!'), RELEASE_EMAIL_TO: 'qa@acme.test, "Owner, Product" <po@acme.test>', RELEASE_EMAIL_FROM: 'Release Bot <release@acme.test>', SMTP_REQUIRE_STARTTLS: 'false' } : {}),
    GITHUB_TOKEN: 'ghp_test_token_456', GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: fake.url,
    NOTIFY_TIMEOUT_MS: '2000', NOTIFY_RETRY_MAX_WAIT_MS: '3000',
    ...extra,
  };
}

channels('slack, email over real SMTP (a trusted local relay: SMTP_REQUIRE_STARTTLS=false) and a GitHub Release all go out', async () => {
  const fake = await FakeHttp.start();
  const smtp = await SmtpProcess.start('mailer', 'smtp-pass-word!');
  try {
    const github = githubRoute('acme/shop', 'ghp_test_token_456');
    fake.route = routes(slackRoute(WEBHOOK), github.route);
    const config = resolveNotifyConfig(env(fake, smtp), { jiraBaseUrl: null });
    const lines: string[] = [];
    const results = await notifyRelease(report(['EPN-1']), config, { dryRun: false, say: (line) => lines.push(line), originUrl: null });
    assert.equal(results.map((result) => [result.channel, result.status]), [['slack', 'sent'], ['email', 'sent'], ['github', 'sent'], ['jira', 'off']], JSON.stringify(results));
    assert.is(lines[0], 'share: slack on, email on, github on, jira off (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN not set)');

    const posted = fake.requestsTo(WEBHOOK);
    assert.is(posted.length, 1);
    assert.is(posted[0]!.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(JSON.stringify(posted[0]!.json), 'Release release/2026-11-24');

    const [mail] = await smtp.waitFor(1);
    assert.ok(mail, 'the SMTP server received the message');
    assert.is(mail!.authUser, 'mailer');
    assert.equal(mail!.envelopeTo, ['qa@acme.test', 'po@acme.test'], 'a display name with a comma is one recipient');
    assert.is(mail!.subject, 'Release release/2026-11-24 (2026-11-24): 1 Jira cards, 2 commits');
    assert.match(mail!.text!, 'Jira cards:\n  EPN-1');
    assert.match(mail!.html!, '<h3>Jira cards</h3>');
    assert.is(mail!.contentType?.value, 'multipart/alternative');

    assert.equal(github.releases.get('release/2026-11-24')?.name, 'Release release/2026-11-24 (2026-11-24)');
    assert.equal(results.map((result) => [result.channel, result.ref]), [['slack', undefined], ['email', mail!.messageId], ['github', '1'], ['jira', undefined]], 'each channel says what it made, to find it again');
    assert.is((fake.requestsTo('/repos/')[0]!.json as { target_commitish?: string }).target_commitish, 'e'.repeat(40), 'the tag is made at the release commit if GitHub lacks it');
  } finally {
    await smtp.stop();
    await fake.stop();
  }
});

channels('one failing channel does not stop the others; its reason is given with secrets masked', () => withServer(async (fake) => {
  fake.route = routes(slackRoute(WEBHOOK), (request) => request.path.startsWith('/repos/') ? { status: 401, json: { message: `Bad credentials for ghp_test_token_456` } } : undefined);
  const config = resolveNotifyConfig(env(fake, null), { jiraBaseUrl: null });
  const results = await notifyRelease(report(['EPN-1']), config, { dryRun: false, say: () => {}, originUrl: null });
  assert.equal(results, [
    { channel: 'slack', status: 'sent', detail: 'posted (6 blocks)' },
    { channel: 'email', status: 'off', detail: 'SMTP_URL, RELEASE_EMAIL_TO, RELEASE_EMAIL_FROM not set' },
    { channel: 'github', status: 'failed', detail: 'HTTP 401: Bad credentials for ***' },
    { channel: 'jira', status: 'off', detail: 'JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN not set' },
  ]);
}));

channels('429 with Retry-After is waited out once; beyond the cap the channel fails with the reason', () => withServer(async (fake) => {
  let calls = 0;
  fake.route = (request) => request.path === WEBHOOK ? (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' }, text: 'rate_limited' } : { text: 'ok' }) : undefined;
  const config = resolveNotifyConfig(env(fake, null, { GITHUB_TOKEN: '' }), { jiraBaseUrl: null });
  const started = Date.now();
  const [slack] = await notifyRelease(report(['EPN-1']), config, { channels: ['slack'], dryRun: false, say: () => {}, originUrl: null });
  assert.is(slack!.status, 'sent');
  assert.is(calls, 2);
  assert.ok(Date.now() - started >= 1000, 'honoured Retry-After');

  calls = 0;
  fake.route = (request) => request.path === WEBHOOK ? (calls++, { status: 429, headers: { 'retry-after': '30' }, text: 'rate_limited' }) : undefined;
  const limited = Date.now();
  const [capped] = await notifyRelease(report(['EPN-1']), config, { channels: ['slack'], dryRun: false, say: () => {}, originUrl: null });
  assert.equal(capped, { channel: 'slack', status: 'failed', detail: 'HTTP 429 (rate limited): rate_limited' });
  assert.is(calls, 1, 'a wait beyond NOTIFY_RETRY_MAX_WAIT_MS is not attempted');
  // An upper bound only against the 30 s asked for: a loaded machine is slow, never that slow.
  assert.ok(Date.now() - limited < 30_000, 'did not wait the Retry-After');
}));

channels('5xx is retried briefly; a service that keeps failing gives up with its status', () => withServer(async (fake) => {
  let calls = 0;
  fake.route = (request) => request.path === WEBHOOK ? (++calls < 3 ? { status: 503, text: 'maintenance' } : { text: 'ok' }) : undefined;
  const config = resolveNotifyConfig(env(fake, null, { GITHUB_TOKEN: '' }), { jiraBaseUrl: null });
  const [recovered] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['slack'], say: () => {}, originUrl: null });
  assert.is(recovered!.status, 'sent');
  assert.is(calls, 3);
  calls = 0;
  fake.route = (request) => request.path === WEBHOOK ? (calls++, { status: 500, text: 'boom' }) : undefined;
  const [failed] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['slack'], say: () => {}, originUrl: null });
  assert.equal(failed, { channel: 'slack', status: 'failed', detail: 'HTTP 500: boom' });
  assert.is(calls, 3);
}));

channels('GitHub: a second send updates the existing release (idempotent re-send)', () => withServer(async (fake) => {
  const github = githubRoute('acme/shop', 'ghp_test_token_456');
  fake.route = github.route;
  const config = resolveNotifyConfig(env(fake, null, { SLACK_WEBHOOK_URL: '' }), { jiraBaseUrl: null });
  await notifyRelease(report(['EPN-1']), config, { dryRun: false, say: () => {}, originUrl: null });
  const [again] = await notifyRelease(report(['EPN-1', 'EPN-2']), config, { dryRun: false, say: () => {}, originUrl: null }).then((results) => results.filter((result) => result.channel === 'github'));
  assert.equal(again, { channel: 'github', status: 'sent', detail: 'updated https://github.example/acme/shop/releases/1', ref: '1' }, 'the same release, by its id');
  assert.equal(fake.received.map((request) => `${request.method} ${request.path}`), [
    'POST /repos/acme/shop/releases',
    'POST /repos/acme/shop/releases',
    'GET /repos/acme/shop/releases/tags/release/2026-11-24',
    'PATCH /repos/acme/shop/releases/1',
  ]);
  assert.is(github.releases.size, 1);
  assert.match(github.releases.get('release/2026-11-24')!.body, '**EPN-2**');
}));

channels('the repository comes from the origin URL when GITHUB_REPOSITORY is not set', () => withServer(async (fake) => {
  const github = githubRoute('acme/shop', 'ghp_test_token_456');
  fake.route = github.route;
  const config = resolveNotifyConfig(env(fake, null, { SLACK_WEBHOOK_URL: '', GITHUB_REPOSITORY: '' }), { jiraBaseUrl: null });
  const results = await notifyRelease(report(['EPN-1']), config, { dryRun: false, say: () => {}, originUrl: 'git@github.com:acme/shop.git' });
  assert.is(results.find((result) => result.channel === 'github')!.status, 'sent');
  const none = await notifyRelease(report(['EPN-1']), config, { dryRun: false, say: () => {}, originUrl: '/srv/git/shop.git' });
  assert.match(none.find((result) => result.channel === 'github')!.detail, 'set GITHUB_REPOSITORY');
}));

channels('--dry-run previews every configured channel and sends nothing', async () => {
  const fake = await FakeHttp.start(routes(slackRoute(WEBHOOK)));
  const smtp = await SmtpProcess.start('mailer', 'smtp-pass-word!');
  try {
    const config = resolveNotifyConfig(env(fake, smtp), { jiraBaseUrl: null });
    const results = await notifyRelease(report(['EPN-1']), config, { dryRun: true, say: () => {}, originUrl: null });
    assert.equal(results.map((result) => result.status), ['dry-run', 'dry-run', 'dry-run', 'off']);
    assert.match(results[0]!.preview!, '"type": "header"');
    assert.match(results[1]!.preview!, 'To: qa@acme.test, "Owner, Product" <po@acme.test>\nSubject: Release release/2026-11-24');
    assert.match(results[2]!.preview!, 'POST /repos/acme/shop/releases');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(fake.received.length, 0);
    assert.is(smtp.messages.length, 0);
  } finally {
    await smtp.stop();
    await fake.stop();
  }
});

channels('an SMTP server that refuses the login fails the email channel without printing the password', async () => {
  const smtp = await SmtpProcess.start('mailer', 'the-right-password');
  try {
    const config = resolveNotifyConfig({ SMTP_URL: smtp.url('mailer', 'wrong-pass-9'), SMTP_REQUIRE_STARTTLS: 'false', RELEASE_EMAIL_TO: 'qa@acme.test', RELEASE_EMAIL_FROM: 'release@acme.test', NOTIFY_TIMEOUT_MS: '2000' }, { jiraBaseUrl: null });
    const [email] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['email'], say: () => {}, originUrl: null });
    assert.is(email!.status, 'failed');
    assert.match(email!.detail, /Invalid username or password/);
    assert.not.match(email!.detail, 'wrong-pass-9');
    assert.is(smtp.messages.length, 0);
  } finally {
    await smtp.stop();
  }
});

channels('smtp:// to a server without STARTTLS: nothing is sent and the password never crosses in clear', async () => {
  const smtp = await SmtpProcess.start('mailer', 'pw-in-clear-1');
  try {
    const config = resolveNotifyConfig({ SMTP_URL: `${smtp.url('mailer', 'pw-in-clear-1')}?requireTLS=false&ignoreTLS=true`, RELEASE_EMAIL_TO: 'qa@acme.test', RELEASE_EMAIL_FROM: 'release@acme.test', NOTIFY_TIMEOUT_MS: '2000' }, { jiraBaseUrl: null });
    const [email] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['email'], say: () => {}, originUrl: null });
    assert.is(email!.status, 'failed');
    assert.match(email!.detail, 'did not offer STARTTLS');
    assert.match(email!.detail, 'SMTP_REQUIRE_STARTTLS=false');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(smtp.logins, [], 'the server never received AUTH (the URL\'s query cannot turn the requirement off)');
    assert.is(smtp.messages.length, 0);
  } finally {
    await smtp.stop();
  }
});

channels('GitHub rate limits: a 403 with x-ratelimit-reset is waited out; past the budget the channel fails saying so', () => withServer(async (fake) => {
  const github = githubRoute('acme/shop', 'ghp_test_token_456');
  let limited = 1;
  const rateLimit = (): { status: number; headers: Record<string, string>; json: unknown } => ({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) },
    json: { message: 'API rate limit exceeded for installation ID 1.' },
  });
  fake.route = (request) => request.path.startsWith('/repos/') && limited-- > 0 ? rateLimit() : github.route(request);
  const config = resolveNotifyConfig(env(fake, null, { SLACK_WEBHOOK_URL: '' }), { jiraBaseUrl: null });
  const started = Date.now();
  const [sent] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['github'], say: () => {}, originUrl: null });
  assert.is(sent!.status, 'sent', sent!.detail);
  assert.ok(Date.now() - started >= 900, 'waited for the reset');
  assert.is(fake.requestsTo('/repos/').length, 2);

  fake.route = (request) => request.path.startsWith('/repos/') ? { ...rateLimit(), headers: { 'retry-after': '60' } } : undefined;
  const [failed] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['github'], say: () => {}, originUrl: null });
  assert.equal(failed, { channel: 'github', status: 'failed', detail: 'HTTP 403 (rate limited): API rate limit exceeded for installation ID 1.' });
}));

channels('Slack: a webhook\'s refusal (HTTP 400, its error code as plain text) fails the channel; only an "ok" answer counts as posted', () => withServer(async (fake) => {
  const config = resolveNotifyConfig(env(fake, null, { GITHUB_TOKEN: '' }), { jiraBaseUrl: null });
  fake.route = (request) => request.path === WEBHOOK ? { status: 400, text: 'invalid_blocks' } : undefined;
  const [refused] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['slack'], say: () => {}, originUrl: null });
  assert.equal(refused, { channel: 'slack', status: 'failed', detail: 'HTTP 400: invalid_blocks' });
  fake.route = (request) => request.path === WEBHOOK ? { status: 200, text: '<html>a proxy\'s sign-in page</html>' } : undefined;
  const [proxied] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['slack'], say: () => {}, originUrl: null });
  assert.equal(proxied, { channel: 'slack', status: 'failed', detail: 'Slack did not post the message: <html>a proxy\'s sign-in page</html>' });
  fake.route = slackRoute(WEBHOOK);
  const [posted] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['slack'], say: () => {}, originUrl: null });
  assert.is(posted!.status, 'sent');
}));

channels('a service that echoes the Authorization header: no form of the token reaches the result', () => withServer(async (fake) => {
  fake.route = (request) => ({ status: 500, json: { message: `upstream said: ${request.headers.authorization} ${encodeURIComponent(String(request.headers.authorization))}` } });
  const config = resolveNotifyConfig(env(fake, null, { SLACK_WEBHOOK_URL: '', NOTIFY_RETRY_MAX_WAIT_MS: '0' }), { jiraBaseUrl: null });
  const [github] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['github'], say: () => {}, originUrl: null });
  assert.is(github!.detail, 'HTTP 500: upstream said: Bearer *** Bearer%20***');
}));

channels('failures say enough and no more: an HTML login page is "authentication failed", a 422 names its fields, a 2xx without the release is a failure', () => withServer(async (fake) => {
  const login = '<!DOCTYPE html>\n<html><head><title>Log in with Atlassian account</title></head><body><form action="/login">…</form></body></html>';
  fake.route = () => ({ status: 401, text: login, headers: { 'content-type': 'text/html;charset=UTF-8' } });
  const jira = await fetchJiraDetails(['EPN-1'], { settings: { baseUrl: fake.url, deployment: 'cloud', email: 'bot@acme.test', apiToken: 'jira-token-789' }, limits: { timeoutMs: 2000, maxRetryWaitMs: 0 } });
  assert.is(jira.reason, 'Jira did not answer usefully: HTTP 401: authentication failed');

  const config = resolveNotifyConfig(env(fake, null, { SLACK_WEBHOOK_URL: '' }), { jiraBaseUrl: null });
  fake.route = () => ({ status: 422, json: { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }, { resource: 'Release', code: 'custom', field: 'name', message: 'name is too long' }] } });
  const [invalid] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['github'], say: () => {}, originUrl: null });
  assert.is(invalid!.detail, 'HTTP 422: Validation Failed (target_commitish: invalid, name: name is too long)');

  fake.route = () => ({ status: 200, text: '<html><body>Welcome to the portal</body></html>', headers: { 'content-type': 'text/html' } });
  const [portal] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['github'], say: () => {}, originUrl: null });
  assert.equal(portal, { channel: 'github', status: 'failed', detail: "GitHub answered HTTP 200 without the release (not JSON): is GITHUB_API_URL the API's URL?" });
}));

channels('a server whose TLS certificate is refused is said in words, not in OpenSSL\'s', async () => {
  const certificate = await throwawayCertificate();
  const server = createHttpsServer({ key: readFileSync(certificate.key), cert: readFileSync(certificate.cert) }, (_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = resolveNotifyConfig({ SLACK_WEBHOOK_URL: `${url}${WEBHOOK}`, NOTIFY_RETRY_MAX_WAIT_MS: '0' }, { jiraBaseUrl: null });
    const [slack] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['slack'], say: () => {}, originUrl: null });
    assert.equal(slack, { channel: 'slack', status: 'failed', detail: "the server's TLS certificate was refused: its certificate is self-signed" });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

channels('a mistyped JIRA_TRANSITION fails the jira channel, naming the transitions the workflow offers', () => withServer(async (fake) => {
  const jira = fakeJira([{ key: 'EPN-1', summary: 'Login', type: 'Story', status: 'In Progress' }], { auth: basicAuth('bot@acme.test', 'jira-token-789') });
  fake.route = jira.route;
  const config = resolveNotifyConfig({ JIRA_EMAIL: 'bot@acme.test', JIRA_API_TOKEN: 'jira-token-789', JIRA_TRANSITION: 'Redy for QA' }, { jiraBaseUrl: fake.url });
  const [result] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['jira'], say: () => {}, originUrl: null });
  assert.is(result!.status, 'failed');
  assert.match(result!.detail, /^JIRA_TRANSITION "Redy for QA" is neither a transition nor a status in this Jira; the transitions offered to these cards: Ready for QA, Reopen; version "release\/2026-11-24"/);
}));

channels('a channel that runs out of its time budget says which budget left which cards undone, and a re-send finishes them', () => withServer(async (fake) => {
  const keys = Array.from({ length: 30 }, (_, index) => `EPN-${index + 1}`);
  const jira = fakeJira(keys.map((key) => ({ key, summary: key, type: 'Task', status: 'Done' })), { auth: basicAuth('bot@acme.test', 'jira-token-789') });
  fake.route = (request) => {
    const answer = jira.route(request);
    return answer && request.method === 'PUT' ? { ...answer, delayMs: 100 } : answer;
  };
  const settings = { JIRA_EMAIL: 'bot@acme.test', JIRA_API_TOKEN: 'jira-token-789' };
  const short = resolveNotifyConfig({ ...settings, NOTIFY_CHANNEL_BUDGET_MS: '300' }, { jiraBaseUrl: fake.url });
  const [first] = await notifyRelease(report(keys), short, { dryRun: false, channels: ['jira'], say: () => {}, originUrl: null });
  const spent = "not done: the channel's time budget ran out (NOTIFY_CHANNEL_BUDGET_MS=300)";
  const notDone = first!.cards!.filter((card) => card.did.includes(spent));
  assert.is(first!.status, 'not-done', first!.detail);
  assert.equal(first!.budget, { setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: 300 });
  assert.ok(notDone.length > 0, 'the budget ended the channel before every card was done');
  assert.ok(first!.cards!.every((card) => card.ok || card.did.includes(spent)), 'every card not done says so, none failed');
  assert.match(first!.detail, `; ${notDone.length} cards ${spent}`);
  assert.not.match(first!.detail, '; failed:', 'cards out of time are not listed as failures');

  const [second] = await notifyRelease(report(keys), resolveNotifyConfig(settings, { jiraBaseUrl: fake.url }), { dryRun: false, channels: ['jira'], say: () => {}, originUrl: null });
  assert.is(second!.status, 'sent', second!.detail);
  assert.is(second!.ref, `EPN ${jira.versions[0]!.id}`, 'the version it set, by id');
  assert.ok([...jira.issues.values()].every((issue) => issue.fixVersions!.length === 1), 'every card has the version');
}));

channels('an SMTP server that never greets leaves email not done within its budget, named, instead of a failure', async () => {
  // Accepts the connection and says nothing, as a hung relay does.
  const silent = createTcpServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const smtpUrl = `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const config = resolveNotifyConfig({ SMTP_URL: smtpUrl, SMTP_REQUIRE_STARTTLS: 'false', RELEASE_EMAIL_TO: 'qa@acme.test', RELEASE_EMAIL_FROM: 'release@acme.test', NOTIFY_TIMEOUT_MS: '60000', NOTIFY_CHANNEL_BUDGET_MS: '500' }, { jiraBaseUrl: null });
    const [email] = await notifyRelease(report(['EPN-1']), config, { dryRun: false, channels: ['email'], say: () => {}, originUrl: null });
    assert.equal(email, { channel: 'email', status: 'not-done', detail: "not done: the channel's time budget ran out (NOTIFY_CHANNEL_BUDGET_MS=500) while waiting for an answer", budget: { setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: 500 } });
  } finally {
    silent.close();
  }
});

channels('behind a proxy (HTTP_PROXY or http_proxy) Slack, GitHub and Jira go through it, NO_PROXY hosts go directly, and a proxy that is down fails them', () => withServer(async (fake) => {
  const proxy = await CountingProxy.start();
  try {
    const jira = fakeJira([{ key: 'EPN-1', summary: 'Login', type: 'Story', status: 'Done' }], { auth: basicAuth('bot@acme.test', 'jira-token-789') });
    fake.route = routes(slackRoute(WEBHOOK), githubRoute('acme/shop', 'ghp_test_token_456').route, jira.route);
    const target = new URL(fake.url).host;
    const share = async (extra: Env) => {
      const config = resolveNotifyConfig(env(fake, null, { JIRA_EMAIL: 'bot@acme.test', JIRA_API_TOKEN: 'jira-token-789', ...extra }), { jiraBaseUrl: fake.url });
      const results = await notifyRelease(report(['EPN-1']), config, { dryRun: false, say: () => {}, originUrl: null });
      return Object.fromEntries(results.map((result) => [result.channel, `${result.status}: ${result.detail}`]));
    };

    for (const variable of ['HTTP_PROXY', 'http_proxy']) {
      proxy.seen.length = 0;
      fake.received.length = 0;
      const sent = await share({ [variable]: proxy.url, GITHUB_TOKEN: 'ghp_test_token_456' });
      assert.ok(['slack', 'github', 'jira'].every((channel) => sent[channel]!.startsWith('sent')), JSON.stringify(sent));
      assert.ok(proxy.seen.length > 0, `${variable}: the requests went through the proxy`);
      assert.ok(proxy.seen.every((line) => line.includes(target)), proxy.seen.join('\n'));
      assert.ok(fake.received.length >= 3);
    }

    proxy.seen.length = 0;
    const direct = await share({ HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' });
    assert.ok(direct.slack!.startsWith('sent'), direct.slack);
    assert.equal(proxy.seen, [], 'NO_PROXY names the host: nothing went through the proxy');

    const down = await share({ https_proxy: await downUrl(), HTTP_PROXY: await downUrl(), NOTIFY_RETRY_MAX_WAIT_MS: '0' });
    assert.match(down.slack!, /^failed: could not connect/);
    assert.match(down.jira!, /^failed: /);
  } finally {
    await proxy.stop();
  }
}));

channels.run();
