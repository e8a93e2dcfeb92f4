import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commit, git, writeFiles } from '../../src/sandbox.js';
import { markdownText } from '../../src/release/changelog.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { onBranch, runCutCli, runCutCliAndSignal, sha, snapshot, untilExists, withSandbox } from '../helpers/cut.js';

async function preReceiveHook(bareRepo: string, script: string): Promise<string> {
  const hook = path.join(bareRepo, 'hooks', 'pre-receive');
  await writeFile(hook, `#!/bin/sh\n${script}\n`);
  await chmod(hook, 0o755);
  return hook;
}

function rejectPushesTo(bareRepo: string, message: string): Promise<string> {
  return preReceiveHook(bareRepo, `echo "${message}" >&2\nexit 1`);
}

function jsonReport(stdout: string): ReleaseReport & { status: string } {
  return JSON.parse(stdout) as ReleaseReport & { status: string };
}

const cut = suite('release cut');

cut('happy path: merges, keeps the hotfix, writes the changelog, tags, pushes origin and staging', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', async () => {
    await commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' });
    await commit(sandbox.work, 'fix: empty cart\n\nSee https://acme.atlassian.net/browse/EPN-2', { 'cart.txt': 'cart\n' });
    await commit(sandbox.work, 'chore: tidy up', { 'tidy.txt': 'tidy\n' });
  });
  await onBranch(sandbox, 'main', () => commit(sandbox.work, 'OPS-3: hotfix payment', { 'hotfix.txt': 'hotfix\n' }));
  const mainBefore = await sha(sandbox.work, 'main');
  const developBefore = await sha(sandbox.work, 'develop');

  const result = await runCutCli(sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = jsonReport(result.stdout);
  assert.is(report.status, 'released');
  assert.match(report.tag, /^release\/\d{4}-\d{2}-\d{2}$/);
  assert.is(report.range, `${mainBefore}..${developBefore}`);
  assert.equal(report.jira.map((card) => card.key), ['EPN-1', 'EPN-2']);
  assert.is(report.jira[1]!.url, 'https://acme.atlassian.net/browse/EPN-2');
  assert.equal(report.withoutJira.map((c) => c.subject), ['chore: tidy up']);
  assert.equal(report.pushed, { origin: true, staging: true });

  const released = await sha(sandbox.work, 'main');
  assert.is(released, report.releaseCommit);
  for (const [dir, ref] of [[sandbox.work, 'develop'], [sandbox.origin, 'main'], [sandbox.origin, 'develop'], [sandbox.staging, 'main']] as const) {
    assert.is(await sha(dir, ref), released, `${dir} ${ref}`);
  }
  assert.is(await sha(sandbox.origin, `${report.tag}^{commit}`), released);
  assert.is((await git(sandbox.origin)`git cat-file -t ${report.tag}`).stdout.trim(), 'tag', 'annotated tag');

  const merge = (await git(sandbox.work)`git rev-list --parents -n 1 ${released}^`).stdout.trim().split(' ');
  assert.equal(merge.slice(1), [mainBefore, developBefore], 'release commit sits on a --no-ff merge of main and develop');
  const files = (await git(sandbox.work)`git ls-tree --name-only ${released}`).stdout.split('\n');
  for (const file of ['hotfix.txt', 'login.txt', 'CHANGELOG.md']) assert.ok(files.includes(file), file);

  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.ok(changelog.startsWith('# Changelog\n'));
  assert.match(changelog, `## ${report.tag}`);
  assert.match(changelog, '[EPN-2](https://acme.atlassian.net/browse/EPN-2)');
  assert.match(changelog, '  - EPN-1: add login');
  assert.match(changelog, '### Commits without a Jira key\n\n- chore: tidy up');

  const saved = JSON.parse(await readFile(path.join(sandbox.work, '.git', 'release-cut', 'reports', `${report.tag.replace('/', '-')}.json`), 'utf8'));
  const { status: _status, ...written } = report;
  assert.equal(saved, written);
  assert.is((await git(sandbox.work)`git status --porcelain --untracked-files=all`).stdout, '', 'the work tree is as clean as before: the report cache lives under .git');
}));

cut('nothing to release exits 0 and changes nothing', () => withSandbox(async (sandbox) => {
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, 'nothing to release');
  assert.equal(await snapshot(sandbox), before);
}));

cut('a conflict aborts, names the files and leaves everything as it was', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: new readme', { 'README.md': '# Shop, develop\n' }));
  await onBranch(sandbox, 'main', () => commit(sandbox.work, 'OPS-1: hotfix readme', { 'README.md': '# Shop, hotfix\n' }));
  await git(sandbox.work)`git checkout --quiet develop`;
  await writeFiles(sandbox.work, { 'notes.txt': 'untracked, mine\n' });
  const before = await snapshot(sandbox);

  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /release-cut: develop and main conflict in README\.md — merge main into develop/);
  assert.equal(await snapshot(sandbox), before);
}));

cut('origin rejecting the push restores branches, tag, HEAD and work tree', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
  await git(sandbox.work)`git checkout --quiet main`;
  await rejectPushesTo(sandbox.origin, 'protected branch: pushes need approval');
  const before = await snapshot(sandbox);

  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, 'origin rejected the release push');
  assert.match(result.stderr, 'nothing was released');
  assert.equal(await snapshot(sandbox), before);
  assert.not.ok(existsSync(path.join(sandbox.work, 'login.txt')), 'work tree back on the old main');
}));

cut('staging failing after origin exits 3; a re-run only retries staging', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
  const hook = await rejectPushesTo(sandbox.staging, 'staging is frozen');

  const failed = await runCutCli(sandbox, ['--json']);
  assert.is(failed.exitCode, 3, failed.stderr);
  assert.match(failed.stderr, /is released on origin, but the push of main to staging failed \(.*staging is frozen/);
  assert.match(failed.stderr, 're-run the cut');
  const report = jsonReport(failed.stdout);
  assert.equal(report.pushed, { origin: true, staging: false });
  const stagingBefore = await sha(sandbox.staging, 'main');
  assert.is.not(stagingBefore, report.releaseCommit);

  await rm(hook);
  const retried = await runCutCli(sandbox);
  assert.is(retried.exitCode, 0, retried.stderr);
  assert.match(retried.stdout, `${report.tag} was already released; pushed it to staging now`);
  assert.is(await sha(sandbox.staging, 'main'), report.releaseCommit);
  assert.equal((await git(sandbox.work)`git tag --list release/*`).stdout.trim().split('\n'), [report.tag]);
  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.is(changelog.split(`## ${report.tag}`).length, 2, 'one section');

  const again = await runCutCli(sandbox);
  assert.is(again.exitCode, 0);
  assert.match(again.stdout, 'nothing to release');
}));

cut('an unreachable staging remote is refused before anything changes', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  await git(sandbox.work)`git remote set-url staging ${path.join(sandbox.root, 'gone.git')}`;
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1);
  assert.match(result.stderr, /release-cut: staging is unreachable: .* — fix the staging remote/);
  assert.equal(await snapshot(sandbox), before);
}));

cut('re-running after a release is idempotent; a second cut that day gets its own tag and section', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: first'));
  const first = jsonReport((await runCutCli(sandbox, ['--json'])).stdout);
  const afterFirst = await snapshot(sandbox);
  const rerun = await runCutCli(sandbox);
  assert.match(rerun.stdout, 'nothing to release');
  assert.equal(await snapshot(sandbox), afterFirst);

  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-2: second'));
  const second = jsonReport((await runCutCli(sandbox, ['--json'])).stdout);
  assert.is(second.tag, `${first.tag}.2`);
  assert.equal(second.jira.map((card) => card.key), ['EPN-2']);
  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.ok(changelog.indexOf(`## ${second.tag} `) < changelog.indexOf(`## ${first.tag} `), 'newest first');
  assert.is(changelog.split('# Changelog').length, 2, 'one title');
}));

cut('a dirty working tree is refused and left alone', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  await writeFiles(sandbox.work, { 'README.md': '# Shop, edited\n' });
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1);
  assert.is(result.stderr.trim().split('\n').pop(), 'release-cut: the working tree has uncommitted changes (README.md) — commit or stash them, then re-run');
  assert.equal(await snapshot(sandbox), before);
}));

cut('a running cut holds the lock; a stale lock is taken over', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  const lock = path.join(sandbox.work, '.git', 'release-cut.lock');
  const { hostname } = await import('node:os');
  await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'earlier' }));
  const before = await snapshot(sandbox);
  const blocked = await runCutCli(sandbox);
  assert.is(blocked.exitCode, 1);
  assert.match(blocked.stderr, `another release cut is running (pid ${process.pid}`);
  assert.equal(await snapshot(sandbox), before);
  assert.ok(existsSync(lock), 'the other cut keeps its lock');

  await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), startedAt: 'crashed' }));
  const taken = await runCutCli(sandbox);
  assert.is(taken.exitCode, 0, taken.stderr);
  assert.match(taken.stderr, 'removing a stale lock');
  assert.not.ok(existsSync(lock), 'lock removed on exit');
}));

cut('commit messages with shell syntax, quotes, newlines and non-ASCII pass through untouched', () => withSandbox(async (sandbox) => {
  const subject = 'EPN-7: handle `rm -rf $(pwd)` and "quotes" \'single\' $HOME ; | & ünïcödé ✓';
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, `${subject}\n\nbody line with $(whoami)\nRefs: OPS-8`));
  const result = await runCutCli(sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = jsonReport(result.stdout);
  assert.equal(report.jira.map((card) => [card.key, card.commits[0]!.subject]), [['EPN-7', subject], ['OPS-8', subject]]);
  const changelog = await readFile(path.join(sandbox.work, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, `  - ${markdownText(subject)} (`, 'escaped so that it renders as written');
}));

cut('configured project keys decide what counts; trailers and bodies count; non-keys do not', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', async () => {
    await commit(sandbox.work, 'feat: export\n\nJira: EPN-10');
    await commit(sandbox.work, 'fix: UTF-8 and SHA-256 and ABC-9');
  });
  const result = await runCutCli(sandbox, ['--json', '--dry-run'], { JIRA_PROJECT_KEYS: 'EPN', JIRA_BASE_URL: 'https://jira.example.com/' });
  assert.is(result.exitCode, 0, result.stderr);
  const report = jsonReport(result.stdout);
  assert.equal(report.jira.map((card) => [card.key, card.url]), [['EPN-10', 'https://jira.example.com/browse/EPN-10']]);
  assert.equal(report.withoutJira.map((c) => c.subject), ['fix: UTF-8 and SHA-256 and ABC-9']);
}));

cut('dry run prints the plan and changes nothing', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox, ['--dry-run']);
  assert.is(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /Dry run: would release release\/\S+ \(\S+\): develop -> main/);
  assert.match(result.stdout, 'CHANGELOG section that would be added');
  assert.equal(await snapshot(sandbox), before);
}));

cut('local branches behind origin are fast-forwarded; ahead or diverged are refused', () => withSandbox(async (sandbox) => {
  const w = git(sandbox.work);
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  await w`git checkout --quiet main`;
  await w`git branch --force develop develop~1`;
  const behind = await runCutCli(sandbox, ['--json']);
  assert.is(behind.exitCode, 0, behind.stderr);
  assert.equal(jsonReport(behind.stdout).jira.map((card) => card.key), ['EPN-1']);

  await w`git checkout --quiet develop`;
  await commit(sandbox.work, 'EPN-2: not reviewed');
  const before = await snapshot(sandbox);
  const ahead = await runCutCli(sandbox);
  assert.is(ahead.exitCode, 1);
  assert.match(ahead.stderr, 'local develop has commits that origin/develop does not have');
  assert.equal(await snapshot(sandbox), before);
}));

cut('bad usage and a missing remote exit 2 with one line', () => withSandbox(async (sandbox) => {
  const unknown = await runCutCli(sandbox, ['--frobnicate']);
  assert.is(unknown.exitCode, 2);
  assert.match(unknown.stderr, /^release-cut: Unknown option '--frobnicate'.* — see release-cut --help$/);
  const missing = await runCutCli(sandbox, ['--staging-remote', 'qa']);
  assert.is(missing.exitCode, 2);
  assert.match(missing.stderr, 'there is no git remote named "qa" — add it with: git remote add qa <url>');
}));

cut("a local pre-push hook's refusal is named as such, not as origin's; a fetch refused for a tag clash says how to settle the tag", () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  const before = await snapshot(sandbox);
  const hook = path.join(sandbox.work, '.git', 'hooks', 'pre-push');
  await writeFile(hook, '#!/bin/sh\necho "lint failed" >&2\nexit 1\n');
  await chmod(hook, 0o755);
  const refused = await runCutCli(sandbox);
  assert.is(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, 'release-cut: your pre-push hook refused the push to origin (lint failed) — nothing was released');
  assert.equal(await snapshot(sandbox), before);
  await rm(hook);

  await git(sandbox.work)`git tag v1.0 main`;
  await git(sandbox.work)`git push --quiet origin v1.0`;
  await git(sandbox.work)`git tag --force v1.0 develop`;
  const clash = await runCutCli(sandbox);
  assert.is(clash.exitCode, 1, clash.stderr);
  assert.match(clash.stderr, "would clobber existing tag) — your tag v1.0 is not origin's tag of that name");
  assert.not.match(clash.stderr, 'URL and your access');
}));

cut('outside a git repository, and in the middle of a merge, it refuses', () => withSandbox(async (sandbox) => {
  const outside = await runCutCli({ ...sandbox, work: sandbox.root });
  assert.is(outside.exitCode, 2, 'a usage error, as the README says');
  assert.match(outside.stderr, 'is not inside a git work tree');

  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: readme', { 'README.md': 'a\n' }));
  await git(sandbox.work)`git checkout --quiet main`;
  await commit(sandbox.work, 'OPS-1: readme', { 'README.md': 'b\n' });
  await git(sandbox.work)`git merge develop`.nothrow();
  const merging = await runCutCli(sandbox);
  assert.is(merging.exitCode, 1);
  assert.match(merging.stderr, 'a merge is in progress');
}));

cut('a signal before the push rolls back and frees the lock', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  // The staging check (beside the fetch) is held until the cut has taken the signal.
  const taken = path.join(sandbox.root, 'signal-taken');
  await git(sandbox.work)`git config remote.staging.uploadpack ${`sh -c '${untilExists(taken)}; exec git-upload-pack "$@"' --`}`;
  const before = await snapshot(sandbox);
  const result = await runCutCliAndSignal(sandbox, '✔ fetch origin', 'SIGTERM', taken);
  assert.is(result.exitCode, 130, result.stderr);
  assert.match(result.stderr, 'release-cut: interrupted by SIGTERM');
  assert.equal(await snapshot(sandbox), before);
  assert.not.ok(existsSync(path.join(sandbox.work, '.git', 'release-cut.lock')));
}));

cut('a signal while origin receives the push: a rejected push is rolled back, an accepted one is finished', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login'));
  const before = await snapshot(sandbox);
  // origin's hook holds the push until the cut has taken the signal, then answers.
  const taken = path.join(sandbox.root, 'signal-taken');
  const hook = await preReceiveHook(sandbox.origin, `${untilExists(taken)}\necho "too late" >&2\nexit 1`);
  const rejected = await runCutCliAndSignal(sandbox, '✔ commit release', 'SIGTERM', taken);
  assert.is(rejected.exitCode, 1, rejected.stderr);
  assert.match(rejected.stderr, 'SIGTERM: stopping after the current step');
  assert.match(rejected.stderr, 'origin rejected the release push');
  assert.equal(await snapshot(sandbox), before);

  await rm(taken);
  await preReceiveHook(sandbox.origin, untilExists(taken));
  const accepted = await runCutCliAndSignal(sandbox, '✔ commit release', 'SIGTERM', taken);
  assert.is(accepted.exitCode, 0, accepted.stderr);
  assert.match(accepted.stderr, 'SIGTERM: stopping after the current step');
  assert.is(await sha(sandbox.staging, 'main'), await sha(sandbox.origin, 'main'), 'finished: staging has the release');
  assert.not.ok(existsSync(path.join(sandbox.work, '.git', 'release-cut.lock')));
  await rm(hook);
}));

cut.run();
