import { existsSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createSandbox, git, type Sandbox } from '../../src/sandbox.js';

const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The release commands as npm runs them: each one bundled file (scripts/build.sh). */
export const commandScript = (name: string): string => path.join(distRoot, 'bundle', `${name}.mjs`);
export const CUT_SCRIPT = commandScript('release-cut');
export const NOTIFY_SCRIPT = commandScript('release-notify');
export const STATUS_SCRIPT = commandScript('release-status');

/** Non-interactive, no configured keys, Jira details and every sharing channel off unless a test turns them on. */
export const CLI_ENV = {
  CI: 'true', JIRA_PROJECT_KEYS: '', JIRA_BASE_URL: '', JIRA_EMAIL: '', JIRA_API_TOKEN: '', JIRA_DEPLOYMENT: '', JIRA_RELEASE: '', JIRA_TRANSITION: '', JIRA_TRANSITION_FROM: '',
  JIRA_VERSION_NAME: '', JIRA_READY_STATUSES: '', SLACK_WEBHOOK_URL: '', SMTP_URL: '', SMTP_REQUIRE_STARTTLS: '', GITHUB_TOKEN: '', GITHUB_REPOSITORY: '',
};

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** An entry point in a child process, as a user or CI runs it. */
export async function runCommandCli(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  const result = await execa(process.execPath, [script, ...args], {
    reject: false,
    env: { ...CLI_ENV, ...env },
    extendEnv: true,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function runCutCli(sandbox: Sandbox, args: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runCommandCli(CUT_SCRIPT, ['--repo', sandbox.work, '--yes', ...args], env);
}

/** `npm run release:notify -- <args>` in the sandbox's clone, or in another checkout. */
export function runNotifyCli(where: Sandbox | string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCommandCli(NOTIFY_SCRIPT, ['--repo', typeof where === 'string' ? where : where.work, ...args], env);
}

/** `npm run release:status -- <args>` in a checkout. */
export function runStatusCli(repo: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCommandCli(STATUS_SCRIPT, ['--repo', repo, ...args], env);
}

/**
 * Starts the CLI and sends it `signal` once its progress output contains `marker`. With
 * `thenTouch`, that file is created once the cut has said it will stop after the current step:
 * a hook that waits for the file holds the step until the signal has certainly been taken.
 */
export async function runCutCliAndSignal(sandbox: Sandbox, marker: string, signal: NodeJS.Signals, thenTouch?: string): Promise<CliResult> {
  const child = execa(process.execPath, [CUT_SCRIPT, '--repo', sandbox.work, '--yes'], {
    reject: false,
    env: CLI_ENV,
  });
  let seen = '';
  let signalled = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!signalled && seen.includes(marker)) {
      signalled = true;
      child.kill(signal);
    }
    if (thenTouch && signalled && seen.includes(`${signal}: stopping after the current step`) && !existsSync(thenTouch)) writeFileSync(thenTouch, '');
  });
  const result = await child;
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A shell line that waits (for as long as the test allows) until `file` exists. */
export const untilExists = (file: string): string => `i=0; while [ ! -e '${file}' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done`;

export async function refsOf(dir: string): Promise<string> {
  return (await git(dir)`git for-each-ref --format=${'%(refname) %(objectname)'}`).stdout;
}

/** Everything a cut may touch: refs everywhere, HEAD, index/work tree status, CHANGELOG.md. */
export async function snapshot(sandbox: Sandbox): Promise<Record<string, string>> {
  const w = git(sandbox.work);
  return {
    work: await refsOf(sandbox.work),
    origin: await refsOf(sandbox.origin),
    staging: await refsOf(sandbox.staging),
    head: (await w`git symbolic-ref --quiet HEAD`.nothrow()).stdout + (await w`git rev-parse HEAD`).stdout,
    status: (await w`git status --porcelain=v1 --untracked-files=all --ignored`).stdout,
    changelog: await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8').catch(() => '<none>'),
  };
}

export async function sha(dir: string, ref: string): Promise<string> {
  return (await git(dir)`git rev-parse ${ref}`).stdout.trim();
}

export async function withSandbox(test: (sandbox: Sandbox) => Promise<void>): Promise<void> {
  const sandbox = await createSandbox();
  try {
    await test(sandbox);
  } finally {
    await rm(sandbox.root, { recursive: true, force: true });
  }
}

/** Commits made by `work` on `branch`, pushed to origin as reviewed work would be. */
export async function onBranch(sandbox: Sandbox, branch: string, work: () => Promise<unknown>): Promise<void> {
  const w = git(sandbox.work);
  await w`git checkout --quiet ${branch}`;
  await work();
  await w`git push --quiet origin ${branch}`;
}
