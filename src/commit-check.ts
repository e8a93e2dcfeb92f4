import type { Commit } from './git.js';
import { checkCommitMessage, type CommitRules } from './commit-message.js';

export interface Offender {
  sha: string;
  subject: string;
  why: string;
}

/**
 * The commits of a range that the commit-msg hook would have refused: the same rules and
 * exemptions, applied to messages as stored (a merge is a commit with two parents).
 */
export function findOffenders(commits: Iterable<Commit>, rules: CommitRules): Offender[] {
  const offenders: Offender[] = [];
  for (const commit of commits) {
    const verdict = checkCommitMessage(commit.message, { ...rules, commentChar: null, merge: commit.parents.length > 1 });
    if (!verdict.ok) offenders.push({ sha: commit.sha, subject: commit.subject, why: verdict.problem });
  }
  return offenders;
}
