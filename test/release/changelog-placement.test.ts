/**
 * Where CHANGELOG.md's new section goes, on the shapes the block parser must read right: a `## `
 * line that is not a top-level heading (a quote, a list item), files over 64 KB (the first 64 KB
 * are parsed alone when the first release lies in them), and encodings the cut refuses.
 */
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { insertChangelogSection } from '../../src/release/changelog-file.js';
import { sectionMarker } from '../../src/release/changelog.js';
import { suite } from '../helpers/suite.js';

const MARKER = sectionMarker('e'.repeat(40));
const SECTION = `## release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n- EPN-1 login\n`;
const KB = 1024;

/** The text before the new section and the text after it, asserting nothing else changed. */
async function placed(before: string): Promise<{ above: string; below: string }> {
  const after = (await insertChangelogSection(Buffer.from(before), SECTION, MARKER)).toString();
  const at = after.indexOf(SECTION);
  assert.ok(at !== -1, 'the section is there, whole');
  const above = after.slice(0, at);
  const below = after.slice(at + SECTION.length);
  assert.is(`${above}${below}`.replace(/\n+/g, '\n'), before.replace(/\n+/g, '\n'), 'only the section (and blank lines around it) was added');
  return { above, below };
}

/** Paragraphs of ordinary prose, at least `bytes` long. */
function prose(bytes: number): string {
  const paragraph = 'We keep this changelog by hand between releases; each release lists its cards.\n\n';
  return paragraph.repeat(Math.ceil(bytes / paragraph.length));
}

const placement = suite('CHANGELOG.md placement: top-level headings only, any size');

placement('a `> ## …` line in a quote is not a release: the section goes above the first top-level ##', async () => {
  const { above, below } = await placed('# Changelog\n\n> ## 0.9 (quoted from the old project)\n> - kept for history\n\n## 1.0\n\n- a\n');
  assert.match(above, /> - kept for history\n\n$/);
  assert.match(below, /^\n?## 1\.0\n/);
});

placement('a `## ` inside a list item is not a release either', async () => {
  const { below } = await placed('# Changelog\n\n- How to write a release:\n\n  ## 9.9 (example)\n\n## 1.0\n\n- a\n');
  assert.match(below, /^\n?## 1\.0\n/);
});

placement('a quote only: the section goes at the end, not into the quote', async () => {
  const { above, below } = await placed('# Changelog\n\n> ## 0.9\n> - old\n');
  assert.is(below, '');
  assert.match(above, /> - old\n\n$/);
});

placement('over 64 KB, the first release past 64 KB: above it, not at the end of the first 64 KB', async () => {
  const before = `# Changelog\n\n${prose(70 * KB)}## 1.0\n\n- a\n`;
  assert.ok(before.indexOf('## 1.0') > 64 * KB);
  const { below } = await placed(before);
  assert.match(below, /^\n?## 1\.0\n\n- a\n$/);
});

placement('over 64 KB, a quoted `> ## ` past 64 KB before the first release: above the release', async () => {
  const { above, below } = await placed(`# Changelog\n\n${prose(70 * KB)}> ## 0.9 (quoted)\n\n## 1.0\n\n- a\n`);
  assert.match(above, /> ## 0\.9 \(quoted\)\n\n$/);
  assert.match(below, /^\n?## 1\.0\n/);
});

placement('over 64 KB, the first release early and 100 KB of older releases after it: above the first', async () => {
  const older = Array.from({ length: 4000 }, (_, i) => `## 0.${4000 - i}\n\n- change ${i}\n\n`).join('');
  const before = `# Changelog\n\n## 1.0\n\n- newest\n\n${older}`;
  assert.ok(before.length > 64 * KB);
  const { above, below } = await placed(before);
  assert.is(above, '# Changelog\n\n');
  assert.match(below, /^\n?## 1\.0\n\n- newest\n/);
});

placement('a code fence that opens before 64 KB and closes after it hides its `## ` lines', async () => {
  const head = `# Changelog\n\n${prose(60 * KB)}\`\`\`md\n`;
  const fence = Array.from({ length: 400 }, (_, i) => `## ${i} (an example in a fence)\n`).join('');
  const before = `${head}${fence}\`\`\`\n\n## 1.0\n\n- a\n`;
  assert.ok(head.length < 64 * KB && head.length + fence.length > 64 * KB);
  const { below } = await placed(before);
  assert.match(below, /^\n?## 1\.0\n\n- a\n$/);
});

placement('a setext release heading whose underline is the first line past 64 KB: above it', async () => {
  const head = `# Changelog\n\n${prose(63 * KB)}`;
  const filler = 'x'.repeat(64 * KB - head.length - 'Version 1.1\n'.length - 1);
  const before = `${head}${filler}\n\nVersion 1.1\n-----------\n\n- b\n`;
  assert.is(before.indexOf('Version 1.1\n') + 'Version 1.1\n'.length, 64 * KB + 1, 'the underline starts right after the first 64 KB');
  // The release is written in its neighbours' style: a setext heading, like "Version 1.1".
  const after = (await insertChangelogSection(Buffer.from(before), SECTION, MARKER)).toString();
  const heading = 'release/2026-11-24 (2026-11-24)\n-------------------------------\n';
  const at = after.indexOf(heading);
  assert.ok(at > head.length, 'the section is past the first 64 KB, in setext style');
  assert.is(after.slice(0, at), before.slice(0, at), 'nothing above it changed');
  assert.match(after.slice(at), /^release\/2026-11-24 \(2026-11-24\)\n-+\n\n<!-- release-cut:e+ -->\n\n- EPN-1 login\n\nVersion 1\.1\n-----------\n/);
});
/** The whole new file for `before` (LF), as text. */
async function inserted(before: string | Buffer): Promise<string> {
  return (await insertChangelogSection(Buffer.isBuffer(before) ? before : Buffer.from(before), SECTION, MARKER)).toString('latin1');
}

placement('blank lines are added around the section only where there are none', async () => {
  assert.is(await inserted('# Changelog\n## 1.0\n- a\n'), `# Changelog\n\n${SECTION}\n## 1.0\n- a\n`);
  assert.is(await inserted('## 1.0\n- a\n'), `${SECTION}\n## 1.0\n- a\n`, 'a release on the first line: the section goes first, no blank above');
  assert.is(await inserted('# Changelog\n\n## 1.0\n'), `# Changelog\n\n${SECTION}\n## 1.0\n`);
  assert.is(await inserted('# Changelog\n \t\n## 1.0\n'), `# Changelog\n \t\n${SECTION}\n## 1.0\n`, 'a line of spaces is blank');
  assert.is(await inserted('# Changelog\n'), `# Changelog\n\n${SECTION}`);
  assert.is(await inserted('# Changelog'), `# Changelog\n\n${SECTION}`);
  assert.is(await inserted('# Changelog\n\n'), `# Changelog\n\n${SECTION}`);
});

placement('old Mac line endings (CR alone): the section goes above the release, in CR', async () => {
  const cr = (text: string): string => text.replace(/\n/g, '\r');
  assert.is(await inserted(cr('# Changelog\n\nNotes.\n\n## 1.0\n\n- a\n')), cr(`# Changelog\n\nNotes.\n\n${SECTION}\n## 1.0\n\n- a\n`));
});

placement('an empty file is created as a new changelog', async () => {
  const created = await inserted(Buffer.alloc(0));
  assert.match(created, /^# Changelog\n\n.+\n\n## release\/2026-11-24/);
  assert.is(created, await inserted(Buffer.from('')));
  assert.is(created, (await insertChangelogSection(null, SECTION, MARKER)).toString('latin1'), 'no file at all: the same new changelog');
});

placement('Keep a Changelog\'s Unreleased heading in its usual spellings; a heading that is neither stays above the new release', async () => {
  for (const heading of ['## [Unreleased]', '## Unreleased', '## [unreleased]', '## [Unreleased](https://x.test/compare/v1...HEAD)', '## [Unreleased][link]', '## [ Unreleased ]']) {
    assert.is(await inserted(`# Changelog\n\n${heading}\n\n## 1.0\n`), `# Changelog\n\n${heading}\n\n${SECTION}\n## 1.0\n`, heading);
  }
  // Not Unreleased, and no release either (a release heading says a version or a date): the section goes above the newest release.
  for (const heading of ['## Unreleased changes', '## Not unreleased', '## [Unreleased] soon']) {
    assert.is(await inserted(`# Changelog\n\n${heading}\n\n## 1.0\n`), `# Changelog\n\n${heading}\n\n${SECTION}\n## 1.0\n`, heading);
  }
  assert.is(await inserted('# Changelog\n\n## [Unreleased]\n### Added\n- x\n'), `# Changelog\n\n## [Unreleased]\n\n${SECTION}\n### Added\n- x\n`);
});

placement('Latin-1: characters it lacks become upper-case hexadecimal references; its own are written as Latin-1 bytes', async () => {
  const before = Buffer.from('# Änderungen\n\n## 1.0\n', 'latin1');
  const after = await insertChangelogSection(before, '## r\n\n- Grüße ⚠ 😀\n', MARKER);
  assert.is(after.toString('latin1'), '# Änderungen\n\n## r\n\n- Grüße &#x26A0; &#x1F600;\n\n## 1.0\n');
});

placement.run();

const encodings = suite('CHANGELOG.md encodings the cut refuses');

for (const [name, bom] of [['UTF-16 LE', [0xff, 0xfe]], ['UTF-16 BE', [0xfe, 0xff]]] as const) {
  encodings(`a ${name} file is refused with one line, and how to convert it`, async () => {
    const text = '# Changelog\n\n## 1.0\n\n- a\n';
    const utf16le = Buffer.from(text, 'utf16le');
    const body = name === 'UTF-16 LE' ? utf16le : Buffer.from(utf16le).swap16();
    try {
      await insertChangelogSection(Buffer.concat([Buffer.from(bom), body]), SECTION, MARKER);
      assert.unreachable('UTF-16 must be refused');
    } catch (error) {
      assert.instance(error, UserError);
      assert.is((error as UserError).message, 'CHANGELOG.md is UTF-16, which the cut does not write');
      assert.match((error as UserError).hint ?? '', 'iconv -f UTF-16 -t UTF-8');
    }
  });
}
encodings('a Latin-1 file that starts with ÿ or þ (the bytes of a UTF-16 mark, alone) is not UTF-16', async () => {
  for (const title of ['ÿ Changelog', 'þorn Changelog']) {
    const before = Buffer.from(`${title}\n\n## 1.0\n`, 'latin1');
    const after = await insertChangelogSection(before, SECTION, MARKER);
    assert.is(after.toString('latin1'), `${title}\n\n${SECTION}\n## 1.0\n`, title);
  }
});
encodings.run();

/** A section with a subsection, as the cut renders one: `## ` release heading, `### ` groups. */
const GROUPED = `## release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n### Stories\n\n- EPN-1 login\n`;

async function insertedWith(before: string | Buffer, section: string): Promise<string> {
  return (await insertChangelogSection(Buffer.isBuffer(before) ? before : Buffer.from(before, 'latin1'), section, MARKER)).toString('latin1');
}

const release = suite('CHANGELOG.md: a release heading says a version or a date, whatever its level');

release('releases at `#`: the newest is the first that names a version, two-digit minor and patch numbers included', async () => {
  const before = '# 2.10.0 - the big one\n\n- a\n\n# 2.9.0\n\n- b\n';
  assert.is(await insertedWith(before, GROUPED), `# release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n## Stories\n\n- EPN-1 login\n\n${before}`);
});

release('a version after a word, in either case (`Version 2.1`, `V2.0.0`): a release, above which the section goes', async () => {
  for (const heading of ['### Version 2.1', '### V2.0.0', '### Release 3.0 beta']) {
    const before = `# Changelog\n\n## Upgrading\n\nText.\n\n${heading}\n`;
    assert.is(await inserted(before), `# Changelog\n\n## Upgrading\n\nText.\n\n### release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n- EPN-1 login\n\n${heading}\n`, heading);
  }
});

release('our own release headings say a date and no version: the section goes above them, not above the first `##`', async () => {
  const before = `# Changelog\n\n## How to read this\n\nText.\n\n### release/2026-11-17 (2026-11-17)\n\n${sectionMarker('b'.repeat(40))}\n`;
  assert.is(await inserted(before), before.replace('### release/2026-11-17', `### release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n- EPN-1 login\n\n### release/2026-11-17`));
});

release('no release yet: above the first `##` heading (below the title and intro); with none, at the end', async () => {
  assert.is(await inserted('# Changelog\n\nIntro.\n\n## Conventions\n\n- x\n'), `# Changelog\n\nIntro.\n\n${SECTION}\n## Conventions\n\n- x\n`);
  assert.is(await inserted('# Changelog\n\nIntro.\n\n### Conventions\n'), `# Changelog\n\nIntro.\n\n### Conventions\n\n${SECTION}`);
});

release('a release heading on the file\'s last line, without a final newline: above it, a blank line between', async () => {
  assert.is(await inserted('# Changelog\n\n## 1.0'), `# Changelog\n\n${SECTION}\n## 1.0`);
});

release('an `[Unreleased]` below the newest release is an old heading: the section goes above the release', async () => {
  const before = '# Changelog\n\n## 1.1.0\n\n- b\n\n## [Unreleased]\n\n- c\n';
  assert.is(await inserted(before), `# Changelog\n\n${SECTION}\n## 1.1.0\n\n- b\n\n## [Unreleased]\n\n- c\n`);
});

release('Unreleased in its usual spellings with notes: the release goes right under it, its notes below the release heading', async () => {
  for (const heading of ['## [Unreleased]', '## Unreleased', '## [ Unreleased ]', '## [Unreleased][link]', '## [Unreleased](https://x.test/compare/v1...HEAD)']) {
    const before = `# Changelog\n\n${heading}\n\n- Dark mode.\n\n## 1.0\n`;
    assert.is(await inserted(before), `# Changelog\n\n${heading}\n\n${SECTION}\n- Dark mode.\n\n## 1.0\n`, heading);
  }
  for (const heading of ['## Unreleased changes', '## Not unreleased', '## [Unreleased] soon', '## Unreleased]x']) {
    const before = `# Changelog\n\n${heading}\n\n- Dark mode.\n\n## 1.0\n`;
    assert.is(await inserted(before), `# Changelog\n\n${heading}\n\n- Dark mode.\n\n${SECTION}\n## 1.0\n`, heading);
  }
});

release('an [Unreleased] on the file\'s last line: the section right under it, one blank line between', async () => {
  assert.is(await insertedWith('# Changelog\n\n## [Unreleased]\n', GROUPED), `# Changelog\n\n## [Unreleased]\n\n${GROUPED}`);
  assert.is(await insertedWith('# Changelog\n\n## [Unreleased]', GROUPED), `# Changelog\n\n## [Unreleased]\n\n${GROUPED}`);
});

release('an empty [Unreleased] (blank lines, spaces) with a grouped section: the whole section under it, the blank lines after', async () => {
  const before = '# Changelog\n\n## [Unreleased]\n\n \n\n## 1.0\n';
  assert.is(await insertedWith(before, GROUPED), `# Changelog\n\n## [Unreleased]\n\n${GROUPED}\n \n\n## 1.0\n`);
});

release('[Unreleased] notes over 64 KB: the groups still go below the notes, above the previous release, not at the end', async () => {
  const notes = prose(70 * KB);
  const before = `# Changelog\n\n## [Unreleased]\n\n${notes}## 1.0\n\n- a\n`;
  assert.is(await insertedWith(before, GROUPED), `# Changelog\n\n## [Unreleased]\n\n## release/2026-11-24 (2026-11-24)\n\n${MARKER}\n\n${notes}### Stories\n\n- EPN-1 login\n\n## 1.0\n\n- a\n`);
});

release('anchor lines above release headings, as conventional-changelog spells them: the section goes above the anchor', async () => {
  for (const anchor of ['<a name="2.0.1"></a>', '<a  name = \'2.0.1\' > </a>', '<A ID="v2.0.1"></A>', '  <a\tname="2.0.1"></a>  ']) {
    const before = `# Changelog\n\n${anchor}\n## 2.0.1\n\n- a\n`;
    assert.is(await inserted(before), `# Changelog\n\n${SECTION}\n${anchor}\n## 2.0.1\n\n- a\n`, anchor);
  }
  // A paragraph that only holds an anchor among other words is text: the section goes between it and the release.
  for (const paragraph of ['Jump: <a name="top"></a>', '<a name="top"></a> back to the top', 'Notes.\n<a name="2.0.1"></a>']) {
    const before = `# Changelog\n\n${paragraph}\n## 2.0.1\n`;
    assert.is(await inserted(before), `# Changelog\n\n${paragraph}\n\n${SECTION}\n## 2.0.1\n`, paragraph);
  }
});

release.run();

const style = suite('CHANGELOG.md: the new release written in its neighbours\' style');

style('setext releases: the release heading underlined, its groups as ATX headings one level down', async () => {
  assert.is(await insertedWith('History\n=======\n\n1.0.0 / 2020-01-02\n==================\n\n- a\n', GROUPED),
    'History\n=======\n\n' + `release/2026-11-24 (2026-11-24)\n===============================\n\n${MARKER}\n\n## Stories\n\n- EPN-1 login\n\n` + '1.0.0 / 2020-01-02\n==================\n\n- a\n');
  assert.is(await insertedWith('# Changelog\n\nRelease #2 (1.1.0)\n------------------\n\n- b\n', GROUPED),
    `# Changelog\n\nrelease/2026-11-24 (2026-11-24)\n-------------------------------\n\n${MARKER}\n\n### Stories\n\n- EPN-1 login\n\nRelease #2 (1.1.0)\n------------------\n\n- b\n`);
});

style('closed ATX headings (`### 4.0.0 ###`, a single closing `#`): the new headings closed too, at their levels', async () => {
  for (const heading of ['### Version 4.0.0 ###', '### Version 4.0.0 #']) {
    assert.is(await insertedWith(`# Changelog\n\n${heading}\n`, GROUPED), `# Changelog\n\n### release/2026-11-24 (2026-11-24) ###\n\n${MARKER}\n\n#### Stories ####\n\n- EPN-1 login\n\n${heading}\n`, heading);
  }
});

style('a `#` inside a heading\'s words (an issue number, C#) does not close it', async () => {
  for (const heading of ['## 1.2.0 #42 fixed', '## 1.2.0 (fixes #42)', '## 1.0.0 C#', '## 1.0.0 (#7)']) {
    assert.is(await insertedWith(`# Changelog\n\n${heading}\n`, GROUPED), `# Changelog\n\n${GROUPED}\n${heading}\n`, heading);
  }
});

style('only lines that start with `#` are headings of the section: a `##` inside a line stays as written', async () => {
  const section = `## r\n\n${MARKER}\n\n- fix the C## parser ## twice\n`;
  assert.is(await insertedWith('# 1.0\n', section), `# r\n\n${MARKER}\n\n- fix the C## parser ## twice\n\n# 1.0\n`);
});

style.run();

const bytes = suite('CHANGELOG.md: byte order mark, mixed line endings, refusals');

bytes('a UTF-8 BOM before a release on the first line: the section goes first, after the BOM', async () => {
  const before = Buffer.from('\uFEFF## 1.0\n\n- a\n');
  assert.is((await insertChangelogSection(before, SECTION, MARKER)).toString(), `\uFEFF${SECTION}\n## 1.0\n\n- a\n`);
});

bytes('the first line\'s ending is the file\'s: LF first, a CRLF later, the new lines in LF', async () => {
  assert.is(await inserted('# Changelog\n\n## 1.0\r\n- a\r\n'), `# Changelog\n\n${SECTION}\n## 1.0\r\n- a\r\n`);
});

bytes('Latin-1 words whose second byte is þ or ÿ are not UTF-16 marks', async () => {
  for (const title of ['Íþróttir', 'Xÿ Changelog']) {
    assert.is(await inserted(Buffer.from(`${title}\n\n## 1.0\n`, 'latin1')), `${title}\n\n${SECTION}\n## 1.0\n`, title);
  }
});

bytes('a Git LFS pointer: the hint says how to store the file in git itself', async () => {
  try {
    await insertChangelogSection(Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1\n'), SECTION, MARKER, 'docs/CHANGES.md');
    assert.unreachable('an LFS pointer must be refused');
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).message, 'docs/CHANGES.md is a Git LFS pointer, not the changelog itself');
    assert.is((error as UserError).hint, 'store it in git itself (git lfs untrack docs/CHANGES.md; git add --renormalize docs/CHANGES.md), then re-run');
  }
});

/** The refusal's message and hint for `before`, or null when it is not refused. */
async function refusal(before: string): Promise<{ message: string; hint: string | undefined } | null> {
  try {
    await insertChangelogSection(Buffer.from(before), SECTION, MARKER);
    return null;
  } catch (error) {
    assert.instance(error, UserError);
    return { message: (error as UserError).message, hint: (error as UserError).hint };
  }
}

bytes('conflict markers: bare markers and diff3\'s `|||||||` are named; table rows, underlines and markers inside a line are not', async () => {
  const before = [
    'Changelog', '=========', '', '| Version | Date |', '|---|---|', '',
    '<<<<<<<', '## 1.1.0', 'code: a >>>>>>> b', '||||||| base', '## 1.0.1', '=======', '## 1.0.2', '>>>>>>>', '',
  ].join('\n');
  assert.equal(await refusal(before), {
    message: 'CHANGELOG.md has merge conflict markers (lines 7, 10, 12, 14)',
    hint: 'resolve the conflict in CHANGELOG.md on the branch that has it (reviewed like any change), then re-run; nothing was changed',
  });
});

bytes('conflict markers: six lines are all named, more are cut short', async () => {
  const block = (n: number): string => `<<<<<<< HEAD\n## 1.${n}\n=======\n## 0.${n}\n>>>>>>> fix-${n}\n`;
  assert.is((await refusal(`# Changelog\n${block(1)}${block(2)}`))?.message, 'CHANGELOG.md has merge conflict markers (lines 2, 4, 6, 7, 9, 11)');
  assert.is((await refusal(`# Changelog\n${block(1)}${block(2)}${block(3)}`))?.message, 'CHANGELOG.md has merge conflict markers (lines 2, 4, 6, 7, 9, 11, …)');
});

bytes('no conflict without both an opening and a closing marker line: prose about markers, a lone `<<<<<<<`', async () => {
  assert.is(await refusal('Changelog\n=======\n\n- the cut refuses `<<<<<<< ` and `>>>>>>> ` lines\n\n## 1.0\n'), null);
  const prose = '- a conflict runs from `<<<<<<< ours` to `>>>>>>> theirs`\n';
  assert.is(await refusal(`# Changelog\n\n<<<<<<< ours\n=======\n\n${prose}\n## 1.0\n`), null);
  assert.is(await refusal(`# Changelog\n\n${prose}\n=======\n\n>>>>>>> theirs\n\n## 1.0\n`), null);
});

bytes.run();
