import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
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

insert('setext title and setext release headings: above the newest release, not at the bottom', async () => {
  const before = Buffer.from('Changelog\n=========\n\nIntro.\n\nVersion 1.1\n-----------\n\n- b\n\nVersion 1.0\n-----------\n\n- a\n');
  const after = await insertChangelogSection(before, SECTION, MARKER);
  assert.is(insertedAt(before, after, before.indexOf('Version 1.1')).toString(), `${SECTION}\n`);
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
