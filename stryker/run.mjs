/**
 * `npm run test:mutation [module ...]`: StrykerJS on each module of modules.mjs in turn (one
 * Stryker run per module, one mutant at a time), then the score per module. A module's previous
 * results are reused (incremental mode) only while its focused suites are unchanged: the command
 * runner cannot tell Stryker which tests changed, so a changed suite means a full run (--force).
 * Exits 1 when a module scores under 80% of its mutants killed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES } from './modules.mjs';

const TARGET = 80;
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const strykerDir = path.join(root, 'stryker');
const stryker = path.join(strykerDir, 'node_modules', '.bin', 'stryker');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** A digest of the suites that judge `name`'s mutants (matched as `node dist/test/run.js` matches its words). */
function suitesDigest(name) {
  const words = MODULES[name].suites;
  const files = testFiles(path.join(root, 'test')).filter((file) => words.some((word) => file.replace(/\.ts$/, '.js').includes(word))).sort();
  if (files.length === 0) throw new Error(`${name}: no suite matches ${words.join(', ')}`);
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

/** Killed (timeouts included) out of the mutants that compiled and ran, per file and in all. */
function scoresOf(name) {
  const report = JSON.parse(readFileSync(path.join(root, 'reports', 'mutation', name, 'mutation.json'), 'utf8'));
  const rows = Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (...statuses) => mutants.filter((mutant) => statuses.includes(mutant.status)).length;
    return { file, killed: count('Killed', 'Timeout'), survived: count('Survived', 'NoCoverage'), ignored: count('Ignored', 'CompileError', 'RuntimeError') };
  });
  const killed = rows.reduce((sum, row) => sum + row.killed, 0);
  const survived = rows.reduce((sum, row) => sum + row.survived, 0);
  return { rows, killed, survived, score: killed + survived === 0 ? 100 : (100 * killed) / (killed + survived) };
}

const wanted = process.argv.slice(2);
for (const name of wanted) if (!MODULES[name]) throw new Error(`unknown module ${name}; one of ${Object.keys(MODULES).join(', ')}`);
const names = wanted.length > 0 ? wanted : Object.keys(MODULES);

if (!existsSync(stryker)) {
  console.log('installing StrykerJS into stryker/node_modules (first run)');
  const install = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: strykerDir, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const build = spawnSync('npx', ['tsc'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const summary = [];
for (const name of names) {
  const dir = path.join(root, 'reports', 'mutation', name);
  mkdirSync(dir, { recursive: true });
  const digestFile = path.join(dir, 'suites.sha256');
  const digest = suitesDigest(name);
  const force = !existsSync(digestFile) || readFileSync(digestFile, 'utf8').trim() !== digest;
  console.log(`\n== ${name}: ${MODULES[name].mutate.join(', ')} against ${MODULES[name].suites.join(', ')}${force ? ' (suites changed: every mutant)' : ''}`);
  const run = spawnSync(stryker, ['run', ...(force ? ['--force'] : [])], { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATION_MODULE: name } });
  if (run.status !== 0) {
    summary.push({ name, error: `stryker exited with ${run.status}` });
    continue;
  }
  writeFileSync(digestFile, `${digest}\n`);
  summary.push({ name, ...scoresOf(name) });
}

console.log('\nmutation score (killed / (killed + survived); compile errors and equivalent mutants left out):');
let failed = false;
for (const entry of summary) {
  if (entry.error) {
    failed = true;
    console.log(`  ${entry.name}: ${entry.error}`);
    continue;
  }
  if (entry.score < TARGET) failed = true;
  console.log(`  ${entry.name}: ${entry.score.toFixed(1)}% (${entry.killed} killed, ${entry.survived} survived)${entry.score < TARGET ? ` — under ${TARGET}%` : ''}`);
  for (const row of entry.rows) console.log(`    ${row.file}: ${row.killed} killed, ${row.survived} survived, ${row.ignored} not compiling or ignored`);
}
console.log(`reports: ${path.join('reports', 'mutation')}/<module>/index.html`);
process.exit(failed ? 1 : 0);
