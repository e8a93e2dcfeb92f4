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
