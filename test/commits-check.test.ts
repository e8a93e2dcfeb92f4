import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from './helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { createHookedRepo, PROJECT_ROOT, type HookedRepo } from './helpers/hooks.js';

const COMMITS_CHECK = path.join(PROJECT_ROOT, 'dist', 'scripts', 'commits-check.js');

const check = suite('commits:check: the hook\'s rule over a range of commits');
let repo: HookedRepo;
const git = async (...args: string[]) => (await execa('git', args, { cwd: repo.dir })).stdout;
const commitsCheck = (...args: string[]) => execa(process.execPath, [COMMITS_CHECK, ...args], { cwd: repo.dir, reject: false, all: true });

check.before(async () => {
  repo = await createHookedRepo();
});
check.after(async () => {
  await rm(repo.dir, { recursive: true, force: true });
});

check('catches what bypassed the hook: --no-verify, cherry-pick, git am; passes keys and exact exemptions', async () => {
  await git('tag', 'base');
  // A keyless commit on another branch, brought in by cherry-pick (which runs no commit-msg hook).
  await git('checkout', '--quiet', '-b', 'elsewhere');
  await writeFile(path.join(repo.dir, 'picked.txt'), 'picked\n');
  await git('add', 'picked.txt');
  await git('commit', '--quiet', '--no-verify', '-m', 'fix: cherry-picked without a key');
  const picked = await git('rev-parse', 'HEAD');
  await writeFile(path.join(repo.dir, 'mailed.txt'), 'mailed\n');
  await git('add', 'mailed.txt');
  await git('commit', '--quiet', '--no-verify', '-m', 'fix: mailed without a key');
  const patch = await git('format-patch', '-1', '--stdout', 'HEAD');
  await git('checkout', '--quiet', 'main');

  await git('commit', '--quiet', '--allow-empty', '-m', 'DEV-1: keyed');
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'no key, emergency');
  await git('cherry-pick', picked);
  await writeFile(path.join(repo.dir, '.git', 'mail.patch'), patch);
  await git('am', '--quiet', path.join(repo.dir, '.git', 'mail.patch'));
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'chore(release): anything');
  await git('commit', '--quiet', '--allow-empty', '-m', 'chore(release): release/2026-11-24');
  await git('commit', '--quiet', '--allow-empty', '-m', 'fixup! DEV-1: keyed');
  await git('checkout', '--quiet', '-b', 'topic');
  await git('commit', '--quiet', '--allow-empty', '-m', 'DEV-2: topic');
  await git('checkout', '--quiet', 'main');
  await git('merge', '--quiet', '--no-ff', '-m', 'integrate the topic', 'topic');

  const result = await commitsCheck('base..HEAD');
  assert.is(result.exitCode, 1, result.all);
  const lines = String(result.all).split('\n');
  const offenders = lines.filter((line) => / — /.test(line));
  assert.equal(offenders.map((line) => line.replace(/^[0-9a-f]{7,} /, '')), [
    'fixup! DEV-1: keyed — a fixup! commit was never squashed into its target: run git rebase -i --autosquash on the base, then push again',
    'chore(release): anything — the commit message has no Jira key (DEV)',
    'fix: mailed without a key — the commit message has no Jira key (DEV)',
    'fix: cherry-picked without a key — the commit message has no Jira key (DEV)',
    'no key, emergency — the commit message has no Jira key (DEV)',
  ]);
  const shortSha = (await git('rev-parse', '--short', 'HEAD~6')).slice(0, 7);
  assert.ok(offenders.some((line) => line.startsWith(shortSha)), `short sha ${shortSha} in ${offenders.join('\n')}`);
  assert.match(String(result.all), 'commits:check: 9 commits in base..HEAD, 5 without a Jira key', String(result.all));
});

check('a clean range exits 0; a bad range is a usage error', async () => {
  const clean = await commitsCheck('HEAD~1..HEAD');
  assert.is(clean.exitCode, 0, clean.all);
  assert.match(String(clean.all), 'all with a Jira key or exempt');
  const usage = await commitsCheck('HEAD');
  assert.is(usage.exitCode, 2);
  assert.match(String(usage.all), 'one commit range <from>..<to> is needed');
  const unknown = await commitsCheck('nope..HEAD');
  assert.is(unknown.exitCode, 2, unknown.all);
  assert.match(String(unknown.all), 'commits:check: "nope" names no commit here');
  for (const range of ['HEAD~1..', 'HEAD~1...HEAD']) {
    const result = await commitsCheck(range);
    assert.is(result.exitCode, 0, `${range}: ${result.all}`);
    assert.match(String(result.all), new RegExp(`\\d commits in ${range.replace(/[.~]/g, '\\$&')}, all with a Jira key or exempt`));
  }
  const bare = path.join(repo.dir, '.git');
  const inBare = await execa(process.execPath, [COMMITS_CHECK, 'HEAD~1..HEAD'], { cwd: bare, reject: false, all: true });
  assert.is(inBare.exitCode, 2, inBare.all);
});

check('a revert counts only when the commit it names exists and was accepted itself', async () => {
  await git('tag', 'reverts');
  await writeFile(path.join(repo.dir, 'work.txt'), 'work\n');
  await git('add', 'work.txt');
  await git('commit', '--quiet', '-m', 'DEV-3: keyed work');
  await git('revert', '--no-edit', 'HEAD');
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'fix: keyless');
  const keyless = await git('rev-parse', 'HEAD');
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', `Revert "fix: keyless"\n\nThis reverts commit ${keyless}.`);
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'Revert "anything"\n\nThis reverts commit 1234567.');
  const result = await commitsCheck('reverts..HEAD');
  assert.is(result.exitCode, 1, result.all);
  const offenders = String(result.all).split('\n').filter((line) => / — /.test(line)).map((line) => line.replace(/^[0-9a-f]{7,} /, ''));
  assert.equal(offenders, [
    'Revert "anything" — it says it reverts commit 1234567, which this repository does not have: give it a Jira key',
    `Revert "fix: keyless" — the commit it reverts (${keyless.slice(0, 7)}) has no accepted message itself: give the revert a Jira key`,
    'fix: keyless — the commit message has no Jira key (DEV)',
  ]);
});

check("commits behind a card's pull-request merge need no key of their own, as in the cut", async () => {
  await git('tag', 'merged');
  await git('checkout', '--quiet', '-b', 'feature/DEV-130-search');
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'feat(search): index titles');
  await git('commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'feat(search): rank by date');
  await git('checkout', '--quiet', 'main');
  await git('merge', '--quiet', '--no-ff', '-m', 'Merge pull request #42 from acme/feature/DEV-130-search', 'feature/DEV-130-search');
  const result = await commitsCheck('merged..HEAD');
  assert.is(result.exitCode, 0, result.all);
  assert.match(String(result.all), '3 commits in merged..HEAD, all with a Jira key or exempt');
});

check('the npm script and the CI job run it over a pull request\'s commits', async () => {
  const scripts = (JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.is(scripts['commits:check'], 'node dist/scripts/commits-check.js');
  const workflow = await readFile(path.join(PROJECT_ROOT, '.github', 'workflows', 'ci.yml'), 'utf8');
  assert.match(workflow, /npm run commits:check -- "\$BASE_SHA\.\.\$HEAD_SHA"/);
});
check.run();
