/**
 * `node dist/scripts/commit-rules.js <.husky folder> [rules file]`: writes the shell hooks' rules
 * file (by default in the git dir of the work tree it runs in) for that work tree's
 * configuration. npm's `prepare` runs it, and the hooks do when the configuration changed since
 * (they run from the top of the work tree).
 */
import { formatError } from '../src/cli.js';
import { loadHookSetup, writeHookRules } from '../src/hook-context.js';

try {
  writeHookRules(await loadHookSetup(process.argv[2]!), process.env, process.argv[3]);
} catch (error) {
  process.stderr.write(`${formatError('commit hooks', error, Boolean(process.env.DEBUG))}\n`);
  process.exitCode = 1;
}
