/** husky commit-msg hook: `node dist/scripts/commit-msg.js <message file>`. */
import { readFileSync } from 'node:fs';
import { formatError } from '../src/cli.js';
import { checkCommitMessage } from '../src/commit-message.js';
import { loadHookContext } from '../src/hook-context.js';

try {
  const context = await loadHookContext();
  const verdict = checkCommitMessage(readFileSync(process.argv[2]!, 'utf8'), context);
  if (!verdict.ok) {
    process.stderr.write([
      `commit-msg: ${verdict.problem}.`,
      `  Put the card's key in the subject or body, e.g.  ${verdict.example}`,
      '  (emergency only: git commit --no-verify)',
      '',
    ].join('\n'));
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`${formatError('commit-msg', error, Boolean(process.env.DEBUG))}\n`);
  process.exitCode = 1;
}
