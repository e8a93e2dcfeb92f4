import { RELEASE_SUBJECT_PREFIX } from '../commit-message.js';
import type { CommitFacts } from './analyze.js';
import type { ReleaseConfig } from '../config.js';
import { groupCommitsByCard, type CardGrouping } from './cards.js';
import { renderChangelogSection, sectionMarker, type SectionInput } from './changelog.js';
import { insertChangelogSection } from './changelog-file.js';
import { describeIssue, GROUP_ORDER, groupOfCard, notReadyCards, UNGROUPED, type JiraDetails } from '../jira/details.js';
import { renderFixesBlock, type Fixes } from './fixes.js';
import { compareUrl, fileUrl, type RepoWeb } from './repo-url.js';
import { withReleaseTrailer } from './notes.js';
import type { ReleaseReport } from './report.js';

/** Everything the plan is built from, gathered from git by the cut beforehand. */
export interface ReleaseFacts {
  config: ReleaseConfig;
  date: string;
  baseSha: string;
  headSha: string;
  commits: readonly CommitFacts[];
  existingTags: readonly string[];
  repo: RepoWeb | null;
  /** Commits on main since the last release that its record never announced (QA's fixes not staged), with that release's tag. */
  fixedOnMain?: { since: string; fixes: Fixes } | null;
}

export interface ReleasePlan {
  tag: string;
  mergeMessage: string;
  releaseMessage: string;
  tagMessage: string;
  grouping: CardGrouping;
  /** What renderPlannedChangelog needs; rendering is left until the section is shown or committed. */
  section: SectionInput;
  /** The "Fixed on main since release/…" block closing the section, when main has unannounced commits. */
  fixesBlock: string | null;
  report: ReleaseReport;
}

export interface PlannedChangelog {
  section: string;
  /** The whole new CHANGELOG.md, as bytes; null when it already holds this release's section. */
  changelog: Buffer | null;
}


/** The local calendar date, which is what a team means by "Tuesday's release". */
export function releaseDate(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** `release/2026-11-24`, then `release/2026-11-24.2`, ... for further cuts that day. */
export function nextReleaseTag(prefix: string, date: string, existingTags: readonly string[]): string {
  const taken = new Set(existingTags);
  const first = `${prefix}${date}`;
  if (!taken.has(first)) return first;
  let n = 2;
  while (taken.has(`${first}.${n}`)) n += 1;
  return `${first}.${n}`;
}

export function planRelease(facts: ReleaseFacts): ReleasePlan {
  const { config } = facts;
  const tag = nextReleaseTag(config.tagPrefix, facts.date, facts.existingTags);
  const grouping = groupCommitsByCard(facts.commits, facts.headSha, config.jiraBaseUrl);
  const compare = compareUrl(facts.repo, facts.baseSha, facts.headSha);
  const fixed = facts.fixedOnMain ?? null;
  const summary = `${facts.commits.length} commits, ${grouping.cards.length} Jira cards, ${grouping.withoutJira.length} commits without a key`;
  return {
    tag,
    mergeMessage: withReleaseTrailer(`Merge branch '${config.head}' into ${config.base} for ${tag}`, tag),
    releaseMessage: withReleaseTrailer(`${RELEASE_SUBJECT_PREFIX}${tag}\n\nAdd the ${tag} section to ${config.changelogFile}: ${summary}.`, tag),
    tagMessage: `Release ${tag}\n\n${summary}.\n`,
    grouping,
    section: { tag, date: facts.date, baseSha: facts.baseSha, headSha: facts.headSha, compareUrl: compare, commits: facts.commits, grouping },
    fixesBlock: fixed && fixed.fixes.commits.length > 0 ? renderFixesBlock(`Fixed on main since ${fixed.since}`, fixed.fixes) : null,
    report: {
      tag,
      date: facts.date,
      base: config.base,
      head: config.head,
      baseSha: facts.baseSha,
      headSha: facts.headSha,
      range: `${facts.baseSha}..${facts.headSha}`,
      compareUrl: compare,
      changelogUrl: fileUrl(facts.repo, tag, config.changelogFile),
      commitCount: facts.commits.length,
      jira: grouping.cards,
      withoutJira: grouping.withoutJira,
      reverted: grouping.reverted,
      keylessMerges: grouping.keylessMerges,
      ...(fixed && fixed.fixes.commits.length > 0 ? {
        fixedOnMain: { since: fixed.since, cards: fixed.fixes.grouping.cards, withoutJira: fixed.fixes.grouping.withoutJira },
      } : {}),
      releaseCommit: null,
      dryRun: false,
      pushed: { origin: false, staging: false },
    },
  };
}

/**
 * The plan with Jira's details: the CHANGELOG section groups cards by issue type and shows
 * summary and status, and warns of the cards that are not ready; the report keeps both for the
 * messages and for re-sends.
 */
export function withJiraDetails(plan: ReleasePlan, details: JiraDetails, readyStatuses: readonly string[] | null): ReleasePlan {
  const notReady = notReadyCards(plan.grouping.cards, details, readyStatuses);
  // Stryker disable ArrayDeclaration: equivalent — with one group (no details) there is nothing to order.
  const section: SectionInput = details.available
    ? {
      ...plan.section,
      groupOrder: GROUP_ORDER,
      groupOf: (card) => groupOfCard(card, details),
      detailsOf: (card) => describeIssue(details.issues[card.key] ?? null, details),
    }
    : { ...plan.section, groupOrder: [UNGROUPED] };
  // Stryker restore ArrayDeclaration
  return { ...plan, section: { ...section, notReady }, report: { ...plan.report, jiraDetails: details, notReady } };
}

/** The section for this release and the CHANGELOG.md it makes of `existing` (the merged tree's bytes). */
export async function renderPlannedChangelog(plan: ReleasePlan, existing: Buffer | null, file: string): Promise<PlannedChangelog> {
  const section = `${await renderChangelogSection(plan.section)}${plan.fixesBlock ? `\n${plan.fixesBlock}` : ''}`;
  const changelog = await insertChangelogSection(existing, section, sectionMarker(plan.section.headSha), file);
  return { section, changelog: changelog === existing ? null : changelog };
}
