/**
 * husky prepare-commit-msg hook: `node dist/scripts/prepare-commit-msg.js <verified copy> <file> [source] [sha]`.
 * Writes the prefilled message, and a copy of it to <verified copy> when it already passes the
 * commit-msg check (then commit-msg skips starting node for that exact text).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatError } from '../src/cli.js';
import { checkCommitMessage, prefillMessage, type CommitSource } from '../src/commit-message.js';
import { loadHookContext } from '../src/hook-context.js';

try {
  const [verifiedCopy, file, source] = process.argv.slice(2) as [string, string, CommitSource];
  const context = await loadHookContext();
  const raw = readFileSync(file, 'utf8');
  const prefilled = prefillMessage(raw, { ...context, source });
  if (prefilled !== raw) writeFileSync(file, prefilled);
  if (checkCommitMessage(prefilled, context).ok) writeFileSync(verifiedCopy, prefilled);
} catch (error) {
  // A prefill is a convenience: never block a commit over it.
  process.stderr.write(`${formatError('prepare-commit-msg', error, Boolean(process.env.DEBUG))}\n`);
}
