/**
 * The release record against real remotes: origin served by `git daemon` (outside this process
 * group), clones racing, fresh `--depth 1` clones as CI makes them, a sender killed mid-send, a
 * host that refuses notes refs and one without atomic pushes. Each channel is a local HTTP
 * stand-in that counts what it receives.
 */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { parseRecord } from '../../src/record/record.js';
import { commit, createSandbox, git, type Sandbox } from '../../src/sandbox.js';
import { CLI_ENV, NOTIFY_SCRIPT, onBranch, runCutCli, runNotifyCli, runStatusCli, sha, snapshot } from '../helpers/cut.js';
import { FakeHttp, githubRoute, routes, slackRoute, type Route } from '../helpers/fake-http.js';
import { freshClone, installHook, withDaemonSandbox, type DaemonSandbox } from '../helpers/faults.js';
import { waitUntil } from '../helpers/wait.js';
import { concurrentSuite } from '../helpers/suite.js';

const WEBHOOK = '/services/T1/B2/hook-secret-77';
const TOKEN = 'ghp_recordTest0001';

interface World extends DaemonSandbox {
  fake: FakeHttp;
  /** Slack and GitHub on the stand-in. */
  env: Record<string, string>;
}

/** A released sandbox (sharing off at the cut) whose origin is served by git daemon, and the channels' stand-in. */
async function withWorld(test: (world: World) => Promise<void>, options: { slack?: Route; shareAtCut?: boolean } = {}): Promise<void> {
  const fake = await FakeHttp.start();
  const github = githubRoute('acme/shop', TOKEN);
  fake.route = routes(options.slack ?? (() => undefined), slackRoute(WEBHOOK), github.route);
  try {
    await withDaemonSandbox(async (daemonSandbox) => {
      const world: World = {
        ...daemonSandbox, fake,
        env: { SLACK_WEBHOOK_URL: `${fake.url}${WEBHOOK}`, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: fake.url, NOTIFY_TIMEOUT_MS: '60000' },
      };
      const cut = await runCutCli(world.sandbox, [], options.shareAtCut ? world.env : {});
      assert.ok([0, 3].includes(cut.exitCode), cut.stderr);
      await test(world);
    });
  } finally {
    await fake.stop();
  }
}

/** The record of `tag` as origin has it. */
async function originRecord(world: World, tag: string = world.tag) {
  const bare = git(world.sandbox.origin);
  const note = await bare`git notes --ref=release-cut show ${`${tag}^{}`}`;
  return parseRecord(note.stdout)!;
}

const posts = (fake: FakeHttp, prefix: string): number => fake.received.filter((request) => request.method === 'POST' && request.path.startsWith(prefix)).length;

async function depthOneClone(world: World, name: string): Promise<string> {
  const dir = path.join(world.sandbox.root, name);
  await git(world.sandbox.root)`git clone --quiet --depth 1 ${world.originUrl} ${dir}`;
  return dir;
}

const { test, run } = concurrentSuite('release record: every channel once, from any clone', 3);

test('two clones run release:notify at once: each channel is posted exactly once; a fresh --depth 1 clone afterwards sends nothing', () => withWorld(async (world) => {
  const [one, two] = await Promise.all([freshClone(world.sandbox, 'one', world.originUrl, world.stagingUrl), freshClone(world.sandbox, 'two', world.originUrl, world.stagingUrl)]);
  const [a, b] = await Promise.all([runNotifyCli(one, [world.tag], world.env), runNotifyCli(two, [world.tag], world.env)]);
  assert.is(a.exitCode, 0, a.stderr);
  assert.is(b.exitCode, 0, b.stderr);
  assert.is(posts(world.fake, WEBHOOK), 1, 'one Slack post');
  assert.is(posts(world.fake, '/repos/acme/shop/releases'), 1, 'one GitHub release');
  const record = await originRecord(world);
  assert.equal(record.events.filter((event) => event.event === 'shared').map((event) => [event.event === 'shared' && event.channel, event.event === 'shared' && event.status]).sort(), [['github', 'sent'], ['slack', 'sent']]);
  const loser = [a, b].find((result) => !/^slack: sent/m.test(result.stdout))!;
  assert.match(`${loser.stdout}${loser.stderr}`, /slack: held \(claimed by .+ and being sent there|the release record shows every configured channel sent/);

  const ci = await depthOneClone(world, 'ci');
  const before = world.fake.received.length;
  const again = await runNotifyCli(ci, [world.tag], world.env);
  assert.is(again.exitCode, 0, again.stderr);
  assert.is(world.fake.received.length, before, 'no request at all');
  assert.match(again.stderr, `the release record shows every configured channel sent for ${world.tag}`);
}, { slack: (request) => (request.path === WEBHOOK ? { text: 'ok', delayMs: 1500 } : undefined) }));

test('after a partial share, a fresh --depth 1 clone with no git identity sends only the channel that failed, and the record names the GitHub release', () => {
  let githubDown = true;
  return withWorld(async (world) => {
    const before = await originRecord(world);
    assert.equal(before.events.map((event) => event.event), ['cut', 'pushed', 'claim', 'claim', 'shared', 'shared']);
    assert.is(posts(world.fake, WEBHOOK), 1);
    githubDown = false;
    const ci = await depthOneClone(world, 'ci');
    const count = world.fake.received.length;
    // As a CI job that only notifies: no git identity anywhere (the notes commits need none of the user's).
    const resent = await runNotifyCli(ci, [world.tag], { ...world.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', EMAIL: '' });
    assert.is(resent.exitCode, 0, resent.stderr);
    assert.equal(world.fake.received.slice(count).map((request) => `${request.method} ${request.path}`), ['POST /repos/acme/shop/releases']);
    const after = await originRecord(world);
    const github = after.events.filter((event) => event.event === 'shared' && event.channel === 'github').map((event) => event.event === 'shared' && [event.status, event.ref ?? null]);
    assert.equal(github, [['failed', null], ['sent', '1']]);
  }, {
    slack: (request) => (githubDown && request.path.startsWith('/repos/') ? { status: 500, json: { message: 'Server Error' } } : undefined),
    shareAtCut: true,
  }).then(() => undefined);
});

test('a claim left by a killed sender holds the channel until it times out, then is taken over with a warning', () => {
  let hang = true;
  return withWorld(async (world) => {
    const killed = execa('setsid', [process.execPath, NOTIFY_SCRIPT, '--repo', world.sandbox.work, world.tag, '--channel', 'slack'], { reject: false, env: { ...CLI_ENV, ...world.env } });
    await waitUntil(() => posts(world.fake, WEBHOOK) === 1, 'the Slack post of the run to kill');
    process.kill(-killed.pid!, 'SIGKILL');
    await killed;
    assert.equal((await originRecord(world)).events.map((event) => event.event), ['cut', 'pushed', 'claim']);

    hang = false;
    const held = await runNotifyCli(world.sandbox.work, [world.tag, '--channel', 'slack'], world.env);
    assert.is(held.exitCode, 0, held.stderr);
    assert.match(held.stdout, /^slack: held \(claimed by .+ s ago and being sent there; not sent here/m);
    assert.is(posts(world.fake, WEBHOOK), 1, 'not sent while the claim holds');

    const taken = await runNotifyCli(world.sandbox.work, [world.tag, '--channel', 'slack'], { ...world.env, RELEASE_CLAIM_TIMEOUT_MINUTES: '0.0001' });
    assert.is(taken.exitCode, 0, taken.stderr);
    assert.match(taken.stderr, /warning: slack was claimed by .+ ago, who never recorded an outcome: taking it over/);
    assert.is(posts(world.fake, WEBHOOK), 2);
    const events = (await originRecord(world)).events;
    const takeover = events.filter((event) => event.event === 'claim').at(-1);
    assert.ok(takeover?.event === 'claim' && takeover.takenOverFrom, 'the new claim names whom it took over from');
  }, { slack: (request) => (hang && request.path === WEBHOOK ? { text: 'ok', delayMs: 120_000 } : undefined) });
});

test('a second tag made by hand on a release commit is not shared as a new release', () => withWorld(async (world) => {
  await git(world.sandbox.work)`git tag release/2099-01-01 ${`${world.tag}^{}`}`;
  await git(world.sandbox.work)`git push --quiet origin release/2099-01-01`;
  const result = await runNotifyCli(world.sandbox.work, ['release/2099-01-01'], world.env);
  assert.is(result.exitCode, 2, result.stderr);
  assert.match(result.stderr, `release/2099-01-01 is another tag on the release commit of ${world.tag}, which is shared under its own name — share that release with: npm run release:notify -- ${world.tag}`);
  assert.is(world.fake.received.length, 0, 'nothing sent');
}));

run();

const hosts = concurrentSuite('release record: hosts without notes refs or atomic pushes', 2);

async function withBareSandbox(test: (sandbox: Sandbox) => Promise<void>): Promise<void> {
  const sandbox = await createSandbox();
  try {
    await onBranch(sandbox, 'develop', () => commit(sandbox.work, 'EPN-1: add login', { 'login.txt': 'login\n' }));
    await git(sandbox.work)`git checkout --quiet main`;
    await test(sandbox);
  } finally {
    await rm(sandbox.root, { recursive: true, force: true });
  }
}

hosts.test('origin refuses refs/notes/*: nothing changes and the cut names the setting; with releaseCut.recordRef on a branch the release goes out whole', () => withBareSandbox(async (sandbox) => {
  await installHook(sandbox.origin, 'pre-receive', 'while read old new ref; do case "$ref" in refs/notes/*) echo "notes refs are not accepted here" >&2; exit 1;; esac; done\nexit 0');
  const before = await snapshot(sandbox);
  const refused = await runCutCli(sandbox);
  assert.is(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, /release-cut: origin rejected the release push \(.*notes refs are not accepted here.*\) — nothing was released and your branches are as they were; fix the cause and re-run \(if origin refuses refs\/notes\/release-cut: keep the release record on a ref origin accepts: set releaseCut\.recordRef in package\.json \(or RELEASE_RECORD_REF\)/);
  assert.equal(await snapshot(sandbox), before);

  const env = { RELEASE_RECORD_REF: 'refs/heads/release-record' };
  const released = await runCutCli(sandbox, ['--json'], env);
  assert.is(released.exitCode, 0, released.stderr);
  const { tag, releaseCommit } = JSON.parse(released.stdout) as { tag: string; releaseCommit: string };
  assert.is(await sha(sandbox.origin, `${tag}^{commit}`), releaseCommit);
  assert.is(await sha(sandbox.staging, 'main'), releaseCommit);
  const record = await git(sandbox.origin)`git cat-file blob ${`refs/heads/release-record:${releaseCommit}`}`;
  assert.equal(parseRecord(record.stdout)?.events.map((event) => event.event), ['cut', 'pushed']);
  assert.is((await git(sandbox.origin)`git for-each-ref refs/notes`).stdout, '', 'no notes ref on origin');

  const colleague = path.join(sandbox.root, 'colleague');
  await git(sandbox.root)`git clone --quiet ${sandbox.origin} ${colleague}`;
  const status = await runStatusCli(colleague, [tag], env);
  assert.is(status.exitCode, 0, status.stderr);
  assert.match(status.stdout, `pushed ${releaseCommit.slice(0, 7)} to staging (staging, by release:cut)`);
}));

hosts.test('origin without atomic pushes: the cut says exactly that and changes nothing', () => withBareSandbox(async (sandbox) => {
  await git(sandbox.origin)`git config receive.advertiseAtomic false`;
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox, ['--json']);
  assert.is(result.exitCode, 1, result.stderr);
  const document = JSON.parse(result.stdout) as { status: string; error: { message: string; hint: string } };
  assert.is(document.error.message, 'origin does not support atomic pushes, and the cut pushes the branches, the tag and the release record all or nothing');
  assert.match(document.error.hint, 'nothing was released');
  assert.equal(await snapshot(sandbox), before);
}));

hosts.test('a record ref that is a tag or not a full ref is refused before anything runs', () => withBareSandbox(async (sandbox) => {
  const before = await snapshot(sandbox);
  for (const ref of ['refs/tags/records', 'release-record']) {
    const result = await runCutCli(sandbox, [], { RELEASE_RECORD_REF: ref });
    assert.is(result.exitCode, 2, result.stderr);
    assert.match(result.stderr, `release-cut: RELEASE_RECORD_REF "${ref}"`);
  }
  assert.equal(await snapshot(sandbox), before);
}));

hosts.run();
