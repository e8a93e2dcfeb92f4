import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suite } from './helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { createHookedRepo, pathWithoutNode, PROJECT_ROOT, type HookedRepo } from './helpers/hooks.js';

interface Commit {
  exitCode: number;
  output: string;
  subject: string;
  message: string;
}

/** A real `git commit --allow-empty`, with an editor script that writes `edited` when given (as a person would). */
async function gitCommit(dir: string, args: string[], options: { edited?: string; env?: Record<string, string> } = {}): Promise<Commit> {
  const env: Record<string, string> = { ...options.env };
  if (options.edited !== undefined) {
    const editor = path.join(os.tmpdir(), `editor-${process.pid}-${Math.random().toString(36).slice(2)}.sh`);
    await writeFile(editor, `#!/bin/sh\ncat > "$1" <<'EDITED'\n${options.edited}\nEDITED\n`);
    await chmod(editor, 0o755);
    env.GIT_EDITOR = editor;
  }
  const result = await execa('git', ['commit', '--allow-empty', ...args], { cwd: dir, reject: false, env, all: true });
  const [subject, message] = await Promise.all([git(dir, 'log', '-1', '--format=%s'), git(dir, 'log', '-1', '--format=%B')]);
  return { exitCode: result.exitCode ?? -1, output: String(result.all), subject, message: message.trimEnd() };
}

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd: dir })).stdout;
}

const accepted: Array<[string, string]> = [
  ['key in the subject', 'DEV-1: add login'],
  ['key only in the body', 'fix: login\n\nbody mentions DEV-2 here'],
  ['key in a trailer', 'fix: login\n\nRefs: DEV-3'],
  ['browse URL', 'fix: see https://acme.atlassian.net/browse/DEV-4'],
  ['in parentheses', 'fix: login (DEV-5)'],
  ['in brackets', '[DEV-6] fix login'],
  ['two keys', 'DEV-7, DEV-8: shared fix'],
  ['after a full stop', 'fix: done.DEV-9'],
  ['before punctuation', 'fix login for DEV-10.'],
  ['non-ASCII around it', 'Ünïcödé DEV-11 ✓ 日本語'],
  ['next to a non-ASCII symbol (node decides)', 'fix: DEV-12✓ done'],
  ['revert', 'Revert "fix: typo"\n\nThis reverts commit 1234567.'],
  ['fixup!', 'fixup! fix: typo'],
  ['squash!', 'squash! fix: typo'],
  ['amend!', 'amend! fix: typo'],
  ['release cut commit', 'chore(release): release/2026-11-24'],
  ['second release cut of a day', 'chore(release): release/2026-11-24.2'],
  ['key with a comment paragraph below', 'DEV-13: subject\n\n# a comment'],
  ['key in a #-line, which git keeps with -m', 'fix: login\n\n# DEV-14'],
];

const rejected: Array<[string, string, RegExp]> = [
  ['no key', 'fix: login', /has no Jira key \(DEV\)/],
  ['lowercase key', 'dev-1: login', /"dev-1" is not a Jira key: keys are uppercase \(DEV-1\)/],
  ['UTF-8', 'fix: UTF-8 encoding', /has no Jira key/],
  ['SHA-256', 'fix: SHA-256 sums', /has no Jira key/],
  ['glued to letters', 'fix: fooDEV-1 thing', /has no Jira key/],
  ['number zero', 'fix: DEV-0', /has no Jira key/],
  ['letters after the number', 'fix: DEV-12abc', /has no Jira key/],
  ['another project', 'OPS-1: not ours', /has no Jira key/],
  ['URL of another project', 'see https://acme.atlassian.net/browse/OPS-1', /has no Jira key/],
  ['underscore instead of dash', 'DEV_1: login', /has no Jira key/],
  ['a merge subject without a merge', "Merge branch 'feature/x' into develop", /has no Jira key/],
  ['"Revert" without quotes', 'Revert typo', /has no Jira key/],
  ['a revert subject without "This reverts commit"', 'Revert "fix: typo"', /has no Jira key/],
  ['fixup! without a space', 'fixup!typo', /has no Jira key/],
  ['any chore(release) subject', 'chore(release): anything', /has no Jira key/],
];

const hooks = suite('commit hooks in a real repository');
let repo: HookedRepo;
hooks.before(async () => {
  repo = await createHookedRepo();
});
hooks.after(async () => {
  await rm(repo.dir, { recursive: true, force: true });
});

hooks(`${accepted.length} messages are accepted`, async () => {
  for (const [name, message] of accepted) {
    const commit = await gitCommit(repo.dir, ['-m', message]);
    assert.is(commit.exitCode, 0, `${name}: ${commit.output}`);
    assert.is(commit.subject, message.split('\n')[0], name);
  }
});

hooks(`${rejected.length} messages are refused with the problem, an example, where the message is kept, and the bypass`, async () => {
  for (const [name, message, problem] of rejected) {
    const before = await git(repo.dir, 'rev-parse', 'HEAD');
    const commit = await gitCommit(repo.dir, ['-m', message]);
    assert.is.not(commit.exitCode, 0, name);
    assert.match(commit.output, problem, name);
    assert.match(commit.output, /e\.g\.\n {6}.*DEV-123/, name);
    assert.match(commit.output, 'Your message is kept in .git/COMMIT_EDITMSG', name);
    assert.match(commit.output, 'git commit -e -F .git/COMMIT_EDITMSG', name);
    assert.match(commit.output, 'git commit --no-verify', name);
    assert.is(await git(repo.dir, 'rev-parse', 'HEAD'), before, `${name}: no commit made`);
  }
});

hooks('the refused message can be reopened with the command the refusal gives', async () => {
  await gitCommit(repo.dir, ['-m', 'fix: keep me\n\nwith a body']);
  const reopened = await gitCommit(repo.dir, ['-e', '-F', '.git/COMMIT_EDITMSG'], { env: { GIT_EDITOR: 'sed -i "1s/$/ (DEV-14)/"' } });
  assert.is(reopened.exitCode, 0, reopened.output);
  assert.is(reopened.message, 'fix: keep me (DEV-14)\n\nwith a body');
});

hooks('an empty message aborts as git would; so does a comment-only edit', async () => {
  const empty = await gitCommit(repo.dir, ['--allow-empty-message', '-m', '']);
  assert.is.not(empty.exitCode, 0);
  assert.match(empty.output, 'Aborting commit due to empty commit message.');
  const commentOnly = await gitCommit(repo.dir, [], { edited: '# nothing but a comment' });
  assert.is.not(commentOnly.exitCode, 0);
  assert.match(commentOnly.output, 'Aborting commit due to empty commit message.');
});

hooks('in the editor, a key below the scissors line of --verbose or in a comment does not count; core.commentChar is honoured', async () => {
  const comment = await gitCommit(repo.dir, [], { edited: 'fix: login\n# DEV-13 only in a comment' });
  assert.is.not(comment.exitCode, 0);
  assert.match(comment.output, 'has no Jira key');
  const edited = 'fix: login\n# ------------------------ >8 ------------------------\ndiff --git a/DEV-14 b/DEV-14';
  const commit = await gitCommit(repo.dir, ['--verbose'], { edited });
  assert.is.not(commit.exitCode, 0);
  assert.match(commit.output, 'has no Jira key');
  const semicolon = await gitCommit(repo.dir, [], {
    edited: 'fix: login\n; DEV-15 in a comment',
    env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.commentChar', GIT_CONFIG_VALUE_0: ';' },
  });
  assert.is.not(semicolon.exitCode, 0, 'a key in a ; comment does not count');
});

hooks('real merges, git revert and git commit --fixup pass; the cut\'s own subjects only in their exact shape', async () => {
  await git(repo.dir, 'checkout', '--quiet', '-b', 'topic');
  await writeFile(path.join(repo.dir, 'topic.txt'), 'topic\n');
  await git(repo.dir, 'add', 'topic.txt');
  await gitCommit(repo.dir, ['-m', 'DEV-20: topic work']);
  await git(repo.dir, 'checkout', '--quiet', 'main');
  await gitCommit(repo.dir, ['-m', 'DEV-21: main work']);
  const merge = await execa('git', ['merge', '--no-ff', '--no-edit', 'topic'], { cwd: repo.dir, reject: false, all: true });
  assert.is(merge.exitCode, 0, merge.all);
  const revert = await execa('git', ['revert', '--no-edit', 'HEAD^2'], { cwd: repo.dir, reject: false, all: true });
  assert.is(revert.exitCode, 0, revert.all);
  assert.match(await git(repo.dir, 'log', '-1', '--format=%s'), 'Revert "DEV-20: topic work"');
  const fixup = await gitCommit(repo.dir, ['--fixup', 'HEAD']);
  assert.is(fixup.exitCode, 0, fixup.output);
});

hooks('HUSKY=0 disables the hooks; --no-verify bypasses them', async () => {
  assert.is((await gitCommit(repo.dir, ['-m', 'no key, hooks off'], { env: { HUSKY: '0' } })).exitCode, 0);
  assert.is((await gitCommit(repo.dir, ['--no-verify', '-m', 'no key, emergency'])).exitCode, 0);
});

hooks('JIRA_PROJECT_KEYS in the environment overrides package.json', async () => {
  assert.is((await gitCommit(repo.dir, ['-m', 'OPS-3: theirs'], { env: { JIRA_PROJECT_KEYS: 'OPS' } })).exitCode, 0);
  assert.is.not((await gitCommit(repo.dir, ['-m', 'DEV-3: ours'], { env: { JIRA_PROJECT_KEYS: 'OPS' } })).exitCode, 0);
  assert.is((await gitCommit(repo.dir, ['-m', 'DEV-3: ours again'])).exitCode, 0);
});

hooks('a release-only setting (malformed JIRA_BASE_URL) never blocks a commit', async () => {
  await writeFile(path.join(repo.dir, '.env'), 'JIRA_BASE_URL=not a url\n');
  try {
    assert.is((await gitCommit(repo.dir, ['-m', 'DEV-4: with a broken .env'], { env: { JIRA_BASE_URL: '::bad' } })).exitCode, 0);
    const keyless = await gitCommit(repo.dir, ['-m', 'no key'], { env: { JIRA_BASE_URL: '::bad' } });
    assert.match(keyless.output, 'has no Jira key (DEV)');
  } finally {
    await rm(path.join(repo.dir, '.env'));
  }
});
hooks.run();

const prefill = suite('prefill from the branch, in every placement');
let card: HookedRepo;
prefill.before(async () => {
  card = await createHookedRepo();
  await git(card.dir, 'checkout', '--quiet', '-b', 'feature/DEV-42-login-fix');
});
prefill.after(async () => {
  await rm(card.dir, { recursive: true, force: true });
});

prefill('conventional (default): the key after a Conventional Commits header, in front otherwise', async () => {
  assert.is((await gitCommit(card.dir, ['-m', 'feat(auth)!: drop v1 tokens'])).subject, 'feat(auth)!: DEV-42 drop v1 tokens');
  assert.is((await gitCommit(card.dir, ['-m', 'fix the login'])).subject, 'DEV-42: fix the login');
  assert.is((await gitCommit(card.dir, ['-m', 'DEV-7: already keyed'])).subject, 'DEV-7: already keyed');
  const edited = await gitCommit(card.dir, [], { env: { GIT_EDITOR: 'sed -i "1s/$/handle expired sessions/"' } });
  assert.is(edited.subject, 'DEV-42: handle expired sessions', edited.output);
  assert.is((await gitCommit(card.dir, ['--amend', '--no-edit'])).subject, 'DEV-42: handle expired sessions');
  const written = await gitCommit(card.dir, [], { edited: 'fix: written in an empty editor\n\nwith a body' });
  assert.is(written.message, 'fix: DEV-42 written in an empty editor\n\nwith a body', 'placed as with -m, once written');
});

prefill('an untouched editor or commit.template aborts as git would; an edited template commits', async () => {
  const before = await git(card.dir, 'rev-parse', 'HEAD');
  const untouched = await gitCommit(card.dir, [], { env: { GIT_EDITOR: 'true' } });
  assert.is.not(untouched.exitCode, 0);
  assert.match(untouched.output, 'Aborting commit due to empty commit message.');
  const template = path.join(card.dir, '.git', 'template.txt');
  await writeFile(template, 'fix: \n\n# Why:\n');
  const untouchedTemplate = await gitCommit(card.dir, ['-t', template], { env: { GIT_EDITOR: 'true' } });
  assert.is.not(untouchedTemplate.exitCode, 0);
  assert.match(untouchedTemplate.output, 'Aborting commit; you did not edit the message.');
  assert.is(await git(card.dir, 'rev-parse', 'HEAD'), before, 'nothing committed');
  const editedTemplate = await gitCommit(card.dir, ['-t', template], { env: { GIT_EDITOR: 'sed -i "1s/$/retry/"' } });
  assert.is(editedTemplate.subject, 'fix: DEV-42 retry', editedTemplate.output);
});

prefill('branch keys as people type them: lowercase, _ and . separators, the first of several', async () => {
  for (const [branch, key] of [['bugfix/dev-321-x', 'DEV-321'], ['hotfix/DEV-12_fix', 'DEV-12'], ['fix/dev-13.retry', 'DEV-13'], ['feature/DEV-7-DEV-8', 'DEV-7']]) {
    await git(card.dir, 'checkout', '--quiet', '-b', branch!);
    assert.is((await gitCommit(card.dir, ['-m', 'work'])).subject, `${key}: work`, branch);
  }
  await git(card.dir, 'checkout', '--quiet', '-b', 'fix/UTF-8-export');
  assert.is.not((await gitCommit(card.dir, ['-m', 'fix export'])).exitCode, 0, 'no card in the branch name: nothing prefilled');
  await git(card.dir, 'checkout', '--quiet', 'feature/DEV-42-login-fix');
});

prefill('prefix, scope and trailer placements; a changed package.json refreshes the rules', async () => {
  const packageJson = path.join(card.dir, 'package.json');
  const original = await readFile(packageJson, 'utf8');
  const place = async (placement: string, message: string) => {
    await writeFile(packageJson, `${JSON.stringify({ name: 'hooked', releaseCut: { jiraProjectKeys: ['DEV'], commitKeyPlacement: placement } }, null, 2)}\n`);
    return gitCommit(card.dir, ['-m', message]);
  };
  try {
    assert.is((await place('prefix', 'feat(auth)!: drop v1 tokens')).subject, 'DEV-42: feat(auth)!: drop v1 tokens');
    assert.is((await place('scope', 'feat!: drop v1 tokens')).subject, 'feat(DEV-42)!: drop v1 tokens');
    assert.is((await place('scope', 'feat(auth): keep the scope')).subject, 'feat(auth): DEV-42 keep the scope');
    assert.is((await place('trailer', 'feat(auth): login')).message, 'feat(auth): login\n\nRefs: DEV-42');
    const edited = await place('trailer', 'x');
    assert.is(edited.message, 'x\n\nRefs: DEV-42');
    const editor = await gitCommit(card.dir, [], { env: { GIT_EDITOR: 'sed -i "1s/^/fix: in the editor/"' } });
    assert.is(editor.message, 'fix: in the editor\n\nRefs: DEV-42', editor.output);
    const bad = await place('sideways', 'x');
    assert.is.not(bad.exitCode, 0);
    assert.match(bad.output, 'releaseCut.commitKeyPlacement: "sideways" is not a placement');
  } finally {
    await writeFile(packageJson, original);
  }
});
prefill.run();

const places = suite('hooks in linked worktrees, subfolder packages, and without node');
// Each case builds its own repository, so they run at the same time (started in `before`).
const placeCases: Array<[string, () => Promise<void>]> = [];
const place = (name: string, run: () => Promise<void>) => placeCases.push([name, run]);

place('a linked worktree (no npm ci in it) runs the hooks', async () => {
  const repo = await createHookedRepo();
  const worktree = path.join(repo.dir, '..', `${path.basename(repo.dir)}-wt`);
  try {
    await git(repo.dir, 'worktree', 'add', '--quiet', '-b', 'feature/DEV-50-wt', worktree);
    const keyless = await gitCommit(worktree, ['-m', 'fix: no key']);
    assert.is(keyless.subject, 'fix: DEV-50 no key', 'prefilled from the worktree\'s branch');
    await git(worktree, 'checkout', '--quiet', '-b', 'no-card');
    const refused = await gitCommit(worktree, ['-m', 'fix: no key']);
    assert.is.not(refused.exitCode, 0);
    assert.match(refused.output, 'has no Jira key (DEV)');
    assert.is((await gitCommit(worktree, ['-m', 'DEV-51: keyed'])).exitCode, 0);
    // npm ci inside the worktree installs the same relative hooks path
    await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
    await symlink(path.join(PROJECT_ROOT, 'dist'), path.join(worktree, 'dist'));
    const installed = await execa(process.execPath, [path.join(worktree, '.husky', 'install.mjs')], { cwd: worktree, all: true });
    assert.is(installed.all, '');
    assert.is(await git(repo.dir, 'config', 'core.hooksPath'), '.husky');
    assert.is.not((await gitCommit(repo.dir, ['-m', 'no key in the main work tree'])).exitCode, 0);
    assert.is.not((await gitCommit(worktree, ['-m', 'no key in the linked one'])).exitCode, 0);
  } finally {
    await rm(worktree, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
});

place('a checkout moved elsewhere keeps its hooks; an install from before the move (husky\'s absolute .husky/_) is taken over', async () => {
  const repo = await createHookedRepo();
  const moved = `${repo.dir}-moved`;
  try {
    await rename(repo.dir, moved);
    const refused = await gitCommit(moved, ['-m', 'fix: no key after the move']);
    assert.is.not(refused.exitCode, 0, refused.output);
    assert.match(refused.output, 'has no Jira key (DEV)');
    await git(moved, 'checkout', '--quiet', '-b', 'feature/DEV-70-moved');
    assert.is((await gitCommit(moved, ['-m', 'fix: moved'])).subject, 'fix: DEV-70 moved');

    // Installed by the husky-based version, then moved: core.hooksPath names a folder that is gone.
    await git(moved, 'config', 'core.hooksPath', path.join(repo.dir, '.husky', '_'));
    assert.is((await gitCommit(moved, ['-m', 'no hooks ran'])).exitCode, 0, 'the fault this install repairs');
    await mkdir(path.join(moved, '.husky', '_'));
    await writeFile(path.join(moved, '.husky', '_', 'h'), '');
    const installed = await execa(process.execPath, [path.join(moved, '.husky', 'install.mjs')], { cwd: moved, all: true });
    assert.is(installed.all, '');
    assert.is(await git(moved, 'config', 'core.hooksPath'), '.husky');
    assert.is(existsSync(path.join(moved, '.husky', '_')), false, "husky's generated folder is gone");
    assert.is(await git(moved, 'status', '--porcelain'), '', 'the work tree is as clean as it was');
    await git(moved, 'checkout', '--quiet', '-b', 'no-card');
    assert.is.not((await gitCommit(moved, ['-m', 'no key'])).exitCode, 0);
  } finally {
    await rm(moved, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
});

place("husky's conventions: HUSKY=0 turns the hooks off, ~/.config/husky/init.sh puts node on PATH", async () => {
  const repo = await createHookedRepo();
  const bin = await pathWithoutNode();
  const config = await mkdtemp(path.join(os.tmpdir(), 'xdg-'));
  try {
    assert.is((await gitCommit(repo.dir, ['-m', 'no key, hooks off'], { env: { HUSKY: '0' } })).exitCode, 0);
    await mkdir(path.join(config, 'husky'));
    await writeFile(path.join(config, 'husky', 'init.sh'), `PATH="${path.dirname(process.execPath)}:$PATH"\n`);
    const withoutInit = await gitCommit(repo.dir, ['-m', 'no key'], { env: { PATH: bin } });
    assert.match(withoutInit.output, 'node is not on PATH, so this is the short explanation');
    const withInit = await gitCommit(repo.dir, ['-m', 'no key'], { env: { PATH: bin, XDG_CONFIG_HOME: config } });
    assert.is.not(withInit.exitCode, 0);
    assert.match(withInit.output, "Put the card's key in the subject, the body or a trailer");
  } finally {
    await rm(config, { recursive: true, force: true });
    await rm(bin, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
});

place("a monorepo's own husky at its top (.husky/_) is kept when the package in a subfolder installs", async () => {
  const repo = await createHookedRepo({ subfolder: 'tools/release' });
  try {
    await mkdir(path.join(repo.dir, '.husky', '_'), { recursive: true });
    await writeFile(path.join(repo.dir, '.husky', '_', 'h'), '');
    await git(repo.dir, 'config', 'core.hooksPath', '.husky/_');
    const install = await execa(process.execPath, [path.join(repo.packageDir, '.husky', 'install.mjs')], { cwd: repo.packageDir, all: true });
    assert.match(String(install.all), "core.hooksPath is already .husky/_ (this repository's own hooks)");
    assert.match(String(install.all), 'sh "tools/release/.husky/commit-msg" "$@" in your commit-msg hook');
    assert.is(await git(repo.dir, 'config', 'core.hooksPath'), '.husky/_');
    assert.is(existsSync(path.join(repo.dir, '.husky', '_', 'h')), true);
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
});

place("a team's husky hooks in the same .husky folder keep running through husky; hooks copied without their executable bit are named", async () => {
  const repo = await createHookedRepo();
  try {
    await writeFile(path.join(repo.packageDir, '.husky', 'pre-commit'), 'echo team pre-commit ran\n');
    const husky = path.join(PROJECT_ROOT, 'node_modules', 'husky', 'index.js');
    await execa(process.execPath, ['--input-type=module', '-e', `import husky from ${JSON.stringify(husky)}; husky()`], { cwd: repo.dir });
    const install = () => execa(process.execPath, [path.join(repo.packageDir, '.husky', 'install.mjs')], { cwd: repo.packageDir, all: true });
    assert.match(String((await install()).all), "kept husky's core.hooksPath=.husky/_, which runs .husky/pre-commit and ours");
    assert.is(await git(repo.dir, 'config', 'core.hooksPath'), '.husky/_');
    await git(repo.dir, 'checkout', '--quiet', '-b', 'no-card');
    const keyless = await gitCommit(repo.dir, ['-m', 'no key']);
    assert.match(keyless.output, 'team pre-commit ran');
    assert.match(keyless.output, 'no Jira key (DEV)');

    await rm(path.join(repo.packageDir, '.husky', 'pre-commit'));
    await chmod(path.join(repo.packageDir, '.husky', 'commit-msg'), 0o644);
    assert.match(String((await install()).all), 'git runs only executable hooks, and .husky/commit-msg lost the executable bit (copied without it?): chmod +x .husky/commit-msg');
    assert.is(await git(repo.dir, 'config', 'core.hooksPath'), '.husky/_', 'left as it was');
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
});

place('package.json in a subfolder of the repository gets its hooks and its configuration', async () => {
  const repo = await createHookedRepo({ subfolder: 'tools/release', releaseCut: { jiraProjectKeys: ['OPS'] } });
  try {
    assert.is(await git(repo.dir, 'config', 'core.hooksPath'), 'tools/release/.husky', 'relative to the top of each work tree');
    assert.is.not((await gitCommit(repo.dir, ['-m', 'DEV-1: not this project'])).exitCode, 0);
    assert.is((await gitCommit(repo.dir, ['-m', 'OPS-1: this project'])).exitCode, 0);
    await git(repo.dir, 'checkout', '--quiet', '-b', 'feature/ops-9-x');
    assert.is((await gitCommit(path.join(repo.dir, 'tools'), ['-m', 'work'])).subject, 'OPS-9: work', 'committed from a subfolder');
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
});

place('without node on PATH (GUI clients, nvm): valid messages commit, keyless ones get the short explanation', async () => {
  const repo = await createHookedRepo();
  const bin = await pathWithoutNode();
  const env = { PATH: bin };
  try {
    assert.is((await execa('sh', ['-c', 'command -v node || echo none'], { env, extendEnv: false })).stdout, 'none');
    const valid = await gitCommit(repo.dir, ['-m', 'DEV-60: from a GUI'], { env });
    assert.is(valid.exitCode, 0, valid.output);
    assert.is(valid.output.includes('node'), false, valid.output);
    const keyless = await gitCommit(repo.dir, ['-m', 'no key'], { env });
    assert.is.not(keyless.exitCode, 0);
    assert.match(keyless.output, 'no Jira key (DEV) in the commit message');
    assert.match(keyless.output, 'git commit -e -F .git/COMMIT_EDITMSG');
    assert.is(keyless.output.includes('command not found'), false, keyless.output);
    await git(repo.dir, 'checkout', '--quiet', '-b', 'feature/DEV-61-gui');
    assert.is((await gitCommit(repo.dir, ['-m', 'feat: from a GUI'], { env })).subject, 'feat: DEV-61 from a GUI');
    const untouched = await gitCommit(repo.dir, [], { env: { ...env, GIT_EDITOR: 'true' } });
    assert.match(untouched.output, 'Aborting commit due to empty commit message.');
    await writeFile(path.join(repo.dir, 'package.json'), JSON.stringify({ releaseCut: { jiraProjectKeys: ['DEV', 'OPS'] } }));
    const stale = await gitCommit(repo.dir, ['-m', 'DEV-62: stale rules'], { env });
    assert.is(stale.exitCode, 0);
    assert.match(stale.output, 'node is not on PATH to refresh them');
  } finally {
    await rm(bin, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
});
place('hooks with no rules and no build say what to run', async () => {
  const repo = await createHookedRepo();
  try {
    await rm(path.join(repo.dir, '.git', 'jira-rules.sh'));
    await rm(path.join(repo.packageDir, 'dist'));
    const commit = await gitCommit(repo.dir, ['-m', 'DEV-1: x']);
    assert.is.not(commit.exitCode, 0);
    assert.match(commit.output, 'commit-msg: the commit hooks are not set up here');
    assert.match(commit.output, 'dist/ is not built): run npm install (or npm run build), or commit with --no-verify.');
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
});
let placeResults: Map<string, Promise<unknown>>;
places.before(() => {
  placeResults = new Map(placeCases.map(([name, run]) => [name, run().then(() => null, (error: unknown) => error)]));
});
for (const [name] of placeCases) {
  places(name, async () => {
    const error = await placeResults.get(name);
    if (error) throw error;
  });
}
places.run();

const installs = suite('installs never fail because of hooks');

installs('prepare: only package*.json (a Docker layer), no devDependencies, no git checkout', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prepare-'));
  const npmRunPrepare = () => execa('npm', ['run', '--silent', 'prepare'], { cwd: dir, reject: false, all: true });
  try {
    await writeFile(path.join(dir, 'package.json'), await readFile(path.join(PROJECT_ROOT, 'package.json')));
    const layer = await npmRunPrepare();
    assert.is(layer.exitCode, 0, layer.all);
    await execa('cp', ['-r', path.join(PROJECT_ROOT, '.husky'), dir]);
    const withoutHusky = await npmRunPrepare();
    assert.is(withoutHusky.exitCode, 0, withoutHusky.all);
    assert.is(withoutHusky.all, '', 'a production install says nothing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
installs.run();
