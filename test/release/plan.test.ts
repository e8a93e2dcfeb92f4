import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveConfig } from '../../src/config.js';
import { commitAnalyzer, isJiraHost, type CommitFacts } from '../../src/release/analyze.js';
import { groupCommitsByCard } from '../../src/release/cards.js';
import { renderChangelogSection, sectionMarker } from '../../src/release/changelog.js';
import { insertChangelogSection } from '../../src/release/changelog-file.js';
import { nextReleaseTag, planRelease, releaseDate, renderPlannedChangelog, withJiraDetails } from '../../src/release/plan.js';
import { unavailable } from '../../src/jira/details.js';
import { compareUrl, repoWebOf } from '../../src/release/repo-url.js';
import { collectFixes } from '../../src/release/fixes.js';

let counter = 0;
const analyze = commitAnalyzer(resolveConfig({}, {}));
function fakeCommit(message: string, parents: string[] = ['p']): CommitFacts {
  counter += 1;
  const sha = counter.toString(16).padStart(40, '0');
  return analyze({ sha, parents, subject: message.split('\n')[0]!, message });
}

const cards = suite('groupCommitsByCard');

cards('groups commits under every card they mention, in natural key order', () => {
  const a = fakeCommit('EPN-10: a');
  const b = fakeCommit('EPN-2 and OPS-1: b');
  const c = fakeCommit('chore: c');
  const grouping = groupCommitsByCard([a, b, c], c.sha, null);
  assert.equal(grouping.cards.map((card) => [card.key, card.commits.map((commit) => commit.sha)]), [
    ['EPN-2', [b.sha]], ['EPN-10', [a.sha]], ['OPS-1', [b.sha]],
  ]);
  assert.equal(grouping.withoutJira, [{ sha: c.sha, subject: 'chore: c' }]);
});

cards('cards link to JIRA_BASE_URL whatever host a commit named; without it, only to known Jira hosts', () => {
  const message = 'fix: x\n\nhttps://evil.example/browse/EPN-500 https://acme.atlassian.net/browse/EPN-1 https://jira.corp.example/browse/EPN-2';
  const urlsOf = (config: Record<string, string>, base: string | null): Record<string, string | null> => {
    const commit = commitAnalyzer(resolveConfig(config, {}))({ sha: 'a'.repeat(40), parents: [], subject: 'fix: x', message });
    return Object.fromEntries(groupCommitsByCard([commit], commit.sha, base).cards.map((card) => [card.key, card.url]));
  };
  assert.equal(urlsOf({}, null), { 'EPN-1': 'https://acme.atlassian.net/browse/EPN-1', 'EPN-2': null, 'EPN-500': null });
  assert.equal(urlsOf({ JIRA_HOSTS: 'jira.corp.example' }, null)['EPN-2'], 'https://jira.corp.example/browse/EPN-2');
  assert.equal(urlsOf({ JIRA_BASE_URL: 'https://jira.example.com' }, 'https://jira.example.com'), {
    'EPN-1': 'https://jira.example.com/browse/EPN-1', 'EPN-2': 'https://jira.example.com/browse/EPN-2', 'EPN-500': 'https://jira.example.com/browse/EPN-500',
  });
});

cards('a Jira host is read off the URL\'s authority, not its path, userinfo or a lookalike suffix', () => {
  assert.ok(isJiraHost('https://acme.atlassian.net/browse/EPN-1', []));
  assert.ok(isJiraHost('https://bot@ACME.atlassian.net:443/browse/EPN-1', []));
  assert.ok(isJiraHost('http://jira.corp.example:8080/browse/EPN-1', ['jira.corp.example']));
  assert.not.ok(isJiraHost('https://acme.atlassian.net.evil.example/browse/EPN-1', []));
  assert.not.ok(isJiraHost('https://evil.example/acme.atlassian.net/browse/EPN-1', []));
  assert.not.ok(isJiraHost('https://acme.atlassian.net@evil.example/browse/EPN-1', []));
});

cards('commits merged by a keyed pull request inherit its key; keyless merges are named apart', () => {
  const base = fakeCommit('EPN-1: start');
  const feature1 = fakeCommit('feat: search', [base.sha]);
  const feature2 = fakeCommit('feat: highlight', [feature1.sha]);
  const pr = fakeCommit('Merge pull request #4 from team/feature/EPN-5-search', [base.sha, feature2.sha]);
  const sync = fakeCommit("Merge branch 'main' into develop", [pr.sha, 'outside-range']);
  const grouping = groupCommitsByCard([base, feature1, feature2, pr, sync], sync.sha, null);
  assert.equal(grouping.cards.find((card) => card.key === 'EPN-5')!.commits.map((commit) => commit.subject), [
    'feat: search', 'feat: highlight', 'Merge pull request #4 from team/feature/EPN-5-search',
  ]);
  assert.equal(grouping.withoutJira, []);
  assert.equal(grouping.keylessMerges, [{ sha: sync.sha, subject: "Merge branch 'main' into develop" }]);
});
cards.run();

const changelog = suite('CHANGELOG section');

const head = 'f'.repeat(40);
async function section(commits: CommitFacts[]): Promise<string> {
  return renderChangelogSection({
    tag: 'release/2026-11-24', date: '2026-11-24', baseSha: 'a'.repeat(40), headSha: head,
    compareUrl: null, commits, grouping: groupCommitsByCard(commits, commits.at(-1)!.sha, null),
  });
}

changelog('renders cards with their commits, keyless commits, types and breaking changes', async () => {
  const text = await section([
    fakeCommit('feat(auth): EPN-1 login'),
    fakeCommit('feat(api)!: drop v1\n\nEPN-2\n\nBREAKING CHANGE: /v1 is gone'),
    fakeCommit('docs: readme'),
  ]);
  assert.match(text, /^## release\/2026-11-24 \(2026-11-24\)\n\n<!-- release-cut:f{40} -->\n/);
  assert.match(text, '`aaaaaaa..fffffff` · 3 commits (2 feat, 1 docs) · 2 Jira cards');
  assert.match(text, /### Jira cards\n\n- \*\*EPN-1\*\*\n  - feat\(auth\): EPN-1 login \(`\w{7}`\)\n- \*\*EPN-2\*\*\n  - feat\(api\)!: drop v1 \(`\w{7}`\)\n\n### Commits/);
  assert.match(text, '### Commits without a Jira key\n\n- docs: readme (`');
  assert.match(text, '### ⚠ Breaking changes\n\n- /v1 is gone (`');
});

changelog('inserting creates the file, goes under the title above older sections, and never duplicates', async () => {
  const marker = sectionMarker(head);
  const first = await insertChangelogSection(null, `## new\n\n${marker}\n`, marker);
  assert.match(first.toString(), /^# Changelog\n\n.+\n\n## new\n/);
  assert.is(await insertChangelogSection(first, `## new\n\n${marker}\n`, marker), first);

  const existing = Buffer.from('# Changelog\n\nOur notes.\n\n## older\n\n- x\n');
  const next = await insertChangelogSection(existing, '## newer\n', sectionMarker('e'.repeat(40)));
  assert.is(next.toString(), '# Changelog\n\nOur notes.\n\n## newer\n\n## older\n\n- x\n');
  assert.is((await insertChangelogSection(Buffer.from('Handwritten notes\n'), '## s\n', marker)).toString(), 'Handwritten notes\n\n## s\n');
});
changelog.run();

const plan = suite('planRelease');

plan('tags are per day, with a counter for further cuts that day', () => {
  assert.is(nextReleaseTag('release/', '2026-11-24', []), 'release/2026-11-24');
  assert.is(nextReleaseTag('release/', '2026-11-24', ['release/2026-11-24']), 'release/2026-11-24.2');
  assert.is(nextReleaseTag('release/', '2026-11-24', ['release/2026-11-24', 'release/2026-11-24.2']), 'release/2026-11-24.3');
  assert.is(releaseDate(new Date(2026, 10, 3, 12)), '2026-11-03');
});

plan('builds messages, changelog and report from facts alone', async () => {
  const commits = [fakeCommit('EPN-1: a'), fakeCommit('chore: b')];
  const result = planRelease({
    config: resolveConfig({}, {}), date: '2026-11-24', baseSha: 'a'.repeat(40), headSha: commits[1]!.sha,
    commits, existingTags: [], repo: repoWebOf('git@github.com:acme/shop.git'),
  });
  assert.is(result.tag, 'release/2026-11-24');
  assert.is(result.mergeMessage, "Merge branch 'develop' into main for release/2026-11-24\n\nRelease-Cut: release/2026-11-24\n");
  assert.match(result.releaseMessage, /^chore\(release\): release\/2026-11-24\n/);
  assert.match(result.releaseMessage, /\n\nRelease-Cut: release\/2026-11-24\n$/);
  assert.is(result.report.compareUrl, `https://github.com/acme/shop/compare/${'a'.repeat(40)}...${commits[1]!.sha}`);
  const rendered = await renderPlannedChangelog(result, Buffer.from('# Changelog\n'), 'CHANGELOG.md');
  assert.ok(rendered.changelog!.toString().startsWith('# Changelog\n\n## release/2026-11-24'));
  assert.is(rendered.section, rendered.changelog!.toString().slice('# Changelog\n\n'.length));
  assert.is((await renderPlannedChangelog(result, rendered.changelog, 'CHANGELOG.md')).changelog, null, 'already there: unchanged');
  assert.equal(result.report.jira.map((card) => card.key), ['EPN-1']);
});
plan('main\'s unannounced fixes: their own report field and CHANGELOG block, at the end of the section; none when there are none', async () => {
  const commits = [fakeCommit('EPN-1: a')];
  const fix = fakeCommit('EPN-9: fix the button');
  const keyless = fakeCommit('fix: a typo');
  const facts = { config: resolveConfig({}, {}), date: '2026-11-24', baseSha: 'a'.repeat(40), headSha: commits[0]!.sha, commits, existingTags: [], repo: null };
  const fixes = collectFixes('b'.repeat(40), keyless.sha, [fix, keyless], null);
  const withFixes = planRelease({ ...facts, fixedOnMain: { since: 'release/2026-11-17', fixes } });
  assert.equal(withFixes.report.fixedOnMain, {
    since: 'release/2026-11-17',
    cards: [{ key: 'EPN-9', url: null, commits: [{ sha: fix.sha, subject: 'EPN-9: fix the button' }] }],
    withoutJira: [{ sha: keyless.sha, subject: 'fix: a typo' }],
  });
  const { section } = await renderPlannedChangelog(withFixes, null, 'CHANGELOG.md');
  const block = section.indexOf('\n\n### Fixed on main since release/2026-11-17\n\n<!-- release-stage:');
  assert.ok(block > section.indexOf('EPN-1: a'), 'after the release\'s own cards');
  assert.match(section.slice(block), `- EPN-9\n  - EPN-9: fix the button (\`${fix.sha.slice(0, 7)}\`)\n- fix: a typo (\`${keyless.sha.slice(0, 7)}\`) — no Jira key\n`);

  for (const fixedOnMain of [null, { since: 'release/2026-11-17', fixes: collectFixes('b'.repeat(40), 'b'.repeat(40), [], null) }]) {
    const without = planRelease({ ...facts, fixedOnMain });
    assert.is(without.report.fixedOnMain, undefined);
    assert.is(without.fixesBlock, null);
    assert.not.match((await renderPlannedChangelog(without, null, 'CHANGELOG.md')).section, 'Fixed on main');
  }
});

plan('the tag message, the release commit\'s message and the whole report, as planned before anything is pushed', () => {
  const commits = [fakeCommit('EPN-1: a'), fakeCommit('chore: b')];
  const base = 'a'.repeat(40);
  const result = planRelease({ config: resolveConfig({}, {}), date: '2026-11-24', baseSha: base, headSha: commits[1]!.sha, commits, existingTags: ['release/2026-11-24'], repo: null });
  assert.is(result.tag, 'release/2026-11-24.2');
  assert.is(result.tagMessage, 'Release release/2026-11-24.2\n\n2 commits, 1 Jira cards, 1 commits without a key.\n');
  assert.is(result.releaseMessage, 'chore(release): release/2026-11-24.2\n\nAdd the release/2026-11-24.2 section to CHANGELOG.md: 2 commits, 1 Jira cards, 1 commits without a key.\n\nRelease-Cut: release/2026-11-24.2\n');
  assert.equal(result.report, {
    tag: 'release/2026-11-24.2', date: '2026-11-24', base: 'main', head: 'develop', baseSha: base, headSha: commits[1]!.sha,
    range: `${base}..${commits[1]!.sha}`, compareUrl: null, changelogUrl: null, commitCount: 2,
    jira: result.grouping.cards, withoutJira: [{ sha: commits[1]!.sha, subject: 'chore: b' }], reverted: [], keylessMerges: [],
    releaseCommit: null, dryRun: false, pushed: { origin: false, staging: false },
  });
});

plan('with Jira\'s details the section groups cards by type with their summaries; without them, one list of cards', async () => {
  const commits = [fakeCommit('EPN-1: a'), fakeCommit('EPN-2: b'), fakeCommit('EPN-3: c')];
  const planned = planRelease({ config: resolveConfig({}, {}), date: '2026-11-24', baseSha: 'a'.repeat(40), headSha: commits[2]!.sha, commits, existingTags: [], repo: null });
  const details = {
    available: true, reason: null,
    issues: { 'EPN-1': { summary: 'Login with SSO', type: 'Story', status: 'Done', assignee: null }, 'EPN-2': { summary: 'Cart empties', type: 'Bug', status: 'In Progress', assignee: null } },
  };
  const detailed = withJiraDetails(planned, details, null);
  const section = (await renderPlannedChangelog(detailed, null, 'CHANGELOG.md')).section;
  assert.match(section, /### Stories\n\n- \*\*EPN-1\*\* Login with SSO \(Done\)/);
  assert.match(section, /### Bugs\n\n- \*\*EPN-2\*\* Cart empties \(In Progress\)/);
  assert.match(section, /### Unknown to Jira\n\n- \*\*EPN-3\*\* not found in Jira/);
  assert.equal(detailed.report.jiraDetails, details);

  const without = withJiraDetails(planned, unavailable('no answer'), null);
  const plain = (await renderPlannedChangelog(without, null, 'CHANGELOG.md')).section;
  assert.match(plain, /### Jira cards\n\n- \*\*EPN-1\*\*\n.*\n- \*\*EPN-2\*\*\n.*\n- \*\*EPN-3\*\*\n/);
});
plan.run();

const urls = suite('repoWebOf / compareUrl');

urls('understands scp, https and ssh remotes; gives up on local paths', () => {
  assert.equal(repoWebOf('git@github.com:acme/shop.git'), { host: 'github.com', path: 'acme/shop', webUrl: 'https://github.com/acme/shop' });
  assert.is(repoWebOf('https://x-access-token:secret@github.example.com/acme/shop.git')!.webUrl, 'https://github.example.com/acme/shop');
  assert.is(repoWebOf('ssh://git@gitlab.com/group/sub/shop.git')!.path, 'group/sub/shop');
  assert.is(compareUrl(repoWebOf('https://gitlab.com/group/shop'), 'a', 'b'), 'https://gitlab.com/group/shop/-/compare/a...b');
  assert.is(repoWebOf('/tmp/origin.git'), null);
  assert.is(repoWebOf(null), null);
});
urls.run();
