import type { ChannelResult } from './notify.js';

/** The --dry-run text: per channel, what it would send or why it is off. */
export function renderPreviews(results: readonly ChannelResult[] | undefined): string {
  const parts: string[] = [];
  for (const result of results ?? []) {
    parts.push(result.preview
      ? `\n--- ${result.channel} would send ---\n${result.preview.trimEnd()}\n`
      : `\n--- ${result.channel}: ${result.status} (${result.detail}) ---\n`);
  }
  return parts.join('');
}
