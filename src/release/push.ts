import { ExitCode, UserError } from '../errors.js';
import { GitError, gitFailureReason, refusedByPrePushHook, type Git, type RefUpdate } from '../git.js';
import { ReleaseStateError } from './failure.js';
import { describePartial, judgeRemote } from './remote-state.js';

/**
 * Pushes the release's refs (each with the remote's value before, null when new) in one atomic
 * push. When git reports a failure the remote is read before anything is decided or said:
 * it has the whole release (a connection dropped after it applied): carry on; none of it:
 * throw, the caller rolls back; part of it, or it cannot be read: a ReleaseStateError that
 * keeps the local refs and names what is left to do.
 */
export async function pushRelease(git: Git, remote: string, pushed: readonly RefUpdate[], say: (line: string) => void): Promise<void> {
  try {
    await git.push(remote, pushed.map(({ ref }) => `${ref}:${ref}`), { atomic: true });
    return;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const reason = gitFailureReason(error.result);
    let observed: Map<string, string>;
    try {
      observed = await git.remoteRefs(remote, pushed.map(({ ref }) => ref));
    } catch (readError) {
      throw new ReleaseStateError(
        'unknown',
        `the push to ${remote} failed (${reason}) and ${remote} cannot be read to tell whether it took the release (${readError instanceof GitError ? gitFailureReason(readError.result) : String(readError)})`,
        `re-run the cut once ${remote} is reachable: it reads ${remote}, then finishes pushing the release commits kept here or removes them`,
      );
    }
    const state = judgeRemote(pushed, observed);
    if (state.kind === 'applied') {
      say(`warning: git push reported a failure (${reason}), but ${remote} shows the whole release: carrying on`);
      return;
    }
    if (state.kind === 'untouched') {
      const who = refusedByPrePushHook(error.result) ? `your pre-push hook refused the push to ${remote}` : `${remote} rejected the release push`;
      throw new UserError(`${who} (${reason})`, {
        hint: 'nothing was released and your branches are as they were; fix the cause and re-run',
        exitCode: ExitCode.failed,
      });
    }
    throw new ReleaseStateError(
      'partial',
      `${remote} took only part of the release push (${reason}): ${describePartial(remote, state)}`,
      'your local branches and tag are kept: run the commands named, then re-run the cut to push staging',
    );
  }
}

/**
 * Pushes `ref` to the staging remote; null when staging has the release commit afterwards (read
 * from staging itself when git reported a failure), otherwise git's reason.
 */
export async function pushStaging(git: Git, remote: string, ref: string, releaseCommit: string, say: (line: string) => void): Promise<string | null> {
  try {
    await git.push(remote, [`${ref}:${ref}`], { atomic: false });
    return null;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const reason = `${refusedByPrePushHook(error.result) ? 'your pre-push hook refused it: ' : ''}${gitFailureReason(error.result)}`;
    const now = await git.remoteRef(remote, ref).catch(() => null);
    if (now !== releaseCommit) return reason;
    say(`warning: git push reported a failure (${reason}), but ${remote} has the release: carrying on`);
    return null;
  }
}
