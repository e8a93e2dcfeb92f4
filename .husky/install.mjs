// npm's `prepare`: builds dist/, installs the git hooks and writes their key rules
// (.husky/_/jira-rules.sh). Never fails an install over hooks: it does nothing in production
// installs (no devDependencies: `npm ci --omit=dev`, Docker), outside a git checkout, or with
// HUSKY=0, and says why when it cannot install them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const hooksDir = path.join(packageDir, '.husky');

function skip(reason) {
  if (reason) console.warn(`commit hooks not installed: ${reason}`);
  process.exit(0);
}

let husky;
try {
  husky = (await import('husky')).default;
} catch {
  skip('');
}
if (process.env.HUSKY === '0') skip('');
const git = (...args) => spawnSync('git', args, { cwd: packageDir, encoding: 'utf8' });
const top = git('rev-parse', '--show-toplevel');
if (top.error) skip('git is not on PATH');
if (top.status !== 0) skip(''); // not a git checkout (a Docker build context, a tarball)

// The same build (and build stamp) as the commands' pre-scripts, so the first command after an
// install does not compile again.
if (existsSync(path.join(packageDir, 'tsconfig.json'))) {
  const bin = path.join(packageDir, 'node_modules', '.bin');
  execFileSync('sh', ['scripts/build-if-changed.sh'], { cwd: packageDir, stdio: 'inherit', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
}
const [gitDir, commonDir] = git('rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir').stdout.trim().split('\n');
const installed = git('config', '--get', 'core.hooksPath').stdout.trim();
if (gitDir !== commonDir && path.isAbsolute(installed) && installed !== path.join(hooksDir, '_') && existsSync(path.join(installed, 'h'))) {
  // Installed from a linked worktree while another work tree's install is in place: keep that
  // one, which does not vanish with this worktree (`git worktree remove`).
  console.warn(`commit hooks: kept core.hooksPath=${installed} (the hooks every work tree of this repository runs)`);
  process.exit(0);
}
// Another set of hooks in place (a .githooks folder, lefthook, pre-commit): taking core.hooksPath
// over would silently stop them. Say how to run both instead.
const ours = (hooksPath) => hooksPath.replace(/\/+$/, '').endsWith(`.husky${path.sep}_`) || hooksPath.replace(/\/+$/, '').endsWith('.husky/_');
const combine = `call ours from yours: sh "${hooksDir}/commit-msg" "$@" in your commit-msg hook, and sh "${hooksDir}/prepare-commit-msg" "$@" in your prepare-commit-msg hook`;
if (installed && !ours(installed)) skip(`core.hooksPath is already ${installed} (this repository's own hooks), which installing would turn off; to run both, ${combine}`);
const commonHooks = path.join(commonDir, 'hooks');
const theirs = installed ? [] : (existsSync(commonHooks) ? readdirSync(commonHooks) : []).filter((name) => !name.endsWith('.sample'));
if (theirs.length > 0) skip(`${commonHooks} holds hooks (${theirs.join(', ')}) that a core.hooksPath would turn off; to run both, ${combine}`);
// husky takes the hooks folder relative to the top of the repository, so a package in a
// subfolder (monorepo) gets its hooks too.
const prefix = git('rev-parse', '--show-prefix').stdout.trim();
process.chdir(top.stdout.trim());
const problem = husky(`${prefix}.husky`);
if (problem) skip(`husky: ${problem}`);
// Absolute: git resolves a relative core.hooksPath in each work tree, and a linked worktree has
// no .husky/_ (husky git-ignores it), so its hooks would be silently off.
const configured = git('config', 'core.hooksPath', path.join(hooksDir, '_'));
if (configured.status !== 0) skip(`git config core.hooksPath: ${configured.stderr.trim()}`);
execFileSync(process.execPath, [path.join(packageDir, 'dist', 'scripts', 'commit-rules.js'), hooksDir], { stdio: 'inherit' });
