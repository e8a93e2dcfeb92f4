import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commit, git, type Sandbox } from '../../src/sandbox.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { onBranch, runCutCli, runNotifyCli, sha, snapshot, withSandbox, type CliResult } from '../helpers/cut.js';
import { basicAuth, downUrl, FakeHttp, githubRoute, jiraRoute, routes, slackRoute, type Route } from '../helpers/fake-http.js';
import { SmtpProcess } from '../helpers/smtp.js';

const SECRETS = {
  jiraToken: 'jira-tok-Q7f3kP9zR2',
  webhookSecret: 'hook-sec-W8m4XbN1',
  smtpPassword: 'smtp-pw-H6v2&Lq0',
  githubToken: 'ghp_secretGH5t8Y1',
};
const WEBHOOK = `/services/T01/B02/${SECRETS.webhookSecret}`;
const ISSUES = [
  { key: 'EPN-1', summary: 'Login with SSO', type: 'Story', status: 'Done', assignee: 'Ana' },
  { key: 'EPN-2', summary: 'Cart empties itself', type: 'Bug', status: 'In QA' },
];

interface Services {
  fake: FakeHttp;
  smtp: SmtpProcess;
  github: ReturnType<typeof githubRoute>;
  env: Record<string, string>;
}

/** Jira, Slack and GitHub on one local HTTP server, a real SMTP server process, and the env pointing at them. */
async function withServices(test: (services: Services, sandbox: Sandbox) => Promise<void>, jira?: (defaultRoute: Route) => Route): Promise<void> {
  const fake = await FakeHttp.start();
  const smtp = await SmtpProcess.start('mailer', SECRETS.smtpPassword);
  const github = githubRoute('acme/shop', SECRETS.githubToken);
  const jiraDefault = jiraRoute(ISSUES, basicAuth('bot@acme.test', SECRETS.jiraToken));
  fake.route = routes(jira ? jira(jiraDefault) : jiraDefault, slackRoute(WEBHOOK), github.route);
  const env = {
    JIRA_PROJECT_KEYS: 'EPN',
    JIRA_BASE_URL: fake.url,
    JIRA_EMAIL: 'bot@acme.test',
    JIRA_API_TOKEN: SECRETS.jiraToken,
    SLACK_WEBHOOK_URL: `${fake.url}${WEBHOOK}`,
    SMTP_URL: smtp.url('mailer', SECRETS.smtpPassword),
    RELEASE_EMAIL_TO: 'qa@acme.test',
    RELEASE_EMAIL_FROM: 'release@acme.test',
    GITHUB_TOKEN: SECRETS.githubToken,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: fake.url,
    NOTIFY_TIMEOUT_MS: '3000',
    NOTIFY_RETRY_MAX_WAIT_MS: '1000',
  };
  try {
    await withSandbox(async (sandbox) => {
      await onBranch(sandbox, 'develop', async () => {
        await commit(sandbox.work, 'EPN-1: sign in with SSO', { 'sso.txt': 'sso\n' });
        await commit(sandbox.work, 'fix: cart\n\nRefs: EPN-2', { 'cart.txt': 'cart\n' });
        await commit(sandbox.work, 'EPN-404: a card nobody filed', { 'ghost.txt': 'ghost\n' });
        await commit(sandbox.work, 'chore: tidy up', { 'tidy.txt': 'tidy\n' });
      });
      await test({ fake, smtp, github, env }, sandbox);
    });
  } finally {
    await smtp.stop();
    await fake.stop();
  }
}

const report = (result: CliResult): ReleaseReport & { status: string } => JSON.parse(result.stdout) as ReleaseReport & { status: string };

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every place a secret could leak to: the CLI's output, every file of the sandbox, the repositories' history. */
async function assertNoSecrets(sandbox: Sandbox, outputs: CliResult[]): Promise<void> {
  const places: [string, string][] = outputs.flatMap((output, i) => [[`stdout ${i}`, output.stdout], [`stderr ${i}`, output.stderr]] as [string, string][]);
  for (const file of await filesUnder(sandbox.root)) places.push([file, await readFile(file, 'latin1')]);
  for (const repo of [sandbox.work, sandbox.origin, sandbox.staging]) {
    places.push([`git log ${repo}`, (await git(repo)`git log --all -p --format=fuller`).stdout]);
  }
  assert.ok(places.length > 20, 'the sandbox files were read');
  const forms = Object.values(SECRETS).flatMap((secret) => [secret, encodeURIComponent(secret)]);
  for (const [where, text] of places) {
    for (const secret of forms) assert.not.ok(text.includes(secret), `${secret} leaked into ${where}`);
  }
}

const share = suite('release cut: Jira details and sharing');

share('all channels succeed: Jira details group the CHANGELOG and every message; no secret is printed or written', () => withServices(async ({ fake, smtp, github, env }, sandbox) => {
  const result = await runCutCli(sandbox, ['--json'], env);
  assert.is(result.exitCode, 0, result.stderr);
  const released = report(result);
  assert.equal(released.notifications?.map((n) => [n.channel, n.status]), [['slack', 'sent'], ['email', 'sent'], ['github', 'sent']]);
  assert.equal(released.jiraDetails?.issues['EPN-404'], null);
  assert.is(fake.requestsTo('/rest/api/3/search/jql').length, 2, 'one search, then once more without the key Jira does not know');
  assert.match(result.stderr, 'share: slack on, email on, github on');

  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, `### Stories\n\n- [EPN-1](${fake.url}/browse/EPN-1) Login with SSO (Done)\n  - EPN-1: sign in with SSO`);
  assert.match(changelog, `### Bugs\n\n- [EPN-2](${fake.url}/browse/EPN-2) Cart empties itself (In QA)`);
  assert.match(changelog, `### Unknown to Jira\n\n- [EPN-404](${fake.url}/browse/EPN-404) not found in Jira`);
  assert.ok(changelog.indexOf('### Stories') < changelog.indexOf('### Bugs') && changelog.indexOf('### Bugs') < changelog.indexOf('### Unknown to Jira'));

  const slack = JSON.stringify(fake.requestsTo(WEBHOOK)[0]?.json);
  assert.match(slack, '*Stories*\\n• <' + `${fake.url}/browse/EPN-1|EPN-1> Login with SSO (Done)`);
  assert.match(slack, '1 commit without a Jira key');
  const [mail] = await smtp.waitFor(1);
  assert.match(mail?.text ?? '', 'Bugs:\n  EPN-2 Cart empties itself (In QA)');
  assert.match(mail?.html ?? '', '<h3>Stories</h3>');
  const body = github.releases.get(released.tag)?.body ?? '';
  assert.match(body, '### Unknown to Jira');

  const saved = JSON.parse(await readFile(path.join(sandbox.work, 'release-reports', `${released.tag.replace('/', '-')}.json`), 'utf8')) as ReleaseReport;
  assert.equal(saved.notifications, released.notifications);
  await assertNoSecrets(sandbox, [result]);
}));

share('a failing channel does not undo the release: the others send, the cut exits 3 naming it; release:notify retries it alone', () => {
  let githubDown = true;
  return withServices(async ({ fake, smtp, github, env }, sandbox) => {
    fake.route = routes((request) => githubDown && request.path.startsWith('/repos/')
      ? { status: 502, json: { message: `upstream failed for token ${SECRETS.githubToken}` } }
      : undefined, fake.route);
    const result = await runCutCli(sandbox, ['--json'], env);
    assert.is(result.exitCode, 3, result.stderr);
    const released = report(result);
    assert.match(result.stderr, `release-cut: ${released.tag} is released, but sharing on github failed (HTTP 502: upstream failed for token ***) — fix it, then: npm run release:notify -- ${released.tag} --channel github`);
    assert.equal(released.notifications?.map((n) => n.status), ['sent', 'sent', 'failed']);
    assert.equal(released.pushed, { origin: true, staging: true });
    assert.is(await sha(sandbox.origin, `${released.tag}^{commit}`), released.releaseCommit, 'the release stays on origin');
    assert.is(await sha(sandbox.staging, 'main'), released.releaseCommit);
    assert.is(fake.requestsTo(WEBHOOK).length, 1);
    assert.is((await smtp.waitFor(1)).length, 1);

    githubDown = false;
    const slackBefore = fake.requestsTo(WEBHOOK).length;
    const jiraBefore = fake.requestsTo('/rest/api/3/search/jql').length;
    const resent = await runNotifyCli(sandbox, [released.tag, '--channel', 'github'], env);
    assert.is(resent.exitCode, 0, resent.stderr);
    assert.match(resent.stdout, /^github: sent \(created https:\/\/github\.example\/acme\/shop\/releases\/1\)$/);
    assert.is(fake.requestsTo(WEBHOOK).length, slackBefore, 'slack is not sent again');
    assert.is(fake.requestsTo('/rest/api/3/search/jql').length, jiraBefore, 'the saved details are reused');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(smtp.messages.length, 1, 'no second email');
    assert.match(github.releases.get(released.tag)?.body ?? '', 'Login with SSO (Done)');
    const saved = JSON.parse(await readFile(path.join(sandbox.work, 'release-reports', `${released.tag.replace('/', '-')}.json`), 'utf8')) as ReleaseReport;
    assert.equal(saved.notifications?.map((n) => [n.channel, n.status]), [['slack', 'sent'], ['email', 'sent'], ['github', 'sent']]);
    await assertNoSecrets(sandbox, [result, resent]);
  });
});

share('Jira that does not answer in time: the cut still releases and shares, saying details were unavailable', () => withServices(async ({ fake, env }, sandbox) => {
  const started = Date.now();
  const result = await runCutCli(sandbox, ['--json'], { ...env, NOTIFY_TIMEOUT_MS: '300' });
  assert.is(result.exitCode, 0, result.stderr);
  assert.ok(Date.now() - started < 15_000);
  const released = report(result);
  assert.equal(released.jiraDetails, { available: false, reason: 'Jira did not answer usefully: no answer within 300 ms', issues: {} });
  assert.match(result.stderr, 'warning: Jira did not answer usefully: no answer within 300 ms; the report lists keys and commit subjects only');
  assert.equal(released.notifications?.map((n) => n.status), ['sent', 'sent', 'sent']);
  const slack = JSON.stringify(fake.requestsTo(WEBHOOK)[0]?.json);
  assert.match(slack, 'Jira details were unavailable (Jira did not answer usefully: no answer within 300 ms)');
  assert.match(slack, `*Jira cards*\\n• <${fake.url}/browse/EPN-1|EPN-1> EPN-1: sign in with SSO`);
  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, '### Jira cards');
  assert.not.match(changelog, '### Stories');
}, () => (request) => request.path.startsWith('/rest/api/3/') ? { delayMs: 10_000, json: {} } : undefined));

share('Jira gone (connection refused) and Jira not configured: released, details unavailable, exit 0', () => withServices(async ({ env }, sandbox) => {
  const result = await runCutCli(sandbox, ['--json'], { ...env, JIRA_BASE_URL: await downUrl() });
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(report(result).jiraDetails?.reason ?? '', /^Jira did not answer usefully: could not connect \(ECONNREFUSED\)$/);

  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: more SSO'));
  const unconfigured = await runCutCli(sandbox, ['--json'], { ...env, JIRA_API_TOKEN: '' });
  assert.is(unconfigured.exitCode, 0, unconfigured.stderr);
  assert.is(report(unconfigured).jiraDetails?.reason, 'Jira is not configured: JIRA_API_TOKEN not set');
}));

share('--dry-run prints what each channel would send and sends nothing', () => withServices(async ({ fake, smtp, env }, sandbox) => {
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox, ['--dry-run'], { ...env, GITHUB_TOKEN: '' });
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, '--- slack would send ---\n{\n  "text": "Release release/');
  assert.match(result.stdout, '--- email would send ---\nTo: qa@acme.test\nSubject: Release release/');
  assert.match(result.stdout, '--- github: off (GITHUB_TOKEN not set) ---');
  assert.match(result.stderr, 'share: slack on, email on, github off (GITHUB_TOKEN not set)');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(fake.received.filter((request) => !request.path.startsWith('/rest/api/3/')), [], 'only Jira was read');
  assert.is(smtp.messages.length, 0);
  assert.equal(await snapshot(sandbox), before);

  const notifyDry = await runNotifyCli(sandbox, ['release/none', '--dry-run'], env);
  assert.is(notifyDry.exitCode, 2);
  assert.match(notifyDry.stderr, 'release-notify: there is no report for release/none');
}));

share('release:notify refuses a channel that is not configured, and an unknown one', () => withServices(async ({ env }, sandbox) => {
  const cut = await runCutCli(sandbox, ['--json'], { ...env, SLACK_WEBHOOK_URL: '' });
  assert.is(cut.exitCode, 0, cut.stderr);
  const { tag } = report(cut);
  const off = await runNotifyCli(sandbox, [tag, '--channel', 'slack'], { ...env, SLACK_WEBHOOK_URL: '' });
  assert.is(off.exitCode, 2);
  assert.match(off.stderr, 'release-notify: slack is off: SLACK_WEBHOOK_URL not set');
  const unknown = await runNotifyCli(sandbox, [tag, '--channel', 'teams'], env);
  assert.is(unknown.exitCode, 2);
  assert.match(unknown.stderr, 'unknown channel "teams"');
}));

share.run();
