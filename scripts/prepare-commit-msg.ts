/** husky prepare-commit-msg hook: `node dist/scripts/prepare-commit-msg.js <file> [source] [sha]`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatError } from '../src/cli.js';
import { prefillMessage, type CommitSource } from '../src/commit-message.js';
import { loadHookContext } from '../src/hook-context.js';

try {
  const [file, source] = process.argv.slice(2) as [string, CommitSource];
  const context = await loadHookContext();
  const raw = readFileSync(file, 'utf8');
  const prefilled = prefillMessage(raw, { ...context, source });
  if (prefilled !== raw) writeFileSync(file, prefilled);
} catch (error) {
  // A prefill is a convenience: never block a commit over it.
  process.stderr.write(`${formatError('prepare-commit-msg', error, Boolean(process.env.DEBUG))}\n`);
}
