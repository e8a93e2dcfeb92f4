// npm's `prepare`: builds dist/, writes the hooks' key rules (into the work tree's git dir) and
// points git at the tracked hooks: core.hooksPath=<package folder>/.husky, relative, so git runs
// the hook files of whichever work tree commits: every linked worktree, and a checkout moved
// elsewhere. (husky 9 points at its generated, git-ignored .husky/_ instead: relative, that folder
// is missing in linked worktrees; absolute, it is gone once the checkout moves. Either way git
// then runs no hook, silently.)
// Never fails an install over hooks: it does nothing in production installs (no devDependencies:
// `npm ci --omit=dev`, Docker), outside a git checkout, or with HUSKY=0, and says why when it
// cannot install them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const hooksDir = path.join(packageDir, '.husky');

// githooks(5)
const GIT_HOOKS = new Set(['applypatch-msg', 'pre-applypatch', 'post-applypatch', 'pre-commit', 'pre-merge-commit', 'prepare-commit-msg', 'commit-msg',
  'post-commit', 'pre-rebase', 'post-checkout', 'post-merge', 'pre-push', 'pre-receive', 'update', 'proc-receive', 'post-receive', 'post-update',
  'reference-transaction', 'push-to-checkout', 'pre-auto-gc', 'post-rewrite', 'sendemail-validate', 'fsmonitor-watchman', 'p4-changelist',
  'p4-prepare-changelist', 'p4-post-changelist', 'p4-pre-submit', 'post-index-change']);

function skip(reason) {
  if (reason) console.warn(`commit hooks not installed: ${reason}`);
  process.exit(0);
}

if (process.env.HUSKY === '0') skip('');
try {
  createRequire(import.meta.url).resolve('typescript');
} catch {
  skip(''); // a production install: nothing to build the hooks' slow path with
}
const git = (...args) => spawnSync('git', args, { cwd: packageDir, encoding: 'utf8' });
const located = git('rev-parse', '--show-toplevel', '--show-prefix', '--path-format=absolute', '--git-common-dir');
if (located.error) skip('git is not on PATH');
if (located.status !== 0) skip(''); // not a git checkout (a Docker build context, a tarball)
const [top, prefix, commonDir] = located.stdout.split('\n');

// The same build (and build stamp) as the commands' pre-scripts, so the first command after an
// install does not compile again.
if (existsSync(path.join(packageDir, 'tsconfig.json'))) {
  const bin = path.join(packageDir, 'node_modules', '.bin');
  execFileSync('sh', ['scripts/build-if-changed.sh'], { cwd: packageDir, stdio: 'inherit', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
}
// A configuration the rules cannot be written from has said why (above); the hooks say it again at each commit.
spawnSync(process.execPath, [path.join(packageDir, 'dist', 'scripts', 'commit-rules.js'), hooksDir], { cwd: top, stdio: 'inherit' });

// Git resolves a relative hooks path from the top of the work tree it runs hooks in.
const hooksPath = `${prefix}.husky`;
const [scope = '', installed = ''] = git('config', '--show-scope', '--get', 'core.hooksPath').stdout.trim().split('\t');
const resolved = installed && path.resolve(top, installed);
// An earlier install of this package (husky's .husky/_ here, or an absolute one the checkout has since moved away from).
const ours = !installed || installed === hooksPath || resolved === hooksDir || resolved === path.join(hooksDir, '_') ||
  (/\/\.husky\/_\/?$/.test(installed) && path.isAbsolute(installed) && !existsSync(installed));
// Another set of hooks in place (a .githooks folder, lefthook, pre-commit, a husky of the
// repository's own): taking core.hooksPath over would silently stop them. Say how to run both.
const combine = `call ours from yours: sh "${hooksPath}/commit-msg" "$@" in your commit-msg hook, and sh "${hooksPath}/prepare-commit-msg" "$@" in your prepare-commit-msg hook`;
const whose = scope === 'local' || scope === 'worktree' ? "this repository's own hooks" : `every repository's hooks, from your ${scope} git configuration`;
if (!ours) skip(`core.hooksPath is already ${installed} (${whose}), which installing would turn off; to run both, ${combine}`);
const commonHooks = path.join(commonDir, 'hooks');
const theirs = installed ? [] : (existsSync(commonHooks) ? readdirSync(commonHooks) : []).filter((name) => !name.endsWith('.sample'));
if (theirs.length > 0) skip(`${commonHooks} holds hooks (${theirs.join(', ')}) that a core.hooksPath would turn off; to run both, ${combine}`);
// A team's own husky hooks next to ours (.husky/pre-commit…): husky's wrappers run them (and ours);
// git would skip them (husky does not make them executable). Keep husky's install.
const ourHooks = ['commit-msg', 'prepare-commit-msg'];
const huskyHooks = readdirSync(hooksDir).filter((name) => GIT_HOOKS.has(name) && !ourHooks.includes(name));
if (resolved === path.join(hooksDir, '_') && huskyHooks.length > 0) {
  skip(`kept husky's core.hooksPath=${installed}, which runs .husky/${huskyHooks.join(', .husky/')} and ours; a linked worktree needs npx husky run in it`);
}
const notExecutable = ourHooks.filter((name) => (statSync(path.join(hooksDir, name)).mode & 0o111) === 0);
if (notExecutable.length > 0) {
  const files = notExecutable.map((name) => `${hooksPath}/${name}`).join(' ');
  skip(`git runs only executable hooks, and ${files} lost the executable bit (copied without it?): chmod +x ${files} && git add --chmod=+x ${files}, then npm install again`);
}
const configured = git('config', 'core.hooksPath', hooksPath);
if (configured.status !== 0) skip(`git config core.hooksPath: ${configured.stderr.trim()}`);
// What husky generated for earlier installs (its wrappers and the old rules file).
rmSync(path.join(hooksDir, '_'), { recursive: true, force: true });
