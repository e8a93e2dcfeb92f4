// npm's `prepare`: builds dist/ (the hooks run compiled JavaScript) and installs the git hooks.
// Does nothing in production installs (no devDependencies: `npm ci --omit=dev`, Docker),
// outside a git checkout, or with HUSKY=0.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let husky;
try {
  husky = (await import('husky')).default;
} catch {
  process.exit(0);
}
if (process.env.HUSKY === '0' || !existsSync('.git')) process.exit(0);
execFileSync('node_modules/.bin/tsc', { stdio: 'inherit' });
const problem = husky();
if (problem) console.warn(`husky: ${problem}`);
