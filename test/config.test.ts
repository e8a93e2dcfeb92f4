import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, resolveConfig } from '../src/config.js';
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
