import type { JiraSettings, NotifyConfig } from '../config.js';
import { redact } from '../redact.js';
import type { Card } from '../release/cards.js';
import { describeFailure, HttpError, isOk, sendRequest, type HttpLimits } from './http.js';

/** What Jira says about one card. */
export interface IssueDetails {
  summary: string;
  type: string;
  status: string;
  assignee: string | null;
}

/**
 * The Jira details of a release's cards, kept in the report. `issues[key]` is null for a card
 * Jira does not know; when `available` is false there are no details at all and `reason` says why.
 */
export interface JiraDetails {
  available: boolean;
  reason: string | null;
  issues: Record<string, IssueDetails | null>;
}

export const GROUP_ORDER = ['Stories', 'Bugs', 'Tasks', 'Other', 'Unknown to Jira'] as const;
/** The one group when there are no details: the cut's grouping as before. */
export const UNGROUPED = 'Jira cards';

export function unavailable(reason: string): JiraDetails {
  return { available: false, reason, issues: {} };
}

/** Stories, Bugs, Tasks (sub-tasks too), everything else under Other. */
export function groupOfType(type: string): string {
  const name = type.toLowerCase();
  if (name === 'story') return 'Stories';
  if (name === 'bug') return 'Bugs';
  if (name === 'task' || name === 'sub-task' || name === 'subtask') return 'Tasks';
  return 'Other';
}

export function groupOfCard(card: Pick<Card, 'key'>, details: JiraDetails): string {
  if (!details.available) return UNGROUPED;
  const issue = details.issues[card.key];
  return issue ? groupOfType(issue.type) : 'Unknown to Jira';
}

export interface CardGroup<C extends Pick<Card, 'key'>> {
  title: string;
  cards: { card: C; issue: IssueDetails | null }[];
}

/** Cards in display groups (Stories, Bugs, Tasks, Other, Unknown to Jira), keeping their order within a group. */
export function groupCards<C extends Pick<Card, 'key'>>(cards: readonly C[], details: JiraDetails): CardGroup<C>[] {
  const groups = new Map<string, CardGroup<C>>();
  for (const card of cards) {
    const title = groupOfCard(card, details);
    const group = groups.get(title) ?? { title, cards: [] };
    group.cards.push({ card, issue: details.issues[card.key] ?? null });
    groups.set(title, group);
  }
  // UNGROUPED is not in GROUP_ORDER: it ranks -1, first, and is the only group then anyway.
  const rank = (title: string): number => (GROUP_ORDER as readonly string[]).indexOf(title);
  return [...groups.values()].sort((a, b) => rank(a.title) - rank(b.title));
}

/** "Fix login (In Progress)" — the words that follow a card's key everywhere. */
export function describeIssue(issue: IssueDetails | null, details: JiraDetails): string | null {
  if (!details.available) return null;
  return issue ? `${issue.summary} (${issue.status})` : 'not found in Jira';
}

export const BATCH_SIZE = 50;
const FIELDS = ['summary', 'issuetype', 'status', 'assignee'];

interface SearchIssue {
  key?: string;
  fields?: {
    summary?: string;
    issuetype?: { name?: string } | null;
    status?: { name?: string } | null;
    assignee?: { displayName?: string } | null;
  };
}

function detailsOf(issue: SearchIssue): IssueDetails {
  const fields = issue.fields ?? {};
  return {
    summary: fields.summary ?? '',
    type: fields.issuetype?.name ?? 'Other',
    status: fields.status?.name ?? 'unknown',
    assignee: fields.assignee?.displayName ?? null,
  };
}

/**
 * Keys that a 400 answer names as not existing ("An issue with key 'EPN-9' does not exist for
 * field 'key'."): a JQL `key in (...)` with one such key fails as a whole.
 */
export function keysNamedInErrors(response: { json: unknown }, keys: readonly string[]): string[] {
  const messages = (response.json as { errorMessages?: unknown } | null)?.errorMessages;
  if (!Array.isArray(messages)) return [];
  const text = messages.join('\n');
  return keys.filter((key) => new RegExp(`'${key}'|"${key}"`).test(text));
}

export function searchBody(keys: readonly string[]): { jql: string; fields: string[]; maxResults: number } {
  return { jql: `key in (${keys.map((key) => `"${key}"`).join(', ')})`, fields: FIELDS, maxResults: keys.length };
}

async function searchBatch(keys: string[], settings: JiraSettings, limits: HttpLimits, found: Record<string, IssueDetails | null>): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${settings.email}:${settings.apiToken}`).toString('base64')}`;
  let pending = keys;
  // Each retry drops the keys Jira named as unknown, so this ends after at most keys.length rounds.
  while (pending.length > 0) {
    const response = await sendRequest({
      method: 'POST',
      url: `${settings.baseUrl}/rest/api/3/search/jql`,
      headers: { authorization, accept: 'application/json' },
      json: searchBody(pending),
    }, limits);
    if (response.status === 400) {
      const unknown = keysNamedInErrors(response, pending);
      if (unknown.length === 0) throw new HttpError(describeFailure(response), 400);
      for (const key of unknown) found[key] = null;
      pending = pending.filter((key) => !unknown.includes(key));
      continue;
    }
    if (!isOk(response)) throw new HttpError(describeFailure(response), response.status);
    const issues = (response.json as { issues?: SearchIssue[] } | null)?.issues;
    if (!Array.isArray(issues)) throw new HttpError('Jira answered without an issues list');
    for (const issue of issues) if (issue.key) found[issue.key] = detailsOf(issue);
    for (const key of pending) if (!(key in found)) found[key] = null;
    return;
  }
}

/**
 * Summary, type, status and assignee of `keys`: one search per batch of 50 keys. Never throws:
 * a Jira that fails or does not answer gives details that say they are unavailable and why.
 */
export async function fetchJiraDetails(keys: readonly string[], settings: JiraSettings, limits: HttpLimits): Promise<JiraDetails> {
  const issues: Record<string, IssueDetails | null> = {};
  try {
    for (let start = 0; start < keys.length; start += BATCH_SIZE) {
      await searchBatch(keys.slice(start, start + BATCH_SIZE), settings, limits, issues);
    }
  } catch (error) {
    return unavailable(`Jira did not answer usefully: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { available: true, reason: null, issues };
}

/**
 * The details a release report carries: none when Jira is not configured, and a reason with its
 * secrets masked when Jira fails. Used by the cut and by release:notify alike.
 */
export async function jiraDetailsFor(keys: readonly string[], notify: NotifyConfig): Promise<JiraDetails> {
  if (!notify.jira.on) return unavailable(`Jira is not configured: ${notify.jira.reason}`);
  if (keys.length === 0) return { available: true, reason: null, issues: {} };
  const details = await fetchJiraDetails(keys, notify.jira.settings, { timeoutMs: notify.timeoutMs, maxRetryWaitMs: notify.maxRetryWaitMs });
  if (!details.available) details.reason = redact(details.reason ?? '', notify.secrets);
  return details;
}
