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

/** The trailer on release:stage's own commits (the CHANGELOG addition on main, the back-merge into develop): not fixes, never announced. */
export const STAGE_TRAILER = 'Release-Stage';

export function isStageCommit(message: string): boolean {
  return new RegExp(`^${STAGE_TRAILER}: \\S+\\s*$`, 'm').test(message);
}

export function withStageTrailer(message: string, tag: string): string {
  return `${message.trimEnd()}\n\n${STAGE_TRAILER}: ${tag}\n`;
}
