/**
 * The commit-msg hook's slow path: `node dist/scripts/commit-msg.js <.husky folder> <message file>`.
 * The shell hook starts it only when it found no key: findJiraKeys has the last word (the shell
 * is conservative next to non-ASCII letters) and, when the message is refused, explains why.
 * The shell passes what it already knows: JIRA_HOOK_COMMENT_CHAR, JIRA_HOOK_EXAMPLE (the
 * message with the branch's key where the prefill would put it) and JIRA_HOOK_RETRY (the command
 * that commits again: `git commit --amend` in the middle of a rebase).
 */
import { readFileSync } from 'node:fs';
import { formatError } from '../src/cli.js';
import { checkCommitMessage } from '../src/commit-message.js';
import { loadHookSetup } from '../src/hook-context.js';

const [hooksDir, messageFile] = process.argv.slice(2) as [string, string];
try {
  const { config } = await loadHookSetup(hooksDir);
  const verdict = checkCommitMessage(readFileSync(messageFile, 'utf8'), {
    projectKeys: config.jiraProjectKeys,
    tagPrefix: config.tagPrefix,
    // empty when no editor opened: git then keeps comment lines in the message
    commentChar: process.env.JIRA_HOOK_COMMENT_CHAR || null,
  });
  if (!verdict.ok) {
    const example = (process.env.JIRA_HOOK_EXAMPLE ?? '').split('\n').map((line) => `      ${line}`.trimEnd());
    process.stderr.write([
      `commit-msg: ${verdict.problem}.`,
      `  Put the card's key in the subject, the body or a trailer, e.g.`,
      ...example,
      `  Your message is kept in ${messageFile}; edit it and commit again with`,
      `      ${process.env.JIRA_HOOK_RETRY || `git commit -e -F ${messageFile}`}`,
      '  (emergency only: git commit --no-verify)',
      '',
    ].join('\n'));
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`${formatError('commit-msg', error, Boolean(process.env.DEBUG))}\n`);
  process.exitCode = 1;
}
