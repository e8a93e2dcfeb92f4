import { shareDeadline, type Deadline } from '../budget.js';
import type { NotifyConfig } from '../config.js';
import { redact } from '../redact.js';
import { visible } from '../visible.js';
import { searchIssues, type JiraClient, type SearchIssue } from './client.js';

/** A released card as far as Jira is concerned: its key. */
export interface Keyed {
  key: string;
}

/** What Jira says about one card. */
export interface IssueDetails {
  summary: string;
  type: string;
  status: string;
  /** The status's category: `new`, `indeterminate` or `done` (absent in reports written before). */
  statusCategory?: string;
  assignee: string | null;
  /** The card's key now, when it moved to another project since the commits named it. */
  movedTo?: string;
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

export function groupOfCard(card: Keyed, details: JiraDetails): string {
  if (!details.available) return UNGROUPED;
  const issue = details.issues[card.key];
  return issue ? groupOfType(issue.type) : 'Unknown to Jira';
}

export interface CardGroup<C extends Keyed> {
  title: string;
  cards: { card: C; issue: IssueDetails | null }[];
}

/** Cards in display groups (Stories, Bugs, Tasks, Other, Unknown to Jira), keeping their order within a group. */
export function groupCards<C extends Keyed>(cards: readonly C[], details: JiraDetails): CardGroup<C>[] {
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
  return issue ? `${issue.summary} (${issue.status}${issue.movedTo ? `; now ${issue.movedTo}` : ''})` : 'not found in Jira';
}

const FIELDS = ['summary', 'issuetype', 'status', 'assignee'];

interface DetailFields {
  summary?: string;
  issuetype?: { name?: string } | null;
  status?: { name?: string; statusCategory?: { key?: string } } | null;
  assignee?: { displayName?: string } | null;
}

function detailsOf(key: string, issue: SearchIssue): IssueDetails {
  const fields = (issue.fields ?? {}) as DetailFields;
  return {
    summary: visible(fields.summary ?? ''),
    type: visible(fields.issuetype?.name ?? 'Other'),
    status: visible(fields.status?.name ?? 'unknown'),
    statusCategory: fields.status?.statusCategory?.key ?? 'unknown',
    assignee: fields.assignee?.displayName === undefined ? null : visible(fields.assignee.displayName),
    ...(issue.key && issue.key !== key ? { movedTo: issue.key } : {}),
  };
}

/**
 * Summary, type, status and assignee of `keys`. Never throws: a Jira that fails or does not
 * answer gives details that say they are unavailable and why.
 */
export async function fetchJiraDetails(keys: readonly string[], client: JiraClient): Promise<JiraDetails> {
  try {
    const found = await searchIssues(client, keys, FIELDS);
    const issues: Record<string, IssueDetails | null> = {};
    for (const key of keys) {
      const issue = found.get(key);
      issues[key] = issue ? detailsOf(key, issue) : null;
    }
    return { available: true, reason: null, issues };
  } catch (error) {
    return unavailable(`Jira did not answer usefully: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A client whose requests stop at `deadline`: by default the whole share's budget (NOTIFY_BUDGET_MS) from now. */
export function jiraClient(notify: NotifyConfig, deadline: Deadline = shareDeadline(notify.budgets)): JiraClient | null {
  return notify.jira.on ? { settings: notify.jira.settings, limits: { timeoutMs: notify.timeoutMs, maxRetryWaitMs: notify.maxRetryWaitMs, proxy: notify.proxy, deadline } } : null;
}

/**
 * The details a release report carries: none when Jira is not configured, and a reason with its
 * secrets masked when Jira fails. Used by the cut and by release:notify alike; release:notify
 * passes the share's `deadline`, as the details are part of its share.
 */
export async function jiraDetailsFor(keys: readonly string[], notify: NotifyConfig, deadline?: Deadline): Promise<JiraDetails> {
  if (!notify.jira.on) return unavailable(`Jira is not configured: ${notify.jira.reason}`);
  if (keys.length === 0) return { available: true, reason: null, issues: {} };
  const details = await fetchJiraDetails(keys, jiraClient(notify, deadline)!);
  if (!details.available) details.reason = redact(details.reason ?? '', notify.secrets);
  return details;
}

/** A released card that is not ready for QA: its status. */
export interface NotReadyCard {
  key: string;
  status: string;
}

/**
 * Released cards Jira knows whose status is not in `readyStatuses` or, without that setting,
 * whose status category is not Done. Empty without details.
 */
export function notReadyCards(cards: readonly Keyed[], details: JiraDetails, readyStatuses: readonly string[] | null): NotReadyCard[] {
  if (!details.available) return [];
  const ready = readyStatuses?.map((status) => status.toLowerCase());
  return cards.flatMap(({ key }) => {
    const issue = details.issues[key];
    if (!issue) return [];
    const isReady = ready ? ready.includes(issue.status.toLowerCase()) : issue.statusCategory === 'done';
    return isReady ? [] : [{ key, status: issue.status }];
  });
}

/** "2 cards are not done: EPN-2 (In Progress), EPN-7 (To Do)": the warning QA reads first. */
export function notReadyWarning(cards: readonly NotReadyCard[]): string | null {
  if (cards.length === 0) return null;
  return `${cards.length} released card${cards.length === 1 ? ' is' : 's are'} not done: ${cards.map((card) => `${card.key} (${card.status})`).join(', ')}`;
}
