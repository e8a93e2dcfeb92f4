/**
 * The CHANGELOG section as a reader sees it, whole: the header line (compare link, commit count,
 * types most frequent first and `other` last), the not-ready warning, the card groups in order
 * with links and details, commits without a key, reverted commits and breaking changes.
 */
import * as assert from 'uvu/assert';
import { resolveConfig } from '../../src/config.js';
import { commitAnalyzer, type CommitFacts } from '../../src/release/analyze.js';
import { groupCommitsByCard } from '../../src/release/cards.js';
import { markdownText, renderChangelogSection, summarizeCommitTypes } from '../../src/release/changelog.js';
import { suite } from '../helpers/suite.js';

const analyze = commitAnalyzer(resolveConfig({}, {}));
let counter = 0;
function commit(message: string): CommitFacts {
  counter += 1;
  return analyze({ sha: `${counter.toString(16)}`.padStart(7, '0') + 'f'.repeat(33), parents: ['p'], subject: message.split('\n')[0]!, message });
}

const section = suite('CHANGELOG section, whole');

section('every part, in order, exactly', async () => {
  const login = commit('feat(auth): EPN-2 login');
  const search = commit('feat: EPN-10 search\n\nBREAKING CHANGE: the old <search> URL is gone');
  const cart = commit('fix: EPN-3 cart');
  const tidy = commit('chore: tidy');
  const typo = commit('docs: typo');
  const mistake = commit('feat: EPN-4 mistake');
  const revert = commit(`Revert "feat: EPN-4 mistake"\n\nThis reverts commit ${mistake.sha}.`);
  const plain = commit('update readme');
  const commits = [login, search, cart, tidy, typo, mistake, revert, plain];
  const grouping = groupCommitsByCard(commits, plain.sha, 'https://acme.atlassian.net');
  const text = await renderChangelogSection({
    tag: 'release/2026-11-24', date: '2026-11-24', baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40),
    compareUrl: 'https://github.com/acme/shop/compare/a...b', commits, grouping,
    groupOrder: ['Stories', 'Bugs'],
    groupOf: (card) => (card.key === 'EPN-3' ? 'Bugs' : 'Stories'),
    detailsOf: (card) => (card.key === 'EPN-2' ? 'Login <SSO> (Done)' : null),
    notReady: [{ key: 'EPN-3', status: 'In Progress' }, { key: 'EPN-10', status: 'To Do' }],
  });
  assert.fixture(text, [
    '## release/2026-11-24 (2026-11-24)',
    '',
    `<!-- release-cut:${'b'.repeat(40)} -->`,
    '',
    '[`aaaaaaa...bbbbbbb`](https://github.com/acme/shop/compare/a...b) · 8 commits (3 feat, 1 chore, 1 docs, 1 fix, 2 other) · 3 Jira cards',
    '',
    '> ⚠ **Not done in Jira:** EPN-3 (In Progress), EPN-10 (To Do)',
    '',
    '### Stories',
    '',
    `- [EPN-2](https://acme.atlassian.net/browse/EPN-2) Login \\<SSO\\> (Done)`,
    `  - feat(auth): EPN-2 login (\`${login.sha.slice(0, 7)}\`)`,
    `- [EPN-10](https://acme.atlassian.net/browse/EPN-10)`,
    `  - feat: EPN-10 search (\`${search.sha.slice(0, 7)}\`)`,
    '',
    '### Bugs',
    '',
    `- [EPN-3](https://acme.atlassian.net/browse/EPN-3)`,
    `  - fix: EPN-3 cart (\`${cart.sha.slice(0, 7)}\`)`,
    '',
    '### Commits without a Jira key',
    '',
    `- chore: tidy (\`${tidy.sha.slice(0, 7)}\`)`,
    `- docs: typo (\`${typo.sha.slice(0, 7)}\`)`,
    `- update readme (\`${plain.sha.slice(0, 7)}\`)`,
    '',
    '### Reverted in this release',
    '',
    `- feat: EPN-4 mistake (\`${mistake.sha.slice(0, 7)}\`)`,
    `- Revert "feat: EPN-4 mistake" (\`${revert.sha.slice(0, 7)}\`)`,
    '',
    '### ⚠ Breaking changes',
    '',
    `- the old \\<search\\> URL is gone (\`${search.sha.slice(0, 7)}\`)`,
    '',
  ].join('\n'));
});

section('without a compare URL, details or extra parts: the bare range and one list of cards', async () => {
  const only = commit('EPN-1: a');
  const text = await renderChangelogSection({
    tag: 'v1', date: '2026-11-24', baseSha: 'c'.repeat(40), headSha: 'd'.repeat(40), compareUrl: null,
    commits: [only], grouping: groupCommitsByCard([only], only.sha, null),
  });
  assert.fixture(text, `## v1 (2026-11-24)\n\n<!-- release-cut:${'d'.repeat(40)} -->\n\n\`ccccccc..ddddddd\` · 1 commits (1 other) · 1 Jira cards\n\n### Jira cards\n\n- **EPN-1**\n  - EPN-1: a (\`${only.sha.slice(0, 7)}\`)\n`);
});

section('type counts: most frequent first, ties by name, other always last', () => {
  const types = (...messages: string[]) => summarizeCommitTypes(messages.map(commit)).typeSummary;
  assert.is(types('x', 'x', 'fix: a', 'feat: b', 'feat: c', 'fix: d', 'docs: e'), '2 feat, 2 fix, 1 docs, 2 other');
  assert.is(types('x'), '1 other');
  assert.is(types('perf: a', 'x', 'ci: b'), '1 ci, 1 perf, 1 other');
  assert.is(types(), '');
});

section('markdownText: escapes what starts Markdown or HTML, on one line, and leaves the rest', () => {
  const cases: Array<[string, string]> = [
    ['a\\b `c` *d* _e_ [f] <g> |h| ~i~ $j$ @k', 'a\\\\b \\`c\\` \\*d\\* \\_e\\_ \\[f\\] \\<g\\> \\|h\\| \\~i\\~ \\$j\\$ \\@k'],
    ['&amp; &#60; & plain', '\\&amp; \\&#60; & plain'],
    ['see https://x.test and www.y.test, ftp://z', 'see https\\://x.test and www\\.y.test, ftp\\://z'],
    ['# title', '\\# title'], ['- item', '\\- item'], ['+ item', '\\+ item'], ['= under', '\\= under'],
    ['1. first', '1\\. first'], ['12) twelve', '12\\) twelve'], ['1234567890. long', '1234567890. long'],
    ['  two\r\n  lines \n\n three ', 'two lines three'], ['plain words', 'plain words'], ['a-b = c + d', 'a-b = c + d'],
    ['a\nb\rc', 'a b c'], ['see http://x.test', 'see http\\://x.test'],
  ];
  for (const [text, expected] of cases) assert.is(markdownText(text), expected, JSON.stringify(text));
});
section('card groups: in the given order, groups it does not name after them by title; a card\'s commits one per line', async () => {
  const commits = ['EPN-1: a', 'EPN-1: b', 'EPN-2: c', 'EPN-3: d', 'EPN-4: e', 'EPN-5: f'].map(commit);
  const groups: Record<string, string> = { 'EPN-1': 'Zeta', 'EPN-2': 'Mid', 'EPN-3': 'Alpha', 'EPN-4': 'Tasks', 'EPN-5': 'Docs' };
  const text = await renderChangelogSection({
    tag: 'v2', date: '2026-11-24', baseSha: 'c'.repeat(40), headSha: 'd'.repeat(40), compareUrl: null,
    commits, grouping: groupCommitsByCard(commits, commits.at(-1)!.sha, null),
    groupOrder: ['Zeta', 'Mid', 'Alpha'], groupOf: (card) => groups[card.key]!,
  });
  assert.equal([...text.matchAll(/^### (.*)$/gm)].map((match) => match[1]), ['Zeta', 'Mid', 'Alpha', 'Docs', 'Tasks']);
  assert.match(text, `### Zeta\n\n- **EPN-1**\n  - EPN-1: a (\`${commits[0]!.sha.slice(0, 7)}\`)\n  - EPN-1: b (\`${commits[1]!.sha.slice(0, 7)}\`)\n\n### Mid`);
});

section('groups without an order: the default group first, the others by title', async () => {
  const commits = ['EPN-1: a', 'EPN-2: b', 'EPN-3: c'].map(commit);
  const groups: Record<string, string> = { 'EPN-1': 'Stories', 'EPN-2': 'Jira cards', 'EPN-3': 'Bugs' };
  const text = await renderChangelogSection({
    tag: 'v3', date: '2026-11-24', baseSha: 'c'.repeat(40), headSha: 'd'.repeat(40), compareUrl: null,
    commits, grouping: groupCommitsByCard(commits, commits.at(-1)!.sha, null), groupOf: (card) => groups[card.key]!,
  });
  assert.equal([...text.matchAll(/^### (.*)$/gm)].map((match) => match[1]), ['Jira cards', 'Bugs', 'Stories']);
});
section.run();
