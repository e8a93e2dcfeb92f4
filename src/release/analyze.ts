import { CommitParser } from 'conventional-commits-parser';
import { withoutKeyPrefix } from '../commit-message.js';
import type { ReleaseConfig } from '../config.js';
import type { Commit } from '../git.js';
import { findBrowseUrls, findJiraKeys, type ProjectKeys } from '../jira-keys.js';
import { visible } from '../visible.js';

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
  /** Browse URLs on a known Jira host that the message mentions, by key. */
  urls: ReadonlyMap<string, string>;
  /** The commit this one reverts (git revert's "This reverts commit <sha>.", the sha possibly abbreviated), or null. */
  reverts: string | null;
  /** Conventional commit type (`feat`, `fix`, ...), or `other`. */
  type: string;
  /** BREAKING CHANGE notes and `type!:` headers. */
  breaking: readonly string[];
}

// Shared by the many commits without URLs or notes: a 100k-commit release keeps every fact in
// memory, and two fewer objects per commit is a good part of the collect's garbage collection.
const NO_URLS: ReadonlyMap<string, string> = new Map();
const NO_NOTES: readonly string[] = Object.freeze([]);

export type CommitAnalyzer = (commit: Commit) => CommitFacts;

/** git's line, or one typed by hand with an abbreviated sha (`This reverts commit ed7ad6d.`). */
const REVERTS = /This reverts commit ([0-9a-f]{7,40})\b/i;

function revertedSha(message: string): string | null {
  return message.includes('This reverts commit ') ? REVERTS.exec(message)?.[1]?.toLowerCase() ?? null : null;
}

function facts(commit: Commit, keys: string[], urls: ReadonlyMap<string, string>, type: string, breaking: readonly string[]): CommitFacts {
  return { sha: commit.sha, parents: commit.parents, subject: visible(commit.subject), keys, urls, reverts: revertedSha(commit.message), type, breaking };
}

/**
 * Whether a browse URL in a commit may become a card's link: only a Jira site's, never any host a
 * message happened to name (`https://evil.example/browse/EPN-1`).
 */
export function isJiraHost(url: string, extraHosts: readonly string[]): boolean {
  // Read off the string (new URL costs more than the rest of a commit's analysis); `url` is a
  // findBrowseUrls match, so it has a scheme and a path, and no whitespace.
  const authority = url.slice(url.indexOf('//') + 2, url.indexOf('/', url.indexOf('//') + 2));
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '').toLowerCase();
  return host.endsWith('.atlassian.net') || extraHosts.includes(host);
}

/**
 * With JIRA_BASE_URL set, links are built from it, so messages are not searched for browse URLs;
 * without it, the first URL on a known Jira host seen for a key is enough.
 */
export function commitAnalyzer(config: Pick<ReleaseConfig, 'jiraProjectKeys' | 'jiraBaseUrl' | 'jiraHosts'>): CommitAnalyzer {
  const projectKeys: ProjectKeys = config.jiraProjectKeys;
  const linkedSite = config.jiraBaseUrl !== null;
  const keysWithUrl = new Set<string>();
  const typeOfPrefix = new Map<string, string>();
  const parser = new CommitParser({
    headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
    breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
    // Issue references (#123) are not used here, and their regex dominates parsing time.
    issuePrefixes: undefined,
  });
  // Commits naming the same cards share one key list: most of a release's commits name a card
  // others name too, and 100k commits then keep ~3k lists alive instead of 100k for the collector to copy.
  const keyLists = new Map<string, string[]>();
  const sharedKeys = (found: string[]): string[] => {
    const id = found.length === 1 ? found[0]! : found.join(' ');
    const known = keyLists.get(id);
    if (known) return known;
    keyLists.set(id, found);
    return found;
  };
  return (commit) => {
    const keys = sharedKeys(findJiraKeys(commit.message, projectKeys));
    let urls = NO_URLS;
    if (!linkedSite && keys.some((key) => !keysWithUrl.has(key))) {
      // A Map, not an object: an object per commit named by its own keys costs V8 a new shape per key.
      const found = findBrowseUrls(commit.message);
      for (const [key, url] of found) {
        if (isJiraHost(url, config.jiraHosts)) keysWithUrl.add(key);
        else found.delete(key);
      }
      if (found.size > 0) urls = found;
    }
    // Only messages that can hold a breaking note are parsed whole; otherwise the type is all
    // we need, and it depends only on the header's `type(scope):` prefix, so it is parsed once per prefix.
    const mayBreak = commit.message.includes('BREAKING') || commit.subject.includes('!:');
    // `DEV-321: feat(x): …` (the prefix placement, and older history) is the Conventional Commit after the key.
    if (mayBreak) {
      const parsed = parser.parse(withoutKeyPrefix(commit.message));
      return facts(commit, keys, urls, parsed.type ?? 'other', parsed.notes.map((note) => visible(note.text.trim())));
    }
    const header = withoutKeyPrefix(commit.subject);
    const prefix = header.slice(0, header.indexOf(': ') + 1);
    let type = typeOfPrefix.get(prefix);
    if (type === undefined) {
      type = (prefix ? parser.parse(`${prefix} x`).type : null) ?? 'other';
      typeOfPrefix.set(prefix, type);
    }
    return facts(commit, keys, urls, type, NO_NOTES);
  };
}
