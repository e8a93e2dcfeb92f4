import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ExitCode, UserError } from './errors.js';
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
  /**
   * In its own session and process group, so a terminal's Ctrl-C (SIGINT to the whole
   * foreground group) does not reach it: the step finishes (a push is never cut in half) and
   * the cut stops after it. For the network calls.
   */
  detached?: boolean;
  /** stdout goes to this file descriptor, read by the caller, not collected. */
  stdoutFd?: number;
  /** stdout is kept as bytes (file contents), not decoded. */
  bytes?: boolean;
}

export type Logger = (line: string) => void;

export class GitError extends Error {
  constructor(readonly args: readonly string[], readonly result: GitResult) {
    super(`git ${redact(args.join(' '))} failed (exit ${result.exitCode}): ${gitFailureReason(result)}`);
    this.name = 'GitError';
  }
}

/**
 * Why git failed, in its own words: a push's `--porcelain` rejections (on stdout) as git prints
 * them for people (`! [remote rejected] main -> main (reason)`), and the `fatal:`, `error:`,
 * `remote:` and `! [rejected]` lines of stderr, without git's closing "failed to push some refs".
 */
export function gitFailureReason(result: GitResult): string {
  const short = (ref: string): string => ref.replace(/^refs\/(heads|tags)\//, '');
  const rejected = result.stdout.split('\n').flatMap((line) => {
    const match = /^!\t([^:]*):([^\t]*)\t(\[[^\]]+\])\s*(.*)$/.exec(line);
    return match ? [`! ${match[3]} ${short(match[1]!)} -> ${short(match[2]!)}${match[4] ? ` ${match[4]}` : ''}`] : [];
  });
  const told = result.stderr.split('\n').map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => /^(fatal:|error:|remote:|! \[)/.test(line) && !/^error: failed to push some refs/.test(line) && line !== 'remote:');
  const reasons = [...new Set([...rejected, ...told])];
  const fallback = firstLine(result.stderr || result.stdout) || `git exited with status ${result.exitCode}`;
  return redact(reasons.length > 0 ? reasons.slice(-4).join(' / ') : fallback);
}

/**
 * A push git stopped before the remote answered, without a connection failure: the local
 * pre-push hook refused it (git prints no `To <remote>` line then).
 */
export function refusedByPrePushHook(result: GitResult): boolean {
  return result.exitCode !== 0 && !/^To /m.test(result.stdout) && !/^fatal:/m.test(result.stderr);
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
  /** History is cut off (`clone --depth`): commits below the cut are missing. */
  shallow: boolean;
}

export interface Worktree {
  path: string;
  /** The branch checked out there (`refs/heads/...`), null when detached or bare. */
  branch: string | null;
  /** Its directory is gone; `git worktree prune` forgets it. */
  prunable: boolean;
}

/** Which objects the user's configuration wants signed (`commit.gpgSign`, `tag.gpgSign`). */
export interface Signing {
  commits: boolean;
  tags: boolean;
}

/** Git was asked to sign and did not: its reason, in one line. */
export class SigningError extends UserError {
  constructor(what: string, stderr: string) {
    super(`could not sign the release ${what}: ${redact(firstLine(stderr.replace(/^(error|fatal): /gm, '')) || 'git wrote it without a signature')}`, {
      hint: 'fix the signing setup (user.signingKey, gpg.format, the key or its agent) or turn commit.gpgSign/tag.gpgSign off, then re-run; nothing was changed',
    });
    this.name = 'SigningError';
  }
}

export interface MergeResult {
  tree: string;
  conflicts: string[];
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

/**
 * The variables that tell git which repository, index or object store to use (the ones git
 * itself clears for a submodule, `git rev-parse --local-env-vars`, less the config ones). A
 * server-side hook, `git submodule foreach` or a CI wrapper exports them for its own
 * repository; left in place they would make every git here work on that one, not the one named.
 */
export const REPOSITORY_ENV_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_QUARANTINE_PATH', 'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_GRAFT_FILE', 'GIT_SHALLOW_FILE',
  'GIT_REPLACE_REF_BASE', 'GIT_NO_REPLACE_OBJECTS', 'GIT_INTERNAL_SUPER_PREFIX',
] as const;

/** The caller's environment without REPOSITORY_ENV_VARS, for every git the toolkit starts. */
function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of REPOSITORY_ENV_VARS) delete clean[name];
  return clean;
}

/** The repository-locating variables set in `env`, to say that they are ignored. */
export function repositoryEnvIn(env: Readonly<Record<string, string | undefined>>): string[] {
  return REPOSITORY_ENV_VARS.filter((name) => env[name] !== undefined);
}

const baseGitEnv = gitEnv(process.env);

/**
 * node:child_process rather than execa here: the cut's dry run is held to a small multiple of
 * a bare `git log`, and importing execa alone costs ~70 ms, most of that budget at 10k commits.
 */
function startGit(cwd: string, args: readonly string[], options: RunOptions): { child: ChildProcess; done: Promise<GitResult> } {
  const child = spawn('git', args, {
    cwd,
    env: { ...baseGitEnv, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', options.stdoutFd ?? 'pipe', 'pipe'],
    detached: options.detached ?? false,
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

/**
 * A new file in the temporary directory, open for reading and writing, that no one else can have
 * created or linked first (O_EXCL, mode 600).
 */
function openPrivateTempFile(prefix: string): { fd: number; file: string } {
  for (let attempt = 0; ; attempt += 1) {
    const file = path.join(os.tmpdir(), `${prefix}${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
    try {
      return { fd: openSync(file, 'wx+', 0o600), file };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) throw error;
    }
  }
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

  /** The same git, run in another directory (a linked worktree). */
  at(dir: string): Git {
    return new Git(dir, this.log);
  }

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

  /** The checkout containing `dir`, with where its git data lives and whether it is shallow, in one git call. */
  static async open(dir: string, log: Logger | null = null): Promise<Checkout> {
    if (!existsSync(dir)) {
      throw new UserError(`${dir} does not exist`, { hint: 'pass --repo with the path of a git checkout', exitCode: ExitCode.usage });
    }
    const probe = new Git(dir, log);
    const args = ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir', '--is-shallow-repository'];
    const result = await probe.run(args, { okExitCodes: [0, 128] });
    const [top, gitDir, commonDir, shallow] = result.stdout.trim().split('\n');
    if (result.exitCode !== 0 || !top || !gitDir || !commonDir) {
      if (/not a git repository|must be run in a work tree/i.test(result.stderr)) {
        throw new UserError(`${dir} is not inside a git work tree`, { hint: 'run the cut from your checkout, or pass --repo <dir>', exitCode: ExitCode.usage });
      }
      throw new GitError(args, result);
    }
    return { git: new Git(top, log), gitDir, commonDir, shallow: shallow === 'true' };
  }

  /** The commit `rev` names (a tag is peeled), or null when there is none. */
  async commitOf(rev: string): Promise<string | null> {
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { okExitCodes: [0, 1] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async isShallow(): Promise<boolean> {
    return (await this.output(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** Every worktree of the repository, this one included. */
  async worktrees(): Promise<Worktree[]> {
    const fields = (await this.run(['worktree', 'list', '--porcelain', '-z'])).stdout.split('\0');
    const worktrees: Worktree[] = [];
    for (const field of fields) {
      const space = field.indexOf(' ');
      const [key, value] = space === -1 ? [field, ''] : [field.slice(0, space), field.slice(space + 1)];
      if (key === 'worktree') worktrees.push({ path: value, branch: null, prunable: false });
      const current = worktrees.at(-1);
      if (current && key === 'branch') current.branch = value;
      if (current && key === 'prunable') current.prunable = true;
    }
    return worktrees;
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

  /**
   * Every worktree's git dir other than `gitDir` with the operation in progress there and the
   * branch it works on: a rebase shows HEAD detached, its branch is in `head-name`; a bisect
   * keeps it in BISECT_START. Read from the files git keeps, so a worktree git no longer lists
   * (its folder moved) still counts.
   */
  static operationsElsewhere(commonDir: string, gitDir: string): Array<{ path: string; operation: string; branch: string | null }> {
    const linked = path.join(commonDir, 'worktrees');
    const dirs = [commonDir, ...(existsSync(linked) ? readdirSync(linked).map((name) => path.join(linked, name)) : [])];
    const found: Array<{ path: string; operation: string; branch: string | null }> = [];
    for (const dir of dirs) {
      if (path.resolve(dir) === path.resolve(gitDir)) continue;
      const operation = Git.operationInProgress(dir);
      if (!operation) continue;
      const read = (file: string): string => {
        try {
          return readFileSync(path.join(dir, file), 'utf8').trim();
        } catch {
          return '';
        }
      };
      const named = read('rebase-merge/head-name') || read('rebase-apply/head-name') || read('HEAD').replace(/^ref: /, '');
      const bisected = read('BISECT_START');
      const branch = named.startsWith('refs/heads/') ? named : bisected ? `refs/heads/${bisected}` : null;
      const worktree = dir === commonDir ? path.dirname(commonDir) : path.dirname(read('gitdir'));
      found.push({ path: worktree, operation, branch });
    }
    return found;
  }

  /** Tracked files with staged or unstaged changes (untracked files are the user's business). */
  async changedTrackedFiles(): Promise<string[]> {
    const out = (await this.run(['status', '--porcelain=v1', '-z', '--untracked-files=no'])).stdout;
    return out.split('\0').filter(Boolean).map((entry) => entry.slice(3));
  }

  async signing(): Promise<Signing> {
    const result = await this.run(['config', '-z', '--type=bool', '--get-regexp', '^(commit|tag)\\.gpgsign$'], { okExitCodes: [0, 1] });
    const signing: Signing = { commits: false, tags: false };
    for (const entry of result.stdout.split('\0').filter(Boolean)) {
      const [key, value] = entry.split('\n');
      signing[key === 'commit.gpgsign' ? 'commits' : 'tags'] = value === 'true';
    }
    return signing;
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

  /**
   * Fetches `refspecs` (and tags) from `remote`, with `--unshallow` for a shallow clone. Refspecs
   * are named explicitly so a single-branch clone gets every branch the cut needs.
   */
  async fetch(remote: string, refspecs: readonly string[], options: { unshallow?: boolean } = {}): Promise<void> {
    // --no-progress, not --quiet: --quiet also drops the lines that say why a ref was refused.
    // No automatic maintenance (gc) afterwards: a release waits for nobody's housekeeping.
    await this.run(['fetch', '--no-progress', '--no-auto-maintenance', '--tags', ...(options.unshallow ? ['--unshallow'] : []), '--', remote, ...refspecs], { detached: true });
  }

  /** The objects of `ref` on `remote`, so that its commits can be read here; no ref is written. */
  async fetchObjectsOf(remote: string, ref: string): Promise<void> {
    await this.run(['fetch', '--no-progress', '--no-auto-maintenance', '--no-tags', '--no-write-fetch-head', '--refmap=', '--', remote, ref], { detached: true });
  }

  /** The sha of `ref` on `remote`, or null when the remote has no such ref. */
  async remoteRef(remote: string, ref: string): Promise<string | null> {
    return (await this.remoteRefs(remote, [ref])).get(ref) ?? null;
  }

  /** What `remote` holds for exactly these full ref names, read from the remote itself; absent refs are left out. */
  async remoteRefs(remote: string, refs: readonly string[]): Promise<Map<string, string>> {
    const out = await this.output(['ls-remote', '--', remote, ...refs], { detached: true });
    const found = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [sha, ref] = line.split('\t');
      if (sha && ref && refs.includes(ref)) found.set(ref, sha);
    }
    return found;
  }

  /** Pushed outside the terminal's process group (see RunOptions.detached); judged by git's exit status. */
  async push(remote: string, refspecs: readonly string[], options: { atomic: boolean }): Promise<void> {
    await this.run(['push', '--porcelain', ...(options.atomic ? ['--atomic'] : []), '--', remote, ...refspecs], { detached: true });
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

  /** One commit with its parents and full message. */
  async commit(sha: string): Promise<Commit> {
    const text = (await this.run(['log', '-1', '-z', '--format=%H %P%n%s%n%B', sha, '--'])).stdout;
    return parseLogRecord(text, 0, text.endsWith('\0') ? text.length - 1 : text.length);
  }

  /** Commits reachable from `tips` whose message contains `text` (a fixed string), newest first. */
  async commitsMentioning(text: string, tips: readonly string[]): Promise<Commit[]> {
    const out = (await this.run(['log', '-z', '--format=%H %P%n%B', '--fixed-strings', `--grep=${text}`, ...tips, '--'])).stdout;
    const commits: Commit[] = [];
    for (let start = 0, end = out.indexOf('\0'); start < out.length; start = end + 1, end = out.indexOf('\0', start)) {
      commits.push(parseLogRecord(out, start, end === -1 ? out.length : end));
      if (end === -1) break;
    }
    return commits;
  }

  /**
   * For each commit, the oldest tag matching `pattern` that contains it (git name-rev prefers the
   * older tag, however far), in one walk; commits no such tag contains are absent.
   */
  async firstTagsContaining(commits: readonly string[], pattern: string): Promise<Map<string, string>> {
    if (commits.length === 0) return new Map();
    const out = await this.output(['name-rev', '--name-only', `--refs=${pattern}`, ...commits]);
    const names = out.split('\n');
    return new Map(commits.flatMap((commit, index) => {
      const name = names[index]?.replace(/^tags\//, '').replace(/[~^].*$/, '');
      return name && name !== 'undefined' ? [[commit, name] as [string, string]] : [];
    }));
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { okExitCodes: [0, 1] });
    return result.exitCode === 0;
  }

  /** `<short sha> <subject>` of the commits in `range`, newest first, at most `max`. */
  async oneLines(range: string, max: number): Promise<string[]> {
    return (await this.output(['log', `--max-count=${max}`, '--format=%h %s', range, '--'])).split('\n').filter(Boolean);
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
    yield* this.commitsIn(`${base}..${head}`);
  }

  /**
   * As commitsBetween, for any range git log takes (`A..`, `A...B`). git is started before the
   * first await: the cut's collect starts it while the preflight's own git calls are spawned, and
   * a temporary file made in the thread pool would let those go first. The reads are synchronous
   * too: a chunk of a file git just wrote is in the page cache, a copy of well under a millisecond.
   */
  async *commitsIn(range: string): AsyncGenerator<Commit[]> {
    const args = ['log', '-z', '--format=%H %P%n%B', range, '--'];
    const started = performance.now();
    const { fd, file } = openPrivateTempFile('release-cut-log-');
    let exited = true;
    let child: ChildProcess | null = null;
    try {
      const options: RunOptions = { stdoutFd: fd };
      const git = startGit(this.cwd, args, options);
      child = git.child;
      unlinkSync(file); // git has it open: nothing is left behind, whatever happens next
      exited = false;
      const exit = git.done.then((result) => {
        exited = true;
        return result;
      }, (error: unknown) => {
        exited = true;
        throw error;
      });
      const decoder = new StringDecoder('utf8');
      // A quarter megabyte is ~1,500 commits, a few ms of the caller's analysis; after each, the
      // event loop takes its turn, so that the exits of git calls running beside this one (the
      // cut's preflight, then its fetch) are seen while git is still printing, not when we catch up.
      const buffer = Buffer.allocUnsafe(256 * 1024);
      let position = 0;
      let pending = '';
      for (;;) {
        const finished = exited;
        const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
        if (bytesRead === 0) {
          if (finished) break;
          await Promise.race([exit.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2))]);
          continue;
        }
        await new Promise((resolve) => setImmediate(resolve));
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
      if (!exited) child?.kill();
      if (child === null) unlinkSync(file); // git did not start
      closeSync(fd);
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

  /** commit-tree ignores commit.gpgSign, so signing is asked for with -S; git's key settings apply. */
  async commitTree(tree: string, parents: readonly string[], message: string, sign: boolean, env?: Record<string, string>): Promise<string> {
    const args = ['commit-tree', ...(sign ? ['-S'] : []), tree, ...parents.flatMap((parent) => ['-p', parent]), '-F', '-'];
    if (!sign) return this.output(args, { input: message, ...(env ? { env } : {}) });
    const result = await this.run(args, { input: message, okExitCodes: [0, 1, 128] });
    const commit = result.stdout.trim();
    if (result.exitCode !== 0 || !/^gpgsig(-sha256)? /m.test(await this.objectHeader(commit))) throw new SigningError('commit', result.stderr);
    return commit;
  }

  /**
   * Writes an annotated tag object without creating its ref (the ref moves later, in one
   * transaction with the branches). Only `git tag` can sign, and it always creates the ref, so it
   * runs with a reference-transaction hook that records the new object and aborts the ref update.
   * `scratchDir` holds that hook (under the git dir: /tmp may be mounted noexec).
   */
  async annotatedTag(name: string, target: string, message: string, options: { sign: boolean; scratchDir: string }): Promise<string> {
    const hooks = await mkdtemp(path.join(options.scratchDir, 'release-cut-tag-'));
    try {
      const created = path.join(hooks, 'created');
      await writeFile(path.join(hooks, 'reference-transaction'), '#!/bin/sh\n[ "$1" = prepared ] || exit 0\ncat > "$RELEASE_CUT_TAG_CREATED"\nexit 1\n', { mode: 0o755 });
      const args = ['-c', `core.hooksPath=${hooks}`, 'tag', '--annotate', options.sign ? '--sign' : '--no-sign', '--cleanup=verbatim', '-F', '-', '--', name, target];
      const result = await this.run(args, { input: `${message.trimEnd()}\n`, env: { RELEASE_CUT_TAG_CREATED: created }, okExitCodes: [0, 1, 128] });
      const tag = (await readFile(created, 'utf8').catch(() => '')).split(' ')[1] ?? '';
      if (!tag) throw options.sign ? new SigningError('tag', result.stderr) : new GitError(args, result);
      if (options.sign && !/^-----BEGIN (PGP SIGNATURE|SSH SIGNATURE|SIGNED MESSAGE)-----$/m.test(await this.output(['cat-file', 'tag', tag]))) {
        throw new SigningError('tag', result.stderr);
      }
      return tag;
    } finally {
      await rm(hooks, { recursive: true, force: true });
    }
  }

  private async objectHeader(commit: string): Promise<string> {
    const text = await this.output(['cat-file', 'commit', commit]);
    return text.slice(0, text.indexOf('\n\n'));
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

  /** Why moveWorkTree(from, to) would fail here (a file it would overwrite), or null; changes nothing. */
  async workTreeMoveBlocker(from: string, to: string): Promise<string | null> {
    await this.run(['update-index', '-q', '--refresh'], { okExitCodes: [0, 1] });
    const result = await this.run(['read-tree', '--dry-run', '-m', '-u', from, to], { okExitCodes: [0, 128] });
    return result.exitCode === 0 ? null : firstLine(result.stderr.replace(/^(error|fatal): /gm, '')) || `git read-tree exited ${result.exitCode}`;
  }
}
