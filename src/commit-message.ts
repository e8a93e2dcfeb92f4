/**
 * The commit-message rules the hooks and `commits:check` enforce. Pure and dependency-light.
 * The hooks' shell fast path uses the same patterns (written into its rules file by
 * src/hook-rules.ts), so every pattern here is valid both as a JavaScript RegExp and as a POSIX ERE.
 */
import { findJiraKeys, type ProjectKeys } from './jira-keys.js';

/** Subjects of the release cut's own commits (see planRelease). */
export const RELEASE_SUBJECT_PREFIX = 'chore(release): ';

/** Exemption patterns shared with the shell hooks (JavaScript and POSIX ERE alike). */
export const EXEMPTION_PATTERNS = {
  /** `git commit --fixup`, `--squash` and `--fixup=amend:` subjects. */
  fixupSubject: '^(fixup|squash|amend)! ',
  /** `git revert` writes both lines (`Reapply` when reverting a revert). */
  revertSubject: '^(Revert|Reapply) ".*"$',
  revertBody: '^This reverts commit [0-9a-f]{7,64}',
} as const;

/** The sha a revert's "This reverts commit <sha>" line names (perhaps abbreviated), or null. */
export function revertedShaOf(message: string): string | null {
  return /^This reverts commit ([0-9a-f]{7,64})/m.exec(message)?.[1] ?? null;
}

/** Escapes the characters that are special in both a RegExp and a POSIX ERE, and only those. */
function escapePattern(text: string): string {
  return text.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');
}

/** Exactly the subject the cut writes: `chore(release): release/2026-11-24`, or `….2` for a second cut that day. */
export function releaseSubjectPattern(tagPrefix: string): string {
  return `^${escapePattern(RELEASE_SUBJECT_PREFIX + tagPrefix)}[0-9]{4}-[0-9]{2}-[0-9]{2}([.][1-9][0-9]*)?$`;
}

const SCISSORS = ' ------------------------ >8 ------------------------';

/** The message as git will store it: comment lines dropped, nothing below the scissors line (`--verbose`). */
export function stripComments(message: string, commentChar = '#'): string {
  const lines = message.replace(/\r\n/g, '\n').split('\n');
  const scissors = lines.indexOf(`${commentChar}${SCISSORS}`);
  return (scissors === -1 ? lines : lines.slice(0, scissors))
    .filter((line) => !line.startsWith(commentChar))
    .join('\n')
    .trim();
}

export type Exemption = 'merge' | 'revert' | 'fixup' | 'release';

/** What a message is checked against: the commit configuration and facts git knows about the commit. */
export interface CommitRules {
  projectKeys: ProjectKeys;
  tagPrefix: string;
}

/** Commits git or the release cut writes, which need no key of their own. `merge`: the commit has two or more parents. */
export function exemptionOf(message: string, rules: Pick<CommitRules, 'tagPrefix'>, merge = false): Exemption | null {
  if (merge) return 'merge';
  const lines = message.split('\n');
  // Stryker disable next-line StringLiteral: equivalent — split always gives a first element.
  const subject = lines[0] ?? '';
  if (new RegExp(EXEMPTION_PATTERNS.fixupSubject).test(subject)) return 'fixup';
  const revertBody = new RegExp(EXEMPTION_PATTERNS.revertBody);
  if (new RegExp(EXEMPTION_PATTERNS.revertSubject).test(subject) && lines.some((line) => revertBody.test(line))) return 'revert';
  if (new RegExp(releaseSubjectPattern(rules.tagPrefix)).test(subject)) return 'release';
  return null;
}

/** Branches bots name after what they bump (`renovate/eslint-9.x`, `dependabot/npm_and_yarn/axios-1.7.4`): no card in them. */
export const BOT_BRANCH_PATTERN = '^(RENOVATE|DEPENDABOT|SNYK|GREENKEEPER|PRE-COMMIT-CI|WHITESOURCE|MEND|IMGBOT|ALL-CONTRIBUTORS)[/-]';

/**
 * The first Jira key in a branch name, as people type them: `feature/DEV-12-login`,
 * `bugfix/dev-12-x`, `hotfix/DEV-12_fix`, `DEV-12-retry`. Bot branches have none. Without a
 * project list, only a key that starts a segment of the name counts (`feature/bump-node-20` has
 * none), and never one made of a version number (`eslint-9.x`, `release/v2-3`). Mirrored by the
 * shell hooks (src/hook-rules.ts firstKeySedScript).
 */
export function keyOfBranch(branch: string | null, projectKeys: ProjectKeys): string | null {
  if (!branch) return null;
  const upper = branch.toUpperCase();
  if (new RegExp(BOT_BRANCH_PATTERN).test(upper)) return null;
  if (projectKeys && projectKeys.length > 0) return findJiraKeys(normalizeBranch(branch), projectKeys)[0] ?? null;
  for (const segment of normalizeBranch(markVersions(upper)).split('/')) {
    const key = findJiraKeys(segment, null)[0];
    if (key && segment.startsWith(key) && !VERSION_PROJECT.test(key)) return key;
  }
  return null;
}

/** `9.X`, `1.7` after a number: a version, glued with a letter so that no key ends there (the shell does the same). */
function markVersions(upper: string): string {
  return upper.replace(/([0-9])\.([0-9X])/g, '$1Z$2');
}

/** `V2-3`: a version, not a project. */
const VERSION_PROJECT = /^V[0-9]+-/;

/** Uppercase, with `_` and `.` after an issue number read as separators (mirrored by the shell hooks). */
export function normalizeBranch(branch: string): string {
  return branch.toUpperCase().replace(/([0-9])[_.]/g, '$1-');
}

export type Verdict =
  | { ok: true; reason: 'key' | Exemption }
  | { ok: false; problem: string };

/**
 * Accepts a message that carries a Jira key (subject, body, trailer or browse URL) or is
 * exempt; otherwise says what is missing. `commentChar: null` checks the message as stored
 * (`commits:check`), where git has already dropped the comments.
 */
export function checkCommitMessage(raw: string, rules: CommitRules & { commentChar: string | null; merge?: boolean }): Verdict {
  const message = rules.commentChar === null ? raw.replace(/\r\n/g, '\n').trim() : stripComments(raw, rules.commentChar);
  if (message.length === 0) return { ok: false, problem: 'the commit message is empty' };
  const exemption = exemptionOf(message, rules, rules.merge);
  if (exemption) return { ok: true, reason: exemption };
  if (findJiraKeys(message, rules.projectKeys).length > 0) return { ok: true, reason: 'key' };

  const projects = rules.projectKeys ? rules.projectKeys.join(', ') : 'any Jira project';
  const lowercase = findJiraKeys(message.toUpperCase(), rules.projectKeys).find((key) => message.includes(key.toLowerCase()));
  const otherProject = rules.projectKeys ? findJiraKeys(message, null)[0] : undefined;
  return {
    ok: false,
    problem: lowercase
      ? `"${lowercase.toLowerCase()}" is not a Jira key: keys are uppercase (${lowercase})`
      : otherProject
        ? `${otherProject} is not a key of a configured project (${projects}): the commit message has no Jira key of those`
        : `the commit message has no Jira key (${projects})`,
  };
}

const KEY = '[A-Z][A-Z0-9_]+-[1-9][0-9]*';
const KEY_PREFIX = new RegExp(`^(\\[${KEY}\\]\\s*|${KEY}(\\s*,\\s*${KEY})*:\\s+)`);

/**
 * The message without a leading `DEV-321: ` or `[DEV-321] `, so that `DEV-321: feat(x)!: …`
 * (the prefix placement, and older history) parses as the Conventional Commit it is.
 */
export function withoutKeyPrefix(message: string): string {
  return message.replace(KEY_PREFIX, '');
}
