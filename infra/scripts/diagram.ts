/**
 * Renders the Mermaid diagram in docs/architecture.md to docs/architecture.png (committed beside it,
 * for readers outside GitHub). Needs a Chromium: Debian's /usr/bin/chromium (puppeteer-config.json);
 * not part of CI.
 *   npm run diagram
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const infraRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const docsDir = path.resolve(infraRoot, '../docs');
const markdown = readFileSync(path.join(docsDir, 'architecture.md'), 'utf8');
const block = /^```mermaid\n([\s\S]*?)^```$/m.exec(markdown)?.[1];
if (!block) {
  console.error('diagram: no ```mermaid block in docs/architecture.md');
  process.exit(1);
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'diagram-'));
try {
  const source = path.join(workDir, 'architecture.mmd');
  writeFileSync(source, block);
  const output = path.join(docsDir, 'architecture.png');
  execFileSync(path.join(infraRoot, 'node_modules/.bin/mmdc'), [
    '--input', source,
    '--output', output,
    '--puppeteerConfigFile', path.join(infraRoot, 'puppeteer-config.json'),
    '--backgroundColor', 'white',
    '--scale', '2',
  ], { stdio: 'inherit' });
  console.log(`diagram: wrote ${path.relative(process.cwd(), output)}`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
