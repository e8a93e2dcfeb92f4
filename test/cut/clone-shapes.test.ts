/**
 * The cut in the repositories teams really have: shallow and single-branch clones, linked
 * worktrees, signed commits and tags, a terminal to answer on, and --json for every outcome.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import * as assert from 'uvu/assert';
import { $ } from 'zx';
import { commit, git, writeFiles, type Sandbox } from '../../src/sandbox.js';
import { CLI_ENV, CUT_SCRIPT, onBranch, refsOf, runCutCli, sha, snapshot, withSandbox, type CliResult } from '../helpers/cut.js';
import { concurrentSuite } from '../helpers/suite.js';
import { registerNeeding, SYSTEM_TOOLS } from '../helpers/system-tool.js';

const TOOLKIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A clone of origin made with `cloneArgs` (file:// so --depth is honoured), set up as the sandbox's clone is. */
async function cloneOf(sandbox: Sandbox, name: string, cloneArgs: string[]): Promise<Sandbox> {
  const work = path.join(sandbox.root, name);
  await git(sandbox.root)`git clone --quiet ${cloneArgs} ${`file://${sandbox.origin}`} ${work}`;
  const c = git(work);
  await c`git config user.name ${'Release Clone'}`;
  await c`git config user.email release-clone@example.com`;
  await c`git config commit.gpgsign false`;
  await c`git remote add staging ${sandbox.staging}`;
  return { ...sandbox, work };
}

/** `count` commits on develop, one card each, pushed to origin; the clone is left on main. */
async function developCards(sandbox: Sandbox, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `EPN-${i + 1}`);
  await onBranch(sandbox, 'develop', async () => {
    for (const key of keys) await commit(sandbox.work, `${key}: change ${key}`, { [`${key}.txt`]: `${key}\n` });
  });
  await git(sandbox.work)`git checkout --quiet main`;
  return keys;
}

async function status(dir: string): Promise<string> {
  return (await git(dir)`git status --porcelain=v1 --untracked-files=all`).stdout;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

interface CutDocument {
  status: string;
  tag?: string;
  jira?: Array<{ key: string }>;
  withoutJira?: Array<{ subject: string }>;
  releaseCommit?: string | null;
  pushed?: { origin: boolean; staging: boolean };
  error?: { message: string; hint: string | null; exitCode: number };
  conflicts?: string[];
}

/** stdout holds exactly one JSON document, on one line. */
function onlyDocument(result: CliResult): CutDocument {
  const lines = result.stdout.trim().split('\n');
  assert.is(lines.length, 1, `one line on stdout: ${result.stdout}`);
  return JSON.parse(lines[0]!) as CutDocument;
}

/** The released commit is where origin, staging and both local branches are. */
async function assertReleasedEverywhere(clone: Sandbox, releaseCommit: string): Promise<void> {
  for (const [dir, ref] of [[clone.work, 'main'], [clone.work, 'develop'], [clone.origin, 'main'], [clone.origin, 'develop'], [clone.staging, 'main']] as const) {
    assert.is(await sha(dir, ref), releaseCommit, `${dir} ${ref}`);
  }
}

const { test: shapes, run } = concurrentSuite('release cut: clone shapes, worktrees, signing, --json, prompt', 3);
const withSshKeygen = registerNeeding(shapes, [SYSTEM_TOOLS.sshKeygen]);
const withGpg = registerNeeding(shapes, [SYSTEM_TOOLS.gpg]);
const onTerminal = registerNeeding(shapes, [SYSTEM_TOOLS.script]);

shapes('a --depth 3 clone fetches the whole history first: every card is in the report and the CHANGELOG', () => withSandbox(async (sandbox) => {
  const keys = await developCards(sandbox, 6);
  const clone = await cloneOf(sandbox, 'shallow', ['--depth', '3', '--no-single-branch']);
  assert.is((await git(clone.work)`git rev-parse --is-shallow-repository`).stdout.trim(), 'true');

  const result = await runCutCli(clone, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, 'this clone is shallow: fetching the whole history of main and develop from origin');
  const report = onlyDocument(result);
  assert.is(report.status, 'released');
  assert.equal(report.jira!.map((card) => card.key), keys);
  assert.is((await git(clone.work)`git rev-parse --is-shallow-repository`).stdout.trim(), 'false');
  const changelog = await readFile(path.join(clone.work, 'CHANGELOG.md'), 'utf8');
  for (const key of keys) assert.match(changelog, `${key}: change ${key}`);
  await assertReleasedEverywhere(clone, report.releaseCommit!);
  assert.is(await status(clone.work), '');
}));

shapes('a --depth 1 clone (single branch, no local develop) releases with every card, no false "no branch" message', () => withSandbox(async (sandbox) => {
  const keys = await developCards(sandbox, 3);
  await onBranch(sandbox, 'main', () => commit(sandbox.work, 'OPS-1: hotfix', { 'hotfix.txt': 'hotfix\n' }));
  const clone = await cloneOf(sandbox, 'depth1', ['--depth', '1']);
  assert.is((await refsOf(clone.work)).includes('develop'), false, 'the clone knows nothing of develop');

  const result = await runCutCli(clone, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = onlyDocument(result);
  assert.is(report.status, 'released');
  assert.equal(report.jira!.map((card) => card.key), keys);
  await assertReleasedEverywhere(clone, report.releaseCommit!);
  assert.ok(existsSync(path.join(clone.work, 'hotfix.txt')) && existsSync(path.join(clone.work, 'EPN-3.txt')), 'work tree on the release');
  assert.is(await status(clone.work), '');
}));

shapes('a full --single-branch clone of develop releases; a branch origin lacks is named as such', () => withSandbox(async (sandbox) => {
  const keys = await developCards(sandbox, 2);
  const clone = await cloneOf(sandbox, 'single', ['--single-branch', '--branch', 'develop']);
  const result = await runCutCli(clone, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = onlyDocument(result);
  assert.equal(report.jira!.map((card) => card.key), keys);
  await assertReleasedEverywhere(clone, report.releaseCommit!);
  assert.is(await status(clone.work), '');

  const before = await snapshot(clone);
  const missing = await runCutCli(clone, ['--head', 'next']);
  assert.is(missing.exitCode, 2);
  assert.is(lastLine(missing.stderr), 'release-cut: origin has no branch "next" — push it first, or pass --head <branch>');
  assert.equal(await snapshot(clone), before);
}));

shapes('a shallow clone whose origin cannot deepen it is refused with the command to run', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 2);
  const clone = await cloneOf(sandbox, 'shallow', ['--depth', '1', '--no-single-branch']);
  await git(clone.work)`git remote set-url origin ${path.join(sandbox.root, 'moved-away.git')}`;
  const before = await snapshot(clone);
  const result = await runCutCli(clone, ['--json']);
  assert.is(result.exitCode, 1);
  const document = onlyDocument(result);
  assert.is(document.status, 'failed');
  assert.match(document.error!.message, /^git fetch origin failed: /);
  assert.is(document.error!.hint, 'this clone is shallow; run: git fetch --unshallow origin (or clone without --depth), then re-run');
  assert.equal(await snapshot(clone), before);
  assert.is((await git(clone.work)`git rev-parse --is-shallow-repository`).stdout.trim(), 'true');
}));

shapes('from a linked worktree, main checked out in the main worktree moves with its index and files', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 2);
  const linked = path.join(sandbox.root, 'linked');
  await git(sandbox.work)`git worktree add --quiet -b feature ${linked} main`;
  await git(sandbox.work)`git worktree add --quiet ${path.join(sandbox.root, 'dev')} develop`;
  const worktrees = [sandbox.work, linked, path.join(sandbox.root, 'dev')];

  const hook = path.join(sandbox.origin, 'hooks', 'pre-receive');
  await writeFile(hook, '#!/bin/sh\necho "pushes need approval" >&2\nexit 1\n', { mode: 0o755 });
  const before = { ...(await snapshot(sandbox)), worktrees: await Promise.all(worktrees.map(status)) };
  const rejected = await runCutCli({ ...sandbox, work: linked });
  assert.is(rejected.exitCode, 1);
  assert.match(lastLine(rejected.stderr), 'origin rejected the release push');
  assert.equal({ ...(await snapshot(sandbox)), worktrees: await Promise.all(worktrees.map(status)) }, before, 'rolled back: every worktree as it was');
  assert.not.ok(existsSync(path.join(sandbox.work, 'EPN-2.txt')), 'main worktree back on the old main');
  await rm(hook);

  const result = await runCutCli({ ...sandbox, work: linked }, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = onlyDocument(result);
  assert.is(report.status, 'released');
  await assertReleasedEverywhere(sandbox, report.releaseCommit!);
  for (const dir of worktrees) assert.is(await status(dir), '', `${dir} is clean`);
  for (const dir of [sandbox.work, path.join(sandbox.root, 'dev')]) {
    assert.ok(existsSync(path.join(dir, 'EPN-2.txt')), `${dir} has the release's files`);
    assert.match(await readFile(path.join(dir, 'CHANGELOG.md'), 'utf8'), report.tag!);
  }
  assert.not.ok(existsSync(path.join(linked, 'EPN-2.txt')), 'the feature worktree did not move');
}));

shapes('an untracked file in the way, or changes, in a worktree holding main: refused before anything changes, naming it', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const linked = path.join(sandbox.root, 'linked');
  await git(sandbox.work)`git worktree add --quiet -b feature ${linked} main`;
  await writeFiles(sandbox.work, { 'EPN-1.txt': 'mine, not committed\n' });
  const before = { ...(await snapshot(sandbox)), linked: await status(linked) };

  const blocked = await runCutCli({ ...sandbox, work: linked });
  assert.is(blocked.exitCode, 1);
  assert.is(lastLine(blocked.stderr), `release-cut: main is checked out in ${sandbox.work}, which cannot follow it: Untracked working tree file 'EPN-1.txt' would be overwritten by merge. — move that file out of the way there, then re-run; nothing was changed`);
  assert.equal({ ...(await snapshot(sandbox)), linked: await status(linked) }, before);
  assert.is(await readFile(path.join(sandbox.work, 'EPN-1.txt'), 'utf8'), 'mine, not committed\n');

  await writeFiles(sandbox.work, { 'README.md': '# Shop, being edited\n' });
  const dirty = await runCutCli({ ...sandbox, work: linked }, ['--dry-run']);
  assert.is(dirty.exitCode, 1);
  assert.is(lastLine(dirty.stderr), `release-cut: main is checked out in ${sandbox.work}, which has uncommitted changes (README.md) — commit or stash them there, then re-run`);
}));

shapes('a worktree holding develop whose directory is gone is named, with the command that forgets it', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const gone = path.join(sandbox.root, 'gone');
  await git(sandbox.work)`git worktree add --quiet ${gone} develop`;
  await rm(gone, { recursive: true, force: true });
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1);
  assert.is(lastLine(result.stderr), `release-cut: develop is checked out in ${gone}, which no longer exists — forget it with: git worktree prune, then re-run`);
  assert.equal(await snapshot(sandbox), before);

  await git(sandbox.work)`git worktree prune`;
  const released = await runCutCli(sandbox, ['--json']);
  assert.is(released.exitCode, 0, released.stderr);
  assert.is(onlyDocument(released).status, 'released');
}));

shapes('nothing to release: the fast-forward of main stops before moving when an untracked file is in the way', () => withSandbox(async (sandbox) => {
  const w = git(sandbox.work);
  await commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' });
  await w`git push --quiet origin main main:develop`;
  await w`git reset --quiet --hard HEAD~1`;
  await w`git branch --force develop main`;
  await writeFiles(sandbox.work, { 'login.txt': 'my own notes\n' });
  const before = await snapshot(sandbox);

  const result = await runCutCli(sandbox, ['--json']);
  assert.is(result.exitCode, 1);
  const document = onlyDocument(result);
  assert.is(document.status, 'failed');
  assert.is(document.error!.message, `main is checked out in ${sandbox.work}, which cannot follow it: Untracked working tree file 'login.txt' would be overwritten by merge.`);
  assert.equal(await snapshot(sandbox), before);

  await writeFile(path.join(sandbox.root, 'login.txt'), await readFile(path.join(sandbox.work, 'login.txt')));
  await w`git clean --quiet --force login.txt`;
  const moved = await runCutCli(sandbox);
  assert.is(moved.exitCode, 0, moved.stderr);
  assert.is(firstLine(moved.stdout), 'nothing to release: develop has no commits that main lacks');
  assert.is(await sha(sandbox.work, 'main'), await sha(sandbox.origin, 'main'));
  assert.is(await status(sandbox.work), '', 'index and files followed main');
}));

async function signingKey(sandbox: Sandbox): Promise<string> {
  const key = path.join(sandbox.root, 'signing-key');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'release', '-f', key]);
  const allowed = path.join(sandbox.root, 'allowed-signers');
  await writeFile(allowed, `release-demo@example.com ${await readFile(`${key}.pub`, 'utf8')}`);
  const w = git(sandbox.work);
  await w`git config gpg.format ssh`;
  await w`git config gpg.ssh.allowedSignersFile ${allowed}`;
  return `${key}.pub`;
}

withSshKeygen('commit.gpgSign and tag.gpgSign with an SSH key: the release commits and the tag are signed', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const w = git(sandbox.work);
  await w`git config user.signingkey ${await signingKey(sandbox)}`;
  await w`git config commit.gpgSign true`;
  await w`git config tag.gpgSign true`;

  const result = await runCutCli(sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = onlyDocument(result);
  await assertReleasedEverywhere(sandbox, report.releaseCommit!);
  for (const commitish of ['main', 'main^']) {
    const verified = await w`git verify-commit ${commitish}`.nothrow();
    assert.is(verified.exitCode, 0, `${commitish}: ${verified.stderr}`);
    assert.match(verified.stderr, 'Good "git" signature for release-demo@example.com');
  }
  await w`git fetch --quiet --force origin ${`refs/tags/${report.tag}:refs/tags/${report.tag}`}`;
  const tag = await w`git verify-tag ${report.tag}`.nothrow();
  assert.is(tag.exitCode, 0, tag.stderr);
  assert.is(await status(sandbox.work), '');
}));

withGpg('gpg.format openpgp: the release commits and the tag are signed with the user\'s GnuPG key', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const gnupgHome = path.join(sandbox.root, 'gnupg');
  await mkdir(gnupgHome, { mode: 0o700 });
  const withGnupg = $({ cwd: sandbox.work, quiet: true, env: { ...process.env, GNUPGHOME: gnupgHome } });
  try {
    await withGnupg`gpg --batch --passphrase ${''} --quick-gen-key ${'Release Demo <release-demo@example.com>'} ed25519 sign never`;
    const w = git(sandbox.work);
    await w`git config commit.gpgSign true`;
    await w`git config tag.gpgSign true`;
    const result = await runCutCli(sandbox, ['--json'], { GNUPGHOME: gnupgHome });
    assert.is(result.exitCode, 0, result.stderr);
    const report = onlyDocument(result);
    await assertReleasedEverywhere(sandbox, report.releaseCommit!);
    for (const args of [['verify-commit', 'main'], ['verify-commit', 'main^'], ['verify-tag', report.tag!]]) {
      const verified = await withGnupg`git ${args}`.nothrow();
      assert.is(verified.exitCode, 0, `${args.join(' ')}: ${verified.stderr}`);
      assert.match(verified.stderr, 'Good signature from "Release Demo <release-demo@example.com>"');
    }
  } finally {
    await withGnupg`gpgconf --kill gpg-agent`.nothrow();
  }
}));

withSshKeygen('a signing failure stops before anything moves or is pushed, with one line saying why', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const w = git(sandbox.work);
  await signingKey(sandbox);
  await w`git config user.signingkey ${path.join(sandbox.root, 'no-such-key.pub')}`;
  await w`git config commit.gpgSign true`;
  const before = await snapshot(sandbox);

  const commits = await runCutCli(sandbox);
  assert.is(commits.exitCode, 1);
  const line = lastLine(commits.stderr);
  assert.match(line, /^release-cut: could not sign the release commit: .*no-such-key\.pub.* — fix the signing setup .*; nothing was changed$/);
  assert.equal(await snapshot(sandbox), before);

  // git tag -s with an unreadable SSH key writes an unsigned tag and exits 0: the cut looks.
  await w`git config commit.gpgSign false`;
  await w`git config tag.gpgSign true`;
  const tags = await runCutCli(sandbox, ['--json']);
  assert.is(tags.exitCode, 1);
  const document = onlyDocument(tags);
  assert.is(document.status, 'failed');
  assert.match(document.error!.message, /^could not sign the release tag: /);
  assert.equal(await snapshot(sandbox), before);
}));

shapes('--json answers for every outcome: nothing to release, usage error, failure, conflict in a dry run, staging failure', () => withSandbox(async (sandbox) => {
  const nothing = onlyDocument(await runCutCli(sandbox, ['--json']));
  assert.is(nothing.status, 'nothing-to-release');
  assert.is(nothing.error, undefined);

  const usage = await runCutCli(sandbox, ['--json', '--frobnicate']);
  assert.is(usage.exitCode, 2);
  assert.equal(onlyDocument(usage), { status: 'failed', error: { message: "Unknown option '--frobnicate'", hint: 'see release-cut --help', exitCode: 2 } });

  await onBranch(sandbox, 'develop', async () => {
    await commit(sandbox.work, 'EPN-1: new readme', { 'README.md': '# Shop, develop\n' });
    await commit(sandbox.work, 'chore: tidy');
  });
  await onBranch(sandbox, 'main', () => commit(sandbox.work, 'OPS-1: hotfix readme', { 'README.md': '# Shop, hotfix\n' }));
  const before = await snapshot(sandbox);
  const conflict = await runCutCli(sandbox, ['--json', '--dry-run']);
  assert.is(conflict.exitCode, 1);
  const conflictDocument = onlyDocument(conflict);
  assert.is(conflictDocument.status, 'conflict');
  assert.equal(conflictDocument.conflicts, ['README.md']);
  assert.equal(conflictDocument.jira!.map((card) => card.key), ['EPN-1']);
  assert.equal(conflictDocument.withoutJira!.map((entry) => entry.subject), ['chore: tidy']);
  assert.is(conflictDocument.error!.exitCode, 1);
  assert.match(conflictDocument.error!.message, 'develop and main conflict in README.md');
  const text = await runCutCli(sandbox, ['--dry-run']);
  assert.match(firstLine(text.stdout), /^Dry run: would release release\/\S+ /);
  assert.match(text.stdout, 'chore: tidy');
  assert.match(lastLine(text.stderr), 'release-cut: develop and main conflict in README.md');
  assert.equal(await snapshot(sandbox), before);

  await writeFiles(sandbox.work, { 'README.md': '# Shop, edited\n' });
  const dirty = onlyDocument(await runCutCli(sandbox, ['--json']));
  assert.equal(dirty, { status: 'failed', error: { message: 'the working tree has uncommitted changes (README.md)', hint: 'commit or stash them, then re-run', exitCode: 1 } });
  await git(sandbox.work)`git checkout -- README.md`;

  await onBranch(sandbox, 'develop', () => git(sandbox.work)`git merge --quiet --no-edit -X theirs main`);
  await git(sandbox.work)`git config remote.staging.pushurl ${path.join(sandbox.root, 'gone.git')}`;
  const staging = await runCutCli(sandbox, ['--json']);
  assert.is(staging.exitCode, 3, staging.stderr);
  const stagingDocument = onlyDocument(staging);
  assert.is(stagingDocument.status, 'staging-failed');
  assert.equal(stagingDocument.pushed, { origin: true, staging: false });
  assert.is(stagingDocument.error!.exitCode, 3);
  assert.match(stagingDocument.error!.message, 'is released on origin, but the push of main to staging failed');
}));

shapes('--json when interrupted: status interrupted, exit 130, nothing changed', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  await git(sandbox.work)`git config remote.staging.uploadpack ${'sh -c "sleep 1; exec git-upload-pack \"\\$@\"" --'}`;
  const before = await snapshot(sandbox);
  const child = execa(process.execPath, [CUT_SCRIPT, '--repo', sandbox.work, '--json'], { reject: false, env: CLI_ENV });
  let progress = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (!progress.includes('✔ fetch origin') && (progress += chunk.toString()).includes('✔ fetch origin')) child.kill('SIGTERM');
  });
  const result = await child;
  assert.is(result.exitCode, 130, String(result.stderr));
  const document = onlyDocument({ exitCode: 130, stdout: String(result.stdout), stderr: String(result.stderr) });
  assert.equal(document, { status: 'interrupted', error: { message: 'interrupted by SIGTERM', hint: 're-run the cut when ready', exitCode: 130 } });
  assert.equal(await snapshot(sandbox), before);
}));

/** The cut on a real terminal (util-linux `script` gives it a pseudo-terminal); `keys` are typed once it asks. */
async function runCutInTerminal(sandbox: Sandbox, keys: string): Promise<{ exitCode: number; output: string }> {
  const command = [process.execPath, CUT_SCRIPT, '--repo', sandbox.work].map((arg) => `'${arg}'`).join(' ');
  const child = execa('script', ['-qec', command, '/dev/null'], { reject: false, env: { ...CLI_ENV, CI: '' }, stdin: 'pipe' });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!output.includes('[y/N]') && (output += chunk.toString()).includes('[y/N]')) child.stdin!.write(keys);
    else output += chunk.toString();
  });
  const result = await child;
  // eslint-disable-next-line no-control-regex
  return { exitCode: result.exitCode ?? -1, output: output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '') };
}

onTerminal('on a terminal the plan comes first, then the question: no exits 1, Ctrl-C exits 130, yes releases', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const before = await snapshot(sandbox);

  const no = await runCutInTerminal(sandbox, 'n\n');
  assert.is(no.exitCode, 1, no.output);
  const plan = no.output.indexOf('Dry run: would release');
  assert.ok(plan !== -1 && plan < no.output.indexOf('CHANGELOG section that would be added') && no.output.indexOf('CHANGELOG section') < no.output.indexOf('[y/N]'), no.output);
  assert.match(no.output, /Release release\/\S+: merge 1 commits from develop into main.*\[y\/N\] n\naborted: nothing was changed/);
  assert.equal(await snapshot(sandbox), before);

  const interrupted = await runCutInTerminal(sandbox, '\x03');
  assert.is(interrupted.exitCode, 130, interrupted.output);
  assert.match(lastLine(interrupted.output), 'release-cut: interrupted at the prompt — nothing was changed');
  assert.equal(await snapshot(sandbox), before);
  assert.not.ok(existsSync(path.join(sandbox.work, '.git', 'release-cut.lock')));

  const yes = await runCutInTerminal(sandbox, 'y\n');
  assert.is(yes.exitCode, 0, yes.output);
  assert.match(yes.output, /\[y\/N\] y\n[^]*Released release\//);
  assert.is(await sha(sandbox.staging, 'main'), await sha(sandbox.work, 'main'));
}));

shapes('npm run release:cut -- --repo ../x from another directory cuts ../x relative to that directory', () => withSandbox(async (sandbox) => {
  await developCards(sandbox, 1);
  const elsewhere = path.join(sandbox.root, 'elsewhere');
  await writeFiles(elsewhere, { 'notes.txt': 'not a repository\n' });
  const result = await execa('npm', ['run', '-s', '--ignore-scripts', '--prefix', TOOLKIT, 'release:cut', '--', '--repo', '../work', '--dry-run', '--json'], {
    cwd: elsewhere,
    reject: false,
    env: CLI_ENV,
  });
  assert.is(result.exitCode, 0, String(result.stderr));
  const document = onlyDocument({ exitCode: 0, stdout: String(result.stdout), stderr: '' });
  assert.is(document.status, 'dry-run');
  assert.equal(document.jira!.map((card) => card.key), ['EPN-1']);
}));

shapes('GIT_DIR and GIT_WORK_TREE of another repository in the environment: --repo is the one cut, the other is untouched', () => withSandbox(async (other) => withSandbox(async (sandbox) => {
  await developCards(other, 1);
  await developCards(sandbox, 1);
  const untouched = await snapshot(other);
  const env = { GIT_DIR: path.join(other.work, '.git'), GIT_WORK_TREE: other.work, GIT_INDEX_FILE: path.join(other.work, '.git', 'index') };

  const result = await runCutCli(sandbox, ['--json'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, `cutting ${sandbox.work} (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE in the environment ignored)`);
  await assertReleasedEverywhere(sandbox, onlyDocument(result).releaseCommit!);
  assert.equal(await snapshot(other), untouched);

  // As inside a server-side hook of the other repository's origin (git runs it with GIT_DIR=.).
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-9: more', { 'more.txt': 'more\n' }));
  const hook = await execa(process.execPath, [CUT_SCRIPT, '--repo', sandbox.work, '--yes', '--json'], { cwd: other.origin, reject: false, env: { ...CLI_ENV, GIT_DIR: '.' } });
  assert.is(hook.exitCode, 0, String(hook.stderr));
  assert.is(onlyDocument({ exitCode: 0, stdout: String(hook.stdout), stderr: '' }).status, 'released');
  assert.equal(await snapshot(other), untouched);
})));

shapes('--repo that does not exist, is not a git repository or is bare: a usage error (2)', () => withSandbox(async (sandbox) => {
  for (const repo of [path.join(sandbox.root, 'missing'), sandbox.root, sandbox.origin]) {
    const result = await execa(process.execPath, [CUT_SCRIPT, '--repo', repo, '--yes', '--json'], { reject: false, env: CLI_ENV });
    assert.is(result.exitCode, 2, `${repo}: ${String(result.stderr)}`);
    assert.is(onlyDocument({ exitCode: 2, stdout: String(result.stdout), stderr: '' }).error!.exitCode, 2);
  }
}));

run();
