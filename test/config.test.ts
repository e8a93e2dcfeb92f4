import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { channelDeadline, shareDeadline } from '../src/budget.js';
import { loadConfig, resolveConfig, resolveNotifyConfig } from '../src/config.js';
import { UserError } from '../src/errors.js';
import { redact } from '../src/redact.js';

const config = suite('config');

config('environment wins over package.json; defaults fill the rest', () => {
  const resolved = resolveConfig({ JIRA_PROJECT_KEYS: ' EPN, OPS ,EPN' }, { jiraProjectKeys: ['DEV'], base: 'master' });
  assert.equal(resolved.jiraProjectKeys, ['EPN', 'OPS']);
  assert.is(resolved.base, 'master');
  assert.is(resolved.head, 'develop');
  assert.is(resolveConfig({}, { jiraProjectKeys: ['DEV'] }).jiraProjectKeys!.join(), 'DEV');
  assert.is(resolveConfig({}, {}).jiraProjectKeys, null);
  assert.is(resolveConfig({ JIRA_BASE_URL: 'https://acme.atlassian.net/' }).jiraBaseUrl, 'https://acme.atlassian.net');
});

config('bad values are usage errors that name the fix', () => {
  assert.throws(() => resolveConfig({ JIRA_PROJECT_KEYS: 'epn' }), (error: UserError) =>
    error.exitCode === 2 && error.message === 'JIRA_PROJECT_KEYS: "epn" is not a Jira project key' && /uppercase/.test(error.hint!));
  assert.throws(() => resolveConfig({ JIRA_BASE_URL: 'acme' }), /JIRA_BASE_URL is not a URL/);
});

config('the release record\'s ref, the claim timeout and the deploy URLs: defaults, the environment first, bad values named', () => {
  const defaults = resolveConfig({}, {});
  assert.is(defaults.recordRef, 'refs/notes/release-cut');
  assert.is(defaults.claimTimeoutMs, 15 * 60_000);
  assert.equal(defaults.deployUrls, { staging: null, production: null });
  const set = resolveConfig({ RELEASE_RECORD_REF: 'refs/heads/release-record', RELEASE_CLAIM_TIMEOUT_MINUTES: '0.5', PRODUCTION_URL: 'https://www.acme.test' }, { recordRef: 'refs/notes/other', stagingUrl: 'http://staging.acme.test' });
  assert.is(set.recordRef, 'refs/heads/release-record');
  assert.is(set.claimTimeoutMs, 30_000);
  assert.equal(set.deployUrls, { staging: 'http://staging.acme.test', production: 'https://www.acme.test' });
  for (const [env, message] of [
    [{ RELEASE_RECORD_REF: 'refs/tags/records' }, 'RELEASE_RECORD_REF "refs/tags/records" is a tag, which cannot be appended to without a force push'],
    [{ RELEASE_RECORD_REF: 'notes/x' }, 'RELEASE_RECORD_REF "notes/x" is not a full ref name (refs/...)'],
    [{ RELEASE_CLAIM_TIMEOUT_MINUTES: 'soon' }, 'the claim timeout must be a positive number of minutes, not "soon"'],
    [{ STAGING_URL: 'ftp://staging' }, 'STAGING_URL is not an http(s) URL'],
  ] as const) {
    assert.throws(() => resolveConfig(env, {}), (error: UserError) => error.exitCode === 2 && error.message === message, message);
  }
});

config('sharing budgets: the whole share 120 s and each channel as much by default; NOTIFY_BUDGET_MS alone sets both; the environment wins over package.json', () => {
  const budgets = (env: Record<string, string>, block = {}) => resolveNotifyConfig(env, { jiraBaseUrl: null }, block).budgets;
  assert.equal(budgets({}), { shareMs: 120_000, channelMs: 120_000 });
  assert.equal(budgets({ NOTIFY_BUDGET_MS: '300000' }), { shareMs: 300_000, channelMs: 300_000 }, 'the one setting of before still bounds both');
  assert.equal(budgets({ NOTIFY_CHANNEL_BUDGET_MS: '30000' }), { shareMs: 120_000, channelMs: 30_000 });
  assert.equal(budgets({}, { notifyBudgetMs: 90_000, notifyChannelBudgetMs: '45000' }), { shareMs: 90_000, channelMs: 45_000 });
  assert.equal(budgets({ NOTIFY_BUDGET_MS: '1000' }, { notifyBudgetMs: 90_000 }), { shareMs: 1000, channelMs: 1000 });
  for (const [name, value] of [['NOTIFY_BUDGET_MS', '-1'], ['NOTIFY_BUDGET_MS', '0'], ['NOTIFY_CHANNEL_BUDGET_MS', '2s'], ['NOTIFY_CHANNEL_BUDGET_MS', '1.5']] as const) {
    assert.throws(() => budgets({ [name]: value }), (error: UserError) => error.exitCode === 2 && error.message === `${name} must be a whole number of milliseconds above 0, not "${value}"`, `${name}=${value}`);
  }
  assert.throws(() => budgets({}, { notifyBudgetMs: -5 }), (error: UserError) => error.message === 'package.json releaseCut.notifyBudgetMs must be a whole number of milliseconds above 0, not -5' && error.hint!.startsWith('set it to e.g. "notifyBudgetMs": 120000'));
});

config('a channel stops at its own budget, or at the whole share\'s end when that comes first, and says which', () => {
  const share = shareDeadline({ shareMs: 1000, channelMs: 300 }, 10_000);
  assert.equal(channelDeadline(share, { shareMs: 1000, channelMs: 300 }, 10_500), { at: 10_800, setting: 'NOTIFY_CHANNEL_BUDGET_MS', ms: 300 });
  assert.equal(channelDeadline(share, { shareMs: 1000, channelMs: 300 }, 10_800), { at: 11_000, setting: 'NOTIFY_BUDGET_MS', ms: 1000 });
  assert.equal(channelDeadline(share, { shareMs: 1000, channelMs: 1000 }, 10_000), share, 'equal budgets: the whole share\'s, the one setting of before');
});

config('.env at the repository top is read; the process environment wins', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'config-'));
  try {
    await writeFile(path.join(dir, '.env'), 'JIRA_PROJECT_KEYS=ABC\nJIRA_BASE_URL=https://from-file.example.com\n');
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ releaseCut: { tagPrefix: 'rel-' } }));
    const { config: loaded } = await loadConfig(dir, { JIRA_BASE_URL: 'https://from-env.example.com' });
    assert.equal(loaded.jiraProjectKeys, ['ABC']);
    assert.is(loaded.jiraBaseUrl, 'https://from-env.example.com');
    assert.is(loaded.tagPrefix, 'rel-');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
config.run();

const secrets = suite('redact');

secrets('masks URL credentials and known secret values', () => {
  assert.is(redact('push to https://x-access-token:ghp_abc123@github.com/a/b failed'), 'push to https://***@github.com/a/b failed');
  assert.is(redact('smtp://user:pa55word@mail:587'), 'smtp://***@mail:587');
  assert.is(redact('token s3cr3t-value leaked', ['s3cr3t-value']), 'token *** leaked');
});
secrets.run();
