import { ExitCode, UserError } from '../errors.js';
import { GitError, gitFailureReason, refusedByPrePushHook, type Git, type GitResult, type RefUpdate } from '../git.js';
import { ReleaseStateError } from './failure.js';
import { describePartial, judgeRemote } from './remote-state.js';

/**
 * Pushes the release's refs (each with the remote's value before, null when new) in one atomic
 * push. When git reports a failure the remote is read before anything is decided or said:
 * it has the whole release (a connection dropped after it applied): carry on; none of it:
 * throw, the caller rolls back; part of it, or it cannot be read: a ReleaseStateError that
 * keeps the local refs and names what is left to do.
 */
export async function pushRelease(git: Git, remote: string, pushed: readonly RefUpdate[], recordRef: string, say: (line: string) => void): Promise<void> {
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
    if (state.kind === 'untouched') throw untouchedRefusal(remote, recordRef, error.result, reason);
    throw new ReleaseStateError(
      'partial',
      `${remote} took only part of the release push (${reason}): ${describePartial(remote, state)}`,
      'your local branches and tag are kept: run the commands named, then re-run the cut to push staging',
    );
  }
}

/**
 * Pushes `commit` to `ref` on a deployment remote (staging, production), never forced; null when
 * the remote has the commit there afterwards (read from the remote itself when git reported a
 * failure), otherwise git's reason.
 */
export async function pushDeployment(git: Git, remote: string, ref: string, commit: string, say: (line: string) => void): Promise<string | null> {
  try {
    await git.push(remote, [`${commit}:${ref}`], { atomic: false });
    return null;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const reason = `${refusedByPrePushHook(error.result) ? 'your pre-push hook refused it: ' : ''}${gitFailureReason(error.result)}`;
    const now = await git.remoteRef(remote, ref).catch(() => null);
    if (now !== commit) return reason;
    say(`warning: git push reported a failure (${reason}), but ${remote} has ${commit.slice(0, 7)}: carrying on`);
    return null;
  }
}

/** The refs a push's porcelain output names as refused for a reason of their own (in an atomic push the others say "atomic push failed"). */
export function refusedRefs(result: Pick<GitResult, 'stdout'>): { ref: string; reason: string }[] {
  return result.stdout.split('\n').flatMap((line) => {
    const match = /^!\t[^:]*:([^\t]*)\t\[[^\]]+\]\s*(?:\((.*)\))?$/.exec(line);
    return match && match[2] !== 'atomic push failed' ? [{ ref: match[1]!, reason: match[2] ?? 'rejected' }] : [];
  });
}

/**
 * The remote took none of the release: say why in the terms the user can act on (a host that
 * accepts only branches and tags refuses the release record's ref).
 */
function untouchedRefusal(remote: string, recordRef: string, result: GitResult, reason: string): UserError {
  const nothing = 'nothing was released and your branches are as they were';
  if (/does not support --atomic/.test(result.stderr)) {
    return new UserError(`${remote} does not support atomic pushes, and the cut pushes the branches, the tag and the release record all or nothing`, {
      hint: `${nothing}; the server must advertise atomic pushes (git's receive.advertiseAtomic, on by default; ask the host's admin)`,
      exitCode: ExitCode.failed,
    });
  }
  const moveRecord = `keep the release record on a ref ${remote} accepts: set releaseCut.recordRef in package.json (or RELEASE_RECORD_REF), e.g. refs/heads/release-record`;
  const refused = refusedRefs(result);
  if (refused.length === 1 && refused[0]!.ref === recordRef) {
    return new UserError(`${remote} refuses ${recordRef}, where the release record is kept (${refused[0]!.reason})`, { hint: `${nothing}; ${moveRecord}, then re-run`, exitCode: ExitCode.failed });
  }
  const who = refusedByPrePushHook(result) ? `your pre-push hook refused the push to ${remote}` : `${remote} rejected the release push`;
  return new UserError(`${who} (${reason})`, {
    hint: `${nothing}; fix the cause and re-run${recordRef.startsWith('refs/notes/') ? ` (if ${remote} refuses ${recordRef}: ${moveRecord})` : ''}`,
    exitCode: ExitCode.failed,
  });
}
