/**
 * `npm run bench`: runs every bench/*.bench.ts (compiled) in turn. Each one measures
 * its own baseline in the same run and prints ratios against it, so the numbers
 * mean the same on any machine.
 *
 *   node dist/bench/run.js            all benchmarks
 *   node dist/bench/run.js cut hooks  those whose file name contains a word
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchRoot = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(benchRoot)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

for (const name of files) {
  console.log(`\n=== ${name.replace(/\.bench\.js$/, '')}`);
  const module = (await import(pathToFileURL(path.join(benchRoot, name)).href)) as { bench: () => Promise<void> };
  await module.bench();
}
