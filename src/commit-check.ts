import type { Commit } from './git.js';
import { checkCommitMessage, revertedShaOf, type CommitRules } from './commit-message.js';

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
 * git has no such commit) exists and has an accepted message itself.
 */
export function findOffenders(commits: Iterable<Commit>, rules: CommitRules, reverted: ReadonlyMap<string, Commit | null>): Offender[] {
  const offenders: Offender[] = [];
  for (const commit of commits) {
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
