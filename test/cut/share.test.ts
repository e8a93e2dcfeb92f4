import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execaSync } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commit, git, type Sandbox } from '../../src/sandbox.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { onBranch, runCutCli, runNotifyCli, sha, snapshot, withSandbox, type CliResult } from '../helpers/cut.js';
import { basicAuth, downUrl, FakeHttp, fakeJira, githubRoute, routes, slackRoute, type Route } from '../helpers/fake-http.js';
import { SmtpProcess } from '../helpers/smtp.js';

const JIRA_EMAIL = 'bot@acme.test';
const SECRETS = {
  jiraToken: 'jira-tok-Q7f3kP9zR2',
  webhookSecret: 'hook-sec-W8m4XbN1',
  smtpPassword: 'smtp-pw-H6v2&Lq0',
  githubToken: 'ghp_secretGH5t8Y1',
};
const WEBHOOK = `/services/T01/B02/${SECRETS.webhookSecret}`;
const ISSUES = [
  { key: 'EPN-1', summary: 'Login with SSO', type: 'Story', status: 'Done', assignee: 'Ana' },
  { key: 'EPN-2', summary: 'Cart empties itself', type: 'Bug', status: 'In Progress' },
];

interface Services {
  fake: FakeHttp;
  smtp: SmtpProcess;
  github: ReturnType<typeof githubRoute>;
  jira: ReturnType<typeof fakeJira>;
  env: Record<string, string>;
}

interface ServiceOptions {
  /** Put in front of the Jira stand-in (a fault, an echo). */
  jira?: Route;
  refuse?: string[];
}

/** Jira, Slack and GitHub on one local HTTP server, a real SMTP server process with STARTTLS, and the env pointing at them. */
async function withServices(test: (services: Services, sandbox: Sandbox) => Promise<void>, options: ServiceOptions = {}): Promise<void> {
  const fake = await FakeHttp.start();
  const smtp = await SmtpProcess.start('mailer', SECRETS.smtpPassword, { startTls: true, refuse: options.refuse });
  // GitHub knows the commits pushed to it: origin's.
  let origin = '';
  const github = githubRoute('acme/shop', SECRETS.githubToken, {
    knows: (sha) => execaSync('git', ['-C', origin, 'cat-file', '-e', `${sha}^{commit}`], { reject: false }).exitCode === 0,
  });
  const jira = fakeJira(ISSUES, { auth: basicAuth(JIRA_EMAIL, SECRETS.jiraToken), pageSize: 1 });
  fake.route = routes(options.jira ?? (() => undefined), jira.route, slackRoute(WEBHOOK), github.route);
  const env = {
    JIRA_PROJECT_KEYS: 'EPN',
    JIRA_BASE_URL: fake.url,
    JIRA_EMAIL,
    JIRA_API_TOKEN: SECRETS.jiraToken,
    JIRA_TRANSITION: 'Ready for QA',
    SLACK_WEBHOOK_URL: `${fake.url}${WEBHOOK}`,
    SMTP_URL: smtp.url('mailer', SECRETS.smtpPassword),
    RELEASE_EMAIL_TO: options.refuse ? `qa@acme.test,${options.refuse.join(',')}` : 'qa@acme.test',
    RELEASE_EMAIL_FROM: 'release@acme.test',
    GITHUB_TOKEN: SECRETS.githubToken,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: fake.url,
    NOTIFY_TIMEOUT_MS: '3000',
    NOTIFY_RETRY_MAX_WAIT_MS: '1000',
    ...smtp.trustEnv,
  };
  try {
    await withSandbox(async (sandbox) => {
      origin = sandbox.origin;
      await onBranch(sandbox, 'develop', async () => {
        await commit(sandbox.work, 'EPN-1: sign in with SSO', { 'sso.txt': 'sso\n' });
        await commit(sandbox.work, 'fix: cart\n\nRefs: EPN-2', { 'cart.txt': 'cart\n' });
        await commit(sandbox.work, 'EPN-404: a card nobody filed', { 'ghost.txt': 'ghost\n' });
        await commit(sandbox.work, 'chore: tidy up', { 'tidy.txt': 'tidy\n' });
      });
      await test({ fake, smtp, github, jira, env }, sandbox);
    });
  } finally {
    await smtp.stop();
    await fake.stop();
  }
}

const report = (result: CliResult): ReleaseReport & { status: string } => JSON.parse(result.stdout) as ReleaseReport & { status: string };
const savedReport = async (sandbox: Sandbox, tag: string): Promise<ReleaseReport> =>
  JSON.parse(await readFile(path.join(sandbox.work, '.git', 'release-cut', 'reports', `${tag.replace('/', '-')}.json`), 'utf8')) as ReleaseReport;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** Every form of every secret: raw, percent-encoded, base64, the Basic header's `email:token`, SMTP AUTH PLAIN. */
const SECRET_FORMS = [
  ...Object.values(SECRETS).flatMap((secret) => [secret, encodeURIComponent(secret), base64(secret)]),
  base64(`${JIRA_EMAIL}:${SECRETS.jiraToken}`),
  base64(`\0mailer\0${SECRETS.smtpPassword}`),
];

/** Every place a secret could leak to: the CLI's output, every file of the sandbox, the repositories' history, every request and email sent. */
async function assertNoSecrets(sandbox: Sandbox, outputs: CliResult[], fake: FakeHttp, smtp: SmtpProcess): Promise<void> {
  const places: [string, string][] = outputs.flatMap((output, i) => [[`stdout ${i}`, output.stdout], [`stderr ${i}`, output.stderr]] as [string, string][]);
  for (const file of await filesUnder(sandbox.root)) places.push([file, await readFile(file, 'latin1')]);
  for (const repo of [sandbox.work, sandbox.origin, sandbox.staging]) {
    places.push([`git log ${repo}`, (await git(repo)`git log --all -p --format=fuller`).stdout]);
  }
  for (const request of fake.received) places.push([`body of ${request.method} ${request.path}`, request.body]);
  for (const mail of smtp.messages) places.push([`email ${mail.subject}`, `${mail.text}\n${mail.html}`]);
  assert.ok(places.length > 20, 'the sandbox files were read');
  for (const [where, text] of places) {
    for (const secret of SECRET_FORMS) assert.not.ok(text.includes(secret), `${secret} leaked into ${where}`);
  }
}

const share = suite('release cut: Jira details, the release in Jira, and sharing');

share('all channels succeed: Jira groups the CHANGELOG and every message, each card gets the fixVersion and the transition, cards not done are flagged; no secret anywhere', () => withServices(async ({ fake, smtp, github, jira, env }, sandbox) => {
  const result = await runCutCli(sandbox, ['--json'], env);
  assert.is(result.exitCode, 0, result.stderr);
  const released = report(result);
  assert.equal(released.notifications?.map((n) => [n.channel, n.status]), [['slack', 'sent'], ['email', 'sent'], ['github', 'sent'], ['jira', 'sent']]);
  assert.equal(released.jiraDetails?.issues['EPN-404'], null);
  assert.equal(released.notReady, [{ key: 'EPN-2', status: 'In Progress' }]);
  assert.match(result.stderr, 'share: slack on, email on, github on, jira on');

  const version = jira.versions.find((entry) => entry.name === released.tag);
  assert.ok(version, 'the version is named after the tag');
  assert.is(version!.releaseDate, released.date);
  assert.equal(jira.issues.get('EPN-1')!.fixVersions, [version!.id]);
  assert.equal(jira.issues.get('EPN-2')!.fixVersions, [version!.id]);
  assert.is(jira.issues.get('EPN-2')!.status, 'Ready for QA', 'moved through the transition');
  assert.is(jira.issues.get('EPN-1')!.status, 'Done', 'a card past the transition stays where it is');
  assert.equal(released.notifications?.[3]?.cards?.map((card) => [card.key, card.did]), [
    ['EPN-1', `fixVersion "${released.tag}" added; already past "Ready for QA" (Done)`],
    ['EPN-2', `fixVersion "${released.tag}" added; moved through "Ready for QA" to "Ready for QA"`],
    ['EPN-404', 'not found in Jira: skipped'],
  ]);

  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, '> ⚠ **Not done in Jira:** EPN-2 (In Progress)');
  assert.match(changelog, `### Stories\n\n- [EPN-1](${fake.url}/browse/EPN-1) Login with SSO (Done)\n  - EPN-1: sign in with SSO`);
  assert.match(changelog, `### Bugs\n\n- [EPN-2](${fake.url}/browse/EPN-2) Cart empties itself (In Progress)`);
  assert.match(changelog, `### Unknown to Jira\n\n- [EPN-404](${fake.url}/browse/EPN-404) not found in Jira`);

  const warning = '1 released card is not done: EPN-2 (In Progress)';
  const slack = JSON.stringify(fake.requestsTo(WEBHOOK)[0]?.json);
  assert.match(slack, warning);
  assert.match(slack, '*Stories*\\n• <' + `${fake.url}/browse/EPN-1|EPN-1> Login with SSO (Done)`);
  const [mail] = await smtp.waitFor(1);
  assert.is(mail?.secure, true, 'the message went over STARTTLS');
  assert.equal(smtp.logins, [{ secure: true }], 'the login came after STARTTLS');
  assert.match(mail?.text ?? '', `WARNING: ${warning}`);
  assert.match(mail?.html ?? '', warning);
  const body = github.releases.get(released.tag)?.body ?? '';
  assert.match(body, warning);
  assert.is((fake.requestsTo('/repos/')[0]!.json as { target_commitish?: string }).target_commitish, released.releaseCommit);

  const saved = await savedReport(sandbox, released.tag);
  assert.equal(saved.notifications, released.notifications);

  const quiet = await runNotifyCli(sandbox, [released.tag], env);
  assert.is(quiet.exitCode, 0, quiet.stderr);
  assert.match(quiet.stderr, 'the release record shows every configured channel sent');
  assert.is(fake.requestsTo(WEBHOOK).length, 1, 'a re-send without --channel sends nothing that succeeded');
  await assertNoSecrets(sandbox, [result, quiet], fake, smtp);
}));

share('a failing channel does not undo the release: the others send, the cut exits 3 naming it; release:notify re-sends only that one', () => {
  let githubDown = true;
  return withServices(async ({ fake, smtp, github, env }, sandbox) => {
    fake.route = routes((request) => githubDown && request.path.startsWith('/repos/')
      ? { status: 502, json: { message: `upstream failed for ${request.headers.authorization}` } }
      : undefined, fake.route);
    const result = await runCutCli(sandbox, ['--json'], env);
    assert.is(result.exitCode, 3, result.stderr);
    const released = report(result);
    assert.match(result.stderr, `release-cut: ${released.tag} is released, but sharing on github failed (HTTP 502: upstream failed for Bearer ***) — fix it, then: npm run release:notify -- ${released.tag} --channel github`);
    assert.equal(released.notifications?.map((n) => n.status), ['sent', 'sent', 'failed', 'sent']);
    assert.equal(released.pushed, { origin: true, staging: true });
    assert.is(await sha(sandbox.origin, `${released.tag}^{commit}`), released.releaseCommit, 'the release stays on origin');
    assert.is(await sha(sandbox.staging, 'main'), released.releaseCommit);

    githubDown = false;
    const before = fake.received.length;
    const resent = await runNotifyCli(sandbox, [released.tag], env);
    assert.is(resent.exitCode, 0, resent.stderr);
    assert.match(resent.stdout, /^github: sent \(created https:\/\/github\.example\/acme\/shop\/releases\/1\)$/);
    assert.equal(fake.received.slice(before).map((request) => request.path), ['/repos/acme/shop/releases'], 'only GitHub is asked: no Slack, no Jira');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.is(smtp.messages.length, 1, 'no second email');
    assert.match(github.releases.get(released.tag)?.body ?? '', 'Login with SSO (Done)');
    const saved = await savedReport(sandbox, released.tag);
    assert.equal(saved.notifications?.map((n) => [n.channel, n.status]), [['slack', 'sent'], ['email', 'sent'], ['github', 'sent'], ['jira', 'sent']]);

    const forced = await runNotifyCli(sandbox, [released.tag, '--force', '--dry-run'], env);
    assert.is(forced.exitCode, 0, forced.stderr);
    assert.match(forced.stderr, 'share: slack on, email on, github on, jira on');
    await assertNoSecrets(sandbox, [result, resent, forced], fake, smtp);
  });
});

share('Jira refuses to edit a card (echoing the credentials): released, exit 3 naming jira; release:notify --channel jira finishes it without duplicates', () => {
  let refuse = true;
  return withServices(async ({ fake, smtp, jira, env }, sandbox) => {
    const result = await runCutCli(sandbox, ['--json'], env);
    assert.is(result.exitCode, 3, result.stderr);
    const released = report(result);
    const jiraResult = released.notifications?.find((n) => n.channel === 'jira');
    assert.is(jiraResult?.status, 'failed');
    assert.match(jiraResult!.detail, `on 2 of 3 cards; failed: EPN-2`);
    assert.is(jiraResult!.cards?.[1]?.did, 'failed: HTTP 403: You may not edit EPN-2 (Basic ***)');
    assert.match(result.stderr, `sharing on jira failed`);
    assert.match(result.stderr, `npm run release:notify -- ${released.tag} --channel jira`);
    assert.equal(released.pushed, { origin: true, staging: true });
    assert.equal(jira.issues.get('EPN-2')!.fixVersions, []);

    refuse = false;
    const redo = await runNotifyCli(sandbox, [released.tag, '--channel', 'jira'], env);
    assert.is(redo.exitCode, 0, redo.stderr);
    assert.match(redo.stdout, `EPN-1: fixVersion "${released.tag}" already set`);
    assert.match(redo.stdout, `EPN-2: fixVersion "${released.tag}" added; moved through "Ready for QA"`);
    assert.is(jira.versions.filter((version) => version.name === released.tag).length, 1, 'the version is reused');
    assert.equal(jira.issues.get('EPN-2')!.fixVersions, [jira.versions.find((version) => version.name === released.tag)!.id]);
    await smtp.waitFor(1);
    await assertNoSecrets(sandbox, [result, redo], fake, smtp);
  }, {
    jira: (request) => refuse && request.method === 'PUT' && request.path.endsWith('/issue/EPN-2')
      ? { status: 403, json: { errorMessages: [`You may not edit EPN-2 (${request.headers.authorization})`] } }
      : undefined,
  });
});

share('a refused recipient makes email partial: named in the output and the report, exit 3', () => withServices(async ({ fake, smtp, env }, sandbox) => {
  const result = await runCutCli(sandbox, ['--json'], env);
  assert.is(result.exitCode, 3, result.stderr);
  const email = report(result).notifications?.find((n) => n.channel === 'email');
  assert.is(email?.status, 'partial');
  assert.match(email!.detail, /^sent to 1 recipient; refused: gone@acme\.test \(550 No mailbox here by that name: gone@acme\.test\)$/);
  assert.match(result.stderr, 'sharing on email was partial (sent to 1 recipient; refused: gone@acme.test');
  const [mail] = await smtp.waitFor(1);
  assert.equal(mail?.envelopeTo, ['qa@acme.test']);
  assert.equal(smtp.refused, ['gone@acme.test']);
  await assertNoSecrets(sandbox, [result], fake, smtp);
}, { refuse: ['gone@acme.test'] }));

share('Jira that does not answer in time: the cut still releases and shares, saying details were unavailable; the Jira step fails alone', () => withServices(async ({ fake, env }, sandbox) => {
  const started = Date.now();
  const result = await runCutCli(sandbox, ['--json'], { ...env, NOTIFY_TIMEOUT_MS: '1500' });
  assert.is(result.exitCode, 3, result.stderr);
  assert.ok(Date.now() - started < 15_000);
  const released = report(result);
  assert.equal(released.jiraDetails, { available: false, reason: 'Jira did not answer usefully: no answer within 1500 ms', issues: {} });
  assert.match(result.stderr, 'warning: Jira did not answer usefully: no answer within 1500 ms; the report lists keys and commit subjects only');
  assert.equal(released.notifications?.map((n) => n.status), ['sent', 'sent', 'sent', 'failed']);
  const slack = JSON.stringify(fake.requestsTo(WEBHOOK)[0]?.json);
  assert.match(slack, 'Jira details were unavailable (Jira did not answer usefully: no answer within 1500 ms)');
  assert.match(slack, `*Jira cards*\\n• <${fake.url}/browse/EPN-1|EPN-1> EPN-1: sign in with SSO`);
  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, '### Jira cards');
  assert.not.match(changelog, '### Stories');
}, { jira: (request) => request.path.startsWith('/rest/api/3/') ? { delayMs: 10_000, json: {} } : undefined }));

share('Jira gone (connection refused) with JIRA_RELEASE=off, and Jira not configured: released, details unavailable, exit 0', () => withServices(async ({ env }, sandbox) => {
  const result = await runCutCli(sandbox, ['--json'], { ...env, JIRA_BASE_URL: await downUrl(), JIRA_RELEASE: 'off' });
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(report(result).jiraDetails?.reason ?? '', /^Jira did not answer usefully: could not connect \(ECONNREFUSED\)$/);
  assert.match(result.stderr, 'jira off (JIRA_RELEASE=off)');

  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: more SSO'));
  const unconfigured = await runCutCli(sandbox, ['--json'], { ...env, JIRA_API_TOKEN: '' });
  assert.is(unconfigured.exitCode, 0, unconfigured.stderr);
  assert.is(report(unconfigured).jiraDetails?.reason, 'Jira is not configured: JIRA_API_TOKEN not set');
}));

share('--dry-run prints what each channel would send, Jira included, and changes nothing anywhere', () => withServices(async ({ fake, smtp, jira, env }, sandbox) => {
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox, ['--dry-run'], { ...env, GITHUB_TOKEN: '' });
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, '--- slack would send ---\n{\n  "text": "Release release/');
  assert.match(result.stdout, '--- email would send ---\nTo: qa@acme.test\nSubject: Release release/');
  assert.match(result.stdout, '--- github: off (GITHUB_TOKEN not set) ---');
  assert.match(result.stdout, /--- jira would send ---\nin EPN: create or reuse version "release\/[\d-]+" \(release date [\d-]+\)\nEPN-1: add fixVersion/);
  assert.match(result.stdout, 'move through "Ready for QA" unless already past it');
  assert.match(result.stdout, 'EPN-404: not found in Jira: would be skipped');
  assert.match(result.stdout, 'warning: 1 released card is not done: EPN-2 (In Progress)');
  assert.match(result.stderr, 'share: slack on, email on, github off (GITHUB_TOKEN not set), jira on');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(fake.received.filter((request) => !/\/(search\/jql|jql\/parse\?validation=strict)$/.test(request.path)), [], 'only the Jira search (and its JQL check) was asked');
  assert.is(smtp.messages.length, 0);
  assert.is(jira.versions.length, 0);
  assert.equal(jira.issues.get('EPN-2')!.status, 'In Progress');
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
