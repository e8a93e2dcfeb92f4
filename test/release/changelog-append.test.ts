/**
 * A block (the fixes staged after a release) added at the end of the release's own section in
 * CHANGELOG.md: found by the release's marker, before the next heading of the section's level or
 * higher, every old byte kept.
 */
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { appendToSection } from '../../src/release/changelog-file.js';
import { sectionMarker } from '../../src/release/changelog.js';
import { suite } from '../helpers/suite.js';

const RELEASE = sectionMarker('a'.repeat(40));
const FIXES = '<!-- fixes:1 -->';
const BLOCK = `### Fixed on main since release/2026-11-24\n\n${FIXES}\n\n- EPN-9 hotfix\n`;

async function appended(before: string, block = BLOCK): Promise<string | undefined> {
  return (await appendToSection(Buffer.from(before, 'latin1'), RELEASE, block, FIXES))?.toString('latin1');
}

const append = suite('CHANGELOG.md: a block appended to a release\'s section');

append('at the end of the release\'s section: after its subsections, before the next release', async () => {
  const before = `# Changelog\n\n## release/2026-11-24 (2026-11-24)\n\n${RELEASE}\n\n### Stories\n\n- EPN-2\n\n> ## quoted, not a heading\n\n## 1.0.0\n\n- old\n`;
  assert.is(await appended(before), before.replace('\n## 1.0.0', `\n${BLOCK}\n## 1.0.0`));
});

append('a summary paragraph under the marker and a heading right after it: the block still ends the section', async () => {
  const before = `## release/2026-11-24\n\n${RELEASE}\n\n\`aaaaaaa..bbbbbbb\` · 1 commits\n\n- EPN-2\n`;
  assert.is(await appended(before), `${before}\n${BLOCK}`);
  assert.is(await appended(`## 1.1.0\n${RELEASE}\n## 1.0.0\n`), `## 1.1.0\n${RELEASE}\n\n${BLOCK}\n## 1.0.0\n`);
});

append('a marker on the release heading\'s own line: that heading\'s section', async () => {
  const before = `# Changelog\n\n## 1.1.0 ${RELEASE}\n\n- EPN-2\n\n## 1.0.0\n`;
  assert.is(await appended(before), before.replace('\n## 1.0.0', `\n${BLOCK}\n## 1.0.0`));
});

append('the section\'s level is its own heading\'s, the nearest above the marker', async () => {
  const before = `# Changelog\n\n### Reading this file\n\n## release/2026-11-24\n\n${RELEASE}\n\n### Stories\n\n- EPN-2\n\n## 1.0.0\n`;
  assert.is(await appended(before), before.replace('\n## 1.0.0', `\n${BLOCK}\n## 1.0.0`));
});

append('releases at `#`: a `##` below the release is part of its section', async () => {
  const before = `# release/2026-11-24\n\n${RELEASE}\n\n## Stories\n\n- EPN-2\n\n# 1.0.0\n\n## Stories\n`;
  assert.is(await appended(before), before.replace('\n# 1.0.0', `\n${BLOCK}\n# 1.0.0`));
});

append('the last section: at the end of the file, a missing final newline added first; the block\'s trailing blank lines dropped', async () => {
  assert.is(await appended(`# Changelog\n\n## 1.1.0\n\n${RELEASE}\n\n- EPN-2`, `${BLOCK}\n\n`), `# Changelog\n\n## 1.1.0\n\n${RELEASE}\n\n- EPN-2\n\n${BLOCK}`);
  assert.is(await appended(`## 1.1.0\n\n${RELEASE}\n\n- EPN-2\n`), `## 1.1.0\n\n${RELEASE}\n\n- EPN-2\n\n${BLOCK}`);
});

append('a marker above every heading: the section runs to the next heading of any level', async () => {
  const before = `${RELEASE}\n\n- EPN-2\n\n###### Older\n`;
  assert.is(await appended(before), `${RELEASE}\n\n- EPN-2\n\n${BLOCK}\n###### Older\n`);
});

append('CR and CRLF files: the block in the file\'s line endings, at the same place', async () => {
  for (const eol of ['\r', '\r\n']) {
    const lf = `# Changelog\n\n## 1.1.0\n\n${RELEASE}\n\n## 1.0.0\n`;
    assert.is(await appended(lf.replace(/\n/g, eol)), lf.replace('\n## 1.0.0', `\n${BLOCK}\n## 1.0.0`).replace(/\n/g, eol), JSON.stringify(eol));
  }
});

append('no section holds the release\'s marker: null; the block already there: the very same bytes', async () => {
  assert.is(await appendToSection(Buffer.from('# Changelog\n\n## 1.0.0\n'), RELEASE, BLOCK, FIXES), null);
  const done = Buffer.from(`## 1.1.0\n\n${RELEASE}\n\n${BLOCK}`);
  assert.is(await appendToSection(done, RELEASE, BLOCK, FIXES), done);
});

append('conflict markers are refused, naming CHANGELOG.md unless told another name', async () => {
  const before = Buffer.from(`## 1.1.0\n\n${RELEASE}\n<<<<<<< HEAD\n- ours\n=======\n- theirs\n>>>>>>> fix\n`);
  for (const [name, file] of [['CHANGELOG.md', undefined], ['HISTORY.md', 'HISTORY.md']] as const) {
    try {
      await appendToSection(before, RELEASE, BLOCK, FIXES, file);
      assert.unreachable('conflict markers must be refused');
    } catch (error) {
      assert.instance(error, UserError);
      assert.is((error as UserError).message, `${name} has merge conflict markers (lines 4, 6, 8)`);
    }
  }
});

append.run();
