import type { Commit } from './git.js';
import { checkCommitMessage, revertedShaOf, type CommitRules } from './commit-message.js';
import { findJiraKeys } from './jira-keys.js';

/** A commit with the Jira keys its message names. */
export interface KeyedCommit<Keys extends readonly string[] = readonly string[]> {
  sha: string;
  parents: readonly string[];
  keys: Keys;
}

/**
 * Keys for commits that carry none but came in through a merge that does, e.g. the commits
 * of `feature/EPN-130-search` merged by "Merge pull request #42 from .../EPN-130-search".
 * Only branches merged into the head's first-parent line are followed. The cut and commits:check
 * both ask it, so they agree on which commits need a key of their own.
 */
export function keysInheritedFromMerges<Keys extends readonly string[]>(commits: ReadonlyArray<KeyedCommit<Keys>>, headSha: string): Map<string, Keys> {
  const bySha = new Map(commits.map((commit) => [commit.sha, commit]));
  const mainline = new Set<string>();
  for (let commit = bySha.get(headSha); commit; commit = bySha.get(commit.parents[0] ?? '')) mainline.add(commit.sha);
  const inherited = new Map<string, Keys>();
  for (const merge of commits) {
    const { keys } = merge;
    if (merge.parents.length < 2 || keys.length === 0 || !mainline.has(merge.sha)) continue;
    const pending = merge.parents.slice(1);
    for (let sha = pending.pop(); sha !== undefined; sha = pending.pop()) {
      const commit = bySha.get(sha);
      if (!commit || mainline.has(sha) || inherited.has(sha)) continue;
      inherited.set(sha, keys);
      pending.push(...commit.parents);
    }
  }
  return inherited;
}

export interface Offender {
  sha: string;
  subject: string;
  why: string;
}

/**
 * The commits of a range that the commit-msg hook would have refused: the same rules and
 * exemptions, applied to messages as stored (a merge is a commit with two parents), and two
 * that only a range can judge: a fixup!/squash!/amend! commit here was never autosquashed, and a
 * revert counts only when the commit it names (`reverted`, looked up by the caller: null when
 * git has no such commit) exists and has an accepted message itself. A commit brought in by a
 * keyed merge on the head's first-parent line has that merge's keys, as in the cut.
 */
export function findOffenders(commits: readonly Commit[], headSha: string, rules: CommitRules, reverted: ReadonlyMap<string, Commit | null>): Offender[] {
  const offenders: Offender[] = [];
  // Only merges pass keys on: the others' keys are not needed here.
  const keyed = commits.map((commit) => ({ ...commit, keys: commit.parents.length > 1 ? findJiraKeys(commit.message, rules.projectKeys) : [] }));
  const inherited = keyed.some((commit) => commit.keys.length > 0) ? keysInheritedFromMerges(keyed, headSha) : new Map<string, readonly string[]>();
  for (const commit of commits) {
    if (inherited.has(commit.sha)) continue;
    const verdict = checkCommitMessage(commit.message, { ...rules, commentChar: null, merge: commit.parents.length > 1 });
    const why = !verdict.ok ? verdict.problem : verdict.reason === 'fixup' ? fixupProblem(commit.subject) : verdict.reason === 'revert' ? revertProblem(commit.message, rules, reverted) : null;
    if (why) offenders.push({ sha: commit.sha, subject: commit.subject, why });
  }
  return offenders;
}

function fixupProblem(subject: string): string {
  return `a ${subject.slice(0, subject.indexOf('!') + 1)} commit was never squashed into its target: run git rebase -i --autosquash on the base, then push again`;
}

function revertProblem(message: string, rules: CommitRules, reverted: ReadonlyMap<string, Commit | null>): string | null {
  const named = revertedShaOf(message);
  const target = named === null ? null : reverted.get(named) ?? null;
  if (target === null) return `it says it reverts commit ${named ?? '?'}, which this repository does not have: give it a Jira key`;
  const verdict = checkCommitMessage(target.message, { ...rules, commentChar: null, merge: target.parents.length > 1 });
  return verdict.ok ? null : `the commit it reverts (${target.sha.slice(0, 7)}) has no accepted message itself: give the revert a Jira key`;
}
