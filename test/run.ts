/**
 * Runs the uvu suites compiled under dist/test, each suite file in its own node process, several
 * at a time (most suites wait on git, servers and child processes rather than the CPU), and
 * closes with one "N passed, N failed" line that CI reads. A suite's output is printed whole
 * when it ends, so parallel suites never interleave.
 *
 *   node dist/test/run.js                         every suite except test/containers
 *   node dist/test/run.js jira-keys cut           of those, suites whose path contains any of the words
 *   node dist/test/run.js --containers            only the suites under test/containers
 *   node dist/test/run.js --containers compose    of those, the ones whose path contains a word
 *
 * TEST_JOBS sets how many suites run at once (default: twice the processors, at least 2; the
 * container suites, which share one Docker engine, one at a time).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const testRoot = path.dirname(fileURLToPath(import.meta.url));
const sourceRoot = path.resolve(testRoot, '..', '..', 'test');
const WORKER_FLAG = '--suite-file';

interface Tally {
  passed: number;
  /** Tests that ran, as uvu counts them (skipped ones are not in it). */
  total: number;
  skipped: number;
}

/** Compiled suites whose source still exists: tsc leaves the output of a moved or deleted test behind. */
function findSuites(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findSuites(full);
    return entry.name.endsWith('.test.js') && existsSync(path.join(sourceRoot, path.relative(testRoot, full).replace(/\.js$/, '.ts'))) ? [full] : [];
  });
}

function tallyOf(output: string): Tally {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (label: string): number => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? 0);
  return { total: count('Total'), passed: count('Passed'), skipped: count('Skipped') };
}

/** In a worker: one suite file through uvu, which prints its own Total/Passed/Skipped. */
async function runOneSuite(file: string): Promise<void> {
  const { run } = await import('uvu/run');
  await run([{ file, name: path.relative(testRoot, file) }], { bail: false });
  // Exit explicitly: a server a suite left behind (embedded PostgreSQL's exit hook calls
  // process.exit(0) on beforeExit) must neither keep the worker alive nor decide its exit code.
  process.exit(0);
}

/** A suite in a child process; resolves with its whole output once it exits. */
function runSuiteProcess(file: string): Promise<{ output: string; exitCode: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), WORKER_FLAG, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (exitCode) => resolve({ output, exitCode }));
  });
}

async function runAll(files: string[], jobs: number): Promise<Tally> {
  // The largest suites start first: they are the slowest, and the small ones fill in around them.
  const queue = [...files].sort((a, b) => statSync(b).size - statSync(a).size);
  const sum: Tally = { passed: 0, total: 0, skipped: 0 };
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const { output, exitCode } = await runSuiteProcess(file);
      const tally = tallyOf(output);
      process.stdout.write(`\n── ${path.relative(testRoot, file)}\n${output}`);
      if ((tally.total === 0 && tally.skipped === 0) || exitCode !== 0) {
        // A suite that crashed before uvu's summary counts as one failure, never as nothing
        // (a suite whose every test was skipped, saying why, ran cleanly).
        process.stdout.write(`  suite ${path.relative(testRoot, file)} ended without a clean summary (exit ${exitCode})\n`);
        tally.total = Math.max(tally.total, tally.passed + 1);
      }
      sum.passed += tally.passed;
      sum.total += tally.total;
      sum.skipped += tally.skipped;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  return sum;
}

async function main(args: string[]): Promise<number> {
  const containers = args.includes('--containers');
  const filters = args.filter((arg) => arg !== '--containers');
  const files = findSuites(testRoot)
    .filter((file) => path.relative(testRoot, file).startsWith(`containers${path.sep}`) === containers)
    .filter((file) => filters.length === 0 || filters.some((filter) => path.relative(testRoot, file).includes(filter)));
  const jobs = Number(process.env.TEST_JOBS) || (containers ? 1 : Math.max(2, os.availableParallelism() * 2));
  const started = performance.now();
  const { passed, total, skipped } = await runAll(files, jobs);
  const failed = total - passed;
  console.log(`\n${files.length} suites, ${jobs} at a time, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (total === 0) console.error('no test ran');
  return total === 0 || failed > 0 ? 1 : 0;
}

const argv = process.argv.slice(2);
if (argv[0] === WORKER_FLAG) await runOneSuite(argv[1]!);
else process.exitCode = await main(argv);
