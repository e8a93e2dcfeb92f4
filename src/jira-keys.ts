/**
 * What counts as a Jira key. Shared by the release cut and the commit hooks,
 * so it imports nothing: the commit-msg hook loads it on every commit.
 */

/** A Jira project key: a letter, then letters, digits or underscores (2+ characters). */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]+$/;

/**
 * `ABC-123`-shaped strings that are standards, algorithms and advisories, not cards.
 * Only consulted when no project keys are configured.
 */
export const NOT_JIRA_PROJECTS: ReadonlySet<string> = new Set([
  'UTF', 'UCS', 'ISO', 'SHA', 'MD', 'CRC', 'AES', 'DES', 'RSA', 'ECDSA', 'ED', 'HMAC', 'PBKDF',
  'TLS', 'SSL', 'HTTP', 'HTTPS', 'IPV', 'IEEE', 'ECMA', 'ES', 'RFC', 'CVE', 'CWE', 'GHSA',
  'PEP', 'EIP', 'WCAG', 'GPL', 'LGPL', 'AGPL', 'MPL', 'CC', 'WIN', 'COVID', 'ARM', 'X86',
]);

export type ProjectKeys = readonly string[] | null;

export function isProjectKey(candidate: string): boolean {
  return PROJECT_KEY.test(candidate);
}

/**
 * The boundary rule, the one place it is defined (the hooks' shell patterns are generated to agree):
 * a key stands on its own when the character before its project key and the character after its
 * number are neither a letter, a combining mark, a digit nor `_`, in any script. So `ÄBC-1`,
 * `fooEPN-1`, `EPN-1x`, `EPN-1٣` and `EPN-1é` hold no key; `(EPN-1)`, `EPN-1:`, `/EPN-1-x`, `«EPN-1»` do.
 * Used with the regex `u` flag.
 */
export const KEY_NEIGHBOUR = String.raw`[\p{L}\p{M}\p{N}_]`;

const matcherCache = new Map<string, RegExp>();

/** The issue number of a key: no leading zero. */
export const ISSUE_NUMBER_PATTERN = '[1-9][0-9]*';

/**
 * The project part of a key, as a pattern that is valid both here and as a POSIX ERE (the commit
 * hooks' shell fast path is generated from it, see src/hook-rules.ts).
 */
export function projectPattern(projectKeys: ProjectKeys): string {
  // Stryker disable MethodExpression,ArithmeticOperator: equivalent — longest first only helps readers; a JS alternation backtracks and POSIX ERE takes the longest match, so EP|EPN finds EPN-2 either way.
  return projectKeys && projectKeys.length > 0
    ? `(${[...projectKeys].sort((a, b) => b.length - a.length).join('|')})`
    : '[A-Z][A-Z0-9_]+';
  // Stryker restore MethodExpression,ArithmeticOperator
}

/** Keys are case-sensitive, as in Jira: `epn-1` is not a key. */
function keyPattern(projectKeys: ProjectKeys): RegExp {
  // Stryker disable next-line StringLiteral: equivalent — no projects and an empty list build the same pattern, so they may share a cache entry.
  const cacheKey = projectKeys ? projectKeys.join(',') : '*';
  let pattern = matcherCache.get(cacheKey);
  // Stryker disable next-line ConditionalExpression: equivalent — the cache only saves compiling the same pattern again.
  if (!pattern) {
    pattern = new RegExp(`(?<!${KEY_NEIGHBOUR})(${projectPattern(projectKeys)})-(${ISSUE_NUMBER_PATTERN})(?!${KEY_NEIGHBOUR})`, 'gu');
    matcherCache.set(cacheKey, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

/** Every Jira key in `text` (KEY_NEIGHBOUR's rule), de-duplicated, in order of first appearance. */
export function findJiraKeys(text: string, projectKeys: ProjectKeys = null): string[] {
  const pattern = keyPattern(projectKeys);
  const keys: string[] = [];
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (!projectKeys && NOT_JIRA_PROJECTS.has(match[1]!)) continue;
    const key = match[0];
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

const BROWSE_URL = new RegExp(String.raw`\bhttps?:\/\/[^\s<>()"'\x60]+?\/browse\/([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?!${KEY_NEIGHBOUR})`, 'gu');

/** `key -> https://host/browse/KEY` for every Jira browse URL in `text`. */
export function findBrowseUrls(text: string): Map<string, string> {
  const urls = new Map<string, string>();
  // Stryker disable next-line StringLiteral,ConditionalExpression: equivalent — a fast path; without it the pattern finds nothing in such text anyway.
  if (!text.includes('/browse/')) return urls;
  BROWSE_URL.lastIndex = 0;
  for (let match = BROWSE_URL.exec(text); match; match = BROWSE_URL.exec(text)) {
    if (!urls.has(match[1]!)) urls.set(match[1]!, match[0]);
  }
  return urls;
}
