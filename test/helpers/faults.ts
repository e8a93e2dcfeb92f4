import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from '../../src/free-port.js';
import path from 'node:path';
import { execa } from 'execa';
import { releaseDate } from '../../src/release/plan.js';
import { commit, createSandbox, git, SANDBOX_IDENTITY, type Sandbox } from '../../src/sandbox.js';
import { CLI_ENV, CUT_SCRIPT, onBranch, type CliResult } from './cut.js';
import { waitUntil } from './wait.js';


async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** `git daemon` serving the sandbox's bare repositories on 127.0.0.1, in its own session (outside the cut's process group). */
export class GitDaemon {
  private constructor(private readonly child: ChildProcess, readonly port: number) {}

  static async start(baseDir: string): Promise<GitDaemon> {
    for (let attempt = 0; ; attempt += 1) {
      const port = await freePort();
      const child = spawn('git', ['daemon', '--enable=receive-pack', `--base-path=${baseDir}`, '--export-all', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, baseDir], {
        detached: true,
        stdio: 'ignore',
      });
      const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
      let gone = false;
      void exited.then(() => { gone = true; });
      try {
        await waitUntil(async () => gone || (await accepts(port)), `git daemon on ${port}`, 10_000);
      } catch (error) {
        process.kill(-child.pid!, 'SIGKILL');
        throw error;
      }
      if (!gone) return new GitDaemon(child, port);
      if (attempt > 3) throw new Error('git daemon would not start');
    }
  }

  url(bareRepo: string): string {
    return `git://127.0.0.1:${this.port}/${path.basename(bareRepo)}`;
  }

  stop(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function installHook(bareRepo: string, name: string, script: string): Promise<void> {
  const hook = path.join(bareRepo, 'hooks', name);
  await writeFile(hook, `#!/bin/sh\n${script}\n`);
  await chmod(hook, 0o755);
}

/** A push that takes a while: the pre-receive hook marks its start, sleeps, marks its end, then answers `exitCode`. */
export function slowPush(bareRepo: string, marks: string, seconds: number, exitCode: 0 | 1): Promise<void> {
  const answer = exitCode === 0 ? 'exit 0' : 'echo "frozen for the test" >&2; exit 1';
  return installHook(bareRepo, 'pre-receive', `touch "${marks}.started"\nsleep ${seconds}\ntouch "${marks}.ended"\n${answer}`);
}

/** After origin commits the pushed refs, the connection drops: receive-pack dies before it can report. */
export function dropConnectionAfterApplying(bareRepo: string): Promise<void> {
  return installHook(bareRepo, 'reference-transaction', 'if [ "$1" = committed ]; then kill -9 "$PPID"; fi\nexit 0');
}

/** The cut (or another command of the week) started as from a terminal: its own session, so `signal` can go to the whole process group like a Ctrl-C. */
export function startCutInSession(work: string, env: Record<string, string> = {}, args: string[] = [], script = CUT_SCRIPT) {
  const child = execa('setsid', [process.execPath, script, '--repo', work, '--yes', ...args], { reject: false, env: { ...CLI_ENV, ...env } });
  let progress = '';
  child.stderr!.on('data', (chunk: Buffer) => (progress += chunk.toString()));
  return {
    signalGroup: (signal: NodeJS.Signals): void => void process.kill(-child.pid!, signal),
    /** What it has printed on stderr so far. */
    peek: async (): Promise<string> => progress,
    result: child.then((done): CliResult => ({ exitCode: done.exitCode ?? 128 + 9, stdout: String(done.stdout), stderr: String(done.stderr) })),
  };
}

export const exists = (file: string) => (): boolean => existsSync(file);

/** A clone of origin as a colleague or CI would make it: both branches, staging added, an identity. */
export async function freshClone(sandbox: Sandbox, name: string, originUrl: string, stagingUrl: string): Promise<string> {
  const dir = path.join(sandbox.root, name);
  await git(sandbox.root)`git clone --quiet ${originUrl} ${dir}`;
  const c = git(dir);
  await c`git config user.name ${SANDBOX_IDENTITY.name}`;
  await c`git config user.email ${SANDBOX_IDENTITY.email}`;
  await c`git config commit.gpgsign false`;
  await c`git remote add staging ${stagingUrl}`;
  await c`git branch --quiet --track develop origin/develop`;
  return dir;
}

/** A sandbox whose clone reaches origin and staging through `git daemon`, with one reviewed commit on develop. */
export interface DaemonSandbox {
  sandbox: Sandbox;
  daemon: GitDaemon;
  originUrl: string;
  stagingUrl: string;
  /** Today's release tag. */
  tag: string;
}

/** Runs `test` in a DaemonSandbox, then stops the daemon and removes the sandbox. */
export async function withDaemonSandbox(test: (world: DaemonSandbox) => Promise<void>): Promise<void> {
  const sandbox = await createSandbox();
  const daemon = await GitDaemon.start(sandbox.root);
  try {
    const world = { sandbox, daemon, originUrl: daemon.url(sandbox.origin), stagingUrl: daemon.url(sandbox.staging), tag: `release/${releaseDate(new Date())}` };
    await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
    const w = git(sandbox.work);
    await w`git checkout --quiet main`;
    await w`git remote set-url origin ${world.originUrl}`;
    await w`git remote set-url staging ${world.stagingUrl}`;
    await test(world);
  } finally {
    daemon.stop();
    await rm(sandbox.root, { recursive: true, force: true });
  }
}
