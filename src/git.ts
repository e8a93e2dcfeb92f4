import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { UserError } from './errors.js';
import { redact } from './redact.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  input?: string;
  /** Exit codes that are answers, not failures (`merge-base --is-ancestor` answers 1). */
  okExitCodes?: readonly number[];
  env?: Record<string, string>;
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

export interface MergeResult {
  tree: string;
  conflicts: string[];
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

/**
 * Every git call goes through `run`: argument arrays only (never a shell string built
 * from data), no terminal prompts, and one place that logs commands under --verbose.
 */
export class Git {
  constructor(readonly cwd: string, private readonly log: Logger | null = null) {}

  async run(args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
    const started = performance.now();
    const result = await execa('git', args, {
      cwd: this.cwd,
      input: options.input,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 1024 * 1024 * 1024,
      env: { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...options.env },
    });
    const outcome: GitResult = {
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      exitCode: result.exitCode ?? (result.failed ? 1 : 0),
    };
    this.log?.(`git ${redact(args.join(' '))} -> ${outcome.exitCode} (${Math.round(performance.now() - started)} ms)`);
    if (!(options.okExitCodes ?? [0]).includes(outcome.exitCode)) throw new GitError(args, outcome);
    return outcome;
  }

  async output(args: readonly string[], options: RunOptions = {}): Promise<string> {
    return (await this.run(args, options)).stdout.trim();
  }

  // --- where we are ---

  static async topLevel(dir: string, log: Logger | null = null): Promise<Git> {
    if (!existsSync(dir)) {
      throw new UserError(`${dir} does not exist`, { hint: 'pass --repo with the path of a git checkout' });
    }
    const probe = new Git(dir, log);
    const result = await probe.run(['rev-parse', '--show-toplevel'], { okExitCodes: [0, 128] });
    if (result.exitCode !== 0) {
      throw new UserError(`${dir} is not inside a git work tree`, { hint: 'run the cut from your checkout, or pass --repo <dir>' });
    }
    return new Git(result.stdout.trim(), log);
  }

  async gitDirs(): Promise<{ gitDir: string; commonDir: string }> {
    const [gitDir, commonDir] = (await this.output(['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'])).split('\n');
    return { gitDir: gitDir!, commonDir: commonDir! };
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

  async currentBranch(): Promise<string | null> {
    const result = await this.run(['symbolic-ref', '--quiet', 'HEAD'], { okExitCodes: [0, 1] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async committerIdent(): Promise<string | null> {
    const result = await this.run(['var', 'GIT_COMMITTER_IDENT'], { okExitCodes: [0, 128] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async version(): Promise<[number, number]> {
    const match = /(\d+)\.(\d+)/.exec(await this.output(['version']));
    return [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  }

  // --- remotes ---

  async remotes(): Promise<string[]> {
    return (await this.output(['remote'])).split('\n').filter(Boolean);
  }

  async remoteUrl(remote: string): Promise<string | null> {
    const result = await this.run(['remote', 'get-url', remote], { okExitCodes: [0, 2, 128] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
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

  /** Full ref names to shas; refs that do not exist are absent. */
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

  async tags(pattern: string): Promise<string[]> {
    return (await this.output(['tag', '--list', pattern])).split('\n').filter(Boolean);
  }

  async tagsPointingAt(sha: string, pattern: string): Promise<string[]> {
    return (await this.output(['tag', '--list', '--points-at', sha, pattern])).split('\n').filter(Boolean);
  }

  /** Commits reachable from `head` but not from `base`, oldest first, with full messages. */
  async commitsBetween(base: string, head: string): Promise<Commit[]> {
    const out = (await this.run(['log', '-z', '--reverse', '--format=%H %P%n%s%n%B', `${base}..${head}`, '--'])).stdout;
    const commits: Commit[] = [];
    for (const record of out.split('\0')) {
      if (!record) continue;
      const firstBreak = record.indexOf('\n');
      const secondBreak = record.indexOf('\n', firstBreak + 1);
      const [sha, ...parents] = record.slice(0, firstBreak).split(' ');
      commits.push({
        sha: sha!,
        parents: parents.filter(Boolean),
        subject: record.slice(firstBreak + 1, secondBreak),
        message: record.slice(secondBreak + 1).trimEnd(),
      });
    }
    return commits;
  }

  // --- objects (written to the object database only; nothing visible until refs move) ---

  async mergeTree(ours: string, theirs: string): Promise<MergeResult> {
    const result = await this.run(['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs], { okExitCodes: [0, 1] });
    const [tree, ...files] = result.stdout.split('\0').filter(Boolean);
    return { tree: tree!, conflicts: result.exitCode === 1 ? [...new Set(files)] : [] };
  }

  async readFile(treeish: string, file: string): Promise<string | null> {
    const result = await this.run(['cat-file', 'blob', `${treeish}:${file}`], { okExitCodes: [0, 128] });
    return result.exitCode === 0 ? result.stdout : null;
  }

  /** A tree equal to `tree` with the top-level `file` set to `content`. */
  async replaceTopLevelFile(tree: string, file: string, content: string): Promise<string> {
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
