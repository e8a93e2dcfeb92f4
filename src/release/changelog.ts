import type { Context } from 'conventional-changelog-writer';
import { visible } from '../visible.js';
import type { CommitFacts } from './analyze.js';
import { compareKeys, shortSha, type Card, type CardGrouping, type CommitRef } from './cards.js';

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

/** Characters that start Markdown or HTML syntax anywhere in a line (GitHub's `$` math, `~` strikethrough and `@` e-mail links included). */
const INLINE_SYNTAX = /[\\`*_[\]<>|~$@]|&(?=#?[0-9A-Za-z]+;)/g;
/** Where GFM starts a bare link, which would swallow escaped characters after it (`\\>`). */
const AUTOLINK_START = /\b(https?|ftp)(:)(?=\/\/)|\b(www)(\.)/gi;
/** What makes a line's start a heading, list item, quote or setext underline. */
const LINE_START_SYNTAX = /^(?:[#+=-]|\d{1,9}(?=[.)]))/;

/**
 * Text taken from commits or Jira as Markdown that renders as exactly that text, on one line:
 * `<script>`, `<!--`, `](javascript:…)`, backticks and pipes come out as the characters they are.
 */
export function markdownText(text: string): string {
  const escaped = visible(text.replace(/\s*[\r\n]\s*/g, ' ').trim()).replace(INLINE_SYNTAX, (char) => `\\${char}`)
    .replace(AUTOLINK_START, (_, scheme: string | undefined, colon: string | undefined, www: string | undefined, dot: string | undefined) => `${scheme ?? www}\\${colon ?? dot}`);
  return escaped.replace(LINE_START_SYNTAX, (start) => (/\d/.test(start) ? `${start}\\` : `\\${start}`));
}

/** A link destination that cannot end the link early. */
function linkTarget(url: string): string {
  return url.replace(/[\s()<>]/g, (char) => encodeURIComponent(char));
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
    for (const text of commit.breaking) breaking.push({ text: markdownText(text), shortSha: shortSha(commit.sha) });
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
{{#if reverted.length}}
### Reverted in this release

{{#each reverted}}
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
  return commits.map((commit) => `  - ${markdownText(commit.subject)} (\`${shortSha(commit.sha)}\`)`).join('\n');
}

function escapedLine(commit: CommitRef): { subject: string; shortSha: string } {
  return { subject: markdownText(commit.subject), shortSha: shortSha(commit.sha) };
}

/** The Markdown section for one release, written by conventional-changelog-writer from our template. */
export async function renderChangelogSection(input: SectionInput): Promise<string> {
  // Loaded on first use: handlebars costs ~45 ms of start-up that a --json dry run never needs.
  const { writeChangelogString } = await import('conventional-changelog-writer');
  const defaultGroup = 'Jira cards';
  const groupOrder = input.groupOrder ?? [defaultGroup];
  const entries = input.grouping.cards.map((card) => ({
    ...card,
    url: card.url === null ? null : linkTarget(card.url),
    group: input.groupOf?.(card) ?? defaultGroup,
    details: markdownText(input.detailsOf?.(card) ?? '') || null,
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
    withoutJira: input.grouping.withoutJira.map(escapedLine),
    reverted: input.grouping.reverted.map(escapedLine),
    breaking,
    notReady: input.notReady ?? [],
  };
  // The writer's Context type lists only its own fields; ours are template variables.
  const markdown = await writeChangelogString(entries, context as Context<(typeof entries)[number]>, {
    groupBy: 'group',
    commitGroupsSort: (a, b) => rank(a.title) - rank(b.title) || a.title.localeCompare(b.title),
    commitsSort: (a, b) => compareKeys(String(a.key), String(b.key)),
    // Stryker disable next-line BooleanLiteral: equivalent — the writer's revert filter reads a `revert` field, which cards do not have; off, it is not run.
    ignoreReverted: false,
    mainTemplate: MAIN_TEMPLATE,
    commitPartial: CARD_TEMPLATE,
  });
  return `${markdown.trim()}\n`;
}
