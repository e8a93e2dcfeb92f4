import { keysInheritedFromMerges } from '../commit-check.js';
import type { CommitFacts } from './analyze.js';

export interface CommitRef {
  sha: string;
  subject: string;
}

/** The 7-character form git shows. */
export const shortSha = (sha: string): string => sha.slice(0, 7);

export interface Card {
  key: string;
  /** `JIRA_BASE_URL/browse/KEY` when configured, else a browse URL a commit mentioned, else null. */
  url: string | null;
  commits: CommitRef[];
}

/** A commit of the range undone within the same range: the original, or the revert. */
export interface RevertedCommit extends CommitRef {
  keys: string[];
  /** The commit of the range this one reverts (set on the revert). */
  reverts: string | null;
  /** The commit of the range that reverts this one (set on the original). */
  revertedBy: string | null;
}

/**
 * Every commit of the range is in exactly one of: a card (or several, when it names several),
 * withoutJira, reverted, keylessMerges.
 */
export interface CardGrouping {
  /** Cards with at least one commit that ships (not reverted within the range). */
  cards: Card[];
  withoutJira: CommitRef[];
  /** Commits reverted within the range, and their reverts, oldest first. */
  reverted: RevertedCommit[];
  /** Merge commits that carry no key (e.g. "Merge branch 'main' into develop"): named here, not in the readable lists. */
  keylessMerges: CommitRef[];
}

/** Natural order: EPN-2 before EPN-10, projects alphabetically. */
export function compareKeys(a: string, b: string): number {
  const dashA = a.lastIndexOf('-');
  const dashB = b.lastIndexOf('-');
  const projectA = a.slice(0, dashA);
  const projectB = b.slice(0, dashB);
  if (projectA !== projectB) return projectA < projectB ? -1 : 1;
  return Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1));
}

/** compareKeys' order, each key split once rather than in every comparison (thousands of cards). */
function sortedByKey(cards: Card[]): Card[] {
  const sortable = cards.map((card) => {
    const dash = card.key.lastIndexOf('-');
    return { card, project: card.key.slice(0, dash), number: Number(card.key.slice(dash + 1)) };
  });
  sortable.sort((a, b) => (a.project === b.project ? a.number - b.number : a.project < b.project ? -1 : 1));
  return sortable.map((entry) => entry.card);
}

/**
 * Revert pairs within the range, `original -> revert`, oldest first. A revert of a commit outside
 * the range (or of a revert already paired) is a change that ships, like any other. An
 * abbreviated sha names the one commit of the range it starts, when only one does.
 */
function revertPairs(oldestFirst: readonly CommitFacts[]): Map<string, string> {
  const pairs = new Map<string, string>();
  if (!oldestFirst.some((commit) => commit.reverts !== null)) return pairs;
  const resolve = (named: string): string | null => {
    if (named.length === 40) return named;
    const matches = oldestFirst.filter((commit) => commit.sha.startsWith(named));
    return matches.length === 1 ? matches[0]!.sha : null;
  };
  const seen = new Set<string>();
  const paired = new Set<string>();
  for (const commit of oldestFirst) {
    const target = commit.reverts === null ? null : resolve(commit.reverts);
    if (target !== null && seen.has(target) && !paired.has(target)) {
      pairs.set(target, commit.sha);
      paired.add(target).add(commit.sha);
    }
    seen.add(commit.sha);
  }
  return pairs;
}

/**
 * Each card with the commits that mention it (a commit mentioning two cards is under both);
 * `commits` oldest first. A card whose every commit is reverted within the range is not listed.
 */
export function groupCommitsByCard(commits: readonly CommitFacts[], headSha: string, jiraBaseUrl: string | null): CardGrouping {
  const inherited = commits.some((commit) => commit.parents.length > 1) ? keysInheritedFromMerges(commits, headSha) : new Map<string, string[]>();
  const pairs = revertPairs(commits);
  const revertOf = new Map([...pairs].map(([original, revert]) => [revert, original]));
  const cards = new Map<string, Card>();
  const withoutJira: CommitRef[] = [];
  const reverted: RevertedCommit[] = [];
  const keylessMerges: CommitRef[] = [];
  for (const commit of commits) {
    const keys = commit.keys.length > 0 ? commit.keys : inherited.get(commit.sha) ?? [];
    const ref = { sha: commit.sha, subject: commit.subject };
    if (pairs.has(commit.sha) || revertOf.has(commit.sha)) {
      reverted.push({ ...ref, keys, reverts: revertOf.get(commit.sha) ?? null, revertedBy: pairs.get(commit.sha) ?? null });
      continue;
    }
    if (keys.length === 0) {
      if (commit.parents.length > 1) keylessMerges.push(ref);
      else withoutJira.push(ref);
      continue;
    }
    for (const key of keys) {
      let card = cards.get(key);
      if (!card) {
        card = { key, url: jiraBaseUrl ? `${jiraBaseUrl}/browse/${key}` : null, commits: [] };
        cards.set(key, card);
      }
      card.url ??= commit.urls.get(key) ?? null;
      card.commits.push(ref);
    }
  }
  return { cards: sortedByKey([...cards.values()]), withoutJira, reverted, keylessMerges };
}
