import type { CommitFacts } from './analyze.js';
import { groupCommitsByCard, shortSha, type Card, type CardGrouping } from './cards.js';
import { markdownText } from './changelog.js';
import type { RecordEvent } from '../record/record.js';
import type { ReleaseReport } from './report.js';

/** QA's fixes on main since the release (or its last stage) was announced. */
export interface Fixes {
  /** The commit up to which main's commits were announced. */
  since: string;
  /** main's commit with the fixes. */
  tip: string;
  /** Oldest first, release:stage's own commits left out. */
  commits: CommitFacts[];
  grouping: CardGrouping;
}

export function collectFixes(since: string, tip: string, oldestFirst: CommitFacts[], jiraBaseUrl: string | null): Fixes {
  return { since, tip, commits: oldestFirst, grouping: groupCommitsByCard(oldestFirst, tip, jiraBaseUrl) };
}

/** "2 fixes, EPN-170, EPN-171" */
export function describeFixes(count: number, keys: readonly string[]): string {
  return `${count} fix${count === 1 ? '' : 'es'}${keys.length > 0 ? `, ${keys.join(', ')}` : ''}`;
}

/** "release/2026-12-01 on staging again: 2 fixes, EPN-170, EPN-171" */
export function stageHeadline(tag: string, staging: string, count: number, keys: readonly string[]): string {
  return `${tag} on ${staging} again: ${describeFixes(count, keys)}`;
}

/** Marks the fixes' block in CHANGELOG.md, so a re-run does not add it twice. */
export function fixesMarker(fixes: Fixes): string {
  return `<!-- release-stage:${fixes.tip} -->`;
}

/** The fixes as a CHANGELOG block: under `title` ("Fixed on main since release/…"), marked so that it is added once. */
export function renderFixesBlock(title: string, fixes: Fixes): string {
  const lines = [`### ${title}`, '', fixesMarker(fixes), ''];
  for (const card of fixes.grouping.cards) {
    lines.push(`- ${card.url ? `[${card.key}](${card.url})` : card.key}`);
    for (const commit of card.commits) lines.push(`  - ${markdownText(commit.subject)} (\`${shortSha(commit.sha)}\`)`);
  }
  for (const commit of fixes.grouping.withoutJira) lines.push(`- ${markdownText(commit.subject)} (\`${shortSha(commit.sha)}\`) — no Jira key`);
  return `${lines.join('\n')}\n`;
}

/** What the channels get after a stage: only the fixes, under a headline that says what happened. */
export function deltaReport(report: ReleaseReport, fixes: Fixes, headline: string): ReleaseReport {
  return {
    ...report,
    headline,
    baseSha: fixes.since,
    headSha: fixes.tip,
    range: `${fixes.since}..${fixes.tip}`,
    compareUrl: report.compareUrl ? report.compareUrl.replace(/[0-9a-f]{40}\.\.\.[0-9a-f]{40}$/, `${fixes.since}...${fixes.tip}`) : null,
    commitCount: fixes.commits.length,
    jira: fixes.grouping.cards,
    withoutJira: fixes.grouping.withoutJira,
    reverted: fixes.grouping.reverted,
    keylessMerges: fixes.grouping.keylessMerges,
    notReady: [],
  };
}

/** The release with its fixes: its cards and QA's, merged by key (for the GitHub release's body and the production announcement). */
export function withFixes(report: ReleaseReport, fixes: readonly CardGrouping[], headline?: string): ReleaseReport {
  const cards = new Map<string, Card>(report.jira.map((card) => [card.key, { ...card, commits: [...card.commits] }]));
  for (const card of fixes.flatMap((grouping) => grouping.cards)) {
    const known = cards.get(card.key);
    if (known) known.commits.push(...card.commits.filter((commit) => !known.commits.some((seen) => seen.sha === commit.sha)));
    else cards.set(card.key, { ...card, commits: [...card.commits] });
  }
  const withoutJira = [...report.withoutJira, ...fixes.flatMap((grouping) => grouping.withoutJira)];
  return {
    ...report,
    ...(headline ? { headline } : {}),
    jira: [...cards.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true })),
    withoutJira,
    commitCount: report.commitCount + fixes.reduce((sum, grouping) => sum + grouping.withoutJira.length + grouping.keylessMerges.length + new Set(grouping.cards.flatMap((card) => card.commits.map((commit) => commit.sha))).size, 0),
  };
}

/** The fixes of a release's stages, as its record keeps them (their commits are in main's history). */
export function stagedGroupings(events: readonly RecordEvent[], jiraBaseUrl: string | null): CardGrouping[] {
  return events.flatMap((event) => event.event === 'staged' ? [{
    cards: [...new Set(event.fixes.flatMap((fix) => fix.keys))].map((key) => ({
      key,
      url: jiraBaseUrl ? `${jiraBaseUrl}/browse/${key}` : null,
      commits: event.fixes.filter((fix) => fix.keys.includes(key)).map(({ sha, subject }) => ({ sha, subject })),
    })),
    withoutJira: event.fixes.filter((fix) => fix.keys.length === 0).map(({ sha, subject }) => ({ sha, subject })),
    reverted: [],
    keylessMerges: [],
  }] : []);
}
