/**
 * The commit-message rules the hooks enforce. Pure and dependency-light: the commit-msg
 * hook loads this on every commit.
 */
import { findJiraKeys, type ProjectKeys } from './jira-keys.js';

/** Subjects of the release cut's own commits (see planRelease). */
export const RELEASE_SUBJECT_PREFIX = 'chore(release): ';

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

/** Commits git or the release cut writes, which need no key of their own. */
export function exemptionOf(message: string): Exemption | null {
  const subject = message.split('\n', 1)[0] ?? '';
  if (/^Merge (branch|remote-tracking branch|pull request|tag|commit|'|")/.test(subject)) return 'merge';
  if (subject.startsWith('Revert "')) return 'revert';
  if (/^(fixup|squash|amend)! /.test(subject)) return 'fixup';
  if (subject.startsWith(RELEASE_SUBJECT_PREFIX)) return 'release';
  return null;
}

/** The first Jira key in a branch name such as `feature/EPN-123-login-fix`. */
export function keyOfBranch(branch: string | null, projectKeys: ProjectKeys): string | null {
  return branch ? findJiraKeys(branch, projectKeys)[0] ?? null : null;
}

export type Verdict =
  | { ok: true; reason: 'key' | Exemption }
  | { ok: false; problem: string; example: string };

/**
 * Accepts a message that carries a Jira key (subject, body, trailer or browse URL) or is
 * exempt; otherwise says what is missing, with an example built from the branch's key.
 */
export function checkCommitMessage(raw: string, options: { projectKeys: ProjectKeys; branch: string | null; commentChar?: string }): Verdict {
  const message = stripComments(raw, options.commentChar);
  const exemption = exemptionOf(message);
  if (exemption) return { ok: true, reason: exemption };
  if (findJiraKeys(message, options.projectKeys).length > 0) return { ok: true, reason: 'key' };

  const projects = options.projectKeys ? options.projectKeys.join(', ') : 'any Jira project';
  const example = keyOfBranch(options.branch, options.projectKeys) ?? `${options.projectKeys?.[0] ?? 'ABC'}-123`;
  const subject = message.split('\n', 1)[0] ?? '';
  const lowercase = findJiraKeys(message.toUpperCase(), options.projectKeys).find((key) => message.includes(key.toLowerCase()));
  const problem = message.length === 0
    ? 'the commit message is empty'
    : lowercase
      ? `"${lowercase.toLowerCase()}" is not a Jira key: keys are uppercase (${lowercase})`
      : `the commit message has no Jira key (${projects})`;
  return { ok: false, problem, example: `${example}: ${subject || 'describe the change'}` };
}

export type CommitSource = 'message' | 'template' | 'merge' | 'squash' | 'commit' | undefined;

/**
 * prepare-commit-msg: the message with `KEY: ` put in front when the branch names a card and
 * the message has no key yet. Merges, squashes and amends (`commit` source) are left alone.
 */
export function prefillMessage(raw: string, options: { branch: string | null; source: CommitSource; projectKeys: ProjectKeys; commentChar?: string }): string {
  if (options.source === 'merge' || options.source === 'squash' || options.source === 'commit') return raw;
  const key = keyOfBranch(options.branch, options.projectKeys);
  if (!key) return raw;
  const message = stripComments(raw, options.commentChar);
  if (exemptionOf(message) || findJiraKeys(message, options.projectKeys).length > 0) return raw;
  return `${key}: ${raw}`;
}
