import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import * as assert from 'uvu/assert';
import { commit, createSandbox, git, type Sandbox } from '../../src/sandbox.js';
import { CLI_ENV, commandScript, onBranch, runCutCli, type CliResult } from '../helpers/cut.js';
import { basicAuth, FakeHttp, fakeJira, githubRoute, routes, slackRoute, type Route } from '../helpers/fake-http.js';

export const STAGE_SCRIPT = commandScript('release-stage');
export const PROMOTE_SCRIPT = commandScript('release-promote');

export const WEBHOOK = '/services/T1/B2/week-secret-31';
const TOKEN = 'ghp_weekTest000001';
const JIRA_EMAIL = 'bot@acme.test';
const JIRA_TOKEN = 'jira-week-token-9';

export interface Week {
  sandbox: Sandbox;
  production: string;
  fake: FakeHttp;
  jira: ReturnType<typeof fakeJira>;
  github: ReturnType<typeof githubRoute>;
  /** Every channel on, pointed at the stand-ins. */
  env: Record<string, string>;
  tag: string;
  releaseCommit: string;
}

export function runWeekCli(script: string, week: Week, args: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return execa(process.execPath, [script, '--repo', week.sandbox.work, '--yes', ...args], { reject: false, env: { ...CLI_ENV, ...week.env, ...env } })
    .then((result) => ({ exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) }));
}

/** A fix committed on main and pushed to origin, as a merged pull request into main would land. */
export async function fixOnMain(week: Week, message: string, files: Record<string, string>): Promise<string> {
  let sha = '';
  await onBranch(week.sandbox, 'main', async () => {
    sha = await commit(week.sandbox.work, message, files);
  });
  return sha;
}

export const slackPosts = (week: Week): { text: string }[] =>
  week.fake.received.filter((request) => request.method === 'POST' && request.path === WEBHOOK).map((request) => request.json as { text: string });

/**
 * Tuesday's cut done (sharing on: Slack, GitHub and Jira stand-ins), a `production` remote that
 * has nothing yet, the clone back on main.
 */
export async function withWeek(test: (week: Week) => Promise<void>, options: { route?: Route } = {}): Promise<void> {
  const sandbox = await createSandbox();
  const fake = await FakeHttp.start();
  const jira = fakeJira([
    { key: 'EPN-1', summary: 'Login', type: 'Story', status: 'Done' },
    { key: 'EPN-9', summary: 'Login button', type: 'Bug', status: 'In Progress' },
  ], { auth: basicAuth(JIRA_EMAIL, JIRA_TOKEN) });
  const github = githubRoute('acme/shop', TOKEN);
  fake.route = routes(options.route ?? (() => undefined), slackRoute(WEBHOOK), github.route, jira.route);
  const production = path.join(sandbox.root, 'production.git');
  try {
    await git(sandbox.root)`git init --quiet --bare --initial-branch=main ${production}`;
    await git(sandbox.work)`git remote add production ${production}`;
    const env = {
      SLACK_WEBHOOK_URL: `${fake.url}${WEBHOOK}`, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: fake.url,
      JIRA_BASE_URL: fake.url, JIRA_EMAIL, JIRA_API_TOKEN: JIRA_TOKEN, JIRA_PROJECT_KEYS: 'EPN',
    };
    await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
    const cut = await runCutCli(sandbox, ['--json'], env);
    assert.is(cut.exitCode, 0, cut.stderr);
    const { tag, releaseCommit } = JSON.parse(cut.stdout) as { tag: string; releaseCommit: string };
    await git(sandbox.work)`git checkout --quiet main`;
    await test({ sandbox, production, fake, jira, github, env, tag, releaseCommit });
  } finally {
    await fake.stop();
    await rm(sandbox.root, { recursive: true, force: true });
  }
}
