import type { Context } from 'conventional-changelog-writer';
import type { CommitFacts } from './analyze.js';
import { compareKeys, shortSha, type Card, type CardGrouping, type CommitRef } from './cards.js';

export const CHANGELOG_TITLE = '# Changelog';
const CHANGELOG_INTRO = 'Release sections are added at the top by `npm run release:cut`; each lists the Jira cards it ships.';

export interface SectionInput {
  tag: string;
  date: string;
  baseSha: string;
  headSha: string;
  compareUrl: string | null;
  commits: readonly CommitFacts[];
  grouping: CardGrouping;
  /** Card group titles in display order; cards without a group fall under `Jira cards`. */
  groupOrder?: readonly string[];
  groupOf?: (card: Card) => string;
  /** Words after the card's key, e.g. its Jira summary and status. */
  detailsOf?: (card: Card) => string | null;
  /** Released cards whose Jira status is not done: listed first, as a warning for QA. */
  notReady?: readonly { key: string; status: string }[];
}

export function sectionMarker(headSha: string): string {
  return `<!-- release-cut:${headSha} -->`;
}

interface BreakingChange {
  text: string;
  shortSha: string;
}

/** "5 feat, 3 fix, 2 other" and the breaking changes, from the commits' conventional types and notes. */
export function summarizeCommitTypes(commits: readonly CommitFacts[]): { typeSummary: string; breaking: BreakingChange[] } {
  const counts = new Map<string, number>();
  const breaking: BreakingChange[] = [];
  for (const commit of commits) {
    counts.set(commit.type, (counts.get(commit.type) ?? 0) + 1);
    for (const text of commit.breaking) breaking.push({ text, shortSha: shortSha(commit.sha) });
  }
  const typeSummary = [...counts]
    .sort((a, b) => (a[0] === 'other' ? 1 : b[0] === 'other' ? -1 : b[1] - a[1] || a[0].localeCompare(b[0])))
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');
  return { typeSummary, breaking };
}

const MAIN_TEMPLATE = `## {{tag}} ({{date}})

{{marker}}

{{#if compareUrl}}[\`{{shortBase}}...{{shortHead}}\`]({{compareUrl}}){{else}}\`{{shortBase}}..{{shortHead}}\`{{/if}} · {{commitCount}} commits{{#if typeSummary}} ({{typeSummary}}){{/if}} · {{cardCount}} Jira cards

{{#if notReady.length}}
> ⚠ **Not done in Jira:** {{#each notReady}}{{key}} ({{status}}){{#unless @last}}, {{/unless}}{{/each}}

{{/if}}
{{#each commitGroups}}
### {{title}}

{{#each commits}}
{{> commit}}
{{/each}}

{{/each}}
{{#if withoutJira.length}}
### Commits without a Jira key

{{#each withoutJira}}
- {{subject}} (\`{{shortSha}}\`)
{{/each}}

{{/if}}
{{#if breaking.length}}
### ⚠ Breaking changes

{{#each breaking}}
- {{text}} (\`{{shortSha}}\`)
{{/each}}
{{/if}}
`;

const CARD_TEMPLATE = `- {{#if url}}[{{key}}]({{url}}){{else}}**{{key}}**{{/if}}{{#if details}} {{details}}{{/if}}
{{commitLines}}
`;

/**
 * A card's commits reach the template as ready lines: the writer serialises its whole context
 * for debug output on every render, and 100k small objects made that the slowest step.
 */
function commitLines(commits: readonly CommitRef[]): string {
  return commits.map((commit) => `  - ${commit.subject} (\`${shortSha(commit.sha)}\`)`).join('\n');
}

/** The Markdown section for one release, written by conventional-changelog-writer from our template. */
export async function renderChangelogSection(input: SectionInput): Promise<string> {
  // Loaded on first use: handlebars costs ~45 ms of start-up that a --json dry run never needs.
  const { writeChangelogString } = await import('conventional-changelog-writer');
  const defaultGroup = 'Jira cards';
  const groupOrder = input.groupOrder ?? [defaultGroup];
  const entries = input.grouping.cards.map((card) => ({
    ...card,
    group: input.groupOf?.(card) ?? defaultGroup,
    details: input.detailsOf?.(card) ?? null,
    commitLines: commitLines(card.commits),
    commits: undefined,
    notes: [],
  }));
  const { typeSummary, breaking } = summarizeCommitTypes(input.commits);
  const rank = (title: string): number => {
    const index = groupOrder.indexOf(title);
    return index === -1 ? groupOrder.length : index;
  };
  const context = {
    tag: input.tag,
    date: input.date,
    marker: sectionMarker(input.headSha),
    compareUrl: input.compareUrl,
    shortBase: shortSha(input.baseSha),
    shortHead: shortSha(input.headSha),
    commitCount: input.commits.length,
    typeSummary,
    cardCount: input.grouping.cards.length,
    withoutJira: input.grouping.withoutJira.map((commit) => ({ subject: commit.subject, shortSha: shortSha(commit.sha) })),
    breaking,
    notReady: input.notReady ?? [],
  };
  // The writer's Context type lists only its own fields; ours are template variables.
  const markdown = await writeChangelogString(entries, context as Context<(typeof entries)[number]>, {
    groupBy: 'group',
    commitGroupsSort: (a, b) => rank(a.title) - rank(b.title) || a.title.localeCompare(b.title),
    commitsSort: (a, b) => compareKeys(String(a.key), String(b.key)),
    ignoreReverted: false,
    mainTemplate: MAIN_TEMPLATE,
    commitPartial: CARD_TEMPLATE,
  });
  return `${markdown.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/**
 * The changelog with `section` prepended under the title. Idempotent: a changelog that
 * already has a section for the same head commit is returned unchanged.
 */
export function insertChangelogSection(existing: string | null, section: string, headSha: string): string {
  const body = (existing ?? '').replace(/\r\n/g, '\n');
  if (body.includes(sectionMarker(headSha))) return existing ?? body;
  const lines = body.split('\n');
  const firstSection = lines.findIndex((line) => line.startsWith('## '));
  if (firstSection !== -1) {
    const before = lines.slice(0, firstSection).join('\n').trimEnd();
    const after = lines.slice(firstSection).join('\n');
    return `${before}\n\n${section.trimEnd()}\n\n${after.trimEnd()}\n`;
  }
  const head = body.trim().length > 0 ? body.trimEnd() : `${CHANGELOG_TITLE}\n\n${CHANGELOG_INTRO}`;
  const titled = head.startsWith('# ') ? head : `${CHANGELOG_TITLE}\n\n${head}`;
  return `${titled}\n\n${section.trimEnd()}\n`;
}
