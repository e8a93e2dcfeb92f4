import { shortSha, type Card, type CommitRef } from '../release/cards.js';
import type { ReleaseReport } from '../release/report.js';
import { describeIssue, groupCards, notReadyWarning, unavailable, type CardGroup } from '../jira/details.js';

/** What every channel shows, computed once from the report: the builders only lay it out. */
export interface ReleaseView {
  tag: string;
  date: string;
  title: string;
  /** "abc1234..def5678" */
  range: string;
  compareUrl: string | null;
  commitCount: number;
  cardCount: number;
  groups: { title: string; cards: { key: string; url: string | null; details: string | null; assignee: string | null; commits: CommitRef[] }[] }[];
  withoutJira: CommitRef[];
  /** Set when there are no Jira details: says so and why. */
  jiraNote: string | null;
  /** Set when released cards are not done in Jira: every message shows it first. */
  notReadyWarning: string | null;
  /** The commit the release tag points at (null in a dry run). */
  releaseCommit: string | null;
  /** Where the full CHANGELOG section is: a link when the repository's web page is known. */
  changelogUrl: string | null;
  changelogPlace: string;
}

export function releaseView(report: ReleaseReport): ReleaseView {
  const details = report.jiraDetails ?? unavailable('Jira was not asked');
  const groups = groupCards<Card>(report.jira, details).map((group: CardGroup<Card>) => ({
    title: group.title,
    cards: group.cards.map(({ card, issue }) => ({
      key: card.key,
      url: card.url,
      details: describeIssue(issue, details),
      assignee: issue?.assignee ?? null,
      commits: card.commits,
    })),
  }));
  return {
    tag: report.tag,
    date: report.date,
    title: report.headline ?? `Release ${report.tag}${report.date ? ` (${report.date})` : ''}`,
    range: `${shortSha(report.baseSha)}..${shortSha(report.headSha)}`,
    compareUrl: report.compareUrl,
    commitCount: report.commitCount,
    cardCount: report.jira.length,
    groups,
    withoutJira: report.withoutJira,
    jiraNote: details.available ? null : `Jira details were unavailable (${details.reason ?? 'unknown reason'}): cards are listed with their commit subjects.`,
    notReadyWarning: notReadyWarning(report.notReady ?? []),
    releaseCommit: report.releaseCommit,
    changelogUrl: report.changelogUrl ?? null,
    changelogPlace: `CHANGELOG.md at ${report.tag}`,
  };
}
