import type { Git } from '../git.js';
import type { ReleaseReport } from './report.js';

/**
 * The release's report lives in git, as semantic-release keeps its state: a note on the release
 * commit under a ref of its own, pushed atomically with the release, so any clone can share it.
 */
export const NOTES_REF = 'refs/notes/release-cut';

/** For `git fetch`: origin's release notes when it has some (a glob that matches nothing is not an error). */
export const NOTES_FETCH_REFSPEC = `+${NOTES_REF}*:${NOTES_REF}*`;

/** The trailer on both release commits that marks them as the cut's own, naming the release. */
export const RELEASE_TRAILER = 'Release-Cut';

export function withReleaseTrailer(message: string, tag: string): string {
  return `${message.trimEnd()}\n\n${RELEASE_TRAILER}: ${tag}\n`;
}

/** The release a commit message marks as the cut's own, or null for any other commit. */
export function releaseTagOf(message: string): string | null {
  const match = new RegExp(`^${RELEASE_TRAILER}: (\\S+)\\s*$`, 'm').exec(message);
  return match ? match[1]! : null;
}

/** The notes commit that adds `report` as the note of its release commit on top of `parent` (null: the first note). */
export async function noteCommit(git: Git, parent: string | null, report: ReleaseReport): Promise<string> {
  const commit = report.releaseCommit!;
  const json = `${JSON.stringify({ ...report, notifications: undefined })}\n`;
  const tree = parent
    ? await git.replaceTopLevelFile(`${parent}^{tree}`, commit, Buffer.from(json))
    : await git.output(['mktree', '-z'], { input: `100644 blob ${await git.output(['hash-object', '-w', '--stdin'], { input: json })}\t${commit}\0` });
  return git.commitTree(tree, parent ? [parent] : [], `release-cut: report of ${report.tag}\n`, false);
}

/** The report stored with a release commit, or null when it has none. */
export async function readReleaseNote(git: Git, releaseCommit: string): Promise<ReleaseReport | null> {
  const result = await git.run(['notes', `--ref=${NOTES_REF}`, 'show', releaseCommit], { okExitCodes: [0, 1] });
  if (result.exitCode !== 0) return null;
  try {
    return JSON.parse(result.stdout) as ReleaseReport;
  } catch {
    return null;
  }
}
