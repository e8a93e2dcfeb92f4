import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { resolveConfig } from '../../src/config.js';
import { commitAnalyzer, type CommitFacts } from '../../src/release/analyze.js';
import { groupCommitsByCard } from '../../src/release/cards.js';
import { insertChangelogSection } from '../../src/release/changelog-file.js';
import { markdownText, renderChangelogSection, sectionMarker } from '../../src/release/changelog.js';

const HEAD = 'f'.repeat(40);
const MARKER = sectionMarker(HEAD);
const SECTION = `## release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n- café ⚠ EPN-1 (\`abcdef1\`)\n`;

/**
 * `after` is `before` with bytes inserted at `offset`, nothing else changed: every old byte is
 * still there, in order, at its place. Returns the inserted bytes.
 */
function insertedAt(before: Buffer, after: Buffer, offset: number): Buffer {
  assert.ok(offset >= 0, 'the expected place exists in the old file');
  assert.ok(after.subarray(0, offset).equals(before.subarray(0, offset)), 'bytes before the insertion point unchanged');
  const tail = before.subarray(offset);
  assert.ok(after.subarray(after.length - tail.length).equals(tail), 'bytes after the insertion point unchanged');
  return after.subarray(offset, after.length - tail.length);
}

const insert = suite('CHANGELOG.md insertion (bytes)');

insert('CRLF: the old bytes stay, the new lines use CRLF too', async () => {
  const before = Buffer.from('# Changelog\r\n\r\nOur notes.\r\n\r\n## 1.0.0\r\n\r\n- first\r\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  const added = insertedAt(before, after, before.indexOf('## 1.0.0')).toString('utf8');
  assert.is(added, `${SECTION.replace(/\n/g, '\r\n')}\r\n`);
  assert.not.match(added.replace(/\r\n/g, ''), /[\r\n]/, 'no bare LF or CR');
});

insert('Latin-1: old bytes untouched (no U+FFFD); new text in Latin-1, other characters as references', async () => {
  const before = Buffer.from('# Änderungen\n\nNotizen für Kunden.\n\n## 1.0 – erste\n\n- Grüße\n', 'latin1');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  const added = insertedAt(before, after, before.indexOf('## 1.0'));
  assert.ok(!after.includes(Buffer.from([0xef, 0xbf, 0xbd])), 'no replacement characters');
  assert.ok(added.includes(Buffer.from('caf\xe9 &#x26A0; EPN-1', 'latin1')), added.toString('latin1'));
});

insert('a UTF-8 BOM stays first and gives no second title', async () => {
  const before = Buffer.from('\uFEFF# Changelog\n\n## 1.0\n\n- a\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  insertedAt(before, after, before.indexOf('## 1.0'));
  assert.ok(after.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])));
  assert.is(after.toString().split('# Changelog').length, 2, 'one title');
});

insert('setext title and setext release headings: above the newest release, not at the bottom, underlined as they are', async () => {
  const before = Buffer.from('Changelog\n=========\n\nIntro.\n\nVersion 1.1\n-----------\n\n- b\n\nVersion 1.0\n-----------\n\n- a\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  const heading = 'release/2026-11-24 (2026-11-24)';
  assert.is(insertedAt(before, after, before.indexOf('Version 1.1')).toString(), `${SECTION.replace(`## ${heading}`, `${heading}\n${'-'.repeat(heading.length)}`)}\n`);
  assert.not.match(after.toString(), /^# Changelog/m, 'no second title');
});

insert('Keep a Changelog: the [Unreleased] notes become the new release\'s, and an empty [Unreleased] stays on top', async () => {
  const before = Buffer.from('# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n### Added\n\n- Dark mode.\n\n## [1.0.0] - 2026-01-01\n\n- First.\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  const offset = before.indexOf('## [Unreleased]\n') + '## [Unreleased]\n'.length;
  assert.is(insertedAt(before, after, offset).toString(), `\n${SECTION}`);
  const text = after.toString();
  const headings = [...text.matchAll(/^##? .*$|^### Added$/gm)].map((match) => match[0]);
  assert.equal(headings, ['# Changelog', '## [Unreleased]', '## release/2026-11-24 (2026-11-24)', '### Added', '## [1.0.0] - 2026-01-01']);
});

insert('Keep a Changelog: the [Unreleased] notes stay hand-written notes at the top of the release, above the cards and the keyless commits', async () => {
  const before = Buffer.from('# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Dark mode.\n\n## [1.0.0] - 2026-01-01\n\n- First.\n');
  const section = `${SECTION}\n### Commits without a Jira key\n\n- chore: tidy (\`abcdef2\`)\n`;
  const text = (await insertChangelogSection(before, section, MARKER)).toString();
  assert.is(text, `# Changelog\n\n## [Unreleased]\n\n${SECTION}\n### Added\n\n- Dark mode.\n\n### Commits without a Jira key\n\n- chore: tidy (\`abcdef2\`)\n\n## [1.0.0] - 2026-01-01\n\n- First.\n`);
});

insert('a CHANGELOG.md with merge conflict markers is refused, naming their lines', async () => {
  const before = Buffer.from('# Changelog\n\n<<<<<<< HEAD\n## 1.1.0\n\n- ours\n=======\n## 1.0.1\n\n- theirs\n>>>>>>> hotfix\n\n## 1.0.0\n');
  try {
    await insertChangelogSection(before, SECTION, MARKER);
    assert.unreachable('conflict markers must be refused');
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).message, 'CHANGELOG.md has merge conflict markers (lines 3, 7, 11)');
  }
  // A setext underline of seven `=` alone is a heading, not a conflict.
  await insertChangelogSection(Buffer.from('1.0.0\n=======\n\n- a\n'), SECTION, MARKER);
});

insert('Keep a Changelog without notes under [Unreleased]', async () => {
  const before = Buffer.from('# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n\n- First.\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  insertedAt(before, after, before.indexOf('## [Unreleased]\n') + '## [Unreleased]\n'.length);
  assert.match(after.toString(), `## [Unreleased]\n\n${SECTION}\n## [1.0.0]`);
});

insert('a `## ` line inside a code fence is not a heading', async () => {
  const before = Buffer.from('# Changelog\n\nWrite entries like this:\n\n```md\n## 9.9.9\n- entry\n```\n\n## 1.0\n\n- a\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  insertedAt(before, after, before.indexOf('## 1.0'));
});

insert('`## ` lines inside HTML blocks (a comment, a div) are not headings', async () => {
  const before = Buffer.from('# Changelog\n\n<!--\n## 0.9 (withdrawn)\n-->\n\n<div align="center">\n## not a heading\n</div>\n\n## 1.0\n\n- a\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  insertedAt(before, after, before.indexOf('## 1.0'));
});

insert('a file without release headings gets the section at its end; a missing final newline is added before it', async () => {
  const before = Buffer.from('# Changelog\n\nNothing released yet.');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  assert.is(insertedAt(before, after, before.length).toString(), `\n\n${SECTION}`);
});

insert('the same release twice: unchanged, the very same bytes', async () => {
  const once = await insertChangelogSection(Buffer.from('# Changelog\r\n\r\n## 1.0\r\n'), SECTION, MARKER);
  assert.is(await insertChangelogSection(once, SECTION, MARKER), once);
});

insert('a Git LFS pointer is refused with one clear line', async () => {
  const pointer = Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n');
  try {
    await insertChangelogSection(pointer, SECTION, MARKER);
    assert.unreachable('an LFS pointer must be refused');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as UserError).message, /^CHANGELOG\.md is a Git LFS pointer/);
    assert.not.match((error as UserError).message, /\n/);
  }
});
insert.run();

/** Real CHANGELOG files (their first lines, from packages in node_modules): the newest release's first line and heading level. */
const REAL_FILES: Record<string, { newest: string; level: number; style?: 'setext' | 'closed' }> = {
  argparse: { newest: '## [2.0.1] - 2020-08-29', level: 2 },
  'async-exit-hook': { newest: '<a name="2.0.1"></a>', level: 2 },
  cliui: { newest: '## [8.0.1]', level: 2 },
  'color-convert': { newest: '# 1.0.0 - 2016-01-07', level: 1 },
  'commitlint-jira-utils': { newest: '## 1.6.4 (2022-04-13)', level: 2 },
  'content-disposition': { newest: '1.0.1 / 2025-11-18', level: 1, style: 'setext' },
  delegates: { newest: '1.0.0 / 2015-12-14', level: 1, style: 'setext' },
  'dockerfile-ast': { newest: '## [0.7.1] - 2025-07-21', level: 2 },
  dotenv: { newest: '\n\n## [17.4.2]', level: 2 },
  'function-bind': { newest: '## [v1.1.2]', level: 2 },
  helmet: { newest: '## 8.3.0 - 2026-07-11', level: 2 },
  'html-to-text': { newest: '## Version 10.0.1', level: 2 },
  'http-errors': { newest: '2.0.1 / 2025-11-20', level: 1, style: 'setext' },
  'iconv-lite': { newest: '## 0.6.3 / 2021-05-23', level: 2 },
  'js-tokens': { newest: '### Version 4.0.0 (2018-01-28) ###', level: 3, style: 'closed' },
  'json-parse-even-better-errors': { newest: '## 2.0.0', level: 2 },
  'koa-compose': { newest: '4.1.0 / 2018-05-22', level: 1, style: 'setext' },
  'mime-db': { newest: '1.54.0 / 2025-03-17', level: 1, style: 'setext' },
  minimist: { newest: '## [v1.2.8]', level: 2 },
  nodemailer: { newest: '## [10.6.1]', level: 2 },
  pako: { newest: '## [1.0.11] -  2020-01-29', level: 2 },
  progress: { newest: '2.0.0 / 2017-04-04', level: 1, style: 'setext' },
  'source-map': { newest: '## 0.5.6', level: 2 },
  'type-is': { newest: '2.0.1 / 2025-03-27', level: 1, style: 'setext' },
  which: { newest: '## 2.0.2', level: 2 },
  y18n: { newest: '### [5.0.8]', level: 3 },
  'yargs-parser': { newest: '## [21.1.1]', level: 2 },
};
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'release', 'fixtures', 'changelogs');
const TAG = 'release/2026-12-06';

const real = suite('CHANGELOG.md placement in real files (27 styles)');

for (const [name, expected] of Object.entries(REAL_FILES)) {
  real(`${name}: old bytes kept, the new section directly above ${expected.newest.trim()} at level ${expected.level}`, async () => {
    const before = await readFile(path.join(FIXTURES, `${name}.md`));
    const section = await renderChangelogSection({
      tag: TAG, date: '2026-12-06', baseSha: 'a'.repeat(40), headSha: HEAD, compareUrl: null,
      commits: [analyze({ sha: 'b'.repeat(40), parents: ['a'.repeat(40)], subject: 'EPN-1: add login', message: 'EPN-1: add login' })],
      grouping: groupCommitsByCard([analyze({ sha: 'b'.repeat(40), parents: ['a'.repeat(40)], subject: 'EPN-1: add login', message: 'EPN-1: add login' })], HEAD, null),
    });
    const after = await insertChangelogSection(before, section, MARKER, name);
    const newest = expected.newest.startsWith('\n') ? before.indexOf(expected.newest) + 1 : before.indexOf(expected.newest);
    const added = insertedAt(before, after, before.lastIndexOf('\n', newest - 1) + 1 === newest || newest === 0 ? newest : -1).toString();

    const headings = [...micromark(added, { allowDangerousHtml: true }).matchAll(/<h(\d)>(.*?)<\/h\1>/g)];
    assert.equal([Number(headings[0]![1]), headings[0]![2]], [expected.level, `${TAG} (2026-12-06)`], added);
    assert.ok(headings.slice(1).every((heading) => Number(heading[1]) === expected.level + 1), 'subsections one level down');
    if (expected.style === 'setext') assert.match(added, `${TAG} (2026-12-06)\n===`);
    if (expected.style === 'closed') assert.match(added, `### ${TAG} (2026-12-06) ###\n`);
    // Rendered, the old file's blocks all follow: the section ends before the newest release starts.
    assert.ok(micromark(after.toString(), { allowDangerousHtml: true }).endsWith(micromark(before.subarray(newest).toString(), { allowDangerousHtml: true })));
  });
}
real.run();

const rendering = suite('CHANGELOG section: commit text renders as written (micromark + GFM)');

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(1)">',
  'fix: <!-- unclosed comment hides the rest',
  'docs: [click me](javascript:alert(1)) and ![x](javascript:y)',
  'fix: odd `backticks` ` here``',
  'feat: a | b | c pipes',
  '# not a heading',
  '- not a list',
  '1. not a list either',
  '> not a quote',
  '*bold* _it_ ~~struck~~ $x^2$ **strong**',
  'entities &amp; &copy; &#60; stay as typed',
  'back\\slash\\ and trailing backslash\\',
  '<https://example.com> autolink, <a@b.co>, www.example.com>',
  '===',
];

const htmlEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

let counter = 0;
const analyze = commitAnalyzer(resolveConfig({}, {}));
function fakeCommit(message: string): CommitFacts {
  counter += 1;
  return analyze({ sha: counter.toString(16).padStart(40, '0'), parents: ['p'], subject: message.split('\n')[0]!, message });
}

rendering('hostile subjects, as a card\'s commits and as commits without a key', async () => {
  const keyless = HOSTILE.map((subject) => fakeCommit(subject));
  const keyed = HOSTILE.map((subject) => fakeCommit(`${subject}\n\nEPN-1`));
  const commits = [...keyed, ...keyless];
  const section = await renderChangelogSection({
    tag: 'release/2026-11-24', date: '2026-11-24', baseSha: 'a'.repeat(40), headSha: HEAD, compareUrl: null,
    commits, grouping: groupCommitsByCard(commits, commits.at(-1)!.sha, null),
  });
  const html = micromark(section, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  for (const commit of commits) {
    const item = `<li>${htmlEscape(commit.subject)} (<code>${commit.sha.slice(0, 7)}</code>)</li>`;
    assert.ok(html.includes(item), `${commit.subject}\nnot rendered as ${item} in\n${html}`);
  }
  assert.not.match(html, /<(script|img|a|table|h1|blockquote|ol|del|em)\b/);
  assert.match(html, /<h3>Commits without a Jira key<\/h3>/, 'nothing after the unclosed comment is hidden');
});

rendering('details from Jira and breaking notes are escaped the same way', () => {
  for (const text of HOSTILE) {
    const html = micromark(`- ${markdownText(text)}`, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    assert.is(html, `<ul>\n<li>${htmlEscape(text)}</li>\n</ul>`);
  }
});
rendering.run();
