import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError, ExitCode } from './errors.js';
import { isProjectKey, type ProjectKeys } from './jira-keys.js';

/** The `releaseCut` block of the repository's package.json. */
export interface PackageJsonBlock {
  jiraProjectKeys?: string[];
  jiraBaseUrl?: string;
  base?: string;
  head?: string;
  remote?: string;
  stagingRemote?: string;
  tagPrefix?: string;
}

export interface ReleaseConfig {
  jiraProjectKeys: ProjectKeys;
  jiraBaseUrl: string | null;
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
