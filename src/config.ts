import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type emailAddresses from 'email-addresses';
import type { BudgetSetting, ShareBudgets } from './budget.js';
import { UserError, ExitCode } from './errors.js';
import { isProjectKey, type ProjectKeys } from './jira-keys.js';
import { secretForms } from './redact.js';

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
  commitKeyPlacement?: string;
  /** Where the release records live (default refs/notes/release-cut); RELEASE_RECORD_REF wins. */
  recordRef?: string;
  /** Minutes a channel's claim holds before another command may take it over (default 15). */
  claimTimeoutMinutes?: number;
  productionRemote?: string;
  /** Base URLs whose GET /version answers the commit each deployment runs (STAGING_URL / PRODUCTION_URL win). */
  stagingUrl?: string;
  productionUrl?: string;
  /** The whole share's time budget in ms (NOTIFY_BUDGET_MS wins; default 120000). */
  notifyBudgetMs?: number | string;
  /** Each sharing channel's time budget in ms (NOTIFY_CHANNEL_BUDGET_MS wins; default: the whole share's). */
  notifyChannelBudgetMs?: number | string;
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
  productionRemote: string;
  tagPrefix: string;
  changelogFile: string;
  reportsDir: string;
  /** The ref whose notes hold each release's record, on `remote` and mirrored locally. */
  recordRef: string;
  claimTimeoutMs: number;
  /** Where each deployment says what it runs (`<url>/version`); null: pushes are not verified. */
  deployUrls: { staging: string | null; production: string | null };
}

export type Env = Readonly<Record<string, string | undefined>>;

const DEFAULTS = {
  base: 'main',
  head: 'develop',
  remote: 'origin',
  stagingRemote: 'staging',
  productionRemote: 'production',
  tagPrefix: 'release/',
  changelogFile: 'CHANGELOG.md',
  reportsDir: 'release-cut/reports',
  recordRef: 'refs/notes/release-cut',
  claimTimeoutMs: 15 * 60_000,
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

function projectKeysOf(env: Env, block: PackageJsonBlock): ProjectKeys {
  return env.JIRA_PROJECT_KEYS !== undefined
    ? parseProjectKeys(env.JIRA_PROJECT_KEYS, 'JIRA_PROJECT_KEYS')
    : parseProjectKeys(block.jiraProjectKeys, 'package.json releaseCut.jiraProjectKeys');
}

/** Where the commit hooks put a branch's key in a message that has none (see docs/hooks.md). */
export const KEY_PLACEMENTS = ['conventional', 'prefix', 'scope', 'trailer'] as const;
export type KeyPlacement = (typeof KEY_PLACEMENTS)[number];

/** What the commit hooks and `commits:check` need, and nothing else: a release-only setting never blocks a commit. */
export interface CommitConfig {
  jiraProjectKeys: ProjectKeys;
  tagPrefix: string;
  commitKeyPlacement: KeyPlacement;
}

export function resolveCommitConfig(env: Env, block: PackageJsonBlock = {}): CommitConfig {
  const placement = block.commitKeyPlacement ?? 'conventional';
  if (!(KEY_PLACEMENTS as readonly string[]).includes(placement)) {
    throw configError(`package.json releaseCut.commitKeyPlacement: "${placement}" is not a placement`, `use one of ${KEY_PLACEMENTS.join(', ')}`);
  }
  return { jiraProjectKeys: projectKeysOf(env, block), tagPrefix: block.tagPrefix ?? DEFAULTS.tagPrefix, commitKeyPlacement: placement as KeyPlacement };
}

function parseHosts(raw: string[] | string | undefined): string[] {
  const hosts = Array.isArray(raw) ? raw : (raw ?? '').split(',');
  return hosts.map((host) => String(host).trim().toLowerCase()).filter(Boolean);
}

/** Why `ref` cannot hold the release records, or null: a full, well-formed ref that is not a tag (a tag never moves without force). */
export function recordRefProblem(ref: string): string | null {
  if (!/^refs\/[^\s~^:?*[\\]+$/.test(ref) || ref.endsWith('/') || ref.endsWith('.lock') || ref.includes('..') || ref.includes('//')) return 'is not a full ref name (refs/...)';
  if (ref.startsWith('refs/tags/')) return 'is a tag, which cannot be appended to without a force push';
  return null;
}

function recordRefOf(env: Env, block: PackageJsonBlock): string {
  const [ref, source] = env.RELEASE_RECORD_REF?.trim() ? [env.RELEASE_RECORD_REF.trim(), 'RELEASE_RECORD_REF'] : [block.recordRef ?? DEFAULTS.recordRef, 'package.json releaseCut.recordRef'];
  const problem = recordRefProblem(ref);
  if (problem) throw configError(`${source} "${ref}" ${problem}`, 'name a full ref the host accepts, e.g. refs/notes/release-cut (the default) or refs/heads/release-record');
  return ref;
}

function claimTimeoutOf(env: Env, block: PackageJsonBlock): number {
  const raw = env.RELEASE_CLAIM_TIMEOUT_MINUTES?.trim() || block.claimTimeoutMinutes;
  if (raw === undefined || raw === '') return DEFAULTS.claimTimeoutMs;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0) throw configError(`the claim timeout must be a positive number of minutes, not "${raw}"`, 'e.g. RELEASE_CLAIM_TIMEOUT_MINUTES=15');
  return Math.round(minutes * 60_000);
}

function deployUrlOf(env: Env, name: string, fromBlock: string | undefined): string | null {
  const [raw, source] = env[name]?.trim() ? [env[name]!.trim(), name] : [fromBlock?.trim(), `package.json releaseCut.${name === 'STAGING_URL' ? 'stagingUrl' : 'productionUrl'}`];
  if (!raw) return null;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw configError(`${source} is not an http(s) URL`, `set it to the app's base URL, e.g. ${name}=https://staging.example.com (its /version answers the commit it runs)`);
  return raw;
}

/** Environment wins over package.json; both are validated here, once. */
export function resolveConfig(env: Env, block: PackageJsonBlock = {}): ReleaseConfig {
  return {
    ...DEFAULTS,
    jiraProjectKeys: projectKeysOf(env, block),
    jiraBaseUrl: env.JIRA_BASE_URL
      ? parseBaseUrl(env.JIRA_BASE_URL, 'JIRA_BASE_URL')
      : parseBaseUrl(block.jiraBaseUrl, 'package.json releaseCut.jiraBaseUrl'),
    jiraHosts: parseHosts(env.JIRA_HOSTS ?? block.jiraHosts),
    base: block.base ?? DEFAULTS.base,
    head: block.head ?? DEFAULTS.head,
    remote: block.remote ?? DEFAULTS.remote,
    stagingRemote: block.stagingRemote ?? DEFAULTS.stagingRemote,
    productionRemote: block.productionRemote ?? DEFAULTS.productionRemote,
    tagPrefix: block.tagPrefix ?? DEFAULTS.tagPrefix,
    recordRef: recordRefOf(env, block),
    claimTimeoutMs: claimTimeoutOf(env, block),
    deployUrls: { staging: deployUrlOf(env, 'STAGING_URL', block.stagingUrl), production: deployUrlOf(env, 'PRODUCTION_URL', block.productionUrl) },
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

/** The release's settings, and what resolveNotifyConfig reads (the environment and package.json's block). */
export async function loadConfig(repoDir: string, processEnv: Env = process.env): Promise<{ config: ReleaseConfig; env: Env; block: PackageJsonBlock }> {
  const [env, block] = await Promise.all([loadEnv(repoDir, processEnv), loadPackageJsonBlock(repoDir)]);
  return { config: resolveConfig(env, block), env, block };
}

/** A channel is on when all its settings exist; off says which variables are missing. */
export type Channel<T> = { on: true; settings: T } | { on: false; reason: string };

export interface JiraSettings {
  baseUrl: string;
  /**
   * `cloud`: REST v3, basic auth with JIRA_EMAIL and the API token. `datacenter` (Server too):
   * REST v2, the personal access token in JIRA_API_TOKEN as a Bearer token.
   */
  deployment: 'cloud' | 'datacenter';
  email: string | null;
  apiToken: string;
}

/** The release managed in Jira: a version per project on every released card, and an optional transition. */
export interface JiraReleaseSettings {
  /** The version's name, `{tag}` and `{date}` filled in (JIRA_VERSION_NAME, default `{tag}`). */
  versionName: string;
  /** A workflow transition (or its target status) each card goes through, e.g. "Ready for QA". */
  transition: string | null;
  /**
   * Only cards in these statuses are moved (JIRA_TRANSITION_FROM); null: any card not yet in a
   * later status category. Needed where the workflow lets a card move back within a category.
   */
  transitionFrom: string[] | null;
  /** The transition each card goes through when the release reaches production (JIRA_PROMOTE_TRANSITION), e.g. "Done". */
  promoteTransition?: string | null;
}

export interface SlackSettings {
  webhookUrl: string;
}

export interface EmailSettings {
  smtpUrl: string;
  /** smtp:// must upgrade with STARTTLS unless SMTP_REQUIRE_STARTTLS=false (a trusted local relay). */
  requireStartTls: boolean;
  to: string[];
  from: string;
}

export interface GithubSettings {
  token: string;
  /** owner/name from GITHUB_REPOSITORY; null means: take it from the origin remote's URL. */
  repository: string | null;
  apiUrl: string;
}

/**
 * The proxy of every HTTP channel (Jira, Slack, GitHub), read as npm, git and curl read it:
 * `https_proxy`/`HTTPS_PROXY` for https URLs (else the http proxy), `http_proxy`/`HTTP_PROXY` for
 * http URLs, `no_proxy`/`NO_PROXY` for hosts reached directly; the lower-case name wins.
 */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

export interface NotifyConfig {
  jira: Channel<JiraSettings>;
  /** On whenever Jira is, unless JIRA_RELEASE=off. */
  jiraRelease: Channel<JiraReleaseSettings>;
  /** Statuses that count as ready (JIRA_READY_STATUSES); null: status category Done. */
  readyStatuses: string[] | null;
  slack: Channel<SlackSettings>;
  email: Channel<EmailSettings>;
  github: Channel<GithubSettings>;
  /** Per request (Jira, Slack, GitHub, SMTP): a channel that does not answer gives up after this. */
  timeoutMs: number;
  /** Longest total wait for rate limits (429 Retry-After) and retried 5xx answers, per request. */
  maxRetryWaitMs: number;
  /**
   * How long the whole share and each channel may take in all (requests, waits and retries).
   * What a budget stops is reported as not done, naming it; release:notify finishes it.
   */
  budgets: ShareBudgets;
  /** null: no proxy variable is set, every request goes directly. */
  proxy: ProxySettings | null;
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

const DEFAULT_SHARE_BUDGET_MS = 120_000;

/** One budget, from the environment or else package.json's releaseCut block: a whole number of ms above 0. */
function budgetMs(env: Env, block: PackageJsonBlock, name: BudgetSetting, fallback: { ms: number; said: string }): number {
  const key = name === 'NOTIFY_BUDGET_MS' ? 'notifyBudgetMs' : 'notifyChannelBudgetMs';
  const fromEnv = env[name]?.trim();
  const [raw, source] = fromEnv ? [fromEnv, name] : [block[key], `package.json releaseCut.${key}`];
  if (raw === undefined || raw === '') return fallback.ms;
  const value = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw).trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    const example = fromEnv ? `${name}=${fallback.ms}` : `"${key}": ${fallback.ms}`;
    throw configError(`${source} must be a whole number of milliseconds above 0, not ${JSON.stringify(raw)}`, `set it to e.g. ${example}, or leave it unset for ${fallback.said}; nothing was sent`);
  }
  return value;
}

/**
 * The whole share's budget (default 2 min) and each channel's (default: the whole share's, so that
 * NOTIFY_BUDGET_MS alone bounds both, as it did before the channel budget existed).
 */
function shareBudgetsOf(env: Env, block: PackageJsonBlock): ShareBudgets {
  const shareMs = budgetMs(env, block, 'NOTIFY_BUDGET_MS', { ms: DEFAULT_SHARE_BUDGET_MS, said: `${DEFAULT_SHARE_BUDGET_MS} ms` });
  return { shareMs, channelMs: budgetMs(env, block, 'NOTIFY_CHANNEL_BUDGET_MS', { ms: shareMs, said: `the whole share's budget (${shareMs} ms)` }) };
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw configError(`${name} must be on or off, not "${env[name]}"`, `e.g. ${name}=${fallback ? 'off' : 'on'}`);
}

function list(raw: string | undefined): string[] | null {
  const items = (raw ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  return items.length > 0 ? items : null;
}

function resolveJira(env: Env, baseUrl: string | null): Channel<JiraSettings> {
  const deployment = env.JIRA_DEPLOYMENT?.trim().toLowerCase() || 'cloud';
  if (deployment !== 'cloud' && deployment !== 'datacenter') {
    throw configError(`JIRA_DEPLOYMENT must be cloud or datacenter, not "${env.JIRA_DEPLOYMENT}"`, 'cloud: JIRA_EMAIL + JIRA_API_TOKEN; datacenter: a personal access token in JIRA_API_TOKEN');
  }
  const needed = deployment === 'cloud' ? ['JIRA_EMAIL', 'JIRA_API_TOKEN'] : ['JIRA_API_TOKEN'];
  if (baseUrl === null) return { on: false, reason: `${['JIRA_BASE_URL', ...needed].filter((name) => !env[name]?.trim()).join(', ')} not set` };
  return channelFrom(env, needed, (value) => ({
    baseUrl,
    deployment,
    email: deployment === 'cloud' ? value('JIRA_EMAIL') : null,
    apiToken: value('JIRA_API_TOKEN'),
  }));
}

function resolveJiraRelease(env: Env, jira: Channel<JiraSettings>): Channel<JiraReleaseSettings> {
  if (!jira.on) return { on: false, reason: jira.reason };
  if (!flag(env, 'JIRA_RELEASE', true)) return { on: false, reason: 'JIRA_RELEASE=off' };
  const versionName = env.JIRA_VERSION_NAME?.trim() || '{tag}';
  if (!/\{(tag|date)\}/.test(versionName)) throw configError('JIRA_VERSION_NAME must contain {tag} or {date}', 'e.g. JIRA_VERSION_NAME="Shop {tag}"');
  return { on: true, settings: { versionName, transition: env.JIRA_TRANSITION?.trim() || null, transitionFrom: list(env.JIRA_TRANSITION_FROM), promoteTransition: env.JIRA_PROMOTE_TRANSITION?.trim() || null } };
}

/**
 * An address list as RFC 5322 writes it (email-addresses' parser): a display name may hold a
 * comma when quoted (`"Doe, Jane" <jane@example.com>`), a group's members count one by one. A
 * list with one malformed address is refused whole, so nothing is sent to only part of it.
 * Each address comes back in a form nodemailer reads the same way.
 */
function addressList(name: string, value: string): string[] {
  // Required only when an email list is set: its parser is a large module every command would pay for.
  const parse = (createRequire(import.meta.url)('email-addresses') as typeof emailAddresses).parseAddressList;
  const parsed = parse(value.replace(/^[\s,]+|[\s,]+$/g, ''));
  if (!parsed || parsed.length === 0) {
    throw configError(`${name} is not a list of email addresses as RFC 5322 writes them: "${value}"`, 'separate addresses with commas, and quote a display name that holds one: "Doe, Jane" <jane@example.com>');
  }
  return parsed
    .flatMap((entry) => (entry.type === 'group' ? (entry as emailAddresses.ParsedGroup).addresses : [entry as emailAddresses.ParsedMailbox]))
    .map((mailbox) => (mailbox.name ? `"${mailbox.name.replace(/["\\]/g, '\\$&')}" <${mailbox.address}>` : mailbox.address));
}

function resolveProxy(env: Env): ProxySettings | null {
  const either = (name: string): string => env[name.toLowerCase()]?.trim() || env[name]?.trim() || '';
  const proxy = { httpProxy: either('HTTP_PROXY'), httpsProxy: either('HTTPS_PROXY'), noProxy: either('NO_PROXY') };
  if (!proxy.httpProxy && !proxy.httpsProxy) return null;
  for (const [name, value] of [['HTTP_PROXY', proxy.httpProxy], ['HTTPS_PROXY', proxy.httpsProxy]] as const) {
    if (value) checkUrl(name, value, ['http:', 'https:'], 'http://proxy.example.com:3128');
  }
  return proxy;
}

/**
 * Settings for the Jira details and the sharing channels. Kept apart from resolveConfig so that
 * the commit hooks never trip over a notifier setting.
 */
export function resolveNotifyConfig(env: Env, release: Pick<ReleaseConfig, 'jiraBaseUrl'>, block: PackageJsonBlock = {}): NotifyConfig {
  const jira = resolveJira(env, release.jiraBaseUrl);
  const slack = channelFrom(env, ['SLACK_WEBHOOK_URL'], (value) => {
    checkUrl('SLACK_WEBHOOK_URL', value('SLACK_WEBHOOK_URL'), ['https:', 'http:'], 'https://hooks.slack.com/services/…');
    return { webhookUrl: value('SLACK_WEBHOOK_URL') };
  });
  const email = channelFrom(env, ['SMTP_URL', 'RELEASE_EMAIL_TO', 'RELEASE_EMAIL_FROM'], (value) => {
    checkUrl('SMTP_URL', value('SMTP_URL'), ['smtp:', 'smtps:'], 'smtps://user:password@smtp.example.com:465');
    const from = addressList('RELEASE_EMAIL_FROM', value('RELEASE_EMAIL_FROM'));
    if (from.length !== 1) throw configError('RELEASE_EMAIL_FROM must be one address', 'e.g. RELEASE_EMAIL_FROM="Release Bot <release@example.com>"');
    return { smtpUrl: value('SMTP_URL'), requireStartTls: flag(env, 'SMTP_REQUIRE_STARTTLS', true), to: addressList('RELEASE_EMAIL_TO', value('RELEASE_EMAIL_TO')), from: from[0]! };
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
  const smtp = env.SMTP_URL && URL.canParse(env.SMTP_URL) ? new URL(env.SMTP_URL) : null;
  const decoded = (text: string | undefined): string | undefined => {
    try {
      return text ? decodeURIComponent(text) : undefined;
    } catch {
      return text;
    }
  };
  const proxy = resolveProxy(env);
  const proxyPasswords = [proxy?.httpProxy, proxy?.httpsProxy].map((value) => (value ? decoded(new URL(value).password) : undefined));
  const webhookPath = env.SLACK_WEBHOOK_URL && URL.canParse(env.SLACK_WEBHOOK_URL) ? new URL(env.SLACK_WEBHOOK_URL).pathname : '';
  return {
    jira,
    jiraRelease: resolveJiraRelease(env, jira),
    readyStatuses: list(env.JIRA_READY_STATUSES),
    slack,
    email,
    github,
    timeoutMs: positiveMs(env, 'NOTIFY_TIMEOUT_MS', 5000),
    maxRetryWaitMs: positiveMs(env, 'NOTIFY_RETRY_MAX_WAIT_MS', 10_000),
    budgets: shareBudgetsOf(env, block),
    proxy,
    secrets: secretForms(
      [env.JIRA_API_TOKEN, env.SLACK_WEBHOOK_URL, webhookPath.length > 1 ? webhookPath : undefined, env.SMTP_URL, smtp?.password, env.GITHUB_TOKEN, ...proxyPasswords],
      [[env.JIRA_EMAIL?.trim(), env.JIRA_API_TOKEN?.trim()], [decoded(smtp?.username), decoded(smtp?.password)]],
    ),
  };
}
