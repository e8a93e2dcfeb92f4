/**
 * release:status against real remotes: a card on develop only, on main only (a QA fix), on
 * staging, in production, and a card that shipped in two releases; asked from a fresh
 * `--depth 1` clone, as CI or a colleague would.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commit, createSandbox, git, type Sandbox } from '../../src/sandbox.js';
import type { CardDocument, CurrentDocument, ReleaseSummary } from '../../src/status/render.js';
import { onBranch, runCutCli, runStatusCli } from '../helpers/cut.js';

const status = suite('release:status');

interface Week {
  sandbox: Sandbox;
  clone: string;
  first: string;
  second: string;
  shas: Record<string, string>;
}

let week: Week;

status.before(async () => {
  const sandbox = await createSandbox();
  const w = git(sandbox.work);
  const shas: Record<string, string> = {};
  const production = path.join(sandbox.root, 'production.git');
  await git(sandbox.root)`git init --quiet --bare --initial-branch=main ${production}`;
  await w`git remote add production ${production}`;
  const cut = async (): Promise<string> => {
    const result = await runCutCli(sandbox, ['--json']);
    assert.is(result.exitCode, 0, result.stderr);
    return (JSON.parse(result.stdout) as { tag: string }).tag;
  };
  await onBranch(sandbox, 'develop', async () => {
    shas.login = await commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' });
    shas.cartA = await commit(sandbox.work, 'EPN-3: cart badge', { 'cart.txt': 'badge\n' });
  });
  const first = await cut();
  await w`git push --quiet production ${first}^{commit}:refs/heads/main`;
  await onBranch(sandbox, 'develop', async () => {
    shas.cartB = await commit(sandbox.work, 'fix: cart badge overflow\n\nRefs: EPN-3', { 'cart.txt': 'badge, fixed\n' });
  });
  const second = await cut();
  await onBranch(sandbox, 'develop', async () => {
    shas.search = await commit(sandbox.work, 'EPN-2: search box', { 'search.txt': 'search\n' });
  });
  await onBranch(sandbox, 'main', async () => {
    shas.hotfix = await commit(sandbox.work, 'EPN-4: QA fix on main', { 'qa.txt': 'fixed\n' });
  });
  const clone = path.join(sandbox.root, 'asker');
  await git(sandbox.root)`git clone --quiet --depth 1 ${sandbox.origin} ${clone}`;
  await git(clone)`git remote add staging ${sandbox.staging}`;
  await git(clone)`git remote add production ${production}`;
  week = { sandbox, clone, first, second, shas };
});

status.after(async () => {
  if (week) await rm(week.sandbox.root, { recursive: true, force: true });
});

const ask = async <T>(args: string[]): Promise<T> => {
  const result = await runStatusCli(week.clone, [...args, '--json']);
  assert.is(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
};

status('a card in each place, from a fresh --depth 1 clone: develop only, main only, staging, production, and one that shipped twice', async () => {
  const places = async (key: string) => (await ask<CardDocument>([key])).commits.map((c) => [c.sha, c.release, c.places]);
  assert.equal(await places('EPN-1'), [[week.shas.login, week.first, ['develop', 'main', 'staging', 'production']]]);
  assert.equal(await places('EPN-3'), [
    [week.shas.cartB, week.second, ['develop', 'main', 'staging']],
    [week.shas.cartA, week.first, ['develop', 'main', 'staging', 'production']],
  ]);
  assert.equal(await places('EPN-2'), [[week.shas.search, null, ['develop']]]);
  assert.equal(await places('EPN-4'), [[week.shas.hotfix, null, ['main']]]);
});

status('a key no commit names: exit 1, one JSON document with the key and no commits', async () => {
  const result = await runStatusCli(week.clone, ['EPN-404', '--json']);
  assert.is(result.exitCode, 1);
  const document = JSON.parse(result.stdout) as CardDocument & { error: { message: string } };
  assert.is(document.key, 'EPN-404');
  assert.equal(document.commits, []);
  assert.is(document.error.message, 'no commit on develop, main, staging, production names EPN-404');
});

status('the current release: its record, staging and production against main, next week\'s cards', async () => {
  const current = await ask<CurrentDocument>([]);
  assert.is(current.release?.tag, week.second);
  assert.equal(current.release?.events.map((event) => event.event), ['cut', 'pushed']);
  assert.equal(current.deployments.map((deployed) => [deployed.place, deployed.state]), [['staging', 'behind main'], ['production', 'behind main']]);
  assert.equal(current.next, { commits: 1, cards: ['EPN-2'] });
  const text = (await runStatusCli(week.clone, [])).stdout;
  assert.match(text, `${week.second} (`);
  assert.match(text, 'Next release (develop has, main lacks): 1 commits, cards: EPN-2');
});

status('a release tag: that release\'s record, readable by a person and as JSON', async () => {
  const summary = await ask<ReleaseSummary>([week.first]);
  assert.equal(summary.cards, ['EPN-1', 'EPN-3']);
  assert.is(summary.recorded, true);
  const text = (await runStatusCli(week.clone, [week.first])).stdout;
  assert.match(text, /^release\/\S+ \(\d{4}-\d\d-\d\d\) at [0-9a-f]{7}: 2 commits, 2 cards, 0 commits without a key$/m);
  assert.match(text, /cut release\/\S+ at [0-9a-f]{7}/);
});

status('origin unreachable: said in one line, exit 1; --offline answers from what the clone has', async () => {
  const gone = path.join(week.sandbox.root, 'moved-away.git');
  await git(week.clone)`git remote set-url origin ${gone}`;
  try {
    const unreachable = await runStatusCli(week.clone, ['EPN-1']);
    assert.is(unreachable.exitCode, 1);
    assert.match(unreachable.stderr, /^release-status: origin cannot be read \(.+\) — check the origin remote and your access, or pass --offline/m);
    const offline = await runStatusCli(week.clone, ['EPN-1', '--offline', '--json']);
    assert.is(offline.exitCode, 0, offline.stderr);
    assert.equal((JSON.parse(offline.stdout) as CardDocument).commits.map((c) => c.sha), [week.shas.login]);
  } finally {
    await git(week.clone)`git remote set-url origin ${week.sandbox.origin}`;
  }
});

status('neither a key nor a tag: a usage error', async () => {
  const result = await runStatusCli(week.clone, ['nonsense']);
  assert.is(result.exitCode, 2);
  assert.match(result.stderr, 'release-status: "nonsense" is neither a Jira key (EPN-123) nor a release tag here');
});

status.run();
