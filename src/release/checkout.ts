import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, GitError, gitFailureReason, type Checkout, type RefUpdate, type Signing, type Worktree } from '../git.js';
import { recordFetchRefspec } from '../record/store.js';
import { redact } from '../redact.js';
import type { Steps } from './steps.js';

/*
 * The checkout as every command of the week needs it: checked as a careful person would before
 * changing anything (clean, no operation under way, worktrees that can follow), origin's branches
 * fetched whole with the release records, local branches reconciled with origin's, and refs moved
 * in one transaction with every worktree that has them checked out.
 */

/** A branch as the cut will use it: the local ref, and the sha the release builds on. */
export interface Branch {
  name: string;
  ref: string;
  localSha: string | null;
  sha: string;
}

export function fail(message: string, hint: string, exitCode: number = ExitCode.failed): UserError {
  return new UserError(message, { hint, exitCode });
}

export function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 5).join(', ');
  return files.length > 5 ? `${shown} and ${files.length - 5} more` : shown;
}

const NOT_SIGNING: Signing = { commits: false, tags: false };

export async function preflight(checkout: Checkout, config: ReleaseConfig, dryRun: boolean): Promise<{ remotes: Map<string, string>; signing: Signing }> {
  const { git } = checkout;
  const [changed, remotes, ident, signing, worktrees] = await Promise.all([
    git.changedTrackedFiles(),
    git.remotes(),
    dryRun ? 'not needed' : git.committerIdent(),
    dryRun ? NOT_SIGNING : git.signing(),
    // Without linked worktrees this one is the only one, checked above: spare the git call.
    existsSync(path.join(checkout.commonDir, 'worktrees')) ? git.worktrees() : [],
  ]);
  const operation = Git.operationInProgress(checkout.gitDir);
  if (operation) throw fail(`${operation} is in progress in ${git.cwd}`, 'finish or abort it, then re-run');
  if (changed.length > 0) {
    throw fail(`the working tree has uncommitted changes (${listFiles(changed)})`, 'commit or stash them, then re-run');
  }
  for (const remote of [config.remote, config.stagingRemote]) {
    if (!remotes.has(remote)) {
      throw fail(`there is no git remote named "${remote}"`, `add it with: git remote add ${remote} <url> (or pass --${remote === config.remote ? 'remote' : 'staging-remote'})`, ExitCode.usage);
    }
  }
  if (!ident) {
    throw fail('git does not know who is committing', 'set user.name and user.email (git config user.name "Release Bot"), then re-run');
  }
  const released = new Set([config.base, config.head].map((name) => `refs/heads/${name}`));
  // Moving a branch under a rebase (shown detached) would let `git rebase --abort` there reset it to before the release.
  for (const elsewhere of Git.operationsElsewhere(checkout.commonDir, checkout.gitDir)) {
    if (elsewhere.branch && released.has(elsewhere.branch)) {
      throw fail(`${elsewhere.operation} of ${branchName(elsewhere.branch)} is in progress in ${elsewhere.path}`, 'finish or abort it there, then re-run; nothing was changed');
    }
  }
  for (const worktree of worktrees) {
    if (worktree.branch && released.has(worktree.branch) && worktree.path !== git.cwd) {
      const problem = await worktreeProblem(git, worktree);
      if (problem) throw fail(`${branchName(worktree.branch)} is checked out in ${worktree.path}, ${problem.what}`, `${problem.fix}, then re-run`);
    }
  }
  return { remotes, signing };
}

function branchName(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

interface WorktreeProblem {
  what: string;
  fix: string;
}

/** Why a worktree cannot follow its branch: it is gone, or has changes its owner has not committed. */
async function worktreeProblem(git: Git, worktree: Worktree): Promise<WorktreeProblem | null> {
  if (worktree.prunable || !existsSync(worktree.path)) {
    return { what: 'which no longer exists', fix: 'forget it with: git worktree prune' };
  }
  const changed = await git.at(worktree.path).changedTrackedFiles();
  return changed.length > 0 ? { what: `which has uncommitted changes (${listFiles(changed)})`, fix: 'commit or stash them there' } : null;
}

/** Why moving a worktree's files from `from` to `to` would fail (an untracked file in the way), asked of git without changing anything. */
async function moveProblem(tree: Git, from: string, to: string): Promise<WorktreeProblem | null> {
  const why = await tree.workTreeMoveBlocker(from, to);
  return why ? { what: `which cannot follow it: ${why}`, fix: 'move that file out of the way there' } : null;
}

function noSuchBranch(config: ReleaseConfig, name: string): UserError {
  return fail(`${config.remote} has no branch "${name}"`, `push it first, or pass --${name === config.base ? 'base' : 'head'} <branch>`, ExitCode.usage);
}

/**
 * Both branches with their whole history: a shallow clone would silently drop commits from the
 * report, and a single-branch clone has no remote-tracking ref for the other branch.
 */
export async function fetchBranches(checkout: Checkout, config: ReleaseConfig, say: (line: string) => void): Promise<void> {
  const { git, shallow } = checkout;
  if (shallow) say(`this clone is shallow: fetching the whole history of ${config.base} and ${config.head} from ${config.remote}`);
  try {
    const branches = [config.base, config.head].map((branch) => `+refs/heads/${branch}:refs/remotes/${config.remote}/${branch}`);
    await git.fetch(config.remote, [...branches, recordFetchRefspec(config.recordRef)], { unshallow: shallow });
  } catch (error) {
    const missing = error instanceof GitError ? /couldn't find remote ref refs\/heads\/(\S+)/.exec(error.result.stderr)?.[1] : undefined;
    if (missing) throw noSuchBranch(config, missing);
    const clash = error instanceof GitError ? /\[rejected\]\s+(\S+)\s+->\s+\S+\s+\(would clobber existing tag\)/.exec(error.result.stderr)?.[1] : undefined;
    throw fail(
      `git fetch ${config.remote} failed: ${gitErrorDetail(error)}`,
      clash ? `your tag ${clash} is not ${config.remote}'s tag of that name: compare them (git rev-parse ${clash}; git ls-remote ${config.remote} refs/tags/${clash}), delete or rename yours, then re-run; nothing was changed` : shallow ? `this clone is shallow; run: git fetch --unshallow ${config.remote} (or clone without --depth), then re-run` : `check the ${config.remote} URL and your access, then re-run`,
    );
  }
  if (shallow && (await git.isShallow())) {
    throw fail(`this clone is still shallow after fetching from ${config.remote}: the report would miss commits`, `run: git fetch --unshallow ${config.remote} (or clone without --depth), then re-run`);
  }
}

/**
 * Local branch and origin's copy: fast-forward when strictly behind, refuse when ahead or
 * diverged. Today's release tags come back from the same git call.
 */
export async function resolveBranches(git: Git, config: ReleaseConfig, date: string): Promise<{ base: Branch; head: Branch; todaysTags: string[] }> {
  const names = [config.base, config.head];
  const tagPattern = `refs/tags/${config.tagPrefix}${date}*`;
  const refs = await git.refs([...names.flatMap((name) => [`refs/heads/${name}`, `refs/remotes/${config.remote}/${name}`]), tagPattern]);
  const todaysTags = [...refs.keys()].filter((ref) => ref.startsWith('refs/tags/')).map((ref) => ref.slice('refs/tags/'.length));
  const resolve = async (name: string): Promise<Branch> => {
    const ref = `refs/heads/${name}`;
    const localSha = refs.get(ref) ?? null;
    const remoteSha = refs.get(`refs/remotes/${config.remote}/${name}`);
    if (!remoteSha) throw noSuchBranch(config, name);
    if (!localSha || localSha === remoteSha || (await git.isAncestor(localSha, remoteSha))) {
      return { name, ref, localSha, sha: remoteSha };
    }
    const ahead = await git.isAncestor(remoteSha, localSha);
    throw fail(
      ahead
        ? `local ${name} has commits that ${config.remote}/${name} does not have`
        : `local ${name} and ${config.remote}/${name} have diverged`,
      ahead
        ? `only reviewed work is released: push them through review, or reset ${name} to ${config.remote}/${name}, then re-run`
        : `reconcile them (e.g. git checkout ${name} && git reset --hard ${config.remote}/${name} if the local commits are not needed), then re-run`,
    );
  };
  return { base: await resolve(config.base), head: await resolve(config.head), todaysTags };
}

export function branchUpdate(branch: Branch, newSha: string): RefUpdate {
  return { ref: branch.ref, oldSha: branch.localSha, newSha };
}

function reversed(update: RefUpdate): RefUpdate {
  return { ref: update.ref, oldSha: update.newSha, newSha: update.oldSha };
}

/**
 * Moves refs in one transaction, and the index and files of every worktree that has a moved
 * branch checked out, as `git checkout` would; registers the exact inverse for rollback. A
 * worktree that cannot follow (changes, an untracked file in the way) stops it before any ref moves.
 */
export async function moveRefs(git: Git, steps: Steps, updates: RefUpdate[], reason: string): Promise<void> {
  const worktrees = await git.worktrees();
  const moves = updates.flatMap(({ ref, oldSha, newSha }) => {
    const worktree = worktrees.find((candidate) => candidate.branch === ref);
    return worktree && oldSha && newSha ? [{ ref, worktree, tree: git.at(worktree.path), from: oldSha, to: newSha }] : [];
  });
  for (const { ref, worktree, tree, from, to } of moves) {
    const problem = (await worktreeProblem(git, worktree)) ?? (await moveProblem(tree, from, to));
    if (problem) throw fail(`${branchName(ref)} is checked out in ${worktree.path}, ${problem.what}`, `${problem.fix}, then re-run; nothing was changed`);
  }
  try {
    await git.updateRefs(updates, reason);
    steps.onRollback('local branch and tag updates', () => git.updateRefs(updates.map(reversed), `${reason} (rolled back)`));
    for (const { worktree, tree, from, to } of moves) {
      await tree.moveWorkTree(from, to);
      steps.onRollback(`work tree of ${worktree.path}`, () => tree.moveWorkTree(to, from));
    }
  } catch (error) {
    await steps.rollback();
    throw error;
  }
}

export function gitErrorDetail(error: unknown): string {
  return error instanceof GitError ? gitFailureReason(error.result) : redact(String(error));
}
