import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BudgetSpent } from '../budget.js';
import { describeIssue, notReadyWarning, type JiraDetails, type NotReadyCard } from '../jira/details.js';
import type { JiraCardOutcome } from '../jira/versions.js';
import { shortSha, type Card, type CommitRef, type RevertedCommit } from './cards.js';

/** The sharing channels; `jira` is the release managed in Jira (fixVersion, transition). */
export const CHANNELS = ['slack', 'email', 'github', 'jira'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** What one sharing channel did, kept in the report (written by the notifiers, read by the cut's report). */
export interface ChannelResult {
  channel: ChannelName;
  /**
   * `partial`: sent, but not to everyone (a refused email recipient); `held`: another command has
   * claimed the channel in the release record and is sending; not sent here; `not-done`: a time
   * budget (`budget`) ran out before the channel was done, and a re-run finishes it.
   */
  status: 'sent' | 'partial' | 'failed' | 'not-done' | 'off' | 'dry-run' | 'held';
  /** What happened, or why the channel is off or failed (secrets masked). */
  detail: string;
  /** With --dry-run: what the channel would send. */
  preview?: string;
  /** The jira channel: what was done to each card. */
  cards?: JiraCardOutcome[];
  /**
   * What the channel made, to find it again: the GitHub release's id, the email's Message-ID, the
   * Jira versions' ids by project (`EPN 10001, OPS 10002`). Slack's incoming webhooks return none.
   */
  ref?: string;
  /** The budget that left (part of) the channel undone: NOTIFY_CHANNEL_BUDGET_MS or NOTIFY_BUDGET_MS, and its value. */
  budget?: BudgetSpent;
}

/** The cut's result: printed, cached under <git dir>/release-cut/reports/, stored as the release's git note, and read by the notifiers. */
export interface ReleaseReport {
  tag: string;
  /** What a message announces: the cut (the default), a stage's fixes, or the release in production (Jira: the version is released). */
  announces?: 'cut' | 'stage' | 'production';
  /** What the message says happened, when it is not the cut itself ("release/… on staging again: 2 fixes, EPN-170"). */
  headline?: string;
  date: string;
  base: string;
  head: string;
  baseSha: string;
  headSha: string;
  range: string;
  compareUrl: string | null;
  commitCount: number;
  jira: Card[];
  withoutJira: CommitRef[];
  /** Commits reverted within the range, and their reverts: neither ships. (Absent in reports of older cuts.) */
  reverted?: RevertedCommit[];
  /** Merge commits without a key; with jira, withoutJira and reverted, every commit of the range. (Absent in reports of older cuts.) */
  keylessMerges?: CommitRef[];
  /** Commits main got after the previous release that no record announced (QA's fixes never staged): they reach staging with this release. */
  fixedOnMain?: { since: string; cards: Card[]; withoutJira: CommitRef[] };
  /** The commit main and develop point at after the cut (null in a dry run). */
  releaseCommit: string | null;
  dryRun: boolean;
  pushed: { origin: boolean; staging: boolean };
  /** CHANGELOG.md at the tag on the repository's web page, for messages cut short. */
  changelogUrl?: string | null;
  /** Summary, type, status and assignee per card, or why Jira could not say. */
  jiraDetails?: JiraDetails;
  /** Released cards whose Jira status is not done (or not a configured ready status). */
  notReady?: NotReadyCard[];
  /** What each deployment served after its push (only where its URL is set). */
  deploys?: { target: string; status: 'verified' | 'unverified'; line: string }[];
  /** What each sharing channel did (a re-send replaces its channel's entry). */
  notifications?: ChannelResult[];
}

const mark = (done: boolean): string => (done ? 'yes' : 'no');

export function renderTextReport(report: ReleaseReport): string {
  const lines = [
    `${report.dryRun ? 'Dry run: would release' : 'Released'} ${report.tag} (${report.date}): ${report.head} -> ${report.base}`,
    `  range   ${shortSha(report.baseSha)}..${shortSha(report.headSha)}${report.compareUrl ? `  ${report.compareUrl}` : ''}`,
    `  commits ${report.commitCount}, Jira cards ${report.jira.length}, without a key ${report.withoutJira.length}, reverted ${report.reverted?.length ?? 0}, merges without a key ${report.keylessMerges?.length ?? 0}`,
    '',
  ];
  const details = report.jiraDetails;
  if (details && !details.available) lines.splice(3, 0, `  Jira details unavailable: ${details.reason ?? 'unknown reason'}`);
  const notReady = notReadyWarning(report.notReady ?? []);
  if (notReady) lines.splice(3, 0, `  warning: ${notReady}`);
  if (report.jira.length > 0) lines.push('Jira cards:');
  for (const card of report.jira) {
    const issue = details?.available ? describeIssue(details.issues[card.key] ?? null, details) : null;
    lines.push(`  ${card.key}${issue ? ` ${issue}` : ''}${card.url ? `  ${card.url}` : ''}`);
    for (const commit of card.commits) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
  }
  if (report.fixedOnMain) {
    lines.push('', `Fixed on main since ${report.fixedOnMain.since} (never announced before):`);
    for (const card of report.fixedOnMain.cards) {
      lines.push(`  ${card.key}${card.url ? `  ${card.url}` : ''}`);
      for (const commit of card.commits) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
    }
    for (const commit of report.fixedOnMain.withoutJira) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
  }
  if (report.withoutJira.length > 0) {
    lines.push('', 'Commits without a Jira key (QA will ask about these):');
    for (const commit of report.withoutJira) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
  }
  if (report.reverted?.length) {
    lines.push('', 'Reverted in this release (not shipped):');
    for (const commit of report.reverted) lines.push(`    ${shortSha(commit.sha)} ${commit.subject}`);
  }
  if (!report.dryRun) lines.push('', `Pushed: origin ${mark(report.pushed.origin)}, staging ${mark(report.pushed.staging)}`);
  for (const check of report.deploys ?? []) lines.push(`Deployed: ${check.line}`);
  if (report.notifications && report.notifications.length > 0) {
    lines.push(`Shared: ${report.notifications.map((result) => `${result.channel} ${result.status} (${result.detail})`).join(', ')}`);
    for (const card of report.notifications.find((result) => result.channel === 'jira')?.cards ?? []) lines.push(`  jira ${card.key}: ${card.did}`);
  }
  return `${lines.join('\n')}\n`;
}

export function reportFileName(tag: string): string {
  return `${tag.replace(/[^A-Za-z0-9._-]+/g, '-')}.json`;
}

export async function writeReport(reportsDir: string, report: ReleaseReport): Promise<string> {
  await mkdir(reportsDir, { recursive: true });
  const file = path.join(reportsDir, reportFileName(report.tag));
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export async function readReport(reportsDir: string, tag: string): Promise<ReleaseReport | null> {
  try {
    return JSON.parse(await readFile(path.join(reportsDir, reportFileName(tag)), 'utf8')) as ReleaseReport;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Channels that did not deliver to everyone: failed, partial (some recipients refused), or not done (a time budget ran out). */
export function failedChannels(results: readonly ChannelResult[] | undefined): ChannelResult[] {
  return (results ?? []).filter((result) => result.status === 'failed' || result.status === 'partial' || result.status === 'not-done');
}

/** "failed", "was partial" or "was not done": how the closing lines of every command say a channel's shortfall. */
export function shortfallOf(result: ChannelResult): string {
  return result.status === 'partial' ? 'was partial' : result.status === 'not-done' ? 'was not done' : 'failed';
}
