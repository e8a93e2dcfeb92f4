import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from './errors.js';
import { redact } from './redact.js';

export interface GitResult {
  stdout: string;
  /** stdout's bytes, kept only when asked for (RunOptions.bytes). */
  stdoutBytes?: Buffer;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  input?: string | Buffer;
  /** Exit codes that are answers, not failures (`merge-base --is-ancestor` answers 1). */
  okExitCodes?: readonly number[];
  env?: Record<string, string>;
  /** stdout goes to this file descriptor, read by the caller, not collected. */
  stdoutFd?: number;
  /** stdout is kept as bytes (file contents), not decoded. */
  bytes?: boolean;
}

export type Logger = (line: string) => void;

export class GitError extends Error {
  constructor(readonly args: readonly string[], readonly result: GitResult) {
    super(`git ${redact(args.join(' '))} failed (exit ${result.exitCode}): ${redact(firstLine(result.stderr || result.stdout))}`);
    this.name = 'GitError';
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((line) => line.trim().length > 0)?.trim() ?? '';
}

export interface Commit {
  sha: string;
  parents: string[];
  subject: string;
  /** The full message: subject, body and trailers. */
  message: string;
}

export interface RefUpdate {
  ref: string;
  /** null deletes the ref. */
  newSha: string | null;
  /** null means the ref must not exist yet. */
  oldSha: string | null;
}

export interface Checkout {
  git: Git;
  gitDir: string;
  commonDir: string;
  /** The checked-out branch (`refs/heads/...`), null when HEAD is detached. */
  currentRef: string | null;
}

export interface MergeResult {
  tree: string;
  conflicts: string[];
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

/**
 * node:child_process rather than execa here: the cut's dry run is held to a small multiple of
 * a bare `git log`, and importing execa alone costs ~70 ms, most of that budget at 10k commits.
 */
function startGit(cwd: string, args: readonly string[], options: RunOptions): { child: ChildProcess; done: Promise<GitResult> } {
  const child = spawn('git', args, {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', options.stdoutFd ?? 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const done = new Promise<GitResult>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new UserError('git is not installed or not on PATH', { hint: 'install git 2.38 or newer' }) : error);
    });
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(stdout);
      resolve({
        ...(options.bytes ? { stdout: '', stdoutBytes: bytes } : { stdout: bytes.toString('utf8') }),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? 128 + (signal ? os.constants.signals[signal] : 0),
      });
    });
  });
  child.stdin?.end(options.input);
  return { child, done };
}

/**
 * git's %s of a message: its first paragraph, each line without trailing blanks, joined by spaces.
 * Derived here rather than printed by git, which would send every subject twice.
 */
function subjectOf(message: string): string {
  const firstBreak = message.indexOf('\n');
  if (firstBreak === -1) return message.trimEnd();
  const rest = message.indexOf('\n', firstBreak + 1);
  const secondLine = message.slice(firstBreak + 1, rest === -1 ? message.length : rest);
  if (secondLine.trim() === '') return message.slice(0, firstBreak).trimEnd();
  const paragraph: string[] = [];
  for (const line of message.split('\n')) {
    if (line.trim() === '') break;
    paragraph.push(line.trimEnd());
  }
  return paragraph.join(' ');
}

/** One `%H %P%n%B` record of `text[start, end)`, read by index to spare copies of 100k messages. */
function parseLogRecord(text: string, start: number, end: number): Commit {
  const firstBreak = text.indexOf('\n', start);
  let messageStart = firstBreak + 1;
  while (messageStart < end && text.charCodeAt(messageStart) === 10) messageStart += 1;
  let messageEnd = end;
  while (messageEnd > messageStart && (text.charCodeAt(messageEnd - 1) === 10 || text.charCodeAt(messageEnd - 1) === 32)) messageEnd -= 1;
  const space = text.indexOf(' ', start);
  const sha = text.slice(start, space);
  const parents = space + 1 < firstBreak ? text.slice(space + 1, firstBreak).split(' ') : [];
  const message = text.slice(messageStart, messageEnd);
  return { sha, parents, subject: subjectOf(message), message };
}

/**
 * Every git call goes through `run`: argument arrays only (never a shell string built
 * from data), no terminal prompts, and one place that logs commands under --verbose.
 */
export class Git {
  constructor(readonly cwd: string, private readonly log: Logger | null = null) {}

  async run(args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
    const started = performance.now();
    const outcome = await startGit(this.cwd, args, options).done;
    return this.check(args, options, outcome, started);
  }

  private check(args: readonly string[], options: RunOptions, outcome: GitResult, started: number): GitResult {
    this.log?.(`git ${redact(args.join(' '))} -> ${outcome.exitCode} (${Math.round(performance.now() - started)} ms)`);
    if (!(options.okExitCodes ?? [0]).includes(outcome.exitCode)) throw new GitError(args, outcome);
    return outcome;
  }

  async output(args: readonly string[], options: RunOptions = {}): Promise<string> {
    return (await this.run(args, options)).stdout.trim();
  }

  // --- where we are ---

  /** The checkout containing `dir`, with where its git data lives and what HEAD is, in one git call. */
  static async open(dir: string, log: Logger | null = null): Promise<Checkout> {
    if (!existsSync(dir)) {
      throw new UserError(`${dir} does not exist`, { hint: 'pass --repo with the path of a git checkout' });
    }
    const probe = new Git(dir, log);
    const args = ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir', '--symbolic-full-name', 'HEAD'];
    const result = await probe.run(args, { okExitCodes: [0, 128] });
    const [top, gitDir, commonDir, head] = result.stdout.trim().split('\n');
    if (result.exitCode !== 0 || !top || !gitDir || !commonDir) {
      if (/not a git repository/i.test(result.stderr)) {
        throw new UserError(`${dir} is not inside a git work tree`, { hint: 'run the cut from your checkout, or pass --repo <dir>' });
      }
      throw new GitError(args, result);
    }
    return { git: new Git(top, log), gitDir, commonDir, currentRef: head?.startsWith('refs/') ? head : null };
  }

  /** The merge, rebase, cherry-pick, revert or bisect the work tree is in the middle of, if any. */
  static operationInProgress(gitDir: string): string | null {
    const markers: Array<[string, string]> = [
      ['MERGE_HEAD', 'a merge'],
      ['rebase-merge', 'a rebase'],
      ['rebase-apply', 'a rebase or am'],
      ['CHERRY_PICK_HEAD', 'a cherry-pick'],
      ['REVERT_HEAD', 'a revert'],
      ['BISECT_LOG', 'a bisect'],
    ];
    return markers.find(([marker]) => existsSync(path.join(gitDir, marker)))?.[1] ?? null;
  }

  /** Tracked files with staged or unstaged changes (untracked files are the user's business). */
  async changedTrackedFiles(): Promise<string[]> {
    const out = (await this.run(['status', '--porcelain=v1', '-z', '--untracked-files=no'])).stdout;
    return out.split('\0').filter(Boolean).map((entry) => entry.slice(3));
  }

  async committerIdent(): Promise<string | null> {
    const result = await this.run(['var', 'GIT_COMMITTER_IDENT'], { okExitCodes: [0, 128] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  // --- remotes ---

  /** Remote names and their fetch URLs. */
  async remotes(): Promise<Map<string, string>> {
    const remotes = new Map<string, string>();
    for (const line of (await this.output(['remote', '-v'])).split('\n')) {
      const match = /^(\S+)\t(.*) \(fetch\)$/.exec(line);
      if (match) remotes.set(match[1]!, match[2]!);
    }
    return remotes;
  }

  async fetch(remote: string): Promise<void> {
    await this.run(['fetch', '--quiet', '--tags', remote]);
  }

  /** The sha of `ref` on `remote`, or null when the remote has no such ref. */
  async remoteRef(remote: string, ref: string): Promise<string | null> {
    const out = await this.output(['ls-remote', '--', remote, ref]);
    const line = out.split('\n').find((entry) => entry.endsWith(`\t${ref}`));
    return line ? line.split('\t')[0]! : null;
  }

  async push(remote: string, refspecs: readonly string[], options: { atomic: boolean }): Promise<void> {
    await this.run(['push', '--porcelain', ...(options.atomic ? ['--atomic'] : []), '--', remote, ...refspecs]);
  }

  // --- refs and history ---

  /** Full ref names (or for-each-ref globs) to shas; refs that do not exist are absent. */
  async refs(names: readonly string[]): Promise<Map<string, string>> {
    const out = await this.output(['for-each-ref', '--format=%(refname) %(objectname)', ...names]);
    const refs = new Map<string, string>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, sha] = line.split(' ');
      refs.set(name!, sha!);
    }
    return refs;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { okExitCodes: [0, 1] });
    return result.exitCode === 0;
  }

  async tagsPointingAt(sha: string, pattern: string): Promise<string[]> {
    return (await this.output(['tag', '--list', '--points-at', sha, pattern])).split('\n').filter(Boolean);
  }

  /**
   * Commits reachable from `head` but not from `base`, newest first, with full messages,
   * yielded in batches while git is still printing them so the caller's work overlaps git's.
   * git writes to a temporary file rather than a pipe: a pipe holds 64 KB, so every pause of
   * ours (a garbage collection) would stop git too; a file lets git run at its own speed.
   */
  async *commitsBetween(base: string, head: string): AsyncGenerator<Commit[]> {
    const args = ['log', '-z', '--format=%H %P%n%B', `${base}..${head}`, '--'];
    const started = performance.now();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'release-cut-log-'));
    const file = await open(path.join(dir, 'log'), 'w+');
    const options: RunOptions = { stdoutFd: file.fd };
    const { child, done } = startGit(this.cwd, args, options);
    let exited = false;
    const exit = done.then((result) => {
      exited = true;
      return result;
    }, (error: unknown) => {
      exited = true;
      throw error;
    });
    try {
      const decoder = new StringDecoder('utf8');
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      let position = 0;
      let pending = '';
      for (;;) {
        const finished = exited;
        const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) {
          if (finished) break;
          await Promise.race([exit.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2))]);
          continue;
        }
        position += bytesRead;
        const text = pending + decoder.write(buffer.subarray(0, bytesRead));
        const batch: Commit[] = [];
        let start = 0;
        for (let end = text.indexOf('\0'); end !== -1; end = text.indexOf('\0', start)) {
          batch.push(parseLogRecord(text, start, end));
          start = end + 1;
        }
        pending = text.slice(start);
        if (batch.length > 0) yield batch;
      }
      this.check(args, options, await exit, started);
    } finally {
      if (!exited) child.kill();
      await file.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  // --- objects (written to the object database only; nothing visible until refs move) ---

  async mergeTree(ours: string, theirs: string): Promise<MergeResult> {
    const result = await this.run(['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs], { okExitCodes: [0, 1, 129] });
    if (result.exitCode === 129) {
      throw new UserError('this git cannot merge without touching the work tree (merge-tree --write-tree)', { hint: 'install git 2.38 or newer' });
    }
    const [tree, ...files] = result.stdout.split('\0').filter(Boolean);
    return { tree: tree!, conflicts: result.exitCode === 1 ? [...new Set(files)] : [] };
  }

  async treeOf(commit: string): Promise<MergeResult> {
    return { tree: await this.output(['rev-parse', `${commit}^{tree}`]), conflicts: [] };
  }

  /** The file's bytes as committed (no encoding or line-ending conversion), or null when absent. */
  async readFile(treeish: string, file: string): Promise<Buffer | null> {
    const result = await this.run(['cat-file', 'blob', `${treeish}:${file}`], { okExitCodes: [0, 128], bytes: true });
    return result.exitCode === 0 ? result.stdoutBytes! : null;
  }

  /** A tree equal to `tree` with the top-level `file` set to `content` (bytes, stored as they are). */
  async replaceTopLevelFile(tree: string, file: string, content: Buffer): Promise<string> {
    const blob = await this.output(['hash-object', '-w', '--stdin'], { input: content });
    const entries = (await this.run(['ls-tree', '-z', tree])).stdout.split('\0').filter(Boolean);
    const kept = entries.filter((entry) => entry.slice(entry.indexOf('\t') + 1) !== file);
    const listing = [...kept, `100644 blob ${blob}\t${file}`].map((entry) => `${entry}\0`).join('');
    return this.output(['mktree', '-z'], { input: listing });
  }

  async commitTree(tree: string, parents: readonly string[], message: string): Promise<string> {
    return this.output(['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-F', '-'], { input: message });
  }

  async annotatedTag(name: string, target: string, message: string): Promise<string> {
    const tagger = await this.committerIdent();
    const body = `object ${target}\ntype commit\ntag ${name}\ntagger ${tagger}\n\n${message.trimEnd()}\n`;
    return this.output(['mktag'], { input: body });
  }

  /** All updates or none: each one checks the ref still holds `oldSha`. */
  async updateRefs(updates: readonly RefUpdate[], reason: string): Promise<void> {
    const lines = ['start'];
    for (const { ref, newSha, oldSha } of updates) {
      lines.push(newSha === null ? `delete ${ref} ${oldSha ?? ''}` : `update ${ref} ${newSha} ${oldSha ?? ZERO_SHA}`);
    }
    lines.push('prepare', 'commit');
    await this.run(['update-ref', '-m', reason, '--stdin'], { input: `${lines.join('\n')}\n` });
  }

  /** Brings index and work tree from `from` to `to` after the checked-out branch moved; refuses to overwrite local changes. */
  async moveWorkTree(from: string, to: string): Promise<void> {
    await this.run(['update-index', '-q', '--refresh'], { okExitCodes: [0, 1] });
    await this.run(['read-tree', '-m', '-u', from, to]);
  }
}
