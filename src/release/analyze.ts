import { CommitParser } from 'conventional-commits-parser';
import { withoutKeyPrefix } from '../commit-message.js';
import type { Commit } from '../git.js';
import { findBrowseUrls, findJiraKeys, type ProjectKeys } from '../jira-keys.js';

/**
 * What the release needs to know about one commit. Its full message is read once, here,
 * while git is still streaming the history, and then dropped: a 100k-commit release keeps
 * only these facts in memory.
 */
export interface CommitFacts {
  sha: string;
  parents: string[];
  subject: string;
  keys: string[];
  /** Browse URLs the message mentions, by key. */
  urls: Record<string, string>;
  /** Conventional commit type (`feat`, `fix`, ...), or `other`. */
  type: string;
  /** BREAKING CHANGE notes and `type!:` headers. */
  breaking: string[];
}

export type CommitAnalyzer = (commit: Commit) => CommitFacts;

function facts(commit: Commit, keys: string[], urls: Record<string, string>, type: string, breaking: string[]): CommitFacts {
  return { sha: commit.sha, parents: commit.parents, subject: commit.subject, keys, urls, type, breaking };
}

/**
 * With `linkedSite` (JIRA_BASE_URL) set, links are built from it, so messages are not searched
 * for browse URLs; without it, the first URL seen for a key is enough.
 */
export function commitAnalyzer(projectKeys: ProjectKeys, linkedSite: boolean): CommitAnalyzer {
  const keysWithUrl = new Set<string>();
  const typeOfPrefix = new Map<string, string>();
  const parser = new CommitParser({
    headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
    breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
    // Issue references (#123) are not used here, and their regex dominates parsing time.
    issuePrefixes: undefined,
  });
  return (commit) => {
    const keys = findJiraKeys(commit.message, projectKeys);
    let urls: Record<string, string> = {};
    if (!linkedSite && keys.some((key) => !keysWithUrl.has(key))) {
      urls = Object.fromEntries(findBrowseUrls(commit.message));
      for (const key of Object.keys(urls)) keysWithUrl.add(key);
    }
    // Only messages that can hold a breaking note are parsed whole; otherwise the type is all
    // we need, and it depends only on the header's `type(scope):` prefix, so it is parsed once per prefix.
    const mayBreak = commit.message.includes('BREAKING') || commit.subject.includes('!:');
    // `DEV-321: feat(x): …` (the prefix placement, and older history) is the Conventional Commit after the key.
    if (mayBreak) {
      const parsed = parser.parse(withoutKeyPrefix(commit.message));
      return facts(commit, keys, urls, parsed.type ?? 'other', parsed.notes.map((note) => note.text.trim()));
    }
    const header = withoutKeyPrefix(commit.subject);
    const prefix = header.slice(0, header.indexOf(': ') + 1);
    let type = typeOfPrefix.get(prefix);
    if (type === undefined) {
      type = (prefix ? parser.parse(`${prefix} x`).type : null) ?? 'other';
      typeOfPrefix.set(prefix, type);
    }
    return facts(commit, keys, urls, type, []);
  };
}
