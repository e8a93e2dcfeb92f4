import type { GithubSettings } from '../config.js';
import { describeFailure, HttpError, isOk, sendExpectingOk, sendRequest, type HttpLimits, type HttpResponse } from '../http.js';
import { shortSha } from '../release/cards.js';
import { markdownText } from '../release/changelog.js';
import type { ReleaseView } from './view.js';

/** A GitHub Release body holds at most 125,000 characters. */
export const GITHUB_BODY_LIMIT = 125_000;

export interface GithubRelease {
  tag_name: string;
  /** The release commit: without it GitHub creates a missing tag at the default branch's head. */
  target_commitish?: string;
  name: string;
  body: string;
}

/** Keeps a summary from starting a heading, a list or a link of its own. */
export function buildGithubRelease(view: ReleaseView): GithubRelease {
  const lines = [
    `${view.compareUrl ? `[\`${view.range}\`](${view.compareUrl})` : `\`${view.range}\``} · ${view.commitCount} commits · ${view.cardCount} Jira cards · ${view.withoutJira.length} commits without a key`,
  ];
  if (view.notReadyWarning) lines.unshift(`> [!WARNING]\n> ${markdownText(view.notReadyWarning)}`, '');
  if (view.jiraNote) lines.push('', `> ${markdownText(view.jiraNote)}`);
  for (const group of view.groups) {
    lines.push('', `### ${group.title}`, '');
    for (const card of group.cards) {
      const key = card.url ? `[${card.key}](${card.url})` : `**${card.key}**`;
      lines.push(`- ${key}${card.details ? ` ${markdownText(card.details)}` : ''}${card.assignee ? ` — ${markdownText(card.assignee)}` : ''}`);
      for (const commit of card.commits) lines.push(`  - ${markdownText(commit.subject)} (\`${shortSha(commit.sha)}\`)`);
    }
  }
  if (view.withoutJira.length > 0) {
    lines.push('', '### Commits without a Jira key', '');
    for (const commit of view.withoutJira) lines.push(`- ${markdownText(commit.subject)} (\`${shortSha(commit.sha)}\`)`);
  }
  let body = `${lines.join('\n')}\n`;
  if (body.length > GITHUB_BODY_LIMIT) {
    const more = `\n\n…cut short: the full list is in ${view.changelogUrl ? `[${view.changelogPlace}](${view.changelogUrl})` : view.changelogPlace}.\n`;
    body = `${body.slice(0, body.lastIndexOf('\n', GITHUB_BODY_LIMIT - more.length))}${more}`;
  }
  return { tag_name: view.tag, ...(view.releaseCommit ? { target_commitish: view.releaseCommit } : {}), name: view.title, body };
}

/**
 * Creates the release for the tag, or updates the one that exists (a re-send), so sending twice
 * leaves one release with the latest body.
 */
export async function publishGithubRelease(release: GithubRelease, settings: GithubSettings, repository: string, limits: HttpLimits): Promise<{ detail: string; ref: string }> {
  const headers = {
    authorization: `Bearer ${settings.token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  };
  const base = `${settings.apiUrl}/repos/${repository}/releases`;
  const created = await sendRequest({ method: 'POST', url: base, headers, json: release }, limits);
  if (isOk(created)) {
    const made = releaseOf(created);
    return { detail: `created ${made.html_url ?? `release ${release.tag_name}`}`, ref: String(made.id) };
  }
  const errors = (created.json as { errors?: { code?: string; field?: string }[] } | null)?.errors ?? [];
  if (created.status !== 422 || !errors.some((error) => error.code === 'already_exists')) {
    throw new HttpError(describeFailure(created), created.status);
  }
  const tagPath = release.tag_name.split('/').map(encodeURIComponent).join('/');
  const existing = await sendExpectingOk({ method: 'GET', url: `${base}/tags/${tagPath}`, headers }, limits);
  const id = (existing.json as { id?: number } | null)?.id;
  if (typeof id !== 'number') throw new HttpError(`GitHub did not return the existing release for ${release.tag_name}`);
  const updated = await sendExpectingOk({ method: 'PATCH', url: `${base}/${id}`, headers, json: { name: release.name, body: release.body } }, limits);
  const kept = releaseOf(updated);
  return { detail: `updated ${kept.html_url ?? `release ${release.tag_name}`}`, ref: String(kept.id) };
}

/**
 * A 2xx counts only with the release in it (its id): a proxy's or portal's page answered with 200,
 * or a GITHUB_API_URL that is not the API, would otherwise pass for a published release.
 */
function releaseOf(response: HttpResponse): { id: number; html_url?: string } {
  const release = response.json as { id?: unknown; html_url?: string } | null;
  if (typeof release?.id !== 'number') {
    throw new HttpError(`GitHub answered HTTP ${response.status} without the release (${response.json === null ? 'not JSON' : 'no release id'}): is GITHUB_API_URL the API's URL?`, response.status);
  }
  return release as { id: number; html_url?: string };
}
