import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, ExitCode } from './errors.js';
import { isProjectKey, type ProjectKeys } from './jira-keys.js';

/** The `releaseCut` block of the repository's package.json. */
export interface PackageJsonBlock {
  jiraProjectKeys?: string[];
  jiraBaseUrl?: string;
  /** Jira sites besides *.atlassian.net whose browse URLs in commits may become links. */
  jiraHosts?: string[];
  base?: string;
  head?: string;
  remote?: string;
  stagingRemote?: string;
  tagPrefix?: string;
}

export interface ReleaseConfig {
  jiraProjectKeys: ProjectKeys;
  jiraBaseUrl: string | null;
  /** Hosts (besides *.atlassian.net) whose browse URLs in commits count as Jira links when JIRA_BASE_URL is unset. */
  jiraHosts: string[];
  base: string;
  head: string;
  remote: string;
  stagingRemote: string;
  tagPrefix: string;
  changelogFile: string;
  reportsDir: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

const DEFAULTS = {
  base: 'main',
  head: 'develop',
  remote: 'origin',
  stagingRemote: 'staging',
  tagPrefix: 'release/',
  changelogFile: 'CHANGELOG.md',
  reportsDir: 'release-reports',
};

function configError(problem: string, fix: string): UserError {
  return new UserError(problem, { hint: fix, exitCode: ExitCode.usage });
}

function parseProjectKeys(raw: string[] | string | undefined, source: string): ProjectKeys {
  if (raw === undefined) return null;
  const keys = (Array.isArray(raw) ? raw : raw.split(','))
    .map((key) => String(key).trim())
    .filter((key) => key.length > 0);
  if (keys.length === 0) return null;
  for (const key of keys) {
    if (!isProjectKey(key)) {
      throw configError(
        `${source}: "${key}" is not a Jira project key`,
        'use uppercase project keys such as EPN,OPS (a letter, then letters, digits or _)',
      );
    }
  }
  return [...new Set(keys)];
}

function parseBaseUrl(raw: string | undefined, source: string): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`${source} is not a URL`, 'set it to your Jira site, e.g. https://your-team.atlassian.net');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError(`${source} must be an http(s) URL`, 'set it to your Jira site, e.g. https://your-team.atlassian.net');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function parseHosts(raw: string[] | string | undefined): string[] {
  const hosts = Array.isArray(raw) ? raw : (raw ?? '').split(',');
  return hosts.map((host) => String(host).trim().toLowerCase()).filter(Boolean);
}

/** Environment wins over package.json; both are validated here, once. */
export function resolveConfig(env: Env, block: PackageJsonBlock = {}): ReleaseConfig {
  return {
    ...DEFAULTS,
    jiraProjectKeys: env.JIRA_PROJECT_KEYS !== undefined
      ? parseProjectKeys(env.JIRA_PROJECT_KEYS, 'JIRA_PROJECT_KEYS')
      : parseProjectKeys(block.jiraProjectKeys, 'package.json releaseCut.jiraProjectKeys'),
    jiraBaseUrl: env.JIRA_BASE_URL
      ? parseBaseUrl(env.JIRA_BASE_URL, 'JIRA_BASE_URL')
      : parseBaseUrl(block.jiraBaseUrl, 'package.json releaseCut.jiraBaseUrl'),
    jiraHosts: parseHosts(env.JIRA_HOSTS ?? block.jiraHosts),
    base: block.base ?? DEFAULTS.base,
    head: block.head ?? DEFAULTS.head,
    remote: block.remote ?? DEFAULTS.remote,
    stagingRemote: block.stagingRemote ?? DEFAULTS.stagingRemote,
    tagPrefix: block.tagPrefix ?? DEFAULTS.tagPrefix,
  };
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** `.env` at the repository's top, under the process environment (which wins, as with dotenv). */
export async function loadEnv(repoDir: string, processEnv: Env = process.env): Promise<Env> {
  const file = await readOptional(path.join(repoDir, '.env'));
  if (file === null) return processEnv;
  // Loaded only when there is a .env: dotenv pulls in node:crypto, ~10 ms of every start.
  const { default: dotenv } = await import('dotenv');
  return { ...dotenv.parse(file), ...processEnv };
}

export async function loadPackageJsonBlock(repoDir: string): Promise<PackageJsonBlock> {
  const text = await readOptional(path.join(repoDir, 'package.json'));
  if (text === null) return {};
  try {
    const block = (JSON.parse(text) as { releaseCut?: PackageJsonBlock }).releaseCut;
    return block ?? {};
  } catch {
    throw configError(`${path.join(repoDir, 'package.json')} is not valid JSON`, 'fix the syntax error, then re-run');
  }
}

export async function loadConfig(repoDir: string, processEnv: Env = process.env): Promise<{ config: ReleaseConfig; env: Env }> {
  const [env, block] = await Promise.all([loadEnv(repoDir, processEnv), loadPackageJsonBlock(repoDir)]);
  return { config: resolveConfig(env, block), env };
}

/** A channel is on when all its settings exist; off says which variables are missing. */
export type Channel<T> = { on: true; settings: T } | { on: false; reason: string };

export interface JiraSettings {
  baseUrl: string;
  email: string;
  apiToken: string;
}

export interface SlackSettings {
  webhookUrl: string;
}

export interface EmailSettings {
  smtpUrl: string;
  to: string[];
  from: string;
}

export interface GithubSettings {
  token: string;
  /** owner/name from GITHUB_REPOSITORY; null means: take it from the origin remote's URL. */
  repository: string | null;
  apiUrl: string;
}

export interface NotifyConfig {
  jira: Channel<JiraSettings>;
  slack: Channel<SlackSettings>;
  email: Channel<EmailSettings>;
  github: Channel<GithubSettings>;
  /** Per request (Jira, Slack, GitHub, SMTP): a channel that does not answer gives up after this. */
  timeoutMs: number;
  /** Longest total wait for rate limits (429 Retry-After) and retried 5xx answers, per request. */
  maxRetryWaitMs: number;
  /** Values masked wherever output, reports or errors are written. */
  secrets: string[];
}

function channelFrom<T>(env: Env, names: readonly string[], settings: (value: (name: string) => string) => T): Channel<T> {
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length > 0) return { on: false, reason: `${missing.join(', ')} not set` };
  return { on: true, settings: settings((name) => env[name]!.trim()) };
}

/** Checks a URL-valued secret without ever echoing it: the message names the variable only. */
function checkUrl(name: string, value: string, protocols: readonly string[], example: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${name} is not a URL`, `set it to e.g. ${example}`);
  }
  if (!protocols.includes(url.protocol)) throw configError(`${name} must be a ${protocols.join(' or ')} URL`, `set it to e.g. ${example}`);
  return url;
}

function positiveMs(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw configError(`${name} must be a whole number of milliseconds`, `e.g. ${name}=${fallback}`);
  return value;
}

/** Every form in which a secret could be printed: as set, and URL-decoded (an SMTP password in a URL). */
function secretForms(...values: (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    forms.add(value);
    try {
      forms.add(decodeURIComponent(value));
    } catch {
      // not percent-encoded: the value itself is enough
    }
  }
  return [...forms];
}

/**
 * Settings for the Jira details and the sharing channels. Kept apart from resolveConfig so that
 * the commit hooks never trip over a notifier setting.
 */
export function resolveNotifyConfig(env: Env, release: Pick<ReleaseConfig, 'jiraBaseUrl'>): NotifyConfig {
  const jira: Channel<JiraSettings> = release.jiraBaseUrl === null
    ? { on: false, reason: ['JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN'].filter((name) => !env[name]).join(', ') + ' not set' }
    : channelFrom(env, ['JIRA_EMAIL', 'JIRA_API_TOKEN'], (value) => ({ baseUrl: release.jiraBaseUrl!, email: value('JIRA_EMAIL'), apiToken: value('JIRA_API_TOKEN') }));
  const slack = channelFrom(env, ['SLACK_WEBHOOK_URL'], (value) => {
    checkUrl('SLACK_WEBHOOK_URL', value('SLACK_WEBHOOK_URL'), ['https:', 'http:'], 'https://hooks.slack.com/services/…');
    return { webhookUrl: value('SLACK_WEBHOOK_URL') };
  });
  const email = channelFrom(env, ['SMTP_URL', 'RELEASE_EMAIL_TO', 'RELEASE_EMAIL_FROM'], (value) => {
    checkUrl('SMTP_URL', value('SMTP_URL'), ['smtp:', 'smtps:'], 'smtps://user:password@smtp.example.com:465');
    const to = value('RELEASE_EMAIL_TO').split(',').map((address) => address.trim()).filter(Boolean);
    return { smtpUrl: value('SMTP_URL'), to, from: value('RELEASE_EMAIL_FROM') };
  });
  const github = channelFrom(env, ['GITHUB_TOKEN'], (value) => {
    const repository = env.GITHUB_REPOSITORY?.trim() || null;
    if (repository !== null && !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
      throw configError(`GITHUB_REPOSITORY must be owner/name, not "${repository}"`, 'e.g. GITHUB_REPOSITORY=acme/shop');
    }
    const apiUrl = env.GITHUB_API_URL?.trim() || 'https://api.github.com';
    checkUrl('GITHUB_API_URL', apiUrl, ['https:', 'http:'], 'https://github.example.com/api/v3');
    return { token: value('GITHUB_TOKEN'), repository, apiUrl: apiUrl.replace(/\/+$/, '') };
  });
  const smtpPassword = env.SMTP_URL ? URL.canParse(env.SMTP_URL) ? new URL(env.SMTP_URL).password : '' : '';
  const webhookPath = env.SLACK_WEBHOOK_URL && URL.canParse(env.SLACK_WEBHOOK_URL) ? new URL(env.SLACK_WEBHOOK_URL).pathname : '';
  return {
    jira,
    slack,
    email,
    github,
    timeoutMs: positiveMs(env, 'NOTIFY_TIMEOUT_MS', 5000),
    maxRetryWaitMs: positiveMs(env, 'NOTIFY_RETRY_MAX_WAIT_MS', 10_000),
    secrets: secretForms(env.JIRA_API_TOKEN, env.SLACK_WEBHOOK_URL, webhookPath.length > 1 ? webhookPath : undefined, env.SMTP_URL, smtpPassword, env.GITHUB_TOKEN)
      .sort((a, b) => b.length - a.length),
  };
}
