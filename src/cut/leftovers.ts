import type { ReleaseConfig } from '../config.js';
import { UserError } from '../errors.js';
import { GitError, gitFailureReason, type Git, type RefUpdate } from '../git.js';
import { RecordStore } from '../record/store.js';
import { releaseTagOf } from '../release/notes.js';
import { pushRelease } from '../release/push.js';

/** A release the cut committed in this clone and did not see reach the remote (a crash, a kill -9, a lost connection). */
export interface Leftover {
  tag: string;
  releaseCommit: string;
  /** The merge's parents: the remote's base and head when the release was cut. */
  baseSha: string;
  headSha: string;
}

/** The refs findLeftover judges from: the local base and its remote-tracking branch. */
export function leftoverRefs(config: Pick<ReleaseConfig, 'base' | 'remote'>): [string, string] {
  return [`refs/heads/${config.base}`, `refs/remotes/${config.remote}/${config.base}`];
}

/**
 * Local base ahead of its remote-tracking branch, with the cut's own trailer on its tip (and on
 * the merge below it): a leftover. Anything else ahead is the user's work and is left to the
 * branch check. `refs` holds the local base and its remote-tracking ref as read under the cut's
 * lock (LEFTOVER_REFS); when they agree, no git runs here.
 */
export async function findLeftover(git: Git, config: ReleaseConfig, refs: ReadonlyMap<string, string>): Promise<Leftover | null> {
  const [baseRef, trackingRef] = leftoverRefs(config);
  const local = refs.get(baseRef);
  if (!local || local === refs.get(trackingRef)) return null;
  const tip = await git.commit(local);
  const tag = releaseTagOf(tip.message);
  if (!tag) return null;
  const merge = tip.parents.length === 1 ? await git.commit(tip.parents[0]!) : tip;
  if (merge.parents.length !== 2 || releaseTagOf(merge.message) !== tag) return null;
  return { tag, releaseCommit: local, baseSha: merge.parents[0]!, headSha: merge.parents[1]! };
}

export type LeftoverOutcome = 'on-remote' | 'finished' | 'removed';

interface LeftoverContext {
  git: Git;
  config: ReleaseConfig;
  /** Moves refs with every worktree that has one of them checked out (the cut's own ref mover). */
  moveRefs: (updates: RefUpdate[], reason: string) => Promise<void>;
  dryRun: boolean;
  say: (line: string) => void;
}

/**
 * Decides from the remote: it has the release (the push went through): nothing to do here;
 * it is as it was when the release was cut: push the leftover as it is; it has moved on: remove
 * the leftover (branches back to the merge's parents, tag and note gone) so the cut starts afresh.
 */
export async function settleLeftover(leftover: Leftover, context: LeftoverContext): Promise<LeftoverOutcome> {
  const { git, config, say } = context;
  const { tag, releaseCommit } = leftover;
  const baseRef = `refs/heads/${config.base}`;
  const headRef = `refs/heads/${config.head}`;
  const tagRef = `refs/tags/${tag}`;
  const recordRef = config.recordRef;
  const watched = [baseRef, headRef, tagRef, recordRef];
  const [remote, local] = await Promise.all([
    git.remoteRefs(config.remote, watched).catch((error: unknown) => {
      const reason = error instanceof GitError ? gitFailureReason(error.result) : String(error);
      throw new UserError(`a previous cut left ${tag} unpushed in this clone, and ${config.remote} cannot be read to tell whether it has it (${reason})`, {
        hint: `re-run once ${config.remote} is reachable: the cut then finishes pushing ${tag} or removes it`,
      });
    }),
    git.refs(watched),
  ]);
  if (remote.get(baseRef) === releaseCommit) return 'on-remote';
  const localTagCommit = local.has(tagRef) ? await git.commitOf(tagRef) : null;
  const noted = (await new RecordStore(git, config.remote, recordRef).readText(releaseCommit)) !== null;
  const unchanged = remote.get(baseRef) === leftover.baseSha && remote.get(headRef) === leftover.headSha && !remote.has(tagRef);
  const whole = local.get(headRef) === releaseCommit && localTagCommit === releaseCommit;
  const verb = unchanged && whole ? 'finish pushing' : 'remove';
  if (context.dryRun) {
    throw new UserError(`a previous cut left ${tag} committed here but not pushed to ${config.remote}`, {
      hint: `run the cut without --dry-run: it will ${verb} it (${config.remote} ${unchanged ? 'has not changed since' : 'has moved on since'})`,
    });
  }
  if (verb === 'finish pushing') {
    const pushed: RefUpdate[] = [
      { ref: baseRef, oldSha: leftover.baseSha, newSha: releaseCommit },
      { ref: headRef, oldSha: leftover.headSha, newSha: releaseCommit },
      { ref: tagRef, oldSha: null, newSha: local.get(tagRef)! },
      ...(noted ? [{ ref: recordRef, oldSha: remote.get(recordRef) ?? null, newSha: local.get(recordRef)! }] : []),
    ];
    await pushRelease(git, config.remote, pushed, recordRef, say);
    say(`finished pushing ${tag}: a previous cut had committed it here but not pushed it, and ${config.remote} had not changed since`);
    return 'finished';
  }
  const updates: RefUpdate[] = [{ ref: baseRef, oldSha: releaseCommit, newSha: leftover.baseSha }];
  if (local.get(headRef) === releaseCommit) updates.push({ ref: headRef, oldSha: releaseCommit, newSha: leftover.headSha });
  if (localTagCommit === releaseCommit) updates.push({ ref: tagRef, oldSha: local.get(tagRef)!, newSha: null });
  const notes = local.get(recordRef);
  if (noted && notes && notes !== remote.get(recordRef)) {
    const parent = (await git.commit(notes)).parents[0] ?? null;
    updates.push({ ref: recordRef, oldSha: notes, newSha: parent });
  }
  await context.moveRefs(updates, `release-cut: remove the unpushed ${tag}`);
  say(`removed ${tag} (its release commits and tag): a previous cut had committed it here but not pushed it, and ${config.remote} has moved on since; cutting afresh`);
  return 'removed';
}

/**
 * Today's tags, less the cut's own orphans: a tag on a commit carrying its trailer that `main`
 * on the remote does not contain was never released (a crashed cut whose branches were reset by
 * hand). It is deleted (kept in a dry run) so the release does not become `.2` because of it.
 */
export async function withoutOrphanTags(git: Git, tags: readonly string[], releasedBase: string, dryRun: boolean, say: (line: string) => void): Promise<string[]> {
  const kept: string[] = [];
  for (const tag of tags) {
    const tagRef = `refs/tags/${tag}`;
    const target = await git.commitOf(tagRef);
    const orphan = target !== null && releaseTagOf((await git.commit(target)).message) === tag && !(await git.isAncestor(target, releasedBase));
    if (!orphan) {
      kept.push(tag);
      continue;
    }
    if (!dryRun) await git.updateRefs([{ ref: tagRef, oldSha: await git.output(['rev-parse', tagRef]), newSha: null }], `release-cut: remove the orphan tag ${tag}`);
    say(`${dryRun ? 'would remove' : 'removed'} the tag ${tag}: a previous cut made it here and it was never released`);
  }
  return kept;
}
