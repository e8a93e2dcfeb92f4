/**
 * Inserting a release section into a 10 MB CHANGELOG.md (years of releases), as the cut does once
 * per release: with its newest release near the top (the usual file), and without any release
 * heading (the parser must read it all). Target: under a second each.
 */
import { insertChangelogSection } from '../src/release/changelog-file.js';
import { verdict } from './measure.js';

const SECTION = '## release/2026-11-24 (2026-11-24)\n\n<!-- release-cut:new -->\n\n- EPN-1 (`abcdef1`)\n';
const SIZE = 10 * 1024 * 1024;

function changelog(release: (n: number) => string): Buffer {
  const parts = ['# Changelog\n\nAll notable changes.\n\n'];
  let size = 0;
  for (let n = 0; size < SIZE; n += 1) {
    const part = release(n);
    parts.push(part);
    size += part.length;
  }
  return Buffer.from(parts.join(''));
}

const withReleases = changelog((n) => `## [1.${n}.0] - 2020-01-01\n\n### Fixed\n\n- [EPN-${n}](https://acme.atlassian.net/browse/EPN-${n}) a fix with *emphasis* and \`code\`\n- <details><summary>more</summary>details</details>\n\n`);
const withoutHeadings = changelog((n) => `Release 1.${n}: a fix with *emphasis* and \`code\`, see EPN-${n}.\n\n\`\`\`\n## not a heading ${n}\n\`\`\`\n\n`);

async function timed(existing: Buffer): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < 4; run += 1) {
    const started = performance.now();
    await insertChangelogSection(existing, SECTION, '<!-- release-cut:new -->');
    if (run > 0) times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1]!;
}

export async function bench(): Promise<void> {
  for (const [name, file] of [['newest release near the top', withReleases], ['no release heading at all', withoutHeadings]] as const) {
    const ms = await timed(file);
    console.log(`insert into a ${(file.length / 1024 / 1024).toFixed(0)} MB CHANGELOG.md, ${name}: ${ms.toFixed(0)} ms (target < 1 s: ${verdict(ms < 1000)})`);
  }
}
